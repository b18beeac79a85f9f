"""Relief cover: compliance warnings sent (one per worker's place in a pool, DBS check or training topic and expiry).

Revision ID: c9d0e1f2a3b4
Revises: a7b8c9d0e1f2
Create Date: 2026-12-15 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.types


# revision identifiers, used by Alembic.
revision = 'c9d0e1f2a3b4'
down_revision = 'a7b8c9d0e1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cover_compliance_warnings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_worker_id', sa.Integer(), nullable=False),
    sa.Column('thing', sa.String(length=30), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('warned_at', marketplace.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['pool_worker_id'], ['relief_pool_workers.id'], name=op.f('fk_cover_compliance_warnings_pool_worker_id_relief_pool_workers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cover_compliance_warnings')),
    sa.UniqueConstraint('pool_worker_id', 'thing', 'expires_on', name=op.f('uq_cover_compliance_warnings_pool_worker_id_thing_expires_on'))
    )
    with op.batch_alter_table('cover_compliance_warnings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cover_compliance_warnings_expires_on'), ['expires_on'], unique=False)


def downgrade():
    with op.batch_alter_table('cover_compliance_warnings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cover_compliance_warnings_expires_on'))

    op.drop_table('cover_compliance_warnings')
