"""Indexes for keyset pagination (catalogue and audit log pages without OFFSET or COUNT).

Revision ID: c3d4e5f6a7b8
Revises: a8d4e5f6b7c9
Create Date: 2026-12-10 09:00:00
"""

revision = "c3d4e5f6a7b8"
down_revision = "a8d4e5f6b7c9"
branch_labels = None
depends_on = None


def upgrade():
    """Nothing yet (filled in by the keyset pagination change)."""


def downgrade():
    """Nothing yet."""
