"""Two app servers (separate gunicorn processes) behind one proxy: rate limits on Redis hold across them, and a
session and form token from one are valid on the other (same SECRET_KEY)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest
import redis

from tests.deploy.conftest import CSRF_INPUT, Server, server_env, start_gunicorn, stop, surveyapp

# A database number of its own on the local Redis, emptied before and after.
REDIS_URL = "redis://127.0.0.1:6379/11"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    folder = tmp_path_factory.mktemp("two-servers")
    (folder / "home").mkdir()
    env = server_env(
        folder / "home", folder / "instance", f"sqlite:///{folder / 'app.db'}",
        SURVEYAPP_REDIS_URL=REDIS_URL, SURVEYAPP_WORKERS="1",
        SURVEYAPP_RATELIMIT_LOGIN_PER_ACCOUNT="3 per 15 minutes",
        SURVEYAPP_RATELIMIT_LINK_PER_IP="3 per 15 minutes",
        SURVEYAPP_ARGON2_TIME_COST="1", SURVEYAPP_ARGON2_MEMORY_COST="8", SURVEYAPP_ARGON2_PARALLELISM="1",
    )  # fmt: skip
    (folder / "instance").mkdir()
    surveyapp(env, "init-db")
    surveyapp(
        env, "users", "create", "anna@example.org", "--role", "admin", stdin=PASSWORD + "\n" + PASSWORD + "\n"
    )
    first = start_gunicorn(env, folder / "a.log")
    try:
        second = start_gunicorn(env, folder / "b.log")
    except AssertionError:
        stop(first)
        raise
    yield first, second
    stop(first)
    stop(second)
    store.flushdb()
    store.close()


def _login_form(server: Server, cookies: dict[str, str]) -> str:
    status, page, _ = server.request("GET", "/login", cookies=cookies)
    assert status == 200
    return CSRF_INPUT.search(page).group(1)  # type: ignore[union-attr]


def _post_login(server: Server, cookies: dict[str, str], token: str, email: str, password: str) -> int:
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    status, _, _ = server.request("POST", "/login", body, cookies=cookies)
    return status


def test_multi_server_login_limit_is_shared_through_redis(servers):
    first, second = servers
    cookies: dict[str, str] = {}
    token = _login_form(first, cookies)
    misses = [_post_login(first, cookies, token, "bert@example.org", "wrong") for _ in range(3)]

    blocked = _post_login(second, cookies, token, "bert@example.org", "wrong")

    assert misses == [422, 422, 422]
    assert blocked == 429


def test_multi_server_personal_link_limit_is_shared_through_redis(servers):
    first, second = servers
    misses = [first.request("GET", f"/s/not-a-token-{number}", cookies={})[0] for number in range(3)]

    blocked = second.request("GET", "/s/not-a-token-4", cookies={})[0]

    assert misses == [404, 404, 404]
    assert blocked == 429


def test_multi_server_form_from_one_server_posts_to_the_other(servers):
    first, second = servers
    cookies: dict[str, str] = {}
    token = _login_form(first, cookies)

    status = _post_login(second, cookies, token, "anna@example.org", PASSWORD)
    after_login = first.request("GET", "/", cookies=cookies)[0]

    assert status == 302
    assert after_login == 200
