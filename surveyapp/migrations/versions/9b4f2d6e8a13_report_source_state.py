"""what a report was made from (issue 23)

Revision ID: 9b4f2d6e8a13
Revises: 7a1d0c3e9f25
Create Date: 2026-12-07 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b4f2d6e8a13'
down_revision = '7a1d0c3e9f25'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_state', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('source_state')
