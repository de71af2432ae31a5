"""The one error hierarchy (stable codes, every bad field named) and the records' stable JSON form."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shomei_cli.domain.errors import (
    AuthenticationError,
    AuthenticationFailed,
    FieldError,
    InvalidInput,
    PermissionDenied,
    RateLimited,
    SessionEnded,
    ShomeiError,
    all_error_classes,
)
from shomei_cli.domain.records import (
    AuditEntry,
    AuditQuery,
    Identity,
    NewAccount,
    NewChamber,
    from_dict,
    to_dict,
)

# -- errors ----------------------------------------------------------------------------------------


def test_every_error_class_has_its_own_code() -> None:
    codes = [cls.code for cls in all_error_classes()]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    assert duplicates == []


def test_error_classes_include_the_documented_codes() -> None:
    codes = {cls.__name__: cls.code for cls in all_error_classes()}
    assert {
        "ShomeiError": "error",
        "AuthenticationError": "authentication_error",
        "AuthenticationFailed": "authentication_failed",
        "AccountLocked": "account_locked",
        "NotLoggedIn": "not_logged_in",
        "SessionEnded": "session_ended",
        "PasswordChangeRequired": "password_change_required",
        "CredentialStoreUnavailable": "credential_store_unavailable",
        "PermissionDenied": "permission_denied",
        "NotFound": "not_found",
        "Conflict": "conflict",
        "WrongState": "wrong_state",
        "Expired": "expired",
        "InvalidInput": "invalid_input",
        "Unavailable": "unavailable",
        "StoreIncompatible": "store_incompatible",
        "RateLimited": "rate_limited",
    }.items() <= codes.items()


def test_every_error_class_is_a_shomei_error() -> None:
    assert all(issubclass(cls, ShomeiError) for cls in all_error_classes())


def test_an_error_instance_carries_its_class_code_and_message() -> None:
    error = PermissionDenied("no")
    assert (error.code, error.message, str(error), error.args) == ("permission_denied", "no", "no", ("no",))
    assert error.details() == {}


def test_a_failed_login_does_not_say_which_of_the_three_was_wrong() -> None:
    error = AuthenticationFailed()
    assert str(error) == "Login failed: the chamber code, ID or password is wrong."
    assert isinstance(error, AuthenticationError)


def test_session_ended_and_rate_limited_carry_their_facts_in_details() -> None:
    assert SessionEnded("ended elsewhere", reason="superseded").details() == {"reason": "superseded"}
    assert RateLimited("slow down", retry_after=30).details() == {"retry_after": 30}
    assert RateLimited("slow down").details() == {"retry_after": 60}


def test_field_error_without_row_names_the_field() -> None:
    assert str(FieldError("email", "is not an email address")) == "email: is not an email address"


def test_field_error_with_row_names_row_and_field() -> None:
    assert str(FieldError("name_en", "is required", row=3)) == "row 3, name_en: is required"


def test_field_error_row_zero_is_still_a_row() -> None:
    assert str(FieldError("name", "is required", row=0)) == "row 0, name: is required"


def test_field_error_dict_has_a_row_only_when_there_is_one() -> None:
    assert FieldError("email", "is required").to_dict() == {"field": "email", "reason": "is required"}
    assert FieldError("email", "is required", row=7).to_dict() == {
        "field": "email",
        "reason": "is required",
        "row": 7,
    }


def test_invalid_input_names_every_bad_field_not_just_the_first() -> None:
    errors = [
        FieldError("name", "is required"),
        FieldError("email", "is not an email address", row=2),
        FieldError("title", "must be at most 64 characters (it has 70)", row=5),
    ]
    error = InvalidInput.of(errors)
    assert error.errors == errors
    assert error.code == "invalid_input"
    assert str(error) == (
        "Invalid input: name: is required; row 2, email: is not an email address; "
        "row 5, title: must be at most 64 characters (it has 70)"
    )
    assert error.details() == {
        "errors": [
            {"field": "name", "reason": "is required"},
            {"field": "email", "reason": "is not an email address", "row": 2},
            {"field": "title", "reason": "must be at most 64 characters (it has 70)", "row": 5},
        ]
    }


def test_invalid_input_single_is_one_field() -> None:
    error = InvalidInput.single("amount", "must be positive")
    assert error.errors == [FieldError("amount", "must be positive")]
    assert str(error) == "Invalid input: amount: must be positive"


def test_errors_can_be_raised_and_caught_by_their_base() -> None:
    with pytest.raises(ShomeiError) as caught:
        raise InvalidInput.single("amount", "must be positive")
    assert caught.value.code == "invalid_input"


# -- records ---------------------------------------------------------------------------------------

STARTED = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
EXPIRES = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


def test_identity_to_dict_writes_datetimes_as_iso_8601() -> None:
    identity = Identity(
        chamber_code="1301",
        chamber_name="東京商工会議所",
        login_id="S00001",
        role="staff",
        name="Sato",
        registration_number=None,
        must_change_password=False,
        session_started_at=STARTED,
        session_expires_at=EXPIRES,
    )
    data = to_dict(identity)
    assert data == {
        "chamber_code": "1301",
        "chamber_name": "東京商工会議所",
        "login_id": "S00001",
        "role": "staff",
        "name": "Sato",
        "registration_number": None,
        "must_change_password": False,
        "session_started_at": "2026-11-27T01:00:00+00:00",
        "session_expires_at": "2026-11-27T13:00:00+00:00",
    }
    assert from_dict(Identity, json.loads(json.dumps(data))) == identity


def test_identity_with_a_registration_round_trips() -> None:
    identity = Identity(
        chamber_code="1301",
        chamber_name="東京商工会議所",
        login_id="A8888000004",
        role="admin",
        name="Acme Trading",
        registration_number="8888000004",
        must_change_password=True,
        session_started_at=STARTED,
        session_expires_at=EXPIRES,
    )
    back = from_dict(Identity, to_dict(identity))
    assert back == identity
    assert back.session_started_at.tzinfo is not None
    assert back.session_started_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_new_chamber_nests_its_staff_account_and_rebuilds_it() -> None:
    chamber = NewChamber(
        code="1301",
        name="東京商工会議所",
        name_en=None,
        time_zone="Asia/Tokyo",
        staff=NewAccount(
            chamber_code="1301", login_id="S00001", role="staff", name="Sato", initial_password="abc"
        ),
    )
    data = to_dict(chamber)
    assert data == {
        "code": "1301",
        "name": "東京商工会議所",
        "name_en": None,
        "time_zone": "Asia/Tokyo",
        "staff": {
            "chamber_code": "1301",
            "login_id": "S00001",
            "role": "staff",
            "name": "Sato",
            "initial_password": "abc",
        },
    }
    back = from_dict(NewChamber, json.loads(json.dumps(data)))
    assert back == chamber
    assert type(back.staff) is NewAccount


def test_audit_entry_round_trips_with_its_details() -> None:
    entry = AuditEntry(
        id=17,
        at=datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=UTC),
        actor="S00001",
        actor_role="staff",
        action="registration.create",
        target="8888000004",
        outcome="ok",
        details={"count": 3, "kinds": ["exporter", "agent"], "member": True, "note": None},
    )
    data = to_dict(entry)
    assert data == {
        "id": 17,
        "at": "2026-11-27T01:02:03.456789+00:00",
        "actor": "S00001",
        "actor_role": "staff",
        "action": "registration.create",
        "target": "8888000004",
        "outcome": "ok",
        "details": {"count": 3, "kinds": ["exporter", "agent"], "member": True, "note": None},
    }
    assert from_dict(AuditEntry, json.loads(json.dumps(data))) == entry


def test_audit_entry_of_an_anonymous_attempt_round_trips() -> None:
    entry = AuditEntry(
        id=1,
        at=STARTED,
        actor=None,
        actor_role=None,
        action="login",
        target=None,
        outcome="denied",
        details={},
    )
    assert from_dict(AuditEntry, to_dict(entry)) == entry


def test_from_dict_leaves_absent_fields_to_their_defaults() -> None:
    assert from_dict(AuditQuery, {"actor": "S00001"}) == AuditQuery(actor="S00001", limit=100)
    since = datetime(2026, 11, 1, tzinfo=UTC)
    assert from_dict(AuditQuery, {"since": since.isoformat(), "limit": 5}) == AuditQuery(since=since, limit=5)
