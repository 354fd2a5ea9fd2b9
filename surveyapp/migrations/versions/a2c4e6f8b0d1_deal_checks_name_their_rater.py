"""deal fit checks name their rater: the person's name, not their email address (issue 25)

Revision ID: a2c4e6f8b0d1
Revises: f1b3d5a7c9e2
Create Date: 2026-12-07 16:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a2c4e6f8b0d1'
down_revision = 'f1b3d5a7c9e2'
branch_labels = None
depends_on = None


def upgrade():
    # Checks stored before named their rater by email address; where the user or the invitation has a name,
    # the label becomes that name (an erased label, '', stays erased).
    op.execute(
        "UPDATE deal_checks SET respondent_label = (SELECT name FROM users WHERE users.id = deal_checks.respondent_user_id) "
        "WHERE respondent_label <> '' AND respondent_user_id IS NOT NULL "
        "AND (SELECT name FROM users WHERE users.id = deal_checks.respondent_user_id) <> ''"
    )
    op.execute(
        "UPDATE deal_checks SET respondent_label = (SELECT name FROM deal_check_invitations i "
        "WHERE i.id = deal_checks.invitation_id) "
        "WHERE respondent_label <> '' AND respondent_user_id IS NULL AND invitation_id IS NOT NULL "
        "AND (SELECT name FROM deal_check_invitations i WHERE i.id = deal_checks.invitation_id) <> ''"
    )


def downgrade():
    # The email addresses are not restored: the name says who answered, and the links to the user and the
    # invitation are unchanged.
    pass
