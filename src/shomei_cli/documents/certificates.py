"""Issued certificates and receipts as PDF: the certificate of origin in its numbered boxes (on as many
sheets as its goods need), the signature certification, the certified invoice, each with the certificate
number, access code and a QR code, and the chamber's certification with its seal and authorized officer.

Text is set line by line at positions computed here (never left to flow), so that each quantity stands on
the baseline of the first line of its goods, and a box's content is fitted to the box or continued on the
next sheet, never drawn over an edge.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from shomei_cli.documents.pdf import Document, map_processes, render_split

MARKS = ("ORIGINAL", "COPY")
PT = 72 / 25.4  # points per millimetre

# The sheet (A4, millimetres from the top left)
LEFT = 18.0
WIDTH = 174.0
HALF = WIDTH / 2
FOOTER_TOP = 249.0  # the footer (numbers and QR code) below this line
CHAMBER_BOX_HEIGHT = 62.0  # boxes 9 and 10
CHAMBER_BOX_TOP = FOOTER_TOP - 2 - CHAMBER_BOX_HEIGHT
GOODS_TOP = 104.0  # boxes 7 and 8 on the first sheet
CONTINUED_GOODS_TOP = 36.0  # and on a continuation sheet, which has no boxes 1-6, 9 and 10
GOODS_BOTTOM = FOOTER_TOP - 2
GOODS_SPLIT = 0.75  # box 7 takes three quarters of the width, box 8 the rest
GOODS_SIZE = 8.5  # points
LINE = GOODS_SIZE * 0.45  # millimetres per line of goods
ROW_GAP = 1.4  # between two goods lines
PAD = 1.2  # text inside a box stays this far from its edges
TITLE_HEIGHT = 4.8  # a box's small numbered title


@dataclass(frozen=True)
class Rect:
    """A rectangle on the sheet in millimetres from the top left (as fpdf2 draws)."""

    x: float
    y: float
    w: float
    h: float


# The part of the chamber's certification box left free for the visible digital signature: box 10 of the
# first sheet of the ORIGINAL of a certificate of origin, and the certification box of a signature
# certification, at the same place on both. Signing depends on it: keep it stable.
SIGNATURE_FIELD = Rect(LEFT + HALF + PAD, CHAMBER_BOX_TOP + 45.0, HALF - 2 * PAD, 15.5)
INVOICE_STAMP = (112.0, 74.0)  # the certification box laid on a certified invoice (mm), bottom right
INVOICE_STAMP_MARGIN = 8.0


def signature_field(
    kind: str, page_width: float = 210 * PT, page_height: float = 297 * PT
) -> tuple[float, float, float, float]:
    """The visible signature's rectangle for a document of ``kind``, in PDF points from the bottom left
    (x1, y1, x2, y2) as pyHanko's SigFieldSpec takes it: on the first page of a certificate of origin or a
    signature certification; on the invoice's last page (of that page's size) for a certified invoice."""
    if kind == "invoice":
        area = _invoice_signature_area(_invoice_stamp(page_width / PT, page_height / PT))
    else:
        area = SIGNATURE_FIELD
    return (
        area.x * PT,
        page_height - (area.y + area.h) * PT,
        (area.x + area.w) * PT,
        page_height - area.y * PT,
    )


@dataclass(frozen=True)
class ChamberIdentity:
    """What the chamber's certification carries besides its words: the seal (印影), the authorized officer's
    signature, name and title, and the place of issue. Each part may be missing until staff set it."""

    seal_png: bytes | None = field(default=None, repr=False)
    officer_name: str | None = None
    officer_title: str | None = None
    officer_signature_png: bytes | None = field(default=None, repr=False)
    place: str | None = None


@dataclass(frozen=True)
class CertificateData:
    type: str
    content: dict[str, Any]
    attachment: bytes | None
    copies: int
    chamber_name: str
    chamber_name_en: str | None
    registration_number: str
    exporter_default: dict[str, str]
    signer_name: str
    signer_title: str
    signature_png: bytes = field(repr=False)
    certificate_number: str = ""
    access_code: str = ""
    verification_url: str = ""
    issued_at: datetime = datetime.min
    application_date: datetime = datetime.min
    time_zone: str = "Asia/Tokyo"
    identity: ChamberIdentity = ChamberIdentity()
    # SHA-256 of the chamber's root certificate the signature chains to: printed small, for offline checks
    root_fingerprint: str = ""


def country_name(code: str) -> str:
    """A country as a reader abroad knows it, with its ISO 3166 code: "Japan (JP)", "South Korea (KR)"."""
    import pycountry

    found = pycountry.countries.get(alpha_2=code.strip().upper()) if len(code.strip()) == 2 else None
    if found is None:
        return code
    name = getattr(found, "common_name", None) or found.name
    return f"{name} ({found.alpha_2})"


@lru_cache(maxsize=16)  # once per certificate, not once per page (ORIGINAL and each COPY)
def _qr_png(url: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def _day(value: datetime, zone: str) -> str:
    return value.astimezone(ZoneInfo(zone)).strftime("%d %B %Y")


# -- setting text ----------------------------------------------------------------------------------------


def wrap(pdf: Document, width: float, text: str) -> list[str]:
    """The lines ``text`` takes in ``width`` at the current font size: its own line breaks kept, long words
    broken, nothing dropped."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        measured = pdf.multi_cell(width, 3, paragraph, dry_run=True, output="LINES")
        assert isinstance(measured, list)
        lines.extend(str(line) for line in measured)
    return lines


