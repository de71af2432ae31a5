"""Trade registrations, the credential cards of the first-day rule, and the review queue.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credential_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("print_count", sa.Integer(), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credential_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credential_cards_account_id"), ["account_id"], unique=False)

    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("registration_number", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("corporate_number", sa.String(length=13), nullable=False),
        sa.Column("company_name", sa.String(length=200), nullable=False),
        sa.Column("company_name_en", sa.String(length=200), nullable=False),
        sa.Column("representative_name", sa.String(length=100), nullable=False),
        sa.Column("representative_name_en", sa.String(length=100), nullable=False),
        sa.Column("representative_title", sa.String(length=100), nullable=False),
        sa.Column("representative_title_en", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("address_en", sa.String(length=300), nullable=False),
        sa.Column("contact_person", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("member", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chamber_id"],
            ["chambers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chamber_id", "corporate_number", name="uq_registrations_corporate_number"),
        sa.UniqueConstraint("chamber_id", "registration_number", name="uq_registrations_number"),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registrations_chamber_id"), ["chamber_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registrations_valid_until"), ["valid_until"], unique=False)

    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_account_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chamber_id"],
            ["chambers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chamber_id", "reference", name="uq_review_items_reference"),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_items_chamber_id"), ["chamber_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_items_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_review_items_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_items_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_items_status"))
        batch_op.drop_index(batch_op.f("ix_review_items_registration_id"))
        batch_op.drop_index(batch_op.f("ix_review_items_kind"))
        batch_op.drop_index(batch_op.f("ix_review_items_chamber_id"))

    op.drop_table("review_items")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_valid_until"))
        batch_op.drop_index(batch_op.f("ix_registrations_chamber_id"))

    op.drop_table("registrations")
    with op.batch_alter_table("credential_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_cards_account_id"))

    op.drop_table("credential_cards")
