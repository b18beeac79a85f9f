"""notification fan-out key for idempotent fan-out jobs

Revision ID: 537b6614e6d8
Revises: ebbf87d7a9a0
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '537b6614e6d8'
down_revision = 'ebbf87d7a9a0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fan_out_key', sa.String(length=32), nullable=True))
        batch_op.create_index('uq_notifications_fan_out_key_user_id', ['fan_out_key', 'user_id'], unique=True)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('uq_notifications_fan_out_key_user_id')
        batch_op.drop_column('fan_out_key')
