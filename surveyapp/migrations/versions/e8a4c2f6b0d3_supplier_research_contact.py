"""a supplier's research contact, where replies to its studies' emails go (issue 23)

Revision ID: e8a4c2f6b0d3
Revises: d7f3b9a1c5e2
Create Date: 2026-12-07 09:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8a4c2f6b0d3'
down_revision = 'd7f3b9a1c5e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('research_contact_email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_column('research_contact_email')
