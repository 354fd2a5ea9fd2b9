"""the fewest days between two reminders to one person (issue 23)

Revision ID: 5c2e81a0b7d4
Revises: 04e779882f32
Create Date: 2026-12-07 06:30:00

"""
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


def downgrade():
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_studies_reminder_interval_range'), type_='check')
        batch_op.drop_column('reminder_min_interval_days')
