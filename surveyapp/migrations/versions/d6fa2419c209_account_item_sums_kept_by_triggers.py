"""account item sums kept by triggers (issue 8)

Revision ID: d6fa2419c209
Revises: 40e4e61be868
Create Date: 2026-11-27 11:02:41.534173

"""
from alembic import op
import sqlalchemy as sa

from surveyapp.responses import item_sums, unit_sums


# revision identifiers, used by Alembic.
revision = 'd6fa2419c209'
down_revision = '40e4e61be868'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_item_sums',
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('perspective', sa.Enum('client', 'supplier', 'supplier_predicts_client', 'none', name='account_item_perspective', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('questionnaire_version_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=120), nullable=False),
    sa.Column('dimension', sa.String(length=64), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.CheckConstraint('answered > 0', name=op.f('ck_account_item_sums_answered_positive')),
    sa.PrimaryKeyConstraint('study_id', 'account_id', 'perspective', 'questionnaire_version_id', 'item_key', 'dimension', name=op.f('pk_account_item_sums'))
    )
    # The existing answers fill the table once; from here on the triggers keep it equal to them. The table
    # has no `above` and `below` yet (f1b3d5a7c9e2 adds them and installs the triggers that write them).
    item_sums.install(op.get_bind(), refill=True, sides=False)
    # PostgreSQL: response_dimension_sums' row-level trigger becomes statement-level (one recomputation per
    # unit and statement); on SQLite this recreates the same triggers.
    unit_sums.install(op.get_bind())


def downgrade():
    item_sums.uninstall(op.get_bind())
    op.drop_table('account_item_sums')
