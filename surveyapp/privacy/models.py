"""A respondent's request to have their personal data erased, made from their personal link (issue 23)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.db import UTCDateTime, utcnow
from surveyapp.extensions import db
from surveyapp.studies.models import Contact, Study

#: The longest note a respondent may add to their request.
MAX_NOTE = 2000


class ErasureRequest(db.Model):
    """Open until an admin erases the contact (`privacy.services.erase_contact` closes it, and blanks the note,
    which is the respondent's own words) or closes it by hand with a reason."""

    __tablename__ = "erasure_requests"
    __table_args__ = (CheckConstraint(f"length(note) <= {MAX_NOTE}", name="note_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("studies.id", ondelete="SET NULL"), nullable=True, index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    handled_by_label: Mapped[str] = mapped_column(String(254), default="")

    contact: Mapped[Contact] = relationship()
    study: Mapped[Study | None] = relationship()

    def __repr__(self) -> str:
        state = "handled" if self.handled_at else "open"
        return f"<ErasureRequest {self.id} contact={self.contact_id} {state}>"
