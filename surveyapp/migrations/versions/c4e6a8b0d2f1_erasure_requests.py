"""erasure requests from the personal link (issue 23)

Revision ID: c4e6a8b0d2f1
Revises: 9b4f2d6e8a13
Create Date: 2026-12-07 07:20:00

"""
from alembic import op
import sqlalchemy as sa

import surveyapp.db


# revision identifiers, used by Alembic.
revision = 'c4e6a8b0d2f1'
down_revision = '9b4f2d6e8a13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('erasure_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('requested_at', surveyapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', surveyapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by_label', sa.String(length=254), nullable=False),
    sa.CheckConstraint('length(note) <= 2000', name=op.f('ck_erasure_requests_note_length')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_erasure_requests_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_erasure_requests_study_id_studies'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_requests'))
    )
    with op.batch_alter_table('erasure_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_requests_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_requests_study_id'), ['study_id'], unique=False)


def downgrade():
    with op.batch_alter_table('erasure_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_requests_study_id'))
        batch_op.drop_index(batch_op.f('ix_erasure_requests_contact_id'))
    op.drop_table('erasure_requests')
