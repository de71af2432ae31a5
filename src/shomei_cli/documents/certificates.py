"""Issued certificates and receipts as PDF: the certificate of origin in its numbered boxes, the signature
certification, the certified invoice, each with the certificate number, access code and a QR code."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shomei_cli.documents.pdf import Document

MARKS = ("ORIGINAL", "COPY")


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


def _qr_png(url: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def _day(value: datetime, zone: str) -> str:
    return value.astimezone(ZoneInfo(zone)).strftime("%d %B %Y")


def _box(
    pdf: Document,
    x: float,
    y: float,
    w: float,
    h: float,
    number: str,
    title: str,
    text: str,
    size: float = 8.5,
) -> None:
    pdf.rect(x, y, w, h)
    pdf.set_xy(x + 1.2, y + 1)
    pdf.set_font_size(6.5)
    pdf.cell(w - 2.4, 3.2, f"{number}. {title}" if number else title)
    pdf.set_xy(x + 1.2, y + 4.6)
    pdf.set_font_size(size)
    pdf.multi_cell(w - 2.4, size * 0.45, text, new_x="LEFT", new_y="NEXT", max_line_height=size * 0.45)


def _party(party: dict[str, Any] | None) -> str:
    if not party:
        return ""
    return f"{party.get('name', '')}\n{party.get('address', '')}\n{party.get('country', '')}"


def _footer(pdf: Document, data: CertificateData, mark: str) -> None:
    pdf.image(io.BytesIO(_qr_png(data.verification_url)), x=pdf.w - 18 - 30, y=pdf.h - 16 - 30, w=30, h=30)
    pdf.set_xy(18, pdf.h - 44)
    pdf.set_font_size(8)
    pdf.multi_cell(
        pdf.epw - 34,
        4.2,
        f"Certificate No. {data.certificate_number}\nAccess code {data.access_code}\n"
        f"Verify: {data.verification_url}\n{mark}",
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _mark(pdf: Document, mark: str) -> None:
    pdf.set_font_size(16)
    pdf.set_xy(18, 10)
    pdf.cell(pdf.epw, 8, mark, align="R")


def _certification(pdf: Document, data: CertificateData, x: float, y: float, w: float, h: float) -> None:
    chamber = data.chamber_name_en or data.chamber_name
    if data.type == "co":
        number, title = "10", "Certification"
        statement = (
            "The undersigned authority hereby certifies, on the basis of relative invoice and other "
            "supporting documents, that the above-mentioned goods originate in the country shown in box 4."
        )
    else:
        number, title = "", "Certification by the chamber"
        statement = (
            "The undersigned authority hereby certifies that the signature above is the one registered with "
            "us by the signer named, for the trade registration stated."
        )
    text = f"{statement}\n\n{chamber} ({data.chamber_name})\n{_day(data.issued_at, data.time_zone)}"
    _box(pdf, x, y, w, h, number, title, text, size=7.5)


def _declaration(
    pdf: Document, data: CertificateData, x: float, y: float, w: float, h: float, text: str
) -> None:
    if data.type == "co":  # box 9 of the certificate-of-origin form
        _box(pdf, x, y, w, h, "9", "Declaration by the exporter", text, size=7.5)
    else:  # a signature certification has no numbered boxes: the registered signature itself
        _box(pdf, x, y, w, h, "", "登録署名 Registered signature", text, size=7.5)
    pdf.image(io.BytesIO(data.signature_png), x=x + 4, y=y + h - 19, h=10, keep_aspect_ratio=True, w=w - 8)
    pdf.set_xy(x + 2, y + h - 8)
    pdf.set_font_size(7.5)
    pdf.cell(w - 4, 4, f"{data.signer_name}, {data.signer_title}")


def _draw_origin(pdf: Document, data: CertificateData, mark: str) -> None:
    c = data.content
    pdf.add_page()
    _mark(pdf, mark)
    pdf.set_xy(18, 18)
    pdf.set_font_size(14)
    pdf.cell(pdf.epw, 7, "CERTIFICATE OF ORIGIN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(8)
    pdf.cell(pdf.epw, 4, f"issued by {data.chamber_name_en or data.chamber_name}  原産地証明書", align="C")
    left, top, width = 18.0, 32.0, pdf.epw
    half = width / 2
    _box(
        pdf,
        left,
        top,
        half,
        26,
        "1",
        "Exporter (name, address, country)",
        _party(c.get("exporter") or data.exporter_default),
    )
    _box(pdf, left + half, top, half, 26, "", "Certificate No.", f"{data.certificate_number}")
    _box(pdf, left, top + 26, half, 26, "2", "Consignee (name, address, country)", _party(c.get("consignee")))
    invoice = c.get("invoice", {})
    _box(
        pdf,
        left + half,
        top + 26,
        half,
        13,
        "3",
        "Invoice number and date",
        f"{invoice.get('number', '')}  {invoice.get('date', '')}",
    )
    origins = sorted({g.get("origin_country", "") for g in c.get("goods", [])})
    _box(pdf, left + half, top + 39, half, 13, "4", "Country of origin", ", ".join(origins))
    t = c.get("transport", {})
    transport = (
        f"From {t.get('from', '')} to {t.get('to', '')}"
        + (f" via {t.get('via')}" if t.get("via") else "")
        + f"\nBy {t.get('by', '')} {t.get('vessel_or_flight', '') or ''}"
        + f"\nOn or about {t.get('on_or_about', '')}"
    )
    _box(pdf, left, top + 52, half, 20, "5", "Transport details", transport)
    _box(pdf, left + half, top + 52, half, 20, "6", "Remarks", str(c.get("remarks", "")))
    goods_top = top + 72
    goods = "\n".join(
        f"{g.get('marks', '')} / {g.get('packages', '')} / {g.get('description', '')} "
        f"(HS {g.get('hs_code', '')})"
        for g in c.get("goods", [])
    )
    quantities = "\n".join(f"{g.get('quantity', '')} {g.get('unit', '')}" for g in c.get("goods", []))
    _box(
        pdf,
        left,
        goods_top,
        width * 0.75,
        80,
        "7",
        "Marks, numbers, number and kind of packages; description of goods",
        goods,
    )
    _box(pdf, left + width * 0.75, goods_top, width * 0.25, 80, "8", "Quantity", quantities)
    decl_top = goods_top + 80
    _declaration(
        pdf,
        data,
        left,
        decl_top,
        half,
        42,
        f"The undersigned hereby declares that the above details and statements are correct, that all "
        f"the goods were produced in the country shown in box 4.\n"
        f"{_day(data.application_date, data.time_zone)}",
    )
    _certification(pdf, data, left + half, decl_top, half, 42)
    _footer(pdf, data, mark)


def _draw_signature(pdf: Document, data: CertificateData, mark: str) -> None:
    c = data.content
    pdf.add_page()
    _mark(pdf, mark)
    pdf.set_xy(18, 24)
    pdf.set_font_size(14)
    pdf.cell(pdf.epw, 8, "CERTIFICATE OF SIGNATURE  サイン証明", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font_size(10)
    addressee = c.get("addressee")
    document = (
        f"{c.get('document_title', '')}"
        + (f" No. {c['document_number']}" if c.get("document_number") else "")
        + f" dated {c.get('document_date', '')}"
    )
    pdf.multi_cell(
        pdf.epw,
        6,
        f'This is to certify that the signature appearing on the document "{document}"'
        + (f", addressed to {addressee.get('name')} ({addressee.get('country')})" if addressee else "")
        + f", destined for {c.get('destination_country', '')}, is the signature of {data.signer_name}, "
        f"{data.signer_title}, registered with {data.chamber_name_en or data.chamber_name} under trade "
        f"registration number {data.registration_number}.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    _declaration(pdf, data, 18, pdf.get_y(), pdf.epw / 2, 42, "Registered signature:")
    _certification(pdf, data, 18 + pdf.epw / 2, pdf.get_y(), pdf.epw / 2, 42)
    _footer(pdf, data, mark)


def _stamp(data: CertificateData, mark: str, width: float, height: float) -> bytes:
    """A page of the invoice's size carrying only the chamber's certification, to lay over its last page."""
    pdf = Document("certification", data.issued_at)
    pdf.add_page(format=(width * 25.4 / 72, height * 25.4 / 72))
    _mark(pdf, mark)
    box_w, box_h = 92.0, 46.0
    x, y = pdf.w - box_w - 10, pdf.h - box_h - 44
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, box_w, box_h, style="F")
    _box(
        pdf,
        x,
        y,
        box_w,
        box_h,
        "",
        "Certified by the chamber",
        f"We hereby certify that this invoice was presented to us by {data.exporter_default.get('name', '')} "
        f"(registration {data.registration_number}) with the registered signature of {data.signer_name}.\n"
        f"{data.chamber_name_en or data.chamber_name}\n{_day(data.issued_at, data.time_zone)}",
        size=7.5,
    )
    _footer(pdf, data, mark)
    return pdf.bytes()


def _certified_invoice(data: CertificateData) -> bytes:
    from pypdf import PdfReader, PdfWriter

    assert data.attachment is not None
    writer = PdfWriter()
    for mark in [MARKS[0]] + [MARKS[1]] * data.copies:
        invoice = PdfReader(io.BytesIO(data.attachment))
        last = len(invoice.pages) - 1
        for index, page in enumerate(invoice.pages):
            added = writer.add_page(page)
            if index == last:
                box = added.mediabox
                stamp = PdfReader(io.BytesIO(_stamp(data, mark, float(box.width), float(box.height))))
                added.merge_page(stamp.pages[0])
    writer.add_metadata({"/Title": f"Certified invoice {data.certificate_number}", "/Creator": "shomei"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def render_certificate(data: CertificateData) -> bytes:
    """The ORIGINAL, then one COPY per extra copy applied for."""
    if data.type == "invoice":
        return _certified_invoice(data)
    draw = _draw_origin if data.type == "co" else _draw_signature
    pdf = Document(f"Certificate {data.certificate_number}", data.issued_at)
    for mark in [MARKS[0]] + [MARKS[1]] * data.copies:
        draw(pdf, data, mark)
    return pdf.bytes()


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


TYPE_NAMES = {
    "co": "原産地証明書 Certificate of origin",
    "invoice": "インボイス証明 Invoice certification",
    "signature": "サイン証明 Signature certification",
}


def render_receipt(data: ReceiptData) -> bytes:
    pdf = Document(f"領収書 {data.receipt_number}", data.paid_at)
    pdf.add_page()
    pdf.set_font_size(22)
    pdf.cell(pdf.epw, 14, "領収書  Receipt", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10)
    pdf.cell(pdf.epw, 6, f"No. {data.receipt_number}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font_size(13)
    pdf.cell(
        pdf.epw,
        8,
        f"{data.company_name} 様  (貿易登録番号 {data.registration_number})",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font_size(20)
    pdf.cell(pdf.epw, 12, f"金額  ¥{data.amount:,}-", align="C", border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font_size(10)
    paid = data.paid_at.astimezone(ZoneInfo(data.time_zone)).strftime("%Y-%m-%d %H:%M %Z")
    method = (
        "前納金 Prepaid balance" if data.method == "prepaid" else f"カード Card ({data.payment_reference})"
    )
    for label, value in (
        ("但し For", _fee_for(data)),
        ("写し Copies", f"{data.copies} 通"),
        ("受付番号 Reception No.", data.reception_number),
        ("証明書番号 Certificate No.", data.certificate_number),
        ("支払方法 Method", method),
        ("支払日時 Paid", paid),
    ):
        pdf.cell(60, 8, label, border="B")
        pdf.cell(0, 8, value, border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.cell(
        pdf.epw,
        8,
        "上記正に領収いたしました。  Received with thanks the sum stated above.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.cell(pdf.epw, 8, f"{data.chamber_name}  {data.chamber_name_en or ''}", align="R")
    return pdf.bytes()


def _fee_for(data: ReceiptData) -> str:
    """What was paid for: the certificate's issuing fee."""
    return f"{TYPE_NAMES.get(data.type, data.type)} 発給手数料 fee"
