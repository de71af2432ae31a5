"""Signers (署名者) with their signatures; sub IDs are accounts and need no table of their own.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("title_en", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("address_en", sa.String(length=300), nullable=True),
        sa.Column("signature_png", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.String(length=1000), nullable=True),
        sa.Column("excess_reason", sa.String(length=1000), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_account_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["chamber_id"],
            ["chambers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chamber_id", "reference", name="uq_signers_reference"),
    )
    with op.batch_alter_table("signers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signers_chamber_id"), ["chamber_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_signers_registration_id"), ["registration_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_signers_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signers_status"))
        batch_op.drop_index(batch_op.f("ix_signers_registration_id"))
        batch_op.drop_index(batch_op.f("ix_signers_chamber_id"))

    op.drop_table("signers")
