"""Certificates on paper, read back page by page with pdfplumber: each quantity on the baseline of its goods
line's first line however long the descriptions, goods continued on further sheets with "sheet k of n" and
the totals on the last, nothing over a box edge or off the sheet, countries by name, line breaks kept, the
two boxes of a signature certification side by side, and the area left free for the digital signature."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from shomei_cli.documents.certificates import (
    CHAMBER_BOX_HEIGHT,
    CHAMBER_BOX_TOP,
    CONTINUED_GOODS_TOP,
    GOODS_SPLIT,
    GOODS_TOP,
    HALF,
    LEFT,
    LINE,
    PT,
    SIGNATURE_FIELD,
    WIDTH,
    CertificateData,
    ChamberIdentity,
    GoodsRow,
    country_name,
    goods_totals,
    paginate_goods,
    render_certificate,
    signature_field,
)
from shomei_cli.documents.pdf import Document

ROOT = Path(__file__).resolve().parents[2]
SIGNATURE = (ROOT / "src" / "shomei_cli" / "demo_data" / "signatures" / "osaka.png").read_bytes()
LONG = (
    "Centrifugal pumps for industrial water circulation, stainless steel casing, with electric motors of "
    "7.5 kW, complete with base plates, couplings and the manufacturer's test certificates"
)
A4_HEIGHT = 297 * PT


def goods_line(number: int, description: str, unit: str = "pcs") -> dict[str, Any]:
    """A goods line whose marks (G01, G02 …) and quantity (1001, 1002 …) identify it on the page."""
    return {
        "marks": f"G{number:02d} ACME / LONG BEACH",
        "packages": f"{number} cartons",
        "description": description,
        "hs_code": "8413.70",
        "quantity": str(1000 + number),
        "unit": unit,
        "origin_country": "JP",
    }


def certificate(
    goods: list[dict[str, Any]],
    kind: str = "co",
    copies: int = 0,
    attachment: bytes | None = None,
    **content: Any,
) -> bytes:
    form: dict[str, Any] = {
        "copies": copies,
        "destination_country": "US",
        "commodity_category": "machinery",
        "consignee": {
            "name": "ACME Pumps Inc.",
            "address": "100 Harbor Blvd\nLong Beach, CA 90802",
            "country": "US",
        },
        "invoice": {"number": "NT-2026-1120", "date": "2026-11-20"},
        "transport": {
            "from": "Yokohama",
            "to": "Long Beach",
            "by": "vessel",
            "vessel_or_flight": "ONE HARMONY",
            "on_or_about": "2026-12-01",
        },
        "remarks": "L/C No. 12345",
        "goods": goods,
    }
    form.update(content)
    data = CertificateData(
        type=kind,
        content=form,
        attachment=attachment,
        copies=copies,
        chamber_name="東京商工会議所",
        chamber_name_en="Tokyo Chamber of Commerce and Industry",
        registration_number="1301000001",
        exporter_default={"name": "Nissho Test Co., Ltd.", "address": "3-2-2 Marunouchi", "country": "JP"},
        signer_name="Osaka Masahito",
        signer_title="President",
        signature_png=SIGNATURE,
        certificate_number="1301-2026-0000001",
        access_code="PGJYN8CQEF",
        verification_url="https://verify.example.jp/verify?n=1301-2026-0000001&c=PGJYN8CQEF",
        issued_at=datetime(2026, 12, 3, 3, tzinfo=UTC),
        application_date=datetime(2026, 12, 2, 3, tzinfo=UTC),
        identity=ChamberIdentity(officer_name="Yamada Taro", officer_title="Director", place="Tokyo"),
    )
    return render_certificate(data)


def pages(pdf: bytes) -> Iterator[Any]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        yield from document.pages


def lines_of(page: Any) -> list[dict[str, Any]]:
    """Each line of text as set (one cell each): its words joined, with its x, top and bottom in points."""
    return list(page.extract_words(keep_blank_chars=True, x_tolerance=1.5, use_text_flow=True))


def box(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    """A box in millimetres as pdfplumber's (x0, top, x1, bottom) in points."""
    return (x * PT, y * PT, (x + w) * PT, (y + h) * PT)


def inside(outer: tuple[float, float, float, float], item: dict[str, Any], margin: float = 0.5) -> bool:
    return (
        item["x0"] >= outer[0] + margin
        and item["top"] >= outer[1] + margin
        and item["x1"] <= outer[2] - margin
        and item["bottom"] <= outer[3] - margin
    )


def frames(page: Any) -> list[tuple[float, float, float, float]]:
    return [(r["x0"], r["top"], r["x1"], r["bottom"]) for r in page.rects if r["width"] > 20]


