"""An administrator suspends one signer and resumes it, the same on every way in: its user ID and sub IDs
stop working at once (sessions ended, logins failing as any wrong credential does), history kept; resuming
starts again exactly the IDs the suspension stopped. Only the company's administrator, only from the right
state."""

from __future__ import annotations

import dataclasses

from shomei_cli.backends.base import Backend
from shomei_cli.domain.accounts import SESSION_END_MESSAGES
from shomei_cli.domain.errors import AuthenticationFailed, SessionEnded
from shomei_cli.domain.records import AuditQuery
from tests.contract.companies import (
    OSAKA_ACTIVE,
    OSAKA_PNG,
    SIGNER_REF,
    USER_ID,
    add_active_subs,
    denied,
    log_in,
    not_found,
    outcome,
    outcomes,
    the_signer,
    with_signer,
    wrong_state,
)
from tests.contract.conftest import MakeBackend
from tests.contract.test_signers import SATO_FIELDS

FAILED = (AuthenticationFailed, "authentication_failed", AuthenticationFailed().message, [])
ENDED = (SessionEnded, "session_ended", SESSION_END_MESSAGES["disabled"], [])


def test_a_suspended_signer_and_its_sub_ids_stop_and_resume_together(
    make_backend: MakeBackend, staff: Backend
) -> None:
    companies = with_signer(make_backend, staff)
    admin, signer = companies.admin, the_signer(companies)
    first, _second = add_active_subs(make_backend, signer, "鈴木 花子", "佐藤 次郎")
    signer.remove_sub("SB000002")  # disabled on its own before the suspension: it stays disabled after

    suspended = admin.suspend_signer(SIGNER_REF, "出向中")
    assert (suspended.reference, suspended.status, suspended.status_reason) == (
        SIGNER_REF,
        "suspended",
        "出向中",
    )
    assert outcomes(
        {
            "signer": signer.whoami,
            "sub": first.whoami,
            "signer:login": lambda: log_in(make_backend, USER_ID),
            "sub:login": lambda: log_in(make_backend, "SB000001"),
        }
    ) == {"signer": ENDED, "sub": ENDED, "signer:login": FAILED, "sub:login": FAILED}
    assert admin.show_signer(SIGNER_REF).status == "suspended"

    resumed = admin.resume_signer(USER_ID)
    # the sub IDs column counts working sub IDs: none while suspended, SB000001 again after
    assert suspended.sub_ids == 0
    assert resumed == dataclasses.replace(suspended, status="active", status_reason=None, sub_ids=1)
    assert log_in(make_backend, USER_ID).whoami().login_id == USER_ID
    assert log_in(make_backend, "SB000001").whoami().login_id == "SB000001"
    assert outcome(lambda: log_in(make_backend, "SB000002")) == FAILED
    trail = admin.audit(AuditQuery(action="signer.suspend"))
    assert [(e.target, e.details) for e in trail] == [(SIGNER_REF, {"accounts": [USER_ID, "SB000001"]})]
    trail = admin.audit(AuditQuery(action="signer.resume"))
    assert [(e.target, e.details) for e in trail] == [(SIGNER_REF, {"accounts": [USER_ID, "SB000001"]})]


def test_only_the_companys_administrator_and_only_from_the_right_state(
    make_backend: MakeBackend, staff: Backend
) -> None:
    companies = with_signer(make_backend, staff)
    admin, signer = companies.admin, the_signer(companies)
    pending = admin.add_signer(SATO_FIELDS, OSAKA_PNG, None).reference
    other_admin = companies.other_admin()
    assert outcomes(
        {
            "resume:active": lambda: admin.resume_signer(SIGNER_REF),
            "suspend:pending": lambda: admin.suspend_signer(pending, None),
            "suspend:staff": lambda: staff.suspend_signer(SIGNER_REF, None),
            "suspend:signer": lambda: signer.suspend_signer(SIGNER_REF, None),
            "suspend:other-company": lambda: other_admin.suspend_signer(SIGNER_REF, None),
            "resume:staff": lambda: staff.resume_signer(SIGNER_REF),
        }
    ) == {
        "resume:active": wrong_state(
            f"Signer {SIGNER_REF} is active: only a suspended signer can be resumed."
        ),
        "suspend:pending": wrong_state(
            f"Signer {pending} is pending: only an active signer can be suspended."
        ),
        "suspend:staff": denied("staff", "signer.manage", "administrator ID"),
        "suspend:signer": denied("signer", "signer.manage", "administrator ID"),
        "suspend:other-company": not_found(f"No signer {SIGNER_REF} that you can see."),
        "resume:staff": denied("staff", "signer.manage", "administrator ID"),
    }
    assert admin.show_signer(SIGNER_REF).status == OSAKA_ACTIVE.status  # nothing refused changed anything
    admin.suspend_signer(SIGNER_REF, None)
    assert outcome(lambda: admin.suspend_signer(SIGNER_REF, None)) == wrong_state(
        f"Signer {SIGNER_REF} is suspended: only an active signer can be suspended."
    )
    assert outcome(lambda: other_admin.resume_signer(SIGNER_REF)) == not_found(
        f"No signer {SIGNER_REF} that you can see."
    )
