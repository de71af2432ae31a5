"""The application history as rows in their JSON form (stream_application_rows): exactly what the records
give through records.to_dict, on every way in, whatever the filters, limits and instants (with and without
microseconds, absent ones as null)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from shomei_cli.backends.base import Backend
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.records import ApplicationQuery, ApplicationSummary, to_dict
from shomei_cli.services.core import Core
from tests.contract.companies import FIRST, example_json_form, the_signer, with_signer
from tests.contract.conftest import MakeBackend


def rows(backend: Backend, query: ApplicationQuery) -> list[dict[str, object]]:
    return [row for batch in backend.stream_application_rows(query) for row in batch]


def records(backend: Backend, query: ApplicationQuery) -> list[dict[str, object]]:
    return [to_dict(summary) for summary in backend.stream_applications(query)]


def test_rows_are_the_records_json_form(make_backend: MakeBackend, staff: Backend, core: Core) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    clock = core.clock
    assert isinstance(clock, FixedClock)
    shipment = example_json_form("shipment")
    signer.apply("co", shipment, None, True)  # AP0000001: a draft, never submitted
    clock.advance(timedelta(microseconds=123456))  # instants with microseconds
    signer.apply("co", shipment, None, False)  # AP0000002
    clock.advance(timedelta(seconds=1, microseconds=876544))
    signer.apply("signature", example_json_form("signature"), None, False)  # AP0000003
    staff.decide_review("1301-00000001", "approve", None)
    staff.topup(FIRST, 10_000)
    signer.pay_application("AP0000002", "prepaid", None)

    everything = ApplicationQuery(limit=0)
    listed = rows(signer, everything)
    assert listed == records(signer, everything)
    assert [(r["reference"], r["status"]) for r in listed] == [
        ("AP0000003", "submitted"),
        ("AP0000002", "issued"),
        ("AP0000001", "draft"),
    ]
    assert all(list(r) == [f.name for f in dataclasses.fields(ApplicationSummary)] for r in listed)
    assert [(r["created_at"], r["submitted_at"]) for r in listed] == [
        ("2026-11-27T01:00:02+00:00", "2026-11-27T01:00:02+00:00"),
        ("2026-11-27T01:00:00.123456+00:00", "2026-11-27T01:00:00.123456+00:00"),
        ("2026-11-27T01:00:00+00:00", None),
    ]
    assert listed[1]["issued_at"] == "2026-11-27T01:00:02+00:00"
    assert listed[0]["issued_at"] is None

    for query in (
        ApplicationQuery(limit=2),
        ApplicationQuery(status="issued", limit=0),
        ApplicationQuery(type="signature", limit=0),
        ApplicationQuery(limit=0, before="AP0000003"),
    ):
        assert rows(signer, query) == records(signer, query), query
    assert [r["reference"] for r in rows(staff, everything)] == ["AP0000003", "AP0000002"]  # no drafts
