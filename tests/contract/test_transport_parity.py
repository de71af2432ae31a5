"""Over-long inputs get the services' answer, not the HTTP layer's, on every way in.

At HEAD e61c375 the server's request models carried their own length caps (server/app.py:54-67: LoginRequest,
PasswordChange, StaffCreate), so RemoteBackend answered InvalidInput where LocalBackend answered
AuthenticationFailed, or pydantic's words instead of the rule's. These tests pin the services' answer on all
four ways. Each compares all its cases at once, so a failure shows every case's answer.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain.errors import FieldError, InvalidInput, ShomeiError
from shomei_cli.domain.records import NewChamber
from tests.contract.conftest import CHAMBER_CODE, MakeBackend
from tests.helpers import TEST_PASSWORD

LOGIN_FAILED = "Login failed: the chamber code, ID or password is wrong."
Outcome = tuple[str, str, str, list[FieldError]]


def outcome(call: Callable[[], object]) -> Outcome:
    """The class, code, message and field errors of the error ``call`` raises."""
    with pytest.raises(ShomeiError) as caught:
        call()
    error = caught.value
    errors = error.errors if isinstance(error, InvalidInput) else []
    return type(error).__name__, error.code, error.message, errors


def invalid(*errors: FieldError) -> Outcome:
    return "InvalidInput", "invalid_input", "Invalid input: " + "; ".join(map(str, errors)), list(errors)


def test_an_overlong_login_field_fails_like_any_wrong_credential(
    make_backend: MakeBackend, chamber: NewChamber
) -> None:
    cases = {
        "chamber-code-17": ("1" * 17, "S00001", TEST_PASSWORD),
        "login-id-65": (CHAMBER_CODE, "S" * 65, TEST_PASSWORD),
        "password-1025": (CHAMBER_CODE, "S00001", "p" * 1025),
    }
    backend = make_backend()
    found = {case: outcome(lambda args=args: backend.login(*args)) for case, args in cases.items()}
    failed = ("AuthenticationFailed", "authentication_failed", LOGIN_FAILED, [])
    assert found == dict.fromkeys(cases, failed)


def test_an_overlong_staff_field_names_the_service_rule(staff: Backend) -> None:
    found = {
        "name-1001": outcome(lambda: staff.add_staff("x" * 1001, None)),
        "email-1001": outcome(lambda: staff.add_staff("Suzuki", "a" * 996 + "@x.jp")),
    }
    assert found == {
        "name-1001": invalid(FieldError("name", "must be at most 200 characters (it has 1001)")),
        "email-1001": invalid(FieldError("email", "is not an email address")),
    }


def test_an_overlong_password_names_the_service_rule(staff: Backend) -> None:
    found = {
        "new-1025": outcome(lambda: staff.change_password(TEST_PASSWORD, "p" * 1025)),
        "current-1025": outcome(lambda: staff.change_password("p" * 1025, "sora-wo-tobu-kujira-42")),
    }
    assert found == {
        "new-1025": invalid(FieldError("new_password", "must be at most 128 characters (it has 1025)")),
        "current-1025": invalid(FieldError("current_password", "is not the current password")),
    }
