"""Applications and certificates, payments, the fee table, prepaid balances, the verification URL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fees",
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("member", sa.Boolean(), nullable=False),
        sa.Column("per_application", sa.Integer(), nullable=False),
        sa.Column("per_copy", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chamber_id"],
            ["chambers.id"],
        ),
        sa.PrimaryKeyConstraint("chamber_id", "type", "member"),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("reception_number", sa.String(length=20), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("applicant_account_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("fee", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("certificate_number", sa.String(length=24), nullable=True),
        sa.Column("access_code", sa.String(length=16), nullable=True),
        sa.Column("print_count", sa.Integer(), nullable=False),
        sa.Column("last_printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["chamber_id"],
            ["chambers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"],
            ["signers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chamber_id", "certificate_number", name="uq_applications_certificate"),
        sa.UniqueConstraint("chamber_id", "reception_number", name="uq_applications_reception"),
        sa.UniqueConstraint("chamber_id", "reference", name="uq_applications_reference"),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applications_applicant_account_id"), ["applicant_account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applications_certificate_number"), ["certificate_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_applications_chamber_id"), ["chamber_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_applications_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_applications_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_applications_signer_id"), ["signer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_applications_status"), ["status"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("receipt_number", sa.String(length=24), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_by_account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
        ),
        sa.ForeignKeyConstraint(
            ["chamber_id"],
            ["chambers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
        sa.UniqueConstraint("chamber_id", "receipt_number", name="uq_payments_receipt"),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_chamber_id"), ["chamber_id"], unique=False)

    with op.batch_alter_table("chambers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verification_url", sa.String(length=300), nullable=True))

    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("balance", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("balance")

    with op.batch_alter_table("chambers", schema=None) as batch_op:
        batch_op.drop_column("verification_url")

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_chamber_id"))

    op.drop_table("payments")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_status"))
        batch_op.drop_index(batch_op.f("ix_applications_signer_id"))
        batch_op.drop_index(batch_op.f("ix_applications_registration_id"))
        batch_op.drop_index(batch_op.f("ix_applications_created_at"))
        batch_op.drop_index(batch_op.f("ix_applications_chamber_id"))
        batch_op.drop_index(batch_op.f("ix_applications_certificate_number"))
        batch_op.drop_index(batch_op.f("ix_applications_applicant_account_id"))

    op.drop_table("applications")
    op.drop_table("fees")
