"""sent emails for idempotent email jobs

Revision ID: ebbf87d7a9a0
Revises: 3c9d4e7a1b52
Create Date: 2026-12-02 01:40:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.types


# revision identifiers, used by Alembic.
revision = 'ebbf87d7a9a0'
down_revision = '3c9d4e7a1b52'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sent_emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('sent_at', marketplace.core.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_emails')),
    sa.UniqueConstraint('message_id', name=op.f('uq_sent_emails_message_id'))
    )


def downgrade():
    op.drop_table('sent_emails')
