"""What account teams get shows no respondent by name: exports, the dashboard; named quotes only with consent."""

from __future__ import annotations

import pytest

from surveyapp.coding.report_sections import sections
from surveyapp.coding.services import save_selection
from surveyapp.coding.targets import ANSWER, Target
from surveyapp.enums import Role
from tests.coding.conftest import PEOPLE
from tests.privacy.traces import bytes_traces, found_in

VAN_DIJK = "Van Dijk Logistiek"
#: The one respondent who agreed to be quoted with name and company.
NAMED = "Marieke van Dijk, Director, Van Dijk Logistiek"
NAMES_AND_EMAILS = sorted({*PEOPLE, *(person[0] for person in PEOPLE.values())})


@pytest.fixture
def team_member(db, client, login, make_user, coded_study):
    """The coding study with every open answer chosen for the report, seen by an account-team member."""
    coded = coded_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    # Everyone who allowed a quote (named, anonymous, or staff, who are quoted anonymously).
    quotable = [
        key for key in coded.answers if PEOPLE[key[0]][2] in ("named", "anonymous") or "brightline" in key[0]
    ]
    chosen = {Target(ANSWER, coded.answers[key]): True for key in quotable}
    save_selection(session=db.session, study=coded.study, chosen=chosen, actor=researcher)
    db.session.commit()
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[coded.study.supplier], name="Tom Bakker"))
    return coded


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_account_team_analysis_export_names_no_respondent(db, client, team_member, fmt):
    slug = team_member.study.slug

    response = client.get(f"/studies/{slug}/exports/download?what=analysis&format={fmt}")

    assert response.status_code == 200
    assert bytes_traces(fmt, response.get_data(), NAMES_AND_EMAILS) == []


@pytest.mark.parametrize("what", ["answers", "themes"])
def test_account_team_cannot_export_answers_or_quotes(db, client, team_member, what):
    response = client.get(f"/studies/{team_member.study.slug}/exports/download?what={what}&format=json")

    assert response.status_code == 404


def test_account_team_dashboard_names_only_the_respondent_who_allowed_a_named_quote(db, client, team_member):
    account_id = team_member.accounts[VAN_DIJK]

    response = client.get(f"/studies/{team_member.study.slug}/dashboard/accounts/{account_id}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count(NAMED) == 1
    assert found_in(page.replace(NAMED, ""), NAMES_AND_EMAILS) == []


def test_report_quotes_carry_a_name_only_where_the_respondent_allowed_it(db, team_member):
    study = team_member.study

    found = sections(session=db.session, study=study, language="en")

    quotes = sorted(
        (quote["text"], quote["attribution"] or "")
        for account in found.values()
        for quote in account.get("quotes", [])
    )
    assert quotes == [
        ('<img src="file:///etc/passwd"> hostile', "Lotte Dekker, CFO, Stadsbank Utrecht"),
        ("Fast answers on the phone.", NAMED),
        ("Scope creep every month.", ""),
        ("The client is demanding.", ""),
        ("Too many small changes.", ""),
        ("Too many small changes.", ""),
    ]
