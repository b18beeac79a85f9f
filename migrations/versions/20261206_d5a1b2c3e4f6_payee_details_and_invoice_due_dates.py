"""Publishers record how to be paid (payee details); invoices record the date payment is due.

Revision ID: d5a1b2c3e4f6
Revises: c4e2a9b7d1f3
Create Date: 2026-12-06 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import marketplace.core.types

revision = "d5a1b2c3e4f6"
down_revision = "c4e2a9b7d1f3"
branch_labels = None
depends_on = None


def upgrade():
    """Create payee_details (one row per publisher) and add the nullable due_on column to payments."""
    op.create_table(
        "payee_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("payee_name", sa.String(length=120), nullable=False),
        sa.Column("sort_code", sa.String(length=6), nullable=True),
        sa.Column("account_number", sa.String(length=8), nullable=True),
        sa.Column("payment_link", sa.String(length=500), nullable=True),
        sa.Column("terms_days", sa.Integer(), nullable=False),
        sa.Column("vat_wording", sa.String(length=300), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("updated_at", marketplace.core.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", marketplace.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("terms_days >= 1 AND terms_days <= 120", name=op.f("ck_payee_details_terms_in_range")),
        sa.CheckConstraint(
            "(sort_code IS NULL) = (account_number IS NULL)", name=op.f("ck_payee_details_bank_details_whole")
        ),
        sa.CheckConstraint(
            "sort_code IS NOT NULL OR payment_link IS NOT NULL", name=op.f("ck_payee_details_a_way_to_pay")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_payee_details_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payee_details")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_payee_details_organisation_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_payments_due_on"), ["due_on"], unique=False)


def downgrade():
    """Drop the column and the table."""
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_due_on"))
        batch_op.drop_column("due_on")
    op.drop_table("payee_details")
