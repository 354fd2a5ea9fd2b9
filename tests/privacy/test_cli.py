"""`surveyapp erase contact EMAIL` and `surveyapp export contact EMAIL`."""

from __future__ import annotations

import json

from surveyapp.studies.models import Contact
from tests.privacy.conftest import EMAIL, NAME


def test_cli_erase_contact_of_an_unknown_email_is_one_line_with_exit_status_1(db, run):
    result = run("erase", "contact", "nobody@example.org", "--yes")

    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: No contact has the email address nobody@example.org."


def test_cli_erase_contact_of_an_unknown_supplier_is_refused(db, run, spread_person):
    spread_person()

    result = run("erase", "contact", EMAIL, "--supplier", "Nope", "--yes")

    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: unknown supplier 'Nope'"


def test_cli_erase_contact_asks_first_and_erases_nothing_on_no(db, run, spread_person):
    spread = spread_person()

    result = run("erase", "contact", EMAIL, input="n\n")

    assert result.exit_code == 1
    assert result.stderr.strip().endswith("Error: nothing erased")
    db.session.expire_all()
    assert db.session.get(Contact, spread.contact_id).email == EMAIL


def test_cli_erase_contact_with_yes_erases(db, run, spread_person):
    spread = spread_person()

    result = run("erase", "contact", EMAIL, "--yes")

    assert result.exit_code == 0
    assert result.output.startswith("erased 1 contact(s): 1 open answers, 0 responses deleted, 1 interviews")
    db.session.expire_all()
    assert db.session.get(Contact, spread.contact_id).erased_at is not None


def test_cli_export_contact_writes_the_json(db, run, spread_person, tmp_path):
    spread_person()
    target = tmp_path / "contact.json"

    result = run("export", "contact", EMAIL, "-o", str(target))

    assert result.exit_code == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert (document["email"], document["contacts"][0]["name"]) == (EMAIL, NAME)


def test_cli_export_contact_of_an_unknown_email_is_refused(db, run, tmp_path):
    result = run("export", "contact", "nobody@example.org", "-o", str(tmp_path / "x.json"))

    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: No contact has the email address nobody@example.org."
    assert not (tmp_path / "x.json").exists()


def test_cli_study_export_without_study_says_what_is_missing(db, run, tmp_path):
    result = run("export", "--format", "csv", "-o", str(tmp_path / "x.csv"))

    assert result.exit_code == 2
    assert "Missing option '--study'." in result.stderr
