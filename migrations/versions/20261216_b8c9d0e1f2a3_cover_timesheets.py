"""Relief cover timesheets: what was worked on each shift, its approval or dispute, and what approval wrote (funded
minutes used, the charge, the worker's pay, the payment and the payout).

Revision ID: b8c9d0e1f2a3
Revises: c9d0e1f2a3b4
Create Date: 2026-12-03 13:00:00

"""

import sqlalchemy as sa
from alembic import op

import marketplace.core.types

revision = "b8c9d0e1f2a3"
down_revision = "c9d0e1f2a3b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cover_timesheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("started_at", marketplace.core.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", marketplace.core.types.UTCDateTime(), nullable=False),
        sa.Column("break_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", marketplace.core.types.UTCDateTime(), nullable=False),
        sa.Column("dispute_reason", sa.String(length=500), nullable=True),
        sa.Column("approved_at", marketplace.core.types.UTCDateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("auto_approved", sa.Boolean(), nullable=False),
        sa.Column("worked_minutes", sa.Integer(), nullable=True),
        sa.Column("funded_minutes", sa.Integer(), nullable=True),
        sa.Column("charged_pence", sa.Integer(), nullable=True),
        sa.Column("pay_pence", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("payout_id", sa.Integer(), nullable=True),
        sa.Column("created_at", marketplace.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("break_minutes >= 0", name=op.f("ck_cover_timesheets_break_not_negative")),
        sa.CheckConstraint("ended_at > started_at", name=op.f("ck_cover_timesheets_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_cover_timesheets_approved_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name=op.f("fk_cover_timesheets_payment_id_payments")),
        sa.ForeignKeyConstraint(["payout_id"], ["payouts.id"], name=op.f("fk_cover_timesheets_payout_id_payouts")),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["cover_shifts.id"], name=op.f("fk_cover_timesheets_shift_id_cover_shifts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["users.id"], name=op.f("fk_cover_timesheets_worker_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cover_timesheets")),
        sa.UniqueConstraint("shift_id", name=op.f("uq_cover_timesheets_shift_id")),
    )
    with op.batch_alter_table("cover_timesheets", schema=None) as batch_op:
        batch_op.create_index("ix_cover_timesheets_status_submitted_at", ["status", "submitted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cover_timesheets_worker_id"), ["worker_id"], unique=False)


def downgrade():
    with op.batch_alter_table("cover_timesheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cover_timesheets_worker_id"))
        batch_op.drop_index("ix_cover_timesheets_status_submitted_at")
    op.drop_table("cover_timesheets")
