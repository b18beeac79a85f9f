"""training topics can be retired (no longer offered for new courses; existing courses keep them)

Revision ID: 8b1f3c2d9e47
Revises: 537b6614e6d8
Create Date: 2026-12-04 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.types


# revision identifiers, used by Alembic.
revision = '8b1f3c2d9e47'
down_revision = '537b6614e6d8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', marketplace.core.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('training_topics', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
