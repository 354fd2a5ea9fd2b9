"""Token guessing: ten thousand random tokens against the personal-link routes from one address are throttled
after the configured number of misses, none of them opens anything, and every miss and every refusal is
logged. The limiter keeps its counts in memory here (no REDIS_URL in tests), which keeps this fast."""

from __future__ import annotations

import logging
import secrets
from collections import Counter

from sqlalchemy import select

from surveyapp.invitations.models import InvitationEvent
from surveyapp.invitations.tokens import TOKEN_BYTES

GUESSES = 10_000
LIMIT = 50  # RATELIMIT_LINK_PER_IP defaults to "50 per 15 minutes"
ROUTES = ("/s/{}", "/opt-out/{}", "/deal-check/{}")


def test_tokens_ten_thousand_guesses_are_throttled_without_a_hit_and_logged(
    db, client, caplog, survey_study, make_invitation
):
    # Arrange: a real invitation exists, so a lucky guess would have something to open
    setup = survey_study()
    make_invitation(setup.study, setup.ben, setup.globex_id)
    guesses = [secrets.token_urlsafe(TOKEN_BYTES) for _ in range(GUESSES)]
    caplog.set_level(logging.INFO)

    # Act
    statuses = Counter(
        client.get(ROUTES[number % len(ROUTES)].format(token)).status_code
        for number, token in enumerate(guesses)
    )
    other_address = client.get(f"/s/{guesses[0]}", environ_base={"REMOTE_ADDR": "10.0.0.9"})

    # Assert: the first LIMIT misses are answered, every later guess is refused before the lookup
    assert statuses == Counter({404: LIMIT, 429: GUESSES - LIMIT})
    assert other_address.status_code == 404
    assert list(db.session.scalars(select(InvitationEvent.status))) == []
    misses = [
        r
        for r in caplog.records
        if r.name == "surveyapp" and r.getMessage().startswith(("personal link", "deal-check link"))
    ]
    refusals = [r for r in caplog.records if r.name == "flask-limiter" and "exceeded" in r.getMessage()]
    assert len(refusals) == GUESSES - LIMIT
    assert {r.getMessage() for r in misses} >= {
        "personal link unknown (links.landing) from 127.0.0.1",
        "personal link unknown (links.opt_out) from 127.0.0.1",
        "deal-check link unknown from 127.0.0.1",
    }
    assert len([r for r in misses if r.getMessage().endswith("127.0.0.1")]) == LIMIT


def test_tokens_throttled_page_says_what_happened(client):
    for _ in range(LIMIT):
        client.get(f"/s/{secrets.token_urlsafe(TOKEN_BYTES)}")

    response = client.get(f"/s/{secrets.token_urlsafe(TOKEN_BYTES)}")

    assert response.status_code == 429
    assert "Too many attempts in a short time. Wait a few minutes and try again." in response.get_data(
        as_text=True
    )
