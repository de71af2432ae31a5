"""What an application may say (domain/application_forms.py), applied through the service: every bad field
named by its exact path, nothing stored; and the neighbouring good value accepted, so that each rule is
pinned from both sides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shomei_cli.domain.errors import InvalidInput
from shomei_cli.services import api
from tests.unit.applications.conftest import SQLITE_ONLY, World, audit_events, shipment, snapshot

pytestmark = SQLITE_ONLY

Change = Callable[[dict[str, Any]], object]
UNIT_REASON = "must be a concrete unit of quantity (kg, pcs, m, L …), not a lot or a package"


def line(index: int, **changes: Any) -> Change:
    return lambda form: form["goods"][index].update(changes)


def fifty_one(form: dict[str, Any]) -> None:
    form["goods"] = [dict(form["goods"][0]) for _ in range(51)]


def missing(form: dict[str, Any]) -> None:
    del form["consignee"], form["goods"], form["transport"]["by"], form["destination_country"]


REFUSED: dict[str, tuple[Change, list[tuple[str, str]]]] = {
    "invoice dated after today": (
        lambda form: form["invoice"].update(date="2026-11-28"),
        [("invoice.date", "must not be after the application date (2026-11-27)")],
    ),
    "unit lot": (line(0, unit="lot"), [("goods.1.unit", UNIT_REASON)]),
    "unit cartons": (line(1, unit="cartons"), [("goods.2.unit", UNIT_REASON)]),
    "unit 一式": (line(1, unit="一式"), [("goods.2.unit", UNIT_REASON)]),
    "unit LOT with spaces": (line(0, unit="  LOT "), [("goods.1.unit", UNIT_REASON)]),
    "both lines in packages": (
        lambda form: [g.update(unit="ctns") for g in form["goods"]],
        [("goods.1.unit", UNIT_REASON), ("goods.2.unit", UNIT_REASON)],
    ),
    "consignee in no country": (
        lambda form: form["consignee"].update(country="Atlantis"),
        [("consignee.country", "is not a country (ISO 3166): 'Atlantis'")],
    ),
    "destination XX": (
        lambda form: form.update(destination_country="XX"),
        [("destination_country", "is not a country (ISO 3166): 'XX'")],
    ),
    "HS code of 5 digits": (
        line(0, hs_code="84137"),
        [("goods.1.hs_code", "must be a 6-digit HS code, e.g. 8413.70 or 841370")],
    ),
    "HS code of 7 digits": (
        line(1, hs_code="8413.911"),
        [("goods.2.hs_code", "must be a 6-digit HS code, e.g. 8413.70 or 841370")],
    ),
    "Japanese and Chinese origin mixed": (
        line(1, origin_country="CN"),
        [("form", "goods of Japanese origin and of foreign origin are not mixed on one certificate")],
    ),
    "required fields missing": (
        missing,
        [
            ("destination_country", "Field required"),
            ("consignee", "Field required"),
            ("transport.by", "Field required"),
            ("goods", "Field required"),
        ],
    ),
    "no goods": (
        lambda form: form.update(goods=[]),
        [("goods", "List should have at least 1 item after validation, not 0")],
    ),
    "51 goods lines": (fifty_one, [("goods", "List should have at most 50 items after validation, not 51")]),
    "unknown field": (
        lambda form: form.update(incoterms="FOB"),
        [("incoterms", "Extra inputs are not permitted")],
    ),
    "unknown nested field": (
        lambda form: form["consignee"].update(phone="+1 562 000 0000"),
        [("consignee.phone", "Extra inputs are not permitted")],
    ),
    "21 copies": (
        lambda form: form.update(copies=21),
        [("copies", "Input should be less than or equal to 20")],
    ),
    "quantity zero": (line(0, quantity=0), [("goods.1.quantity", "Input should be greater than 0")]),
    "by ship": (
        lambda form: form["transport"].update(by="ship"),
        [("transport.by", "Input should be 'vessel', 'flight', 'truck' or 'rail'")],
    ),
    "packages without a number": (
        line(0, packages="cartons"),
        [("goods.1.packages", "must start with the number of packages, e.g. '10 cartons'")],
    ),
    "two lines wrong at once": (
        lambda form: (form["goods"][0].update(unit="lot"), form["goods"][1].update(hs_code="8413")),
        [
            ("goods.1.unit", UNIT_REASON),
            ("goods.2.hs_code", "must be a 6-digit HS code, e.g. 8413.70 or 841370"),
        ],
    ),
}

ACCEPTED: dict[str, tuple[Change, Callable[[dict[str, Any]], object]]] = {
    # (the change, what the stored content then says)
    "invoice dated today": (
        lambda form: form["invoice"].update(date="2026-11-27"),
        lambda content: content["invoice"]["date"] == "2026-11-27",
    ),
    "unit kg, pcs, m, L, sets": (
        lambda form: form.update(
            goods=[dict(form["goods"][0], unit=u) for u in ("kg", "pcs", "m", "L", "sets")]
        ),
        lambda content: [g["unit"] for g in content["goods"]] == ["kg", "pcs", "m", "L", "sets"],
    ),
    "countries by name and by alpha-3": (
        lambda form: (
            form.update(destination_country="United States"),
            form["consignee"].update(country="USA"),
        ),
        lambda content: (content["destination_country"], content["consignee"]["country"]) == ("US", "US"),
    ),
    "HS code without the dot": (
        line(0, hs_code="841370"),
        lambda content: content["goods"][0]["hs_code"] == "841370",
    ),
    "foreign origin only": (
        lambda form: [g.update(origin_country="CN") for g in form["goods"]],
        lambda content: {g["origin_country"] for g in content["goods"]} == {"CN"},
    ),
    "50 goods lines": (
        lambda form: form.update(goods=[dict(form["goods"][0]) for _ in range(50)]),
        lambda content: len(content["goods"]) == 50,
    ),
    "20 copies": (lambda form: form.update(copies=20), lambda content: content["copies"] == 20),
    "no copies, no remarks, no transport.via": (
        lambda form: (form.pop("copies"), form.pop("remarks")),
        lambda content: (
            content["copies"] == 0 and "remarks" not in content and "via" not in content["transport"]
        ),
    ),
    "an exporter of its own": (
        lambda form: form.update(
            exporter={"name": "Nissho Osaka Branch", "address": "Osaka", "country": "Japan"}
        ),
        lambda content: (
            content["exporter"] == {"name": "Nissho Osaka Branch", "address": "Osaka", "country": "JP"}
        ),
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bad_form_names_every_bad_field_and_stores_nothing(world: World, case: str) -> None:
    change, errors = REFUSED[case]
    form = shipment()
    change(form)
    before = snapshot(world.core)
    events = len(audit_events(world.core))
    with pytest.raises(InvalidInput) as refused:
        world.apply(world.sub_a1, "co", form)
    assert [(e.field, e.reason) for e in refused.value.errors] == errors
    assert refused.value.message == "Invalid input: " + "; ".join(f"{f}: {r}" for f, r in errors)
    assert snapshot(world.core) == before
    assert audit_events(world.core)[events:] == []


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_the_good_value_next_to_each_rule_is_accepted(world: World, case: str) -> None:
    change, check = ACCEPTED[case]
    form = shipment()
    change(form)
    view = world.apply(world.sub_a1, "co", form)
    assert (view.summary.status, view.summary.reception_number) == ("submitted", "1301-00000001")
    assert check(view.content)


def test_an_amendment_is_validated_the_same_way_and_changes_nothing_when_bad(world: World) -> None:
    view = world.apply(world.sub_a1, draft=True)
    form = shipment()
    form["goods"][1]["unit"] = "cartons"
    before = snapshot(world.core)
    with pytest.raises(InvalidInput) as refused:
        api.amend_application(world.core, world.token(world.sub_a1), view.summary.reference, form, None)
    assert [(e.field, e.reason) for e in refused.value.errors] == [("goods.2.unit", UNIT_REASON)]
    assert snapshot(world.core) == before


def test_an_unknown_certificate_type_is_invalid_input(world: World) -> None:
    before = snapshot(world.core)
    with pytest.raises(InvalidInput) as refused:
        world.apply(world.sub_a1, "origin", shipment())
    assert [(e.field, e.reason) for e in refused.value.errors] == [
        ("type", "must be co, invoice or signature")
    ]
    assert snapshot(world.core) == before
    # the type is read loosely: case and spaces do not matter
    assert world.apply(world.sub_a1, " CO ", shipment()).summary.type == "co"


def test_an_invoice_dated_after_today_is_named_alongside_the_other_bad_fields(world: World) -> None:
    form = shipment()
    form["invoice"]["date"] = "2026-11-28"
    form["goods"][0]["unit"] = "lot"
    with pytest.raises(InvalidInput) as refused:
        world.apply(world.sub_a1, "co", form)
    assert {e.field for e in refused.value.errors} == {"invoice.date", "goods.1.unit"}
