"""People download their data (personal_data_exports) and close their account (users.pseudonym, users.closed_at).

Revision ID: f7c3d4e5a6b8
Revises: e6b2c3d4f5a7
Create Date: 2026-12-08 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import marketplace.core.types

revision = "f7c3d4e5a6b8"
down_revision = "e6b2c3d4f5a7"
branch_labels = None
depends_on = None


def upgrade():
    """Add the closed account's pseudonym (unique) and closing time to users; create personal_data_exports."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pseudonym", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("closed_at", marketplace.core.types.UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_pseudonym"), ["pseudonym"])
    op.create_table(
        "personal_data_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("prepared_at", marketplace.core.types.UTCDateTime(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", marketplace.core.types.UTCDateTime(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", marketplace.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_personal_data_exports_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_exports")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_personal_data_exports_token_hash")),
    )
    with op.batch_alter_table("personal_data_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personal_data_exports_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_personal_data_exports_user_id"), ["user_id"], unique=False)


def downgrade():
    """Drop the table and the two columns."""
    with op.batch_alter_table("personal_data_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_exports_user_id"))
        batch_op.drop_index(batch_op.f("ix_personal_data_exports_expires_at"))
    op.drop_table("personal_data_exports")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_pseudonym"), type_="unique")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("pseudonym")
