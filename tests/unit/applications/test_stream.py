"""`cert list --limit 0` reads a whole history through ``stream_applications``: one read, rows fetched in
batches, the same records, the same reach and the same filters as the paged ``list_applications``; and over
HTTP the RemoteBackend pages through the same rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from shomei_cli.backends.remote import RemoteBackend
from shomei_cli.domain.errors import FieldError, InvalidInput, NotLoggedIn, PermissionDenied
from shomei_cli.domain.records import ApplicationQuery, ApplicationSummary
from shomei_cli.server.app import create_app
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services import api
from shomei_cli.services import applications as service
from tests.unit.applications.conftest import COMPANY_A, COMPANY_B, World

TEN_AM = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


@pytest.fixture
def history(world: World) -> World:
    """AP0000001–AP0000007: five of SB000001 (the first issued), one of SB000002, one of company B."""
    world.topup(COMPANY_A, 20_000)
    world.topup(COMPANY_B, 20_000)
    world.issued(world.sub_a1)
    for _ in range(4):
        world.apply(world.sub_a1)
    world.apply(world.sub_a2)
    world.apply(world.signer_b)
    return world


def streamed(world: World, who: str, **query: object) -> list[ApplicationSummary]:
    return list(api.stream_applications(world.core, world.token(who), ApplicationQuery(**query)))  # type: ignore[arg-type]


def paged(world: World, who: str, **query: object) -> list[ApplicationSummary]:
    return api.list_applications(world.core, world.token(who), ApplicationQuery(**query))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", [7, 6, 5, 4, 3, 2, 1]),
        ("signer_a", [6, 5, 4, 3, 2, 1]),
        ("sub_a1", [5, 4, 3, 2, 1]),
        ("sub_a2", [6]),
        ("signer_b", [7]),
    ],
)
def test_a_stream_reaches_exactly_what_a_page_reaches(
    history: World, who: str, expected: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "STREAM_BATCH", 2)  # several batches even for this short history
    login_id = getattr(history, who)
    rows = streamed(history, login_id, limit=0)
    assert [r.reference for r in rows] == [f"AP000000{n}" for n in expected]
    assert rows == paged(history, login_id, limit=100)


def test_the_records_are_the_listed_ones_with_utc_instants(history: World) -> None:
    first = streamed(history, history.signer_a, status="issued", limit=0)
    assert first == [
        ApplicationSummary(
            reference="AP0000001",
            reception_number="1301-00000001",
            type="co",
            status="issued",
            registration_number=COMPANY_A,
            destination_country="US",
            copies=1,
            signer="大阪 正人",
            applicant="SB000001",
            fee=1360,
            certificate_number="1301-2026-0000001",
            created_at=TEN_AM,
            submitted_at=TEN_AM,
            issued_at=TEN_AM,
        )
    ]
    assert first[0].created_at.tzinfo is UTC


def test_filters_and_a_limit_apply_as_on_a_page(history: World) -> None:
    who = history.sub_a1
    assert [r.reference for r in streamed(history, who, status="submitted", limit=0)] == [
        "AP0000005",
        "AP0000004",
        "AP0000003",
        "AP0000002",
    ]
    assert [r.reference for r in streamed(history, who, limit=2)] == ["AP0000005", "AP0000004"]
    assert streamed(history, who, type="invoice", limit=0) == []
    assert streamed(history, who, since=date(2026, 11, 28), limit=0) == []
    assert len(streamed(history, who, since=date(2026, 11, 27), until=date(2026, 11, 27), limit=0)) == 5


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"limit": -1}, FieldError("limit", "must be 0 (all) or more")),
        (
            {"status": "lost"},
            FieldError(
                "status",
                "must be one of draft, submitted, returned, approved, awaiting_payment, rejected, paid, "
                "issued, cancelled",
            ),
        ),
    ],
)
def test_a_bad_query_is_refused_before_anything_is_read(
    history: World, query: dict[str, object], error: FieldError
) -> None:
    with pytest.raises(InvalidInput) as refused:
        api.stream_applications(history.core, history.token(history.sub_a1), ApplicationQuery(**query))  # type: ignore[arg-type]
    assert refused.value.errors == [error]


def test_an_administrator_and_no_session_are_refused_at_the_call(history: World) -> None:
    with pytest.raises(PermissionDenied):
        api.stream_applications(history.core, history.token(history.admin_a), ApplicationQuery(limit=0))
    with pytest.raises(NotLoggedIn):
        api.stream_applications(history.core, "no-such-token", ApplicationQuery(limit=0))


@pytest.fixture
def remote(history: World, database_url: str) -> Iterator[RemoteBackend]:
    app = create_app(ServerSettings(database_url=database_url), core=history.core)
    with TestClient(app) as client:
        yield RemoteBackend("http://testserver", history.token(history.staff), client=client, retry_pause=0)


@pytest.mark.parametrize("limit", [0, 5, 3])
def test_over_http_the_stream_pages_through_the_same_rows(
    history: World, remote: RemoteBackend, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shomei_cli.backends.remote.STREAM_PAGE", 2)
    rows = list(remote.stream_applications(ApplicationQuery(limit=limit)))
    local = streamed(history, history.staff, limit=limit)
    assert rows == local
    assert len(rows) == (limit or 7)
    assert [dataclasses.asdict(r)["reference"] for r in rows][:3] == ["AP0000007", "AP0000006", "AP0000005"]
