"""deal fit checks by sales and by delivery: the rater of a check and of an invitation (issue 25)

Revision ID: b3d5f7a9c1e4
Revises: a2c4e6f8b0d1
Create Date: 2026-12-07 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d5f7a9c1e4'
down_revision = 'a2c4e6f8b0d1'
branch_labels = None
depends_on = None


def upgrade():
    # Every check so far was a seller's: the one rater the product knew.
    with op.batch_alter_table('deal_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rater', sa.Enum('sales', 'delivery', name='deal_check_rater', native_enum=False, create_constraint=True, length=16), server_default='sales', nullable=False))
    with op.batch_alter_table('deal_check_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rater', sa.Enum('sales', 'delivery', name='deal_invitation_rater', native_enum=False, create_constraint=True, length=16), server_default='sales', nullable=False))


def downgrade():
    with op.batch_alter_table('deal_check_invitations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deal_check_invitations_deal_invitation_rater'), type_='check')
        batch_op.drop_column('rater')
    with op.batch_alter_table('deal_checks', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deal_checks_deal_check_rater'), type_='check')
        batch_op.drop_column('rater')
