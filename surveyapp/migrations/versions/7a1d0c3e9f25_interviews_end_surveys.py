"""interviews end surveys (issue 23, rule 19)

An interview now counts over a survey of the same contact, account and perspective, whenever each was
completed, and a completed interview ends the contact's survey invitation for it. For the data already
stored: the completed responses are ranked again (an interview first), and the survey invitation of every
completed interview is closed as answered ("interviewed"), created first where the contact was never invited.
Emails already waiting in the outbox are left to the sender's own checks.

Revision ID: 7a1d0c3e9f25
Revises: 5c2e81a0b7d4
Create Date: 2026-12-07 06:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7a1d0c3e9f25'
down_revision = '5c2e81a0b7d4'
branch_labels = None
depends_on = None

OPEN = "('created', 'queued', 'failed', 'sent', 'opened', 'started')"

# The completed interviews per (study, contact, account, perspective) with the survey questionnaire of that
# perspective, and when the first of them was completed.
INTERVIEWS = """
    SELECT r.study_id AS study_id, r.contact_id AS contact_id, r.account_id AS account_id,
           sq.id AS questionnaire_id, min(r.submitted_at) AS at
    FROM responses r
    JOIN study_questionnaires sq
      ON sq.study_id = r.study_id AND sq.perspective = r.perspective AND sq.purpose = 'survey'
    WHERE r.mode = 'interview' AND r.status = 'completed' AND r.submitted_at IS NOT NULL
    GROUP BY r.study_id, r.contact_id, r.account_id, sq.id
"""

SAME = """
    i.study_id = x.study_id AND i.contact_id = x.contact_id AND i.study_questionnaire_id = x.questionnaire_id
    AND (i.account_id = x.account_id OR (i.account_id IS NULL AND x.account_id IS NULL))
"""


def upgrade():
    op.execute(
        """
        UPDATE responses SET superseded = (id NOT IN (
            SELECT id FROM (
                SELECT id, row_number() OVER (
                    PARTITION BY study_id, contact_id, account_id, perspective
                    ORDER BY CASE WHEN mode = 'interview' THEN 0 ELSE 1 END, submitted_at DESC, id DESC
                ) AS rank
                FROM responses WHERE status = 'completed'
            ) ranked WHERE rank = 1
        ))
        WHERE status = 'completed'
        """
    )
    op.execute(
        f"""
        INSERT INTO invitations (study_id, contact_id, account_id, study_questionnaire_id, status, reminders_sent,
                                 created_at)
        SELECT x.study_id, x.contact_id, x.account_id, x.questionnaire_id, 'created', 0, x.at
        FROM ({INTERVIEWS}) x
        WHERE NOT EXISTS (SELECT 1 FROM invitations i WHERE {SAME})
        """
    )
    op.execute(
        f"""
        INSERT INTO invitation_events (invitation_id, status, at, detail)
        SELECT i.id, 'completed', x.at, 'interviewed'
        FROM invitations i JOIN ({INTERVIEWS}) x ON {SAME}
        WHERE i.status IN {OPEN}
        """
    )
    op.execute(
        f"""
        UPDATE invitations SET status = 'completed', completed_at = (
            SELECT x.at FROM ({INTERVIEWS}) x WHERE {SAME.replace('i.', 'invitations.')}
        )
        WHERE status IN {OPEN}
          AND EXISTS (SELECT 1 FROM ({INTERVIEWS}) x WHERE {SAME.replace('i.', 'invitations.')})
        """
    )


def downgrade():
    # The ranking and the closed invitations are data, not schema: an older version reads them as they are.
    pass
