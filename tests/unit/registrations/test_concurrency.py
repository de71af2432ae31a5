"""Two staff members issuing batches at the same moment, each through its own engine (as two processes would),
on one SQLite file and on PostgreSQL: registration numbers stay distinct and gap-free."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from sqlmodel import Session, col, select

from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import Conflict
from shomei_cli.domain.records import IssuedRegistration
from shomei_cli.services import registrations
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core
from shomei_cli.services.hashing import PasswordHashing
from shomei_cli.store.tables import Account, Registration
from tests.unit.registrations.conftest import FAST_HASHING, counts, csv_bytes, valid_row

T = TypeVar("T")
ROWS = 12


@pytest.fixture
def second_core(database_url: str, clock: FixedClock, core: Core) -> Iterator[Core]:
    """Another engine on the same store."""
    opened = Core.open(database_url, clock=clock, hashing=PasswordHashing(FAST_HASHING))
    yield opened
    opened.close()


def at_once(*calls: Callable[[], T]) -> list[T | BaseException]:
    """Run ``calls`` in threads released together; each result, or the exception it raised."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T | BaseException:
        barrier.wait(timeout=30)
        try:
            return call()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def stored_numbers(core: Core) -> list[tuple[str, str, str]]:
    with core.read() as session:
        rows = session.exec(
            select(Registration.registration_number, Registration.corporate_number, Account.login_id)
            .join(Account, col(Account.registration_id) == col(Registration.id))
            .order_by(col(Registration.registration_number))
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_two_batches_at_once_get_distinct_gap_free_numbers(
    core: Core, second_core: Core, staff: Actor
) -> None:
    results: list[IssuedRegistration] = []
    for round_ in range(2):
        files = [csv_bytes([valid_row(1000 * (2 * round_ + k) + i) for i in range(ROWS)]) for k in (1, 2)]
        first, second = files
        outcomes = at_once(
            lambda: registrations.issue_from_csv(core, staff, first),  # noqa: B023 - called within the round
            lambda: registrations.issue_from_csv(second_core, staff, second),  # noqa: B023
        )
        for outcome in outcomes:
            assert isinstance(outcome, list), outcome
            assert [r.outcome for r in outcome] == ["created"] * ROWS
            # one batch is one transaction: its numbers are consecutive
            numbers = [int(r.registration_number) for r in outcome]
            assert numbers == list(range(numbers[0], numbers[0] + ROWS))
            results += outcome
    expected = [f"1301{n:06d}" for n in range(1, 4 * ROWS + 1)]
    assert sorted(r.registration_number for r in results) == expected
    assert stored_numbers(core) == sorted(
        (r.registration_number, r.corporate_number, f"A{r.registration_number}") for r in results
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_same_file_twice_at_once_on_sqlite_creates_it_once(
    core: Core, second_core: Core, staff: Actor
) -> None:
    data = csv_bytes([valid_row(i) for i in range(1, ROWS + 1)])
    outcomes = at_once(
        lambda: registrations.issue_from_csv(core, staff, data),
        lambda: registrations.issue_from_csv(second_core, staff, data),
    )
    created = [o for o in outcomes if isinstance(o, list) and o[0].outcome == "created"]
    assert len(created) == 1
    (other,) = [o for o in outcomes if o is not created[0]]
    if isinstance(other, list):
        assert [(r.outcome, r.registration_number) for r in other] == [
            ("exists", r.registration_number) for r in created[0]
        ]
    else:
        assert isinstance(other, Conflict), other
        assert "registered by someone else meanwhile; run the batch again" in str(other)
    assert [n for n, _, _ in stored_numbers(core)] == [f"1301{n:06d}" for n in range(1, ROWS + 1)]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_the_same_file_twice_at_once_on_postgres_is_a_conflict_not_a_database_error(
    core: Core, second_core: Core, staff: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving is forced: the second batch checks for existing corporate numbers while the first
    holds the counter, uncommitted; the second then waits for the counter and inserts the same number."""
    first_holds = threading.Event()
    second_checked = threading.Event()
    real_next_value = registrations.next_value

    def gated(session: Session, chamber_id: int, name: str) -> int:
        if threading.current_thread().name == "second":
            second_checked.set()
            return real_next_value(session, chamber_id, name)
        value = real_next_value(session, chamber_id, name)
        if not first_holds.is_set():
            first_holds.set()
            second_checked.wait(timeout=5)  # not set if a fix makes the second batch wait earlier
        return value

    monkeypatch.setattr(registrations, "next_value", gated)
    data = csv_bytes([valid_row(i) for i in range(1, 4)])
    outcome: dict[str, object] = {}

    def run(name: str, target: Core) -> None:
        if name == "second":
            assert first_holds.wait(timeout=30)
        try:
            outcome[name] = registrations.issue_from_csv(target, staff, data)
        except Exception as exc:
            outcome[name] = exc

    threads = [
        threading.Thread(target=run, args=(n, c), name=n)
        for n, c in (("first", core), ("second", second_core))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    first = outcome["first"]
    assert isinstance(first, list) and [r.outcome for r in first] == ["created"] * 3
    assert [n for n, _, _ in stored_numbers(core)] == ["1301000001", "1301000002", "1301000003"]
    before = counts(core)
    assert isinstance(outcome["second"], Conflict), repr(outcome["second"])
    assert counts(core) == before
