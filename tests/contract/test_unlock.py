"""unlock: every level that can be locked out is unlocked by whoever the permission table says (staff for
staff and administrator IDs, administrators for their user IDs, signers for their sub IDs); every other
caller is refused: another role, another company, another chamber. The same on every way in."""

from __future__ import annotations

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain.errors import AccountLocked
from shomei_cli.domain.records import AuditQuery, NewChamber
from shomei_cli.services import chambers
from shomei_cli.services.core import Core
from tests.contract.companies import (
    ADMIN,
    FIRST,
    SUB_ID,
    USER_ID,
    Companies,
    denied,
    invalid_one,
    not_found,
    outcome,
    the_signer,
    with_signer,
)
from tests.contract.conftest import MakeBackend, add_active_staff
from tests.helpers import TEST_PASSWORD, activate, lock_out


@pytest.fixture
def companies(make_backend: MakeBackend, second_staff: str, staff: Backend, core: Core) -> Companies:
    """Staff S00001 (and S00002), A1301000001 and A1301000002, U000001 with its sub ID SB000001."""
    companies = with_signer(make_backend, staff)
    sub = the_signer(companies).add_sub("山田 花子", None)
    activate(core, "1301", sub.login_id, sub.initial_password)
    return companies


@pytest.fixture
def second_staff(core: Core, chamber: NewChamber) -> str:
    """S00002, made before the staff backend logs in as S00001 (making it logs S00001 in)."""
    return add_active_staff(core, "Suzuki")


def test_each_level_is_unlocked_by_the_level_the_table_names_and_can_log_in_again(
    companies: Companies, second_staff: str, core: Core, make_backend: MakeBackend
) -> None:
    # each holder logs in again after the unlocks it does itself (a login ends its other session)
    cases = [
        (the_signer(companies), "sub", f" {SUB_ID} ", SUB_ID),  # as typed: padded
        (companies.admin, "signer", USER_ID, USER_ID),
        (companies.staff, "admin", FIRST, ADMIN),  # by the registration number
        (companies.staff, "admin", ADMIN.lower(), ADMIN),  # or by its ID, in another case
        (companies.staff, "staff", second_staff, second_staff),
    ]
    for backend, role, ref, login_id in cases:
        lock_out(core, login_id)
        with pytest.raises(AccountLocked):
            make_backend().login("1301", login_id, TEST_PASSWORD)
        result = backend.unlock(role, ref)
        assert (result.login_id, result.role, result.locked) == (login_id, role, False)
        assert make_backend().login("1301", login_id, TEST_PASSWORD).identity.login_id == login_id
    trail = companies.staff.audit(AuditQuery(action="account.unlock"))
    assert [(e.actor, e.target, e.outcome, e.details) for e in trail] == [
        ("S00001", second_staff, "ok", {"was_locked": True}),
        ("S00001", ADMIN, "ok", {"was_locked": True}),
        ("S00001", ADMIN, "ok", {"was_locked": True}),
        (ADMIN, USER_ID, "ok", {"was_locked": True}),
        (USER_ID, SUB_ID, "ok", {"was_locked": True}),
    ]


def test_every_other_role_is_refused_by_the_permission_table(companies: Companies, second_staff: str) -> None:
    signer = the_signer(companies)
    staff, admin = companies.staff, companies.admin
    found = {
        "admin unlocks staff": outcome(lambda: admin.unlock("staff", second_staff)),
        "signer unlocks staff": outcome(lambda: signer.unlock("staff", second_staff)),
        "admin unlocks admin": outcome(lambda: admin.unlock("admin", FIRST)),
        "staff unlocks signer": outcome(lambda: staff.unlock("signer", USER_ID)),
        "signer unlocks signer": outcome(lambda: signer.unlock("signer", USER_ID)),
        "staff unlocks sub": outcome(lambda: staff.unlock("sub", SUB_ID)),
        "admin unlocks sub": outcome(lambda: admin.unlock("sub", SUB_ID)),
    }
    assert found == {
        "admin unlocks staff": denied("admin", "staff.unlock", "staff ID"),
        "signer unlocks staff": denied("signer", "staff.unlock", "staff ID"),
        "admin unlocks admin": denied("admin", "admin.unlock", "staff ID"),
        "staff unlocks signer": denied("staff", "signer.unlock", "administrator ID"),
        "signer unlocks signer": denied("signer", "signer.unlock", "administrator ID"),
        "staff unlocks sub": denied("staff", "subid.unlock", "user ID"),
        "admin unlocks sub": denied("admin", "subid.unlock", "user ID"),
    }


def test_another_companys_or_chambers_id_is_not_found_like_one_that_does_not_exist(
    companies: Companies, core: Core, make_backend: MakeBackend, second_staff: str
) -> None:
    other_admin = companies.other_admin()
    other = chambers.init_chamber(core, "1302", "大阪商工会議所", None)
    activate(core, "1302", other.staff.login_id, other.staff.initial_password)
    other_chamber = make_backend()
    other_chamber.login("1302", "S00001", TEST_PASSWORD)
    found = {
        "other company's user ID": outcome(lambda: other_admin.unlock("signer", USER_ID)),
        "no such user ID": outcome(lambda: other_admin.unlock("signer", "U999999")),
        "other chamber's staff ID": outcome(lambda: other_chamber.unlock("staff", second_staff)),
        "other chamber's registration": outcome(lambda: other_chamber.unlock("admin", FIRST)),
        "a signer's ID as a staff ID": outcome(lambda: companies.staff.unlock("staff", USER_ID)),
        "no such role": outcome(lambda: companies.staff.unlock("root", "S00001")),
    }
    assert found == {
        "other company's user ID": not_found(f"No user ID {USER_ID} that you can unlock."),
        "no such user ID": not_found("No user ID U999999 that you can unlock."),
        "other chamber's staff ID": not_found(f"No staff ID {second_staff} that you can unlock."),
        "other chamber's registration": not_found(f"No administrator ID {FIRST} that you can unlock."),
        "a signer's ID as a staff ID": not_found(f"No staff ID {USER_ID} that you can unlock."),
        "no such role": invalid_one("role", "must be one of staff, admin, signer, sub"),
    }
    # the look at another company's ID is audited as a refusal
    refusals = companies.staff.audit(AuditQuery(action="signer.unlock"))
    assert [(e.actor, e.target, e.outcome, e.details) for e in refusals] == [
        ("A1301000002", USER_ID, "denied", {"reason": "not_visible"})
    ]
