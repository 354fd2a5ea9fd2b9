"""Import files between their check (the preview) and their confirmation, kept in the database.

The preview and the confirmation are two requests that several app servers may answer, so the checked file is
kept where every one of them finds it: in the database, not in one machine's instance folder. An upload is
bound to the study, the user and the kind of import it was checked for; a confirmation that names it with
any other study, user or kind finds nothing. It expires after `UPLOAD_LIFETIME` (1 hour); each new upload
deletes the expired ones, and confirming one deletes it in the same transaction as the import it makes, so
it can be imported once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, undefer

from surveyapp.db import UTCDateTime, enum_type, utcnow
from surveyapp.extensions import db

UPLOAD_LIFETIME = timedelta(hours=1)
# 24 random bytes: 32 URL-safe characters, which the confirmation form accepts (20 to 64 of them).
TOKEN_BYTES = 24
FILENAME_LIMIT = 255


class ImportKind(StrEnum):
    """What an uploaded file holds: the imports the browser offers."""

    ACCOUNTS = "accounts"
    CONTACTS = "contacts"


class ImportUpload(db.Model):
    """A checked import file waiting to be confirmed by the user who uploaded it, into the study it was checked
    for, as the kind it was checked as.

    The token is not secret on its own: only its owner can confirm it, and only into its study.
    """

    __tablename__ = "import_uploads"
    __table_args__ = (CheckConstraint("length(token) >= 20", name="token_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ImportKind] = mapped_column(enum_type(ImportKind, "import_upload_kind"))
    filename: Mapped[str] = mapped_column(String(FILENAME_LIMIT), default="")
    # Deferred: only the confirmation reads the file; listing and expiring uploads never loads it.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<ImportUpload {self.id} {self.kind} study={self.study_id} user={self.user_id}>"


class UploadNotFound(LookupError):
    """No upload with this token for this study, user and kind (never made, imported already, or another's)."""


class UploadExpired(LookupError):
    """The upload is older than `UPLOAD_LIFETIME`; it has been deleted (flushed, not committed)."""


def clean_filename(name: str | None) -> str:
    """The name of an uploaded file as it is kept and shown: its last part (some browsers send a path), without
    control characters, at most FILENAME_LIMIT characters."""
    last = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(character for character in last if character.isprintable())[:FILENAME_LIMIT]


def delete_expired_uploads(*, session: Session, now: datetime | None = None) -> int:
    """Delete every upload older than `UPLOAD_LIFETIME`; returns how many. Flushes."""
    cutoff = (now or utcnow()) - UPLOAD_LIFETIME
    result = session.execute(
        delete(ImportUpload)
        .where(ImportUpload.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def store_upload(
    *,
    session: Session,
    study: Any,
    user: Any,
    kind: ImportKind,
    filename: str,
    content: bytes,
    now: datetime | None = None,
) -> ImportUpload:
    """Keep a checked file for its confirmation (and delete the expired uploads); its `token` goes in the form.

    Flushes; the caller commits.
    """
    delete_expired_uploads(session=session, now=now)
    upload = ImportUpload(
        token=secrets.token_urlsafe(TOKEN_BYTES),
        study_id=study.id,
        user_id=user.id,
        kind=kind,
        filename=clean_filename(filename),
        content=content,
        created_at=now or utcnow(),
    )
    session.add(upload)
    session.flush()
    return upload


def claim_upload(
    *,
    session: Session,
    token: str,
    study: Any,
    user: Any,
    kind: ImportKind,
    now: datetime | None = None,
) -> ImportUpload:
    """The upload with this token, if `user` made it for `study` and `kind`, with its content loaded.

    The upload is deleted (flushed) here: committed together with the import, it can be imported only once; a
    rollback keeps it for another try. Its row is locked until then, so a second confirmation of the same
    upload waits and then finds nothing. Raises UploadNotFound, or UploadExpired (the upload is deleted then
    too: commit to make that last).
    """
    upload = session.scalar(
        select(ImportUpload)
        .options(undefer(ImportUpload.content))
        .where(
            ImportUpload.token == token,
            ImportUpload.study_id == study.id,
            ImportUpload.user_id == user.id,
            ImportUpload.kind == kind,
        )
        .with_for_update()
    )
    if upload is None:
        raise UploadNotFound(token)
    session.delete(upload)
    session.flush()
    if upload.created_at < (now or utcnow()) - UPLOAD_LIFETIME:
        raise UploadExpired(token)
    return upload
