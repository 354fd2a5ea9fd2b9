"""The coding pages: access, themes, the queue saved without JavaScript, consent messages, escaping."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from surveyapp.coding.models import PALETTE, ReportQuote, Theme, ThemeTag
from surveyapp.coding.targets import ANSWER, Target
from surveyapp.enums import Role

VAN_DIJK, NOORDZEE = "Van Dijk Logistiek", "Noordzee Havenbedrijf"


@pytest.fixture
def researcher(make_user):
    return make_user(Role.RESEARCHER, all_suppliers=True)


def _add_theme(client, slug, name, colour=PALETTE[0]):
    return client.post_form(f"/studies/{slug}/coding/themes", {"name": name, "colour": colour})


def test_coding_page_shows_themes_with_counts_and_is_linked_from_the_study(
    db, client, login, coded_study, researcher
):
    coded = coded_study()
    login(researcher)
    _add_theme(client, "fit-2025", "Scope creep")

    page = client.get("/studies/fit-2025/coding")
    study_page = client.get("/studies/fit-2025")

    assert page.status_code == 200
    assert "Scope creep" in page.get_data(as_text=True)
    assert "/studies/fit-2025/coding" in study_page.get_data(as_text=True)
    assert coded.study.slug == "fit-2025"


def test_account_team_and_other_suppliers_researchers_get_404(
    db, client, login, coded_study, make_user, make_supplier
):
    coded = coded_study()
    other = make_supplier("Other")
    team = make_user(Role.ACCOUNT_TEAM, suppliers=[coded.study.supplier])
    outsider = make_user(Role.RESEARCHER, suppliers=[other])

    login(team)
    as_team = client.get("/studies/fit-2025/coding")
    client.post_form("/logout")
    login(outsider)
    as_outsider = client.get("/studies/fit-2025/coding/queue")
    posted = _add_theme(client, "fit-2025", "X")

    assert (as_team.status_code, as_outsider.status_code, posted.status_code) == (404, 404, 404)
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 0


def test_add_theme_with_a_duplicate_name_keeps_the_input_and_explains(
    db, client, login, coded_study, researcher
):
    coded_study()
    login(researcher)
    _add_theme(client, "fit-2025", "Scope creep")

    response = _add_theme(client, "fit-2025", "scope CREEP", PALETTE[2])

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This study already has a theme named Scope creep." in body
    assert 'value="scope CREEP"' in body
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 1


def test_add_theme_without_csrf_is_refused(db, client, login, coded_study, researcher):
    coded_study()
    login(researcher)

    response = client.post("/studies/fit-2025/coding/themes", data={"name": "X", "colour": PALETTE[0]})

    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 0


def test_delete_theme_asks_for_confirmation(db, client, login, coded_study, researcher):
    coded_study()
    login(researcher)
    _add_theme(client, "fit-2025", "Scope creep")
    theme_id = db.session.scalar(select(Theme.id))
    url = f"/studies/fit-2025/coding/themes/{theme_id}/delete"

    unconfirmed = client.post_form(url, {})
    confirmed = client.post_form(url, {"confirm": "y"})

    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm" in unconfirmed.get_data(as_text=True)
    assert confirmed.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 0


def test_queue_saves_a_whole_page_without_javascript(db, client, login, coded_study, researcher):
    coded = coded_study()
    login(researcher)
    _add_theme(client, "fit-2025", "Scope creep")
    theme_id = db.session.scalar(select(Theme.id))
    page = client.get("/studies/fit-2025/coding/queue?perspective=client")
    keys = re.findall(r'name="target" value="([aq]\d+)"', page.get_data(as_text=True))
    visser = Target(ANSWER, coded.answer("s.visser@noordzee.example", NOORDZEE)).key

    saved = client.post_form(
        "/studies/fit-2025/coding/queue?perspective=client",
        {"target": keys, f"tags-{visser}": str(theme_id), f"quote-{visser}": "1"},
    )

    assert page.status_code == 200
    assert len(keys) == 5
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith("/studies/fit-2025/coding/queue?perspective=client")
    assert db.session.scalars(select(ThemeTag.answer_id)).all() == [int(visser[1:])]
    assert db.session.scalars(select(ReportQuote.answer_id)).all() == [int(visser[1:])]


def test_queue_refuses_a_quote_without_consent_keeps_the_choices_and_saves_nothing(
    db, client, login, coded_study, researcher
):
    coded = coded_study()
    login(researcher)
    _add_theme(client, "fit-2025", "Scope creep")
    theme_id = db.session.scalar(select(Theme.id))
    refused = Target(ANSWER, coded.answer("a.meijer@noordzee.example", NOORDZEE)).key
    visser = Target(ANSWER, coded.answer("s.visser@noordzee.example", NOORDZEE)).key

    response = client.post_form(
        "/studies/fit-2025/coding/queue",
        {"target": [refused, visser], f"tags-{visser}": str(theme_id), f"quote-{refused}": "1"},
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "the respondent did not agree to be quoted" in body
    assert re.search(rf'name="tags-{visser}" value="{theme_id}" checked', body)
    assert db.session.scalar(select(func.count()).select_from(ThemeTag)) == 0


def test_queue_escapes_answer_text_and_documents_the_shortcuts(db, client, login, coded_study, researcher):
    coded_study()
    login(researcher)

    body = client.get("/studies/fit-2025/coding/queue").get_data(as_text=True)

    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt; hostile" in body
    assert '<img src="file:///etc/passwd">' not in body
    assert "the digits 1 to 9 switch the first nine themes" in body
    assert "js/coding.js" in body


def test_queue_with_an_unknown_filter_says_so(db, client, login, coded_study, researcher):
    coded_study()
    login(researcher)

    response = client.get("/studies/fit-2025/coding/queue?perspective=boss&page=x")

    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)


def test_tampered_queue_form_is_refused(db, client, login, coded_study, researcher):
    coded_study()
    login(researcher)

    response = client.post_form("/studies/fit-2025/coding/queue", {"target": ["x1"]})

    assert response.status_code == 400


def test_account_themes_partial_renders_calmly_when_empty_and_escapes(db, app, coded_study):
    from flask import render_template

    from surveyapp.coding.queries import AccountQuote, AccountTheme, AccountThemes

    filled = AccountThemes(
        [AccountTheme("Scope <b>", PALETTE[0], 2, 1)], [AccountQuote("<i>Hi</i>", None, "client")]
    )
    with app.test_request_context():
        empty = render_template("coding/_account_themes.html", account_themes=AccountThemes([], []))
        shown = render_template("coding/_account_themes.html", account_themes=filled)

    assert "No themes yet" in empty
    assert "<h2" in empty and "<h3" not in empty
    assert "Scope &lt;b&gt;" in shown and "&lt;i&gt;Hi&lt;/i&gt;" in shown
    assert "<h3>Quotes</h3>" in shown


def test_edit_theme_renames_and_moves_it(db, client, login, coded_study, researcher):
    coded_study()
    login(researcher)
    _add_theme(client, "fit-2025", "First")
    _add_theme(client, "fit-2025", "Second")
    second = db.session.scalar(select(Theme).where(Theme.name == "Second"))
    url = f"/studies/fit-2025/coding/themes/{second.id}"

    form = client.get(url)
    saved = client.post_form(url, {"name": "Speed", "description": "", "colour": PALETTE[3], "position": "1"})
    refused = client.post_form(
        url, {"name": "first", "description": "", "colour": PALETTE[3], "position": "1"}
    )

    assert form.status_code == 200
    assert 'value="2"' in form.get_data(as_text=True)
    assert saved.status_code == 302
    assert refused.status_code == 422
    assert 'value="first"' in refused.get_data(as_text=True)
    assert [
        (t.name, t.position, t.colour) for t in db.session.scalars(select(Theme).order_by(Theme.position))
    ] == [
        ("Speed", 0, PALETTE[3]),
        ("First", 1, PALETTE[0]),
    ]
