"""Import previews kept in the database: bound to their study, user and kind, confirmed once, expiring after an
hour, and confirmable on another app server than the one that showed them."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from surveyapp.db import utcnow
from surveyapp.enums import Role
from surveyapp.jobs.tasks import tick
from surveyapp.studies.models import StudyAccount
from surveyapp.studies.uploads import (
    UPLOAD_LIFETIME,
    ImportKind,
    ImportUpload,
    UploadExpired,
    UploadNotFound,
    claim_upload,
    delete_expired_uploads,
    store_upload,
)

ACCOUNTS = b"name,segment,annual_revenue,effort_hours,billable_hours\nAcme BV,Retail,1000,100,90\n"
NOT_FOUND = (
    "This import preview does not exist (any more); it may have been imported already. "
    "Upload the file again to see a new preview."
)
EXPIRED = (
    "This import preview has expired: previews are kept for 60 minutes. "
    "Upload the file again to see a new preview."
)
TOKEN = re.compile(r'name="upload" type="hidden" value="([^"]+)"')


def _preview(client: Any, slug: str, content: bytes = ACCOUNTS, kind: str = "accounts") -> Any:
    return client.post_form(
        f"/studies/{slug}/import",
        {"kind": kind, "file": (io.BytesIO(content), "accounts.csv")},
        content_type="multipart/form-data",
    )


def _token(response: Any) -> str:
    found = TOKEN.search(response.get_data(as_text=True))
    assert found is not None, response.get_data(as_text=True)
    return found.group(1)


def _confirm(client: Any, slug: str, token: str, kind: str = "accounts") -> Any:
    return client.post_form(f"/studies/{slug}/import/confirm", {"kind": kind, "upload": token})


def _in_scope(db: Any, study: Any) -> list[str]:
    return sorted(
        row.account.name
        for row in db.session.scalars(select(StudyAccount).where(StudyAccount.study_id == study.id))
    )


def _uploads(db: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(ImportUpload)) or 0)


@pytest.fixture
def researcher(make_user: Any, login: Any) -> Any:
    user = make_user(Role.RESEARCHER)
    login(user)
    return user


def test_import_preview_keeps_the_file_in_the_database_bound_to_study_user_and_kind(
    app, client, db, researcher, make_study
):
    study = make_study()

    preview = _preview(client, study.slug)

    upload = db.session.scalar(select(ImportUpload))
    assert preview.status_code == 200
    assert (upload.token, upload.study_id, upload.user_id, upload.kind, upload.filename, upload.content) == (
        _token(preview),
        study.id,
        researcher.id,
        ImportKind.ACCOUNTS,
        "accounts.csv",
        ACCOUNTS,
    )
    assert not (Path(app.instance_path) / "uploads").exists()


def test_import_confirm_imports_once_and_deletes_the_upload(client, db, researcher, make_study):
    study = make_study()
    token = _token(_preview(client, study.slug))

    done = _confirm(client, study.slug, token)
    again = _confirm(client, study.slug, token)

    assert done.status_code == 302
    assert done.headers["Location"] == f"/studies/{study.slug}/accounts"
    assert again.status_code == 404
    assert NOT_FOUND in again.get_data(as_text=True)
    assert _in_scope(db, study) == ["Acme BV"]
    assert _uploads(db) == 0


def test_import_confirm_into_another_study_is_404_and_imports_nothing(client, db, researcher, make_study):
    first, other = make_study(), make_study()
    token = _token(_preview(client, first.slug))

    refused = _confirm(client, other.slug, token)
    later = _confirm(client, first.slug, token)

    assert refused.status_code == 404
    assert NOT_FOUND in refused.get_data(as_text=True)
    assert _in_scope(db, other) == []
    assert later.status_code == 302
    assert _in_scope(db, first) == ["Acme BV"]


def test_import_confirm_by_another_user_is_404_and_imports_nothing(
    app, client, db, researcher, make_user, login, make_study
):
    study = make_study()
    token = _token(_preview(client, study.slug))
    colleague = app.test_client()
    login(make_user(Role.RESEARCHER), target=colleague)

    refused = _confirm(colleague, study.slug, token)

    assert refused.status_code == 404
    assert NOT_FOUND in refused.get_data(as_text=True)
    assert _in_scope(db, study) == []
    assert _uploads(db) == 1


@pytest.mark.parametrize("kind", ["contacts", "responses", ""])
def test_import_confirm_as_another_kind_is_refused_and_imports_nothing(
    client, db, researcher, make_study, kind
):
    study = make_study()
    token = _token(_preview(client, study.slug))

    refused = _confirm(client, study.slug, token, kind=kind)

    # An empty kind is a broken form (400); any other kind finds no upload of that kind (404).
    assert refused.status_code == (400 if kind == "" else 404)
    assert _in_scope(db, study) == []
    assert _uploads(db) == 1


def test_import_confirm_of_an_unknown_upload_is_404_with_the_import_form(client, db, researcher, make_study):
    study = make_study()

    refused = _confirm(client, study.slug, "made-up-token-made-up-token-00")

    body = refused.get_data(as_text=True)
    assert refused.status_code == 404
    assert NOT_FOUND in body
    assert 'name="file"' in body


def test_import_confirm_of_an_expired_upload_is_410_and_deletes_it(client, db, researcher, make_study):
    study = make_study()
    token = _token(_preview(client, study.slug))
    db.session.execute(
        update(ImportUpload).values(created_at=utcnow() - UPLOAD_LIFETIME - timedelta(seconds=1))
    )
    db.session.commit()

    refused = _confirm(client, study.slug, token)

    assert refused.status_code == 410
    assert EXPIRED in refused.get_data(as_text=True)
    assert _in_scope(db, study) == []
    assert _uploads(db) == 0


def test_import_preview_with_errors_keeps_no_upload(client, db, researcher, make_study):
    study = make_study()
    bad = b"name,segment,annual_revenue,effort_hours,billable_hours\nAcme BV,Retail,1000,10,90\n"

    preview = _preview(client, study.slug, bad)

    assert preview.status_code == 422
    assert 'name="upload"' not in preview.get_data(as_text=True)
    assert _uploads(db) == 0


def test_import_preview_from_one_app_server_is_confirmed_on_another(
    make_app, client, db, researcher, login, make_study, tmp_path, monkeypatch
):
    # Arrange: a second app server on the same database, with an instance folder of its own
    study = make_study()
    token = _token(_preview(client, study.slug))
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path / "second-server"))
    second = make_app().test_client()
    login(researcher, target=second)

    # Act
    done = _confirm(second, study.slug, token)

    # Assert
    assert done.status_code == 302
    assert _in_scope(db, study) == ["Acme BV"]
    assert _uploads(db) == 0


def test_store_upload_deletes_the_expired_uploads(db, researcher, make_study):
    study = make_study()
    now = utcnow()
    store_upload(
        session=db.session,
        study=study,
        user=researcher,
        kind=ImportKind.ACCOUNTS,
        filename="old.csv",
        content=ACCOUNTS,
        now=now - UPLOAD_LIFETIME - timedelta(minutes=1),
    )
    recent = store_upload(
        session=db.session,
        study=study,
        user=researcher,
        kind=ImportKind.CONTACTS,
        filename="recent.csv",
        content=ACCOUNTS,
        now=now - UPLOAD_LIFETIME + timedelta(minutes=1),
    )
    recent_id = recent.id
    db.session.commit()

    new_id = store_upload(
        session=db.session,
        study=study,
        user=researcher,
        kind=ImportKind.ACCOUNTS,
        filename="new.csv",
        content=ACCOUNTS,
        now=now,
    ).id
    db.session.commit()

    assert set(db.session.scalars(select(ImportUpload.id))) == {recent_id, new_id}
    # Exactly one lifetime old is not expired yet; a second later it is.
    assert delete_expired_uploads(session=db.session, now=now + UPLOAD_LIFETIME) == 1
    assert delete_expired_uploads(session=db.session, now=now + UPLOAD_LIFETIME + timedelta(seconds=1)) == 1


def test_claim_upload_finds_only_the_owners_upload_for_its_study_and_kind(
    db, researcher, make_user, make_study
):
    study, other = make_study(), make_study()
    colleague = make_user(Role.RESEARCHER)
    upload = store_upload(
        session=db.session,
        study=study,
        user=researcher,
        kind=ImportKind.ACCOUNTS,
        filename="accounts.csv",
        content=ACCOUNTS,
    )
    token = upload.token
    db.session.commit()

    attempts = [
        (other, researcher, ImportKind.ACCOUNTS),
        (study, colleague, ImportKind.ACCOUNTS),
        (study, researcher, ImportKind.CONTACTS),
    ]
    for target, user, kind in attempts:
        with pytest.raises(UploadNotFound):
            claim_upload(session=db.session, token=token, study=target, user=user, kind=kind)
        db.session.rollback()
    claimed = claim_upload(
        session=db.session, token=token, study=study, user=researcher, kind=ImportKind.ACCOUNTS
    )

    claimed_content = claimed.content
    db.session.rollback()  # the claim deleted the upload; undone, it can be claimed again
    assert claimed_content == ACCOUNTS
    with pytest.raises(UploadExpired):
        claim_upload(
            session=db.session,
            token=token,
            study=study,
            user=researcher,
            kind=ImportKind.ACCOUNTS,
            now=utcnow() + UPLOAD_LIFETIME + timedelta(seconds=1),
        )


def test_tick_deletes_the_import_previews_nobody_confirmed_within_the_hour(db, researcher, make_study):
    study = make_study()
    now = utcnow()
    for minutes_ago, name in ((61, "forgotten.csv"), (59, "still-open.csv")):
        store_upload(
            session=db.session,
            study=study,
            user=researcher,
            kind=ImportKind.ACCOUNTS,
            filename=name,
            content=ACCOUNTS,
            now=now - timedelta(minutes=minutes_ago),
        )
    db.session.commit()

    tick(now=now)

    assert db.session.scalars(select(ImportUpload.filename)).all() == ["still-open.csv"]
