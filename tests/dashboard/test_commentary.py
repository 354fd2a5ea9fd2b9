"""The researcher's commentary on the dashboard: CSRF, validation, what was typed kept on error, shown escaped."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.enums import Phase, Role
from surveyapp.reporting.models import ReportCommentary
from surveyapp.reporting.services import MAX_COMMENTARY


@pytest.fixture
def built(dashboard_study):
    return dashboard_study()


def _urls(built):
    slug = built.study.slug
    account = built.accounts["Beta Zorg"]
    return {
        "portfolio": (f"/studies/{slug}/dashboard/commentary", f"/studies/{slug}/dashboard"),
        "account": (
            f"/studies/{slug}/dashboard/accounts/{account}/commentary",
            f"/studies/{slug}/dashboard/accounts/{account}",
        ),
    }


@pytest.mark.parametrize("kind", ["portfolio", "account"])
def test_commentary_saved_and_shown(db, client, login, make_user, built, kind):
    # Arrange
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    post_url, page_url = _urls(built)[kind]

    # Act
    response = client.post_form(post_url, {"text": "  First point.\r\n\r\n<b>Second</b> point.  "})
    page = client.get(page_url).get_data(as_text=True)

    # Assert
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{page_url}#commentary-heading")
    assert [row.text for row in db.session.scalars(select(ReportCommentary))] == [
        "First point.\n\n<b>Second</b> point."
    ]
    assert "<p>First point.</p><p>&lt;b&gt;Second&lt;/b&gt; point.</p>" in page
    assert "First point.\n\n&lt;b&gt;Second&lt;/b&gt; point.</textarea>" in page  # the form holds it too


@pytest.mark.parametrize("kind", ["portfolio", "account"])
def test_commentary_without_csrf_is_refused(db, client, login, make_user, built, kind):
    # Arrange
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    post_url, _page = _urls(built)[kind]

    # Act
    response = client.post(post_url, data={"text": "Sneaky"})

    # Assert
    assert response.status_code == 400
    assert db.session.scalars(select(ReportCommentary)).all() == []


@pytest.mark.parametrize("kind", ["portfolio", "account"])
def test_commentary_too_long_keeps_text_and_saves_nothing(db, client, login, make_user, built, kind):
    # Arrange
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    post_url, _page = _urls(built)[kind]
    typed = "word " * (MAX_COMMENTARY // 5) + "over the limit"

    # Act
    response = client.post_form(post_url, {"text": typed})

    # Assert
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in html
    assert "over the limit</textarea>" in html
    assert db.session.scalars(select(ReportCommentary)).all() == []


@pytest.mark.parametrize("kind", ["portfolio", "account"])
def test_commentary_account_team_cannot_post(
    db, client, login, make_user, dashboard_study, make_supplier, kind
):
    # Arrange
    supplier = make_supplier("Brightline")
    built = dashboard_study(supplier=supplier, phase=Phase.ACT)
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[supplier]))
    post_url, _page = _urls(built)[kind]

    # Act
    response = client.post_form(post_url, {"text": "Ours"})

    # Assert
    assert response.status_code == 404
    assert db.session.scalars(select(ReportCommentary)).all() == []


def test_commentary_account_team_reads_it(db, client, login, make_user, dashboard_study, make_supplier):
    # Arrange
    supplier = make_supplier("Brightline")
    built = dashboard_study(supplier=supplier, phase=Phase.ACT)
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    team = make_user(Role.ACCOUNT_TEAM, suppliers=[supplier])
    post_url, page_url = _urls(built)["portfolio"]
    login(researcher)
    client.post_form(post_url, {"text": "Keep Alpha, talk to Beta."})
    client.post_form("/logout")

    # Act
    login(team)
    html = client.get(page_url).get_data(as_text=True)

    # Assert
    assert "<p>Keep Alpha, talk to Beta.</p>" in html
