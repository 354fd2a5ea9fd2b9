"""the fewest days between two reminders to one person (issue 23)

Every study gets 3 days, or fewer where its reminder schedule already has days closer together (say 2 and
4): an existing schedule stays valid, and its settings can be saved as they are.

Revision ID: 5c2e81a0b7d4
Revises: 04e779882f32
Create Date: 2026-12-07 06:30:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c2e81a0b7d4'
down_revision = '04e779882f32'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('reminder_min_interval_days', sa.Integer(), server_default=sa.text('3'), nullable=False)
        )
        batch_op.create_check_constraint(
            'reminder_interval_range', 'reminder_min_interval_days >= 1 AND reminder_min_interval_days <= 30'
        )
    connection = op.get_bind()
    for study_id, stored in connection.execute(sa.text("SELECT id, reminder_days FROM studies")).all():
        days = sorted(set(json.loads(stored) if isinstance(stored, str) else (stored or [])))
        gaps = [later - earlier for earlier, later in zip(days, days[1:])]
        interval = max(1, min([3, *gaps]))
        if interval != 3:
            connection.execute(
                sa.text("UPDATE studies SET reminder_min_interval_days = :days WHERE id = :id"),
                {"days": interval, "id": study_id},
            )


def downgrade():
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_studies_reminder_interval_range'), type_='check')
        batch_op.drop_column('reminder_min_interval_days')
