"""drafts of changes to a completed survey (issue 23, rule 19)

Revision ID: d7f3b9a1c5e2
Revises: c4e6a8b0d2f1
Create Date: 2026-12-07 09:30:00

"""

from alembic import op
import sqlalchemy as sa

import surveyapp.db


# revision identifiers, used by Alembic.
revision = "d7f3b9a1c5e2"
down_revision = "c4e6a8b0d2f1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "response_drafts",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("current_section", sa.String(length=100), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("started_at", surveyapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", surveyapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_response_drafts_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_response_drafts")),
    )


def downgrade():
    op.drop_table("response_drafts")
