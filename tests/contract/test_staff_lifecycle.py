"""Staff IDs after they are made: reset-password, disable and enable, by staff of the same chamber only, never
leaving the chamber without an enabled staff ID. The same on every way in."""

from __future__ import annotations

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain.accounts import SESSION_END_MESSAGES
from shomei_cli.domain.errors import AuthenticationFailed, Conflict, SessionEnded
from shomei_cli.domain.passwords import GENERATED_LENGTH
from shomei_cli.domain.records import AuditQuery, NewChamber
from shomei_cli.services import chambers
from shomei_cli.services.core import Core
from tests.contract.companies import Outcome, denied, not_found, outcome, wrong_state
from tests.contract.conftest import CHAMBER_CODE, MakeBackend, add_active_staff, insert_admin
from tests.helpers import TEST_PASSWORD, activate

CHOSEN = "haru-no-umi-hinemosu-9"


@pytest.fixture
def suzuki(core: Core, chamber: NewChamber) -> str:
    """S00002, made before the staff backend logs in as S00001 (making it logs S00001 in)."""
    return add_active_staff(core, "Suzuki")


def logged_in(make_backend: MakeBackend, login_id: str, password: str = TEST_PASSWORD) -> Backend:
    backend = make_backend()
    backend.login(CHAMBER_CODE, login_id, password)
    return backend


def ended(reason: str) -> Outcome:
    return SessionEnded, "session_ended", SESSION_END_MESSAGES[reason], []


def test_a_reset_ends_the_ids_sessions_and_its_password_is_temporary(
    suzuki: str, make_backend: MakeBackend, staff: Backend
) -> None:
    holder = logged_in(make_backend, suzuki)
    generated = staff.reset_staff_password(suzuki, None)
    assert (generated.login_id, generated.role, len(generated.initial_password)) == (
        suzuki,
        "staff",
        GENERATED_LENGTH,
    )
    assert outcome(holder.whoami) == ended("password_reset")
    again = make_backend()
    assert again.login(CHAMBER_CODE, suzuki, generated.initial_password).identity.must_change_password is True

    chosen = staff.reset_staff_password(suzuki.lower(), CHOSEN)
    assert (chosen.login_id, chosen.initial_password) == (suzuki, "")
    assert outcome(again.whoami) == ended("password_reset")
    assert make_backend().login(CHAMBER_CODE, suzuki, CHOSEN).identity.must_change_password is True
    trail = staff.audit(AuditQuery(action="staff.password_reset"))
    assert [(e.actor, e.target, e.details) for e in trail] == [
        ("S00001", suzuki, {"generated": False, "ended_sessions": 1}),
        ("S00001", suzuki, {"generated": True, "ended_sessions": 1}),
    ]


def test_a_disabled_staff_id_is_logged_out_and_cannot_log_in_until_enabled(
    suzuki: str, make_backend: MakeBackend, staff: Backend
) -> None:
    holder = logged_in(make_backend, suzuki)
    disabled = staff.set_staff_enabled(suzuki, False)
    assert (disabled.login_id, disabled.status) == (suzuki, "disabled")
    assert outcome(holder.whoami) == ended("disabled")
    with pytest.raises(AuthenticationFailed):
        make_backend().login(CHAMBER_CODE, suzuki, TEST_PASSWORD)
    assert staff.set_staff_enabled(suzuki, True).status == "active"
    assert logged_in(make_backend, suzuki).whoami().login_id == suzuki
    trail = staff.audit(AuditQuery(actor="S00001"))
    assert [(e.action, e.target, e.details) for e in trail[:2]] == [
        ("staff.enable", suzuki, {"changed": True, "ended_sessions": 0}),
        ("staff.disable", suzuki, {"changed": True, "ended_sessions": 1}),
    ]


def test_the_last_enabled_staff_id_cannot_be_disabled(
    suzuki: str, make_backend: MakeBackend, staff: Backend
) -> None:
    staff.set_staff_enabled(suzuki, False)
    last = "S00001 is the chamber's last enabled staff ID: enable or add another first."
    assert outcome(lambda: staff.set_staff_enabled("S00001", False)) == wrong_state(last)
    assert staff.whoami().login_id == "S00001"


def test_only_staff_of_the_same_chamber_reset_disable_or_enable_a_staff_id(
    suzuki: str, core: Core, make_backend: MakeBackend, staff: Backend
) -> None:
    admin = logged_in(make_backend, insert_admin(core))
    other = chambers.init_chamber(core, "1302", "大阪商工会議所", None)
    activate(core, "1302", other.staff.login_id, other.staff.initial_password)
    other_chamber = make_backend()
    other_chamber.login("1302", "S00001", TEST_PASSWORD)
    missing = not_found(f"No staff ID {suzuki} in this chamber.")
    found = {
        "admin resets": outcome(lambda: admin.reset_staff_password(suzuki, None)),
        "admin disables": outcome(lambda: admin.set_staff_enabled(suzuki, False)),
        "other chamber resets": outcome(lambda: other_chamber.reset_staff_password(suzuki, None)),
        "other chamber disables": outcome(lambda: other_chamber.set_staff_enabled(suzuki, False)),
        "unknown ID": outcome(lambda: staff.set_staff_enabled("S09999", False)),
        "own password": outcome(lambda: staff.reset_staff_password("S00001", None)),
    }
    assert found == {
        "admin resets": denied("admin", "staff.password_reset", "staff ID"),
        "admin disables": denied("admin", "staff.disable", "staff ID"),
        "other chamber resets": missing,
        "other chamber disables": missing,
        "unknown ID": not_found("No staff ID S09999 in this chamber."),
        "own password": (
            Conflict,
            "conflict",
            "Your own password is changed with `shomei passwd`, not reset.",
            [],
        ),
    }
    # nothing changed
    assert [(s.login_id, s.status) for s in staff.list_staff()] == [("S00001", "active"), (suzuki, "active")]