def _set_lines(pdf: Document, x: float, y: float, w: float, lines: Sequence[str], line: float) -> float:
    """Each line at its own position (a cell of one line's height); returns the y below the last."""
    for text in lines:
        pdf.set_xy(x, y)
        pdf.cell(w, line, text)
        y += line
    return y


def _fit(pdf: Document, width: float, height: float, text: str, size: float) -> tuple[float, list[str]]:
    """The largest size from ``size`` down at which ``text`` fits the width and height; set at it."""
    candidates = [size] + [s for s in (8.0, 7.5, 7.0, 6.5, 6.0, 5.5, 5.0) if s < size]
    for candidate in candidates:
        pdf.set_font_size(candidate)
        lines = wrap(pdf, width, text)
        if len(lines) * candidate * 0.45 <= height:
            return candidate, lines
    # the validation's lengths never get here; if they did, the last lines are dropped visibly, not drawn out
    fitting = max(1, int(height // (candidates[-1] * 0.45)))
    return candidates[-1], [*lines[: fitting - 1], "…"]


def _box(
    pdf: Document, rect: Rect, number: str, title: str, text: str, size: float = 8.5, frame: bool = True
) -> float:
    """A numbered box: its frame, its small title, and ``text`` fitted inside. Returns the y below the
    text. Without ``frame``, only the title and the text (the upper part of a box drawn by its caller)."""
    if frame:
        pdf.rect(rect.x, rect.y, rect.w, rect.h)
    pdf.set_font_size(6.5)
    pdf.set_xy(rect.x + PAD, rect.y + 1)
    pdf.cell(rect.w - 2 * PAD, 3.2, f"{number}. {title}" if number else title)
    if not text:
        return rect.y + TITLE_HEIGHT
    available = rect.h - TITLE_HEIGHT - PAD
    chosen, lines = _fit(pdf, rect.w - 2 * PAD, available, text, size)
    return _set_lines(pdf, rect.x + PAD, rect.y + TITLE_HEIGHT, rect.w - 2 * PAD, lines, chosen * 0.45)


def _party(party: dict[str, Any] | None) -> str:
    if not party:
        return ""
    return (
        f"{party.get('name', '')}\n{party.get('address', '')}\n{country_name(str(party.get('country', '')))}"
    )


def _image(pdf: Document, png: bytes, x: float, y: float, w: float, h: float) -> None:
    pdf.image(io.BytesIO(png), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)


def _mark(pdf: Document, mark: str, sheet: str = "") -> None:
    pdf.set_font_size(16)
    pdf.set_xy(LEFT, 9)
    pdf.cell(WIDTH, 8, mark, align="R")
    if sheet:
        pdf.set_font_size(7.5)
        pdf.set_xy(LEFT, 17)
        pdf.cell(WIDTH, 3.5, sheet, align="R")


def _sheet_label(sheet: int, sheets: int) -> str:
    return f"Sheet {sheet} of {sheets}  ({sheets}枚中{sheet}枚目)"


SPECIMEN_NOTE = "見本 SPECIMEN: for the chamber's review only; not a certificate (no number, no access code)"


def _footer(pdf: Document, data: CertificateData, mark: str, sheet: str = "") -> None:
    pdf.set_font_size(8)
    if not data.certificate_number:  # a specimen: nothing on it could ever verify
        lines = [SPECIMEN_NOTE, mark + (f"  ·  {sheet}" if sheet else "")]
    else:
        pdf.image(
            io.BytesIO(_qr_png(data.verification_url)), x=LEFT + WIDTH - 30, y=FOOTER_TOP + 2, w=30, h=30
        )
        lines = [
            f"Certificate No. {data.certificate_number}",
            f"Access code {data.access_code}",
            f"Verify: {data.verification_url}",
            mark + (f"  ·  {sheet}" if sheet else ""),
        ]
    if data.root_fingerprint:
        lines.append(f"Signed PDF · chamber root SHA-256 {data.root_fingerprint}")
    fitted: list[str] = []
    for line in lines:
        fitted.extend(wrap(pdf, WIDTH - 34, line))
    _set_lines(pdf, LEFT, FOOTER_TOP + 4, WIDTH - 34, fitted, 4.2)


# -- the chamber's certification --------------------------------------------------------------------------


def _chamber_box(
    pdf: Document, data: CertificateData, rect: Rect, number: str, title: str, statement: str, area: Rect
) -> None:
    """The chamber's certification: its statement and name, the authorized officer's signature, name and
    title, place and date, the seal on the right, and ``area`` left free for the digital signature."""
    identity = data.identity
    chamber = data.chamber_name_en or data.chamber_name
    text = f"{statement}\n{chamber}" + (f" ({data.chamber_name})" if data.chamber_name_en else "")
    seal = 24.0
    top = area.y - 26.0  # the officer's lines and the seal sit between the statement and the field
    _box(pdf, Rect(rect.x, rect.y, rect.w, top - rect.y), number, title, text, size=7.5, frame=False)
    pdf.rect(rect.x, rect.y, rect.w, rect.h)
    left = rect.x + PAD
    width = rect.w - 2 * PAD - seal - 2
    if identity.officer_signature_png:
        _image(pdf, identity.officer_signature_png, left, top + 0.5, min(width, 45.0), 9.0)
    pdf.line(left, top + 10.5, left + min(width, 55.0), top + 10.5)
    pdf.set_font_size(7.5)
    officer = [identity.officer_name or "", identity.officer_title or ""]
    place = f"{identity.place}, " if identity.place else ""
    lines = [line for line in officer if line] + [f"{place}{_day(data.issued_at, data.time_zone)}"]
    fitted: list[str] = []
    for line in lines:
        fitted.extend(wrap(pdf, width, line))
    _set_lines(pdf, left, top + 11.5, width, fitted[:4], 3.4)
    if identity.seal_png:
        _image(pdf, identity.seal_png, rect.x + rect.w - PAD - seal, top, seal, seal)


# -- the certificate of origin ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoodsRow:
    """One goods line as set: its lines in box 7 and in box 8, side by side from the same baseline."""

    description: list[str]
    quantity: list[str]

    @property
    def lines(self) -> int:
        return max(len(self.description), len(self.quantity), 1)


@dataclass
class GoodsSheet:
    """The goods on one sheet: (y of the row's first line, the row, the first line shown, lines shown)."""

    top: float
    bottom: float
    placed: list[tuple[float, GoodsRow, int, int]] = field(default_factory=list)


def goods_text(line: dict[str, Any]) -> tuple[str, str]:
    """What boxes 7 and 8 say of one goods line."""
    description = (
        f"{line.get('marks', '')} / {line.get('packages', '')} / {line.get('description', '')} "
        f"(HS {line.get('hs_code', '')})"
    )
    return description, f"{line.get('quantity', '')} {line.get('unit', '')}"


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def goods_totals(goods: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """The totals line: the number of packages, and the quantity per unit (units as written)."""
    packages = 0
    for line in goods:
        found = re.match(r"\s*(\d+)", str(line.get("packages", "")))
        packages += int(found.group(1)) if found else 0
    per_unit: dict[str, Decimal] = {}
    for line in goods:
        quantity = _number(line.get("quantity"))
        if quantity is not None:
            unit = str(line.get("unit", ""))
            per_unit[unit] = per_unit.get(unit, Decimal(0)) + quantity
    quantities = "\n".join(f"{total:f} {unit}" for unit, total in per_unit.items())
    return f"TOTAL: {packages} packages (合計 {packages} 個)", quantities


def _goods_rows(pdf: Document, goods: Sequence[dict[str, Any]]) -> tuple[list[GoodsRow], GoodsRow]:
    pdf.set_font_size(GOODS_SIZE)
    left, right = _goods_widths()
    rows = []
    for line in goods:
        description, quantity = goods_text(line)
        rows.append(GoodsRow(wrap(pdf, left, description), wrap(pdf, right, quantity)))
    total_description, total_quantity = goods_totals(goods)
    totals = GoodsRow(wrap(pdf, left, total_description), wrap(pdf, right, total_quantity))
    return rows, totals


def _goods_widths() -> tuple[float, float]:
    return WIDTH * GOODS_SPLIT - 2 * PAD, WIDTH * (1 - GOODS_SPLIT) - 2 * PAD


def paginate_goods(rows: Sequence[GoodsRow], totals: GoodsRow) -> list[GoodsSheet]:
    """Goods lines onto sheets: the first sheet's boxes 7 and 8, then continuation sheets. A line that does
    not fit what is left of a sheet starts on the next one (or, taller than a whole sheet, is split there);
    every sheet keeps room at its foot for "continued" or, on the last, the totals."""
    reserve = max(totals.lines * LINE + ROW_GAP + 0.6, LINE)  # "continued on", or the totals

    def new_sheet(first: bool) -> GoodsSheet:
        top = (GOODS_TOP if first else CONTINUED_GOODS_TOP) + TITLE_HEIGHT + (0 if first else LINE)
        return GoodsSheet(top=top, bottom=(CHAMBER_BOX_TOP if first else GOODS_BOTTOM) - PAD - reserve)

    sheets = [new_sheet(True)]
    y = sheets[0].top
    whole = new_sheet(False).bottom - new_sheet(False).top
    for row in rows:
        height = row.lines * LINE
        if y > sheets[-1].top:
            y += ROW_GAP
        if y + height > sheets[-1].bottom and (height <= whole or y + LINE > sheets[-1].bottom):
            sheets.append(new_sheet(False))
            y = sheets[-1].top
        shown = 0
        while shown < row.lines:
            room = int((sheets[-1].bottom - y + 1e-6) // LINE)
            if room <= 0:
                sheets.append(new_sheet(False))
                y = sheets[-1].top
                continue
            count = min(room, row.lines - shown)
            sheets[-1].placed.append((y, row, shown, count))
            y += count * LINE
            shown += count
    return sheets


def _draw_goods(
    pdf: Document, sheet: GoodsSheet, index: int, count: int, rect: Rect, totals: GoodsRow | None
) -> None:
    left_w, right_w = _goods_widths()
    box7 = Rect(rect.x, rect.y, WIDTH * GOODS_SPLIT, rect.h)
    box8 = Rect(rect.x + box7.w, rect.y, WIDTH - box7.w, rect.h)
    _box(pdf, box7, "7", "Marks, numbers, number and kind of packages; description of goods", "")
    _box(pdf, box8, "8", "Quantity", "")
    pdf.set_font_size(GOODS_SIZE)
    if index > 0:
        pdf.set_xy(box7.x + PAD, rect.y + TITLE_HEIGHT)
        pdf.cell(left_w, LINE, f"(continued from sheet {index} / 前葉より続く)")
    x7, x8 = box7.x + PAD, box8.x + PAD
    for y, row, first, shown in sheet.placed:
        _set_lines(pdf, x7, y, left_w, row.description[first : first + shown], LINE)
        _set_lines(pdf, x8, y, right_w, row.quantity[first : first + shown], LINE)
    foot = rect.y + rect.h - PAD - LINE
    if totals is None:
        pdf.set_xy(x7, foot)
        pdf.cell(left_w, LINE, f"(continued on sheet {index + 2} / 次葉へ続く)")
        return
    below = (sheet.placed[-1][0] + sheet.placed[-1][3] * LINE if sheet.placed else sheet.top) + ROW_GAP
    pdf.line(box7.x + PAD, below, box8.x + box8.w - PAD, below)
    _set_lines(pdf, x7, below + 0.6, left_w, totals.description, LINE)
    _set_lines(pdf, x8, below + 0.6, right_w, totals.quantity, LINE)


def _origin_statement(sheets: int) -> str:
    on = f" on sheets 1 to {sheets}" if sheets > 1 else ""
    return (
        "The undersigned authority hereby certifies, on the basis of relative invoice and other supporting "
        f"documents, that the goods described above{on} originate in the country shown in box 4."
    )


def _draw_origin(pdf: Document, data: CertificateData, mark: str) -> None:
    c = data.content
    goods = list(c.get("goods", []))
    pdf.add_page()  # fpdf2 measures text on a page
    rows, totals = _goods_rows(pdf, goods)
    sheets = paginate_goods(rows, totals)
    count = len(sheets)
    for index, sheet in enumerate(sheets):
        if index > 0:
            pdf.add_page()
        label = _sheet_label(index + 1, count)
        _mark(pdf, mark, label)
        last = index == count - 1
        if index == 0:
            _origin_first_sheet(pdf, data, count)
            rect = Rect(LEFT, GOODS_TOP, WIDTH, CHAMBER_BOX_TOP - GOODS_TOP)
        else:
            pdf.set_font_size(13)
            pdf.set_xy(LEFT, 18)
            pdf.cell(WIDTH, 7, "CERTIFICATE OF ORIGIN (continued)  原産地証明書（続葉）", align="C")
            pdf.set_font_size(8.5)
            pdf.set_xy(LEFT, 26)
            pdf.cell(WIDTH, 5, f"Certificate No. {data.certificate_number}", align="C")
            rect = Rect(LEFT, CONTINUED_GOODS_TOP, WIDTH, GOODS_BOTTOM - CONTINUED_GOODS_TOP)
        _draw_goods(pdf, sheet, index, count, rect, totals if last else None)
        _footer(pdf, data, mark, label)


def _origin_first_sheet(pdf: Document, data: CertificateData, sheets: int) -> None:
    c = data.content
    pdf.set_xy(LEFT, 18)
    pdf.set_font_size(14)
    pdf.cell(WIDTH, 7, "CERTIFICATE OF ORIGIN", align="C")
    pdf.set_xy(LEFT, 25)
    pdf.set_font_size(8)
    pdf.cell(WIDTH, 4, f"issued by {data.chamber_name_en or data.chamber_name}  原産地証明書", align="C")
    top = 32.0
    exporter = c.get("exporter") or data.exporter_default
    _box(pdf, Rect(LEFT, top, HALF, 26), "1", "Exporter (name, address, country)", _party(exporter))
    _box(pdf, Rect(LEFT + HALF, top, HALF, 26), "", "Certificate No.", data.certificate_number)
    _box(
        pdf,
        Rect(LEFT, top + 26, HALF, 26),
        "2",
        "Consignee (name, address, country)",
        _party(c.get("consignee")),
    )
    invoice = c.get("invoice", {})
    _box(
        pdf,
        Rect(LEFT + HALF, top + 26, HALF, 13),
        "3",
        "Invoice number and date",
        f"{invoice.get('number', '')}  {invoice.get('date', '')}",
    )
    origins = sorted({str(g.get("origin_country", "")) for g in c.get("goods", [])})
    _box(
        pdf,
        Rect(LEFT + HALF, top + 39, HALF, 13),
        "4",
        "Country of origin",
        ", ".join(country_name(code) for code in origins),
    )
    t = c.get("transport", {})
    transport = (
        f"From {t.get('from', '')} to {t.get('to', '')}"
        + (f" via {t.get('via')}" if t.get("via") else "")
        + f"\nBy {t.get('by', '')} {t.get('vessel_or_flight', '') or ''}"
        + f"\nOn or about {t.get('on_or_about', '')}"
    )
    _box(pdf, Rect(LEFT, top + 52, HALF, 20), "5", "Transport details", transport)
    _box(pdf, Rect(LEFT + HALF, top + 52, HALF, 20), "6", "Remarks", str(c.get("remarks") or ""))
    declaration = Rect(LEFT, CHAMBER_BOX_TOP, HALF, CHAMBER_BOX_HEIGHT)
    _signer_box(
        pdf,
        data,
        declaration,
        "9",
        "Declaration by the exporter",
        "The undersigned hereby declares that the above details and statements are correct, that all the "
        f"goods were produced in the country shown in box 4.\n{_day(data.application_date, data.time_zone)}",
    )
    _chamber_box(
        pdf,
        data,
        Rect(LEFT + HALF, CHAMBER_BOX_TOP, HALF, CHAMBER_BOX_HEIGHT),
        "10",
        "Certification",
        _origin_statement(sheets),
        SIGNATURE_FIELD,
    )


def _signer_box(pdf: Document, data: CertificateData, rect: Rect, number: str, title: str, text: str) -> None:
    """The applicant's box: its words, then the registered signature, the signer's name and title."""
    _box(pdf, Rect(rect.x, rect.y, rect.w, rect.h - 26), number, title, text, size=7.5, frame=False)
    pdf.rect(rect.x, rect.y, rect.w, rect.h)
    _image(pdf, data.signature_png, rect.x + 4, rect.y + rect.h - 24, rect.w - 8, 13)
    pdf.line(rect.x + PAD, rect.y + rect.h - 10, rect.x + rect.w - PAD, rect.y + rect.h - 10)
    pdf.set_font_size(7.5)
    lines = wrap(pdf, rect.w - 2 * PAD, f"{data.signer_name}, {data.signer_title}")
    _set_lines(pdf, rect.x + PAD, rect.y + rect.h - 9, rect.w - 2 * PAD, lines[:2], 3.4)


# -- the signature certification ----------------------------------------------------------------------------


def _draw_signature(pdf: Document, data: CertificateData, mark: str) -> None:
    c = data.content
    pdf.add_page()
    _mark(pdf, mark)
    pdf.set_xy(LEFT, 20)
    pdf.set_font_size(14)
    pdf.cell(WIDTH, 8, "CERTIFICATE OF SIGNATURE  サイン証明", align="C")
    pdf.set_xy(LEFT, 28)
    pdf.set_font_size(8)
    pdf.cell(WIDTH, 4, f"issued by {data.chamber_name_en or data.chamber_name}", align="C")
    addressee = c.get("addressee")
    rows = [
        ("Certificate No.", data.certificate_number),
        ("Document", str(c.get("document_title", ""))),
        ("Document No.", str(c.get("document_number") or "—")),
        ("Dated", str(c.get("document_date", ""))),
        ("Addressed to", _party(addressee).replace("\n", ", ") if addressee else "—"),
        ("Destination", country_name(str(c.get("destination_country", "")))),
        ("Signed by", f"{data.signer_name}, {data.signer_title}"),
        ("For", f"{data.exporter_default.get('name', '')} (trade registration {data.registration_number})"),
    ]
    y = 38.0
    label_w = 38.0
    for label, value in rows:
        pdf.set_font_size(9.5)
        lines = wrap(pdf, WIDTH - label_w - 2 * PAD, value)[:4]
        height = max(1, len(lines)) * 4.6 + 2
        pdf.set_font_size(8)
        pdf.set_xy(LEFT, y)
        pdf.cell(label_w, 4.6, label)
        pdf.set_font_size(9.5)
        _set_lines(pdf, LEFT + label_w, y, WIDTH - label_w, lines, 4.6)
        pdf.line(LEFT, y + height - 0.8, LEFT + WIDTH, y + height - 0.8)
        y += height
    pdf.set_font_size(10)
    statement = (
        "This is to certify that the signature appearing on the document named above is the signature of "
        f"{data.signer_name}, {data.signer_title}, registered with "
        f"{data.chamber_name_en or data.chamber_name} under trade registration number "
        f"{data.registration_number}."
    )
    _set_lines(pdf, LEFT, y + 4, WIDTH, wrap(pdf, WIDTH, statement), 5.2)
    _signer_box(
        pdf,
        data,
        Rect(LEFT, CHAMBER_BOX_TOP, HALF, CHAMBER_BOX_HEIGHT),
        "",
        "登録署名 Registered signature",
        "The signature registered with the chamber by the signer named below.",
    )
    _chamber_box(
        pdf,
        data,
        Rect(LEFT + HALF, CHAMBER_BOX_TOP, HALF, CHAMBER_BOX_HEIGHT),
        "",
        "Certification by the chamber",
        "The undersigned authority hereby certifies that the signature on the left is the one registered "
        "with us by the signer named, for the trade registration stated.",
        SIGNATURE_FIELD,
    )
    _footer(pdf, data, mark)


# -- the certified invoice ---------------------------------------------------------------------------------


def _invoice_stamp(width: float, height: float) -> Rect:
    """Where the certification sits on the invoice's last page (millimetres): bottom right."""
    w, h = INVOICE_STAMP
    w, h = min(w, width - 2 * INVOICE_STAMP_MARGIN), min(h, height - 2 * INVOICE_STAMP_MARGIN)
    return Rect(width - w - INVOICE_STAMP_MARGIN, height - h - INVOICE_STAMP_MARGIN, w, h)


def _invoice_signature_area(box: Rect) -> Rect:
    return Rect(box.x + PAD, box.y + 45.0, box.w - 2 * PAD, 13.0)


def _stamps(data: CertificateData, marks: Sequence[str], width: float, height: float) -> bytes:
    """The stamps of every mark as pages of one document, so that the font is subset once."""
    pdf = Document("certification", data.issued_at)
    for mark in marks:
        _stamp(pdf, data, mark, width, height)
    return pdf.bytes()


def _stamp(pdf: Document, data: CertificateData, mark: str, width: float, height: float) -> None:
    """A page of the invoice's size carrying only the chamber's certification, to lay over its last page:
    one white box with the mark, the statement, seal and officer, the area for the digital signature and
    the certificate's numbers with the QR code, so that nothing of it lies on the invoice outside the box."""
    page_w, page_h = width / PT, height / PT
    pdf.add_page(format=(page_w, page_h))
    box = _invoice_stamp(page_w, page_h)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(box.x, box.y, box.w, box.h, style="F")
    statement = (
        "We hereby certify that this invoice was presented to us by "
        f"{data.exporter_default.get('name', '')} (registration {data.registration_number}) with the "
        f"registered signature of {data.signer_name}."
    )
    _chamber_box(
        pdf,
        data,
        box,
        "",
        f"{mark}  ·  Certified by the chamber  インボイス証明",
        statement,
        _invoice_signature_area(box),
    )
    qr = 14.0
    pdf.set_font_size(6.5)
    width = box.w - 2 * PAD - qr - 2
    if not data.certificate_number:  # a specimen: no number, no code, no QR code
        lines = wrap(pdf, width, SPECIMEN_NOTE)[:3]
    else:
        pdf.image(
            io.BytesIO(_qr_png(data.verification_url)),
            x=box.x + box.w - PAD - qr,
            y=box.y + box.h - qr - 0.8,
            w=qr,
            h=qr,
        )
        lines = [f"Certificate No. {data.certificate_number}  Access code {data.access_code}"]
        lines = (lines + wrap(pdf, width, f"Verify: {data.verification_url}"))[:3]
    _set_lines(pdf, box.x + PAD, box.y + 59.5, width, lines, 3.0)
    if data.root_fingerprint:
        pdf.set_font_size(5)
        root = wrap(pdf, width, f"Signed PDF · chamber root SHA-256 {data.root_fingerprint}")
        _set_lines(pdf, box.x + PAD, box.y + 59.5 + 3.0 * len(lines), width, root[:2], 2.3)


def _certified_invoice(data: CertificateData) -> bytes:
    from pypdf import PdfReader, PdfWriter

    assert data.attachment is not None
    marks = [MARKS[0]] + [MARKS[1]] * data.copies
    box = PdfReader(io.BytesIO(data.attachment)).pages[-1].mediabox
    stamps = PdfReader(io.BytesIO(_stamps(data, marks, float(box.width), float(box.height)))).pages
    writer = PdfWriter()
    for stamp in stamps:
        invoice = PdfReader(io.BytesIO(data.attachment))
        last = len(invoice.pages) - 1
        for index, page in enumerate(invoice.pages):
            added = writer.add_page(page)
            if index == last:
                added.merge_page(stamp)
    writer.add_metadata({"/Title": f"Certified invoice {data.certificate_number}", "/Creator": "shomei"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def render_specimen(data: CertificateData) -> bytes:
    """The certificate as it would be issued, for the chamber's review: drawn by the same code, without a
    certificate number, access code or QR code, and marked 見本 / SPECIMEN across every page."""
    from pypdf import PdfReader, PdfWriter

    assert not data.certificate_number and not data.access_code and not data.verification_url
    drawn = PdfReader(io.BytesIO(render_certificate(data)))
    marks = Document("specimen", data.issued_at)
    boxes = [(float(page.mediabox.width) / PT, float(page.mediabox.height) / PT) for page in drawn.pages]
    for width, height in boxes:
        marks.add_page(format=(width, height))
        marks.set_text_color(200, 30, 30)
        with marks.local_context(fill_opacity=0.25, text_color=(200, 30, 30)):
            marks.set_font_size(min(width, height) / 4.2)
            with marks.rotation(angle=math.degrees(math.atan2(height, width)), x=width / 2, y=height / 2):
                text = "見本 SPECIMEN"
                marks.text(width / 2 - marks.get_string_width(text) / 2, height / 2 + 8, text)
    overlays = PdfReader(io.BytesIO(marks.bytes())).pages
    writer = PdfWriter()
    for page, overlay in zip(drawn.pages, overlays, strict=True):
        writer.add_page(page).merge_page(overlay)
    writer.add_metadata({"/Title": "SPECIMEN: not a certificate", "/Creator": "shomei"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def render_certificate(data: CertificateData) -> bytes:
    """The ORIGINAL, then one COPY per extra copy applied for (each on as many sheets as it needs)."""
    (pdf,) = render_certificates([data])
    return pdf


def render_certificates(certificates: Sequence[CertificateData]) -> list[bytes]:
    """One PDF per certificate, in order. Drawn certificates (co, signature) are made as pages of shared
    documents and split (documents.pdf.render_split); certified invoices are each an invoice of their own
    with the chamber's stamp laid over, made on every core when there are several."""
    results: list[bytes | None] = [None] * len(certificates)
    drawn = [i for i, c in enumerate(certificates) if c.type != "invoice"]
    stamped = [i for i, c in enumerate(certificates) if c.type == "invoice"]
    pdfs = render_split([certificates[i] for i in drawn], _draw_certificate, _title, _created)
    pdfs += map_processes(_certified_invoice, [certificates[i] for i in stamped])
    for index, pdf in zip(drawn + stamped, pdfs, strict=True):
        results[index] = pdf
    return [pdf for pdf in results if pdf is not None]


def _draw_certificate(pdf: Document, data: CertificateData) -> None:
    draw = _draw_origin if data.type == "co" else _draw_signature
    for mark in [MARKS[0]] + [MARKS[1]] * data.copies:
        draw(pdf, data, mark)


def _title(data: CertificateData) -> str:
    return f"Certificate {data.certificate_number}"


def _created(data: CertificateData) -> datetime:
    return data.issued_at


@dataclass(frozen=True)
class ReceiptData:
    receipt_number: str
    chamber_name: str
    chamber_name_en: str | None
    company_name: str
    registration_number: str
    reception_number: str
    certificate_number: str
    type: str
    copies: int
    amount: int
    method: str
    payment_reference: str | None
    paid_at: datetime
    time_zone: str
    chamber_address: str | None = None
    chamber_address_en: str | None = None
    invoice_registration_number: str | None = None
    tax_rate: int = 10  # per cent, 0 = not taxable
    seal_png: bytes | None = field(default=None, repr=False)


TYPE_NAMES = {
    "co": "原産地証明書 Certificate of origin",
    "invoice": "インボイス証明 Invoice certification",
    "signature": "サイン証明 Signature certification",
}


def render_receipt(data: ReceiptData) -> bytes:
    (pdf,) = render_receipts([data])
    return pdf


def render_receipts(receipts: Sequence[ReceiptData]) -> list[bytes]:
    """One PDF per receipt, in order, made as pages of shared documents and split (documents.pdf). A receipt
    draws in a millisecond, a fiftieth of what parsing and subsetting the font costs: 50 share a document."""
    return render_split(receipts, _draw_receipt, _receipt_title, _paid, chunk_size=50)


def _receipt_title(data: ReceiptData) -> str:
    return f"領収書 {data.receipt_number}"


def _paid(data: ReceiptData) -> datetime:
    return data.paid_at


def _draw_receipt(pdf: Document, data: ReceiptData) -> None:
    """The 領収書, a qualified invoice (適格請求書) once the chamber has its registration number: the issuer
    and its number, the day, what was paid for, the amount per tax rate with the rate and the tax in it, and
    the company it was issued to; the chamber's name, address and seal."""
    from shomei_cli.domain.qualified_invoices import tax_included

    pdf.add_page()
    qualified = bool(data.invoice_registration_number)
    pdf.set_font_size(22)
    pdf.set_xy(LEFT, 18)
    pdf.cell(WIDTH, 12, "領収書  Receipt", align="C")
    pdf.set_font_size(9)
    pdf.set_xy(LEFT, 31)
    if qualified:
        pdf.cell(WIDTH, 5, "適格請求書  Qualified invoice", align="C")
    pdf.set_font_size(10)
    pdf.set_xy(LEFT, 38)
    pdf.cell(WIDTH, 6, f"No. {data.receipt_number}", align="R")
    pdf.set_font_size(13)
    pdf.set_xy(LEFT, 46)
    company = wrap(pdf, WIDTH, f"{data.company_name} 様  (貿易登録番号 {data.registration_number})")
    y = _set_lines(pdf, LEFT, 46, WIDTH, company[:2], 7)
    pdf.line(LEFT, y + 1, LEFT + WIDTH, y + 1)
    y += 6
    pdf.set_font_size(20)
    pdf.set_xy(LEFT, y)
    pdf.cell(WIDTH, 13, f"金額  ¥{data.amount:,}-", align="C", border=1)
    y += 13
    tax = tax_included(data.amount, data.tax_rate)
    pdf.set_font_size(9.5)
    pdf.set_xy(LEFT, y + 1)
    if data.tax_rate:
        pdf.cell(WIDTH, 5.5, f"(うち消費税 {data.tax_rate}%  ¥{tax:,}  /  incl. consumption tax)", align="C")
    else:
        pdf.cell(WIDTH, 5.5, "(非課税  Not subject to consumption tax)", align="C")
    y += 10
    paid = data.paid_at.astimezone(ZoneInfo(data.time_zone)).strftime("%Y-%m-%d %H:%M %Z")
    method = {
        "prepaid": "前納金 Prepaid balance",
        "card": f"カード Card ({data.payment_reference})",
        "transfer": f"銀行振込 Bank transfer ({data.payment_reference})",
        "counter": f"窓口 At the counter ({data.payment_reference})",
    }.get(data.method, f"{data.method} ({data.payment_reference})" if data.payment_reference else data.method)
    rows = [
        ("但し For", _fee_for(data)),
        ("写し Copies", f"{data.copies} 通"),
        ("受付番号 Reception No.", data.reception_number),
        ("証明書番号 Certificate No.", data.certificate_number),
        ("支払方法 Method", method),
        ("取引日 Paid", paid),
    ]
    y = _receipt_rows(pdf, y, rows)
    # the amount per tax rate with its tax, as a qualified invoice must show it
    y += 4
    pdf.set_font_size(9)
    pdf.set_xy(LEFT, y)
    pdf.cell(WIDTH, 5, "税率別内訳  By tax rate")
    y += 6
    if data.tax_rate:
        breakdown = [
            (
                f"{data.tax_rate}%対象 Taxable at {data.tax_rate}%",
                f"¥{data.amount:,} (税込 tax incl.)   消費税 Tax ¥{tax:,}",
            )
        ]
    else:
        breakdown = [("非課税 Not taxable", f"¥{data.amount:,}   消費税 Tax ¥0")]
    y = _receipt_rows(pdf, y, breakdown)
    y += 6
    pdf.set_font_size(10)
    pdf.set_xy(LEFT, y)
    pdf.cell(WIDTH, 8, "上記正に領収いたしました。  Received with thanks the sum stated above.")
    _receipt_issuer(pdf, data, y + 14)


def _receipt_rows(pdf: Document, y: float, rows: Sequence[tuple[str, str]]) -> float:
    """Label and value rows, each with a rule under it; long values wrap. Returns the y below."""
    for label, value in rows:
        pdf.set_font_size(10)
        lines = wrap(pdf, WIDTH - 62, value)
        height = max(1, len(lines)) * 5.5 + 2.5
        pdf.set_xy(LEFT, y + 1.2)
        pdf.cell(60, 5.5, label)
        _set_lines(pdf, LEFT + 62, y + 1.2, WIDTH - 62, lines, 5.5)
        y += height
        pdf.line(LEFT, y, LEFT + WIDTH, y)
    return y


def _receipt_issuer(pdf: Document, data: ReceiptData, y: float) -> None:
    """The issuer at the bottom right: the chamber's names, address and registration number, its seal over
    the name as a seal is pressed."""
    right = LEFT + WIDTH
    width = 110.0
    x = right - width
    lines = [data.chamber_name]
    if data.chamber_name_en:
        lines.append(data.chamber_name_en)
    for address in (data.chamber_address, data.chamber_address_en):
        if address:
            lines.append(address)
    if data.invoice_registration_number:
        lines.append(f"登録番号 Registration No. {data.invoice_registration_number}")
    pdf.set_font_size(10)
    fitted: list[str] = []
    for line in lines:
        fitted.extend(wrap(pdf, width - 30, line))
    if data.seal_png:
        _image(pdf, data.seal_png, right - 26, y, 26, 26)
    _set_lines(pdf, x, y + 2, width - 30, fitted, 5.5)


def _fee_for(data: ReceiptData) -> str:
    """What was paid for: the certificate's issuing fee."""
    return f"{TYPE_NAMES.get(data.type, data.type)} 発給手数料 fee"
