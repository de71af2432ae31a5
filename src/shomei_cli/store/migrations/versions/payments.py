"""Card payments through the provider's hosted checkout: the chamber's provider settings, the checkout
sessions, and the notifications received (by event ID, never acted on twice).

Revision ID: payments
Revises: sign
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "payments"
down_revision = "sign"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chambers") as batch:
        batch.add_column(sa.Column("payment_checkout_url", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("payment_secret_sealed", sa.LargeBinary(), nullable=True))
    op.create_table(
        "card_checkouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_account_id", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["chamber_id"], ["chambers.id"]),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.ForeignKeyConstraint(["created_by_account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_card_checkouts_chamber_id", "card_checkouts", ["chamber_id"])
    op.create_index("ix_card_checkouts_application_id", "card_checkouts", ["application_id"])
    op.create_index("ix_card_checkouts_session_id", "card_checkouts", ["session_id"], unique=True)
    op.create_table(
        "payment_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["chamber_id"], ["chambers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chamber_id", "event_id", name="uq_payment_notifications_event"),
    )
    op.create_index("ix_payment_notifications_chamber_id", "payment_notifications", ["chamber_id"])


def downgrade() -> None:
    op.drop_index("ix_payment_notifications_chamber_id", table_name="payment_notifications")
    op.drop_table("payment_notifications")
    op.drop_index("ix_card_checkouts_session_id", table_name="card_checkouts")
    op.drop_index("ix_card_checkouts_application_id", table_name="card_checkouts")
    op.drop_index("ix_card_checkouts_chamber_id", table_name="card_checkouts")
    op.drop_table("card_checkouts")
    with op.batch_alter_table("chambers") as batch:
        batch.drop_column("payment_secret_sealed")
        batch.drop_column("payment_checkout_url")
