"""response dimension sums kept by triggers (issue 8)

Revision ID: 3b1f0c9d2e47
Revises: 17560d037c22
Create Date: 2026-11-27 07:05:00

"""
from alembic import op
import sqlalchemy as sa

from surveyapp.responses import unit_sums


# revision identifiers, used by Alembic.
revision = '3b1f0c9d2e47'
down_revision = '17560d037c22'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('response_dimension_sums',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=64), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('weighted', sa.Float(), nullable=False),
    sa.Column('weights', sa.Float(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('squares', sa.Float(), nullable=False),
    sa.CheckConstraint('answered > 0', name=op.f('ck_response_dimension_sums_answered_positive')),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_response_dimension_sums_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'dimension', name=op.f('pk_response_dimension_sums'))
    )
    # The existing answers fill the table once; from here on the triggers keep it equal to them.
    unit_sums.install(op.get_bind(), refill=True)


def downgrade():
    unit_sums.uninstall(op.get_bind())
    op.drop_table('response_dimension_sums')
