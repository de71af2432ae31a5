"""The chamber's identity on paper: its address, place and qualified-invoice registration number, the
versions of its seal and of its authorized officer, and the tax treatment of each fee.

Revision ID: paper
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "paper"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chambers") as batch:
        batch.add_column(sa.Column("address", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("address_en", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("place", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("invoice_registration_number", sa.String(length=14), nullable=True))
    op.create_table(
        "chamber_seals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("image_png", sa.LargeBinary(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by_account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["chamber_id"], ["chambers.id"]),
        sa.ForeignKeyConstraint(["set_by_account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_chamber_seals_chamber_id", "chamber_seals", ["chamber_id"])
    op.create_table(
        "chamber_officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("signature_png", sa.LargeBinary(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by_account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["chamber_id"], ["chambers.id"]),
        sa.ForeignKeyConstraint(["set_by_account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_chamber_officers_chamber_id", "chamber_officers", ["chamber_id"])
    # fees were consumption-taxable at the standard rate before they said so
    with op.batch_alter_table("fees") as batch:
        batch.add_column(sa.Column("tax_rate", sa.Integer(), nullable=False, server_default="10"))
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("fee_tax_rate", sa.Integer(), nullable=True))
    op.execute("UPDATE applications SET fee_tax_rate = 10 WHERE fee IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("fee_tax_rate")
    with op.batch_alter_table("fees") as batch:
        batch.drop_column("tax_rate")
    op.drop_index("ix_chamber_officers_chamber_id", "chamber_officers")
    op.drop_table("chamber_officers")
    op.drop_index("ix_chamber_seals_chamber_id", "chamber_seals")
    op.drop_table("chamber_seals")
    with op.batch_alter_table("chambers") as batch:
        batch.drop_column("invoice_registration_number")
        batch.drop_column("place")
        batch.drop_column("address_en")
        batch.drop_column("address")