def assert_nothing_over_an_edge(page: Any) -> None:
    """Every character lies inside the innermost box around its middle, clear of its edges, or (header and
    footer) inside the sheet's margins; none crosses a frame."""
    boxes = frames(page)
    sheet = box(LEFT - 0.5, 8, WIDTH + 1, 297 - 16)
    for char in page.chars:
        middle = ((char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2)
        around = [b for b in boxes if b[0] <= middle[0] <= b[2] and b[1] <= middle[1] <= b[3]]
        if around:
            innermost = min(around, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
            assert inside(innermost, char, margin=0.3), (char["text"], innermost, char)
        else:
            assert inside(sheet, char, margin=0), (char["text"], char)


def test_each_quantity_stands_on_the_first_line_of_its_goods_and_the_goods_continue_on_further_sheets() -> (
    None
):
    descriptions = [
        LONG,
        "Parts of pumps\nimpellers\nmechanical seals",
        "ポンプ部品（インペラー、メカニカルシール、軸受、ケーシング）" * 3,
        "Wire " + "x" * 160,  # one word longer than the box: broken, not cut off
    ]
    goods = [goods_line(n, descriptions[n % 4], "kg" if n % 3 == 0 else "pcs") for n in range(1, 21)]
    pdf = certificate(goods)
    found: dict[int, tuple[int, float]] = {}
    quantities: dict[int, tuple[int, float]] = {}
    all_pages = list(pages(pdf))
    count = len(all_pages)
    assert count == 3
    box7_text = ""
    for index, page in enumerate(all_pages):
        assert_nothing_over_an_edge(page)
        text = page.extract_text()
        assert f"Sheet {index + 1} of {count}" in text
        top = GOODS_TOP if index == 0 else CONTINUED_GOODS_TOP
        bottom = CHAMBER_BOX_TOP if index == 0 else 247.0
        box7 = box(LEFT, top, WIDTH * GOODS_SPLIT, bottom - top)
        box8 = box(LEFT + WIDTH * GOODS_SPLIT, top, WIDTH * (1 - GOODS_SPLIT), bottom - top)
        assert box7 in frames(page) or any(abs(f[1] - box7[1]) < 0.1 for f in frames(page))
        for line in lines_of(page):
            if inside(box7, line, margin=0) and (marks := re.match(r"G(\d\d) ACME", line["text"])):
                found[int(marks.group(1))] = (index, line["bottom"])
            if inside(box8, line, margin=0) and (
                quantity := re.fullmatch(r"10(\d\d) (pcs|kg)", line["text"])
            ):
                quantities[int(quantity.group(1))] = (index, line["bottom"])
        box7_text += page.crop(box7).extract_text() + "\n"
        if index < count - 1:
            assert f"(continued on sheet {index + 2} / 次葉へ続く)" in text
            assert "TOTAL" not in text
        if index > 0:
            assert f"(continued from sheet {index} / 前葉より続く)" in text
    assert sorted(found) == list(range(1, 21))
    assert quantities == found  # same sheet, same baseline (to the hundredth of a point), for every line
    # nothing cut off: every word of every description is on a sheet, in order
    flat = "".join(box7_text.split())
    for line in goods:
        assert "".join(f"{line['marks']} / {line['packages']} / {line['description']}".split()) in flat
    last = all_pages[-1].extract_text()
    assert "TOTAL: 210 packages (合計 210 個)" in last
    assert "6063 kg" in last  # 1003 + 1006 + … + 1018
    assert "14147 pcs" in last


def test_each_copy_has_all_the_sheets_and_its_own_mark() -> None:
    pdf = certificate([goods_line(n, LONG) for n in range(1, 15)], copies=1)
    texts = [page.extract_text() for page in pages(pdf)]
    assert len(texts) == 4
    assert ["ORIGINAL" in t.splitlines()[0] or "ORIGINAL" in t for t in texts[:2]] == [True, True]
    assert ["COPY" in t for t in texts] == [False, False, True, True]
    assert [bool(re.search(r"Sheet (\d) of 2", t)) for t in texts] == [True] * 4


def test_a_short_certificate_is_one_sheet_with_its_totals() -> None:
    pdf = certificate([goods_line(1, "Centrifugal pumps"), goods_line(2, "Parts of pumps", "kg")])
    (page,) = pages(pdf)
    text = page.extract_text()
    assert "Sheet 1 of 1" in text
    assert "continued" not in text
    assert "TOTAL: 3 packages (合計 3 個)" in text
    assert_nothing_over_an_edge(page)


def test_a_goods_line_taller_than_a_sheet_is_split_and_its_quantity_stays_on_its_first_line() -> None:
    tall = GoodsRow(description=[f"line {n}" for n in range(80)], quantity=["5 pcs"])
    short = GoodsRow(description=["short"], quantity=["1 kg"])
    totals = GoodsRow(description=["TOTAL"], quantity=["5 pcs", "1 kg"])
    sheets = paginate_goods([short, tall, short], totals)
    placed = [
        (index, row, first, count) for index, s in enumerate(sheets) for _, row, first, count in s.placed
    ]
    parts = [(index, first, count) for index, row, first, count in placed if row is tall]
    assert [index for index, _, _ in parts] == [0, 1, 2]  # begun below the short line, where it was
    assert [first for _, first, _ in parts] == [0, parts[0][2], parts[0][2] + parts[1][2]]
    assert sum(count for _, _, count in parts) == 80
    assert placed[-1][:3] == (2, short, 0)
    for sheet in sheets:
        for y, _row, _first, count in sheet.placed:
            assert y >= sheet.top and y + count * LINE <= sheet.bottom + 1e-6


def test_a_goods_line_that_does_not_fit_what_is_left_starts_on_the_next_sheet() -> None:
    rows = [GoodsRow(description=["a"] * 4, quantity=["1 pcs"]) for _ in range(6)]
    totals = GoodsRow(description=["TOTAL"], quantity=["6 pcs"])
    sheets = paginate_goods(rows, totals)
    assert [[(first, count) for _, _, first, count in s.placed] for s in sheets] == [
        [(0, 4)] * 4,
        [(0, 4)] * 2,
    ]


def test_totals_count_packages_and_add_quantities_per_unit_as_written() -> None:
    goods = [goods_line(1, "a", "kg"), goods_line(2, "b", "pcs"), goods_line(3, "c", "kg")]
    goods[0]["quantity"] = "350.5"
    assert goods_totals(goods) == ("TOTAL: 6 packages (合計 6 個)", "1353.5 kg\n1002 pcs")


def test_countries_print_as_names_with_their_codes_and_line_breaks_as_lines() -> None:
    pdf = certificate([goods_line(1, "Pumps")])
    (page,) = pages(pdf)
    lines = [line["text"] for line in lines_of(page)]
    assert "United States (US)" in lines  # box 2
    assert "Japan (JP)" in lines  # boxes 1 and 4
    assert "100 Harbor Blvd" in lines and "Long Beach, CA 90802" in lines
    assert country_name("KR") == "South Korea (KR)"
    assert country_name("TW") == "Taiwan (TW)"
    assert country_name("XX") == "XX"


def test_the_signature_certification_sets_its_two_boxes_side_by_side_and_each_label_once() -> None:
    pdf = certificate(
        [],
        kind="signature",
        document_title="Power of attorney",
        document_number="PA-7",
        document_date="2026-11-30",
        destination_country="KR",
        addressee={"name": "Hanguk Trading", "address": "1 Sejong-daero, Seoul", "country": "KR"},
    )
    (page,) = pages(pdf)
    text = page.extract_text()
    assert text.count("Registered signature") == 1
    assert "South Korea (KR)" in text
    boxes = frames(page)
    left = box(LEFT, CHAMBER_BOX_TOP, HALF, CHAMBER_BOX_HEIGHT)
    right = box(LEFT + HALF, CHAMBER_BOX_TOP, HALF, CHAMBER_BOX_HEIGHT)
    for expected in (left, right):
        assert any(all(abs(a - b) < 0.05 for a, b in zip(expected, b, strict=True)) for b in boxes), expected
    assert_nothing_over_an_edge(page)


@pytest.mark.parametrize("kind", ["co", "signature"])
def test_the_signature_field_lies_in_the_chamber_box_and_is_left_free(kind: str) -> None:
    pdf = certificate([goods_line(1, LONG)], kind=kind, document_title="x", document_date="2026-11-30")
    page = next(pages(pdf))
    chamber_box = box(LEFT + HALF, CHAMBER_BOX_TOP, HALF, CHAMBER_BOX_HEIGHT)
    area = box(SIGNATURE_FIELD.x, SIGNATURE_FIELD.y, SIGNATURE_FIELD.w, SIGNATURE_FIELD.h)
    assert inside(chamber_box, {"x0": area[0], "top": area[1], "x1": area[2], "bottom": area[3]}, margin=0)
    assert not [c for c in page.chars if inside(area, c, margin=-0.1)]
    assert not [
        i
        for i in page.images
        if i["bottom"] > area[1] and i["top"] < area[3] and i["x0"] < area[2] and i["x1"] > area[0]
    ]
    x1, y1, x2, y2 = signature_field(kind)
    assert (x1, A4_HEIGHT - y2, x2, A4_HEIGHT - y1) == pytest.approx(area)


def test_the_invoice_signature_field_follows_the_invoice_page() -> None:
    letter = (612.0, 792.0)
    x1, y1, x2, y2 = signature_field("invoice", *letter)
    assert 0 < x1 < x2 <= letter[0] and 0 < y1 < y2 <= letter[1]
    assert x2 - x1 == pytest.approx((112 - 2 * 1.2) * PT)


def test_documents_are_never_justified() -> None:
    pdf = Document("t", datetime(2026, 12, 3, tzinfo=UTC))
    pdf.add_page()
    with pytest.raises(ValueError, match="not justified"):
        pdf.multi_cell(50, 4, "a b c", align="J")
    with pytest.raises(ValueError, match="not justified"):
        pdf.cell(50, 4, "a b c", align="J")


def test_a_certificate_without_a_chamber_identity_still_prints_its_certification() -> None:
    data_pdf = certificate([goods_line(1, "Pumps")])
    text = next(pages(data_pdf)).extract_text()
    assert "Yamada Taro" in text and "Tokyo, 03 December 2026" in text
    assert replace(ChamberIdentity(), place=None).place is None
