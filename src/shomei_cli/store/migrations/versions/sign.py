"""Issued documents signed by the chamber: the versions of its signing key, and its timestamp authority.

Chambers that exist before this revision get their own CA when they first sign (services keystore.ensure).

Revision ID: sign
Revises: paper
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sign"
down_revision = "paper"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chambers") as batch:
        batch.add_column(sa.Column("tsa_url", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("tsa_root_pem", sa.Text(), nullable=True))
    op.create_table(
        "chamber_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("certificate_der", sa.LargeBinary(), nullable=False),
        sa.Column("chain_pem", sa.Text(), nullable=False),
        sa.Column("key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("root_key_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["chamber_id"], ["chambers.id"]),
        sa.ForeignKeyConstraint(["created_by_account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chamber_id", "version", name="uq_chamber_keys_version"),
    )
    op.create_index("ix_chamber_keys_chamber_id", "chamber_keys", ["chamber_id"])


def downgrade() -> None:
    op.drop_index("ix_chamber_keys_chamber_id", table_name="chamber_keys")
    op.drop_table("chamber_keys")
    with op.batch_alter_table("chambers") as batch:
        batch.drop_column("tsa_root_pem")
        batch.drop_column("tsa_url")
