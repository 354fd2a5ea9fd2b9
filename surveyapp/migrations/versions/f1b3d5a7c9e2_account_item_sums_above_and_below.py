"""account item sums count the answers above and below the scale's middle (issue 24: who agreed with a signal)

Revision ID: f1b3d5a7c9e2
Revises: e8a4c2f6b0d3
Create Date: 2026-12-07 15:40:00

"""
from alembic import op
import sqlalchemy as sa

from surveyapp.responses import item_sums


# revision identifiers, used by Alembic.
revision = 'f1b3d5a7c9e2'
down_revision = 'e8a4c2f6b0d3'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite's batch mode copies the table and renames the copy, which its triggers on `answers` would refuse
    # while they name the table: they go first and come back writing the new columns.
    item_sums.uninstall(op.get_bind())
    with op.batch_alter_table('account_item_sums', schema=None) as batch_op:
        batch_op.add_column(sa.Column('above', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('below', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            'sides_within_answered', 'above >= 0 AND below >= 0 AND above + below <= answered'
        )
    # The triggers now write the two counts too; every row is recomputed once from the answers.
    item_sums.install(op.get_bind(), refill=True)


def downgrade():
    item_sums.uninstall(op.get_bind())
    with op.batch_alter_table('account_item_sums', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_item_sums_sides_within_answered'), type_='check')
        batch_op.drop_column('below')
        batch_op.drop_column('above')
    item_sums.install(op.get_bind(), sides=False)
