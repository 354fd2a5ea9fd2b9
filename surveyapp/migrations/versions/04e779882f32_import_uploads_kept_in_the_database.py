"""import uploads kept in the database (issue 22)

Checked import files wait for their confirmation in the database, bound to their study, user and kind, so
that any app server can confirm a preview another one showed. Files left in instance/uploads/ by earlier
versions are no longer read; delete that folder after upgrading.

Revision ID: 04e779882f32
Revises: d6fa2419c209
Create Date: 2026-12-06 23:18:28.804332

"""
from alembic import op
import sqlalchemy as sa

import surveyapp.db


# revision identifiers, used by Alembic.
revision = '04e779882f32'
down_revision = 'd6fa2419c209'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('accounts', 'contacts', name='import_upload_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', surveyapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(token) >= 20', name=op.f('ck_import_uploads_token_length')),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_import_uploads_study_id_studies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_import_uploads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_import_uploads_token'))
    )
    with op.batch_alter_table('import_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_uploads_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_uploads_study_id'), ['study_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_uploads_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('import_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_uploads_user_id'))
        batch_op.drop_index(batch_op.f('ix_import_uploads_study_id'))
        batch_op.drop_index(batch_op.f('ix_import_uploads_created_at'))

    op.drop_table('import_uploads')
