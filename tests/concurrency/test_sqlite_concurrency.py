"""Eight processes logging in and changing passwords on one SQLite file at once."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from shomei_cli.services import chambers
from shomei_cli.services.core import Core
from shomei_cli.store.tables import Account, AuditEvent
from tests.concurrency.worker import ROUNDS, login_and_change_passwords
from tests.helpers import activate, actor_for

PROCESSES = 8


@pytest.mark.slow
def test_eight_processes_lose_no_update_and_never_see_database_is_locked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    core = Core.open(url)
    created = chambers.init_chamber(core, "1301", "東京商工会議所", None)
    activate(core, "1301", "S00001", created.staff.initial_password)
    first = actor_for(core, "1301", "S00001")
    staff = [chambers.add_staff(core, first, f"worker {i}") for i in range(PROCESSES)]

    start_at = time.time() + 2.0
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        finals = pool.starmap(
            login_and_change_passwords,
            [(url, s.login_id, s.initial_password, start_at) for s in staff],
        )

    with core.read() as session:
        accounts = {a.login_id: a for a in session.exec(select(Account))}
        changes = session.exec(
            select(func.count()).where(
                AuditEvent.action == "auth.password_change", AuditEvent.outcome == "ok"
            )
        ).one()
        logins = session.exec(
            select(func.count()).where(AuditEvent.action == "auth.login", AuditEvent.outcome == "ok")
        ).one()
    for account, final in zip(staff, finals, strict=True):
        assert core.hashing.verify(accounts[account.login_id].password_hash, final)
        assert accounts[account.login_id].must_change_password is False
    # every process added one staff ID, all numbered without a gap or a repeat
    assert sorted(accounts) == [f"S{n:05d}" for n in range(1, 2 * PROCESSES + 2)]
    assert accounts["S00001"].failed_logins == PROCESSES  # eight concurrent failures, all counted
    assert changes == 1 + PROCESSES * ROUNDS
    assert logins == 2 + PROCESSES * (ROUNDS + 1)
    with core.read() as session:
        live = session.exec(
            select(col(Account.login_id)).where(col(Account.created_by_account_id).is_not(None))
        ).all()
    assert len(live) == 2 * PROCESSES
    core.close()
