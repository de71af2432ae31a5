"""The cards that carry an ID and its initial password: 貿易登録証 (trade registration certificate)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shomei_cli.documents.pdf import Document, render, render_each

LABEL_WIDTH = 62
LINE = 7.0
MAX_LINES = 3


@dataclass(frozen=True)
class RegistrationCardData:
    chamber_code: str
    chamber_name: str
    chamber_name_en: str | None
    registration_number: str
    kind: str
    corporate_number: str
    company_name: str
    company_name_en: str
    representative_name: str
    representative_name_en: str
    representative_title: str
    representative_title_en: str
    postal_code: str
    address: str
    address_en: str
    valid_from: date
    valid_until: date
    issued_on: date
    admin_id: str
    password: str | None
    password_notice: str | None
    printed_at: datetime
    time_zone: str


KIND_LABELS = {"exporter": "申請者 Exporter", "agent": "代行業者 Agent"}


def _date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日 ({value.isoformat()})"


def _row(pdf: Document, label: str, value: str, *, size: float = 10.5) -> None:
    """A label on the left, the value on the right, one rule under both. Long values (the validation allows
    up to 300 characters) are set smaller, so that every card stays on its one page."""
    width = pdf.epw - LABEL_WIDTH
    allowed = max(MAX_LINES, value.count("\n") + 1)
    for candidate in (size, 9.0, 8.0, 7.0, 6.0):
        if candidate > size:
            continue
        pdf.set_font_size(candidate)
        measured = pdf.multi_cell(width, candidate * 0.6, value, dry_run=True, output="LINES")
        assert isinstance(measured, list)
        lines: list[str] = measured
        if len(lines) <= allowed:
            break
    line = max(3.0, pdf.font_size_pt * 0.6)
    height = line * max(1, len(lines))
    chosen = pdf.font_size_pt
    pdf.set_font_size(8.5)
    pdf.set_text_color(70, 70, 70)
    pdf.cell(LABEL_WIDTH, max(height, LINE), label, border="B")
    pdf.set_font_size(chosen)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(
        0, max(height, LINE) / max(1, len(lines)), value, border="B", new_x="LMARGIN", new_y="NEXT"
    )


def _heading(pdf: Document, chamber: str, chamber_code: str, title: str, title_en: str) -> None:
    pdf.add_page()
    pdf.set_font_size(9)
    pdf.cell(
        0,
        6,
        f"{chamber}  (商工会議所コード / Chamber code {chamber_code})",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.set_font_size(24)
    pdf.cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(12)
    pdf.cell(0, 7, title_en, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)


def _footer(pdf: Document, lead: str, printed_at: datetime, zone: str) -> None:
    pdf.set_y(-22)
    pdf.set_font_size(7.5)
    pdf.set_text_color(90, 90, 90)
    printed = printed_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")
    pdf.multi_cell(
        0,
        4,
        f"{lead}印刷日時 Printed {printed}.  IDとパスワードの貸し借りはできません "
        "(IDs and passwords are personal and must not be shared).",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)


def draw_registration_card(pdf: Document, card: RegistrationCardData) -> None:
    chamber = card.chamber_name + (f"  {card.chamber_name_en}" if card.chamber_name_en else "")
    _heading(pdf, chamber, card.chamber_code, "貿易登録証", "Trade Registration Certificate")
    _row(pdf, "貿易登録番号 Registration No.", card.registration_number, size=13)
    _row(pdf, "区分 Kind", KIND_LABELS.get(card.kind, card.kind))
    _row(pdf, "企業名 Company", f"{card.company_name}\n{card.company_name_en}")
    _row(pdf, "法人番号 Corporate number", card.corporate_number)
    _row(
        pdf,
        "代表者 Representative",
        f"{card.representative_title} {card.representative_name}\n"
        f"{card.representative_title_en} {card.representative_name_en}",
    )
    _row(pdf, "住所 Address", f"〒{card.postal_code} {card.address}\n{card.address_en}")
    _row(pdf, "有効期間 Valid", f"{_date(card.valid_from)} ～ {_date(card.valid_until)}")
    _row(pdf, "交付日 Issued on", _date(card.issued_on))
    pdf.ln(8)
    _credentials_box(
        pdf,
        "オンライン発給システム  管理者ID / Administrator ID for the online system",
        "管理者ID Administrator ID",
        card.chamber_code,
        card.admin_id,
        card.password,
        card.password_notice,
    )
    _footer(pdf, "", card.printed_at, card.time_zone)


def _credentials_box(
    pdf: Document,
    title: str,
    id_label: str,
    chamber_code: str,
    login_id: str,
    password: str | None,
    notice: str | None,
) -> None:
    """The framed box with the chamber code, the ID and (on the first day only) its initial password."""
    top = pdf.get_y()
    pdf.set_font_size(11)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    _row(pdf, "商工会議所コード Chamber code", chamber_code, size=13)
    _row(pdf, id_label, login_id, size=13)
    if password is not None:
        _row(pdf, "初期パスワード Initial password", password, size=15)
        note = (
            "初回ログイン時にパスワードの変更が必要です。このパスワードは初回印刷日のみ表示されます。\n"
            "Change this password at your first login. It is shown only on the day the card is first printed."
        )
    else:
        _row(pdf, "初期パスワード Initial password", "（表示されません / not shown）")
        note = notice or ""
    pdf.set_font_size(8.5)
    pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.rect(pdf.l_margin - 2, top - 2, pdf.epw + 4, pdf.get_y() - top + 4)


def render_registration_card(card: RegistrationCardData) -> bytes:
    return render("貿易登録証", card.printed_at, [card], draw_registration_card)


def render_registration_cards(cards: Sequence[RegistrationCardData]) -> list[bytes]:
    """One PDF per card, made in chunks (see documents.pdf)."""
    if not cards:
        return []
    return render_each("貿易登録証", cards[0].printed_at, cards, draw_registration_card)


def render_registration_cards_document(cards: Sequence[RegistrationCardData]) -> bytes:
    """All cards as pages of one document (for the chamber's own files and the benchmark)."""
    return render("貿易登録証", cards[0].printed_at, cards, draw_registration_card)


# -- 署名登録証 (signer registration certificate) ------------------------------------------------------


@dataclass(frozen=True)
class SignerCardData:
    chamber_code: str
    chamber_name: str
    registration_number: str
    company_name: str
    company_name_en: str
    name: str
    name_en: str
    title: str
    title_en: str
    birth_date: date | None
    address: str | None
    address_en: str | None
    user_id: str
    password: str | None
    password_notice: str | None
    signature_png: bytes = field(repr=False)
    issued_on: date = date.min
    printed_at: datetime = datetime.min
    time_zone: str = "Asia/Tokyo"


SIGNATURE_SENTENCE = (
    "本紙に印字されているサインが、オンライン発給される証明書に印字されます。\n"
    "The signature printed here is the one printed on certificates issued online."
)


def draw_signer_card(pdf: Document, card: SignerCardData) -> None:
    _heading(pdf, card.chamber_name, card.chamber_code, "署名登録証", "Signer Registration Certificate")
    _row(pdf, "貿易登録番号 Registration No.", card.registration_number)
    _row(pdf, "企業名 Company", f"{card.company_name}\n{card.company_name_en}")
    _row(pdf, "署名者氏名 Signer", f"{card.name}\n{card.name_en}", size=12)
    _row(pdf, "役職 Title", f"{card.title}\n{card.title_en}")
    if card.birth_date is not None:
        _row(pdf, "生年月日 Date of birth", _date(card.birth_date))
    if card.address or card.address_en:
        _row(pdf, "住所 Address", "\n".join(a for a in (card.address, card.address_en) if a))
    pdf.ln(4)
    pdf.set_font_size(8.5)
    pdf.set_text_color(70, 70, 70)
    pdf.cell(0, 6, "登録サイン Registered signature", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    top = pdf.get_y()
    pdf.rect(pdf.l_margin, top, pdf.epw, 34)
    pdf.image(
        io.BytesIO(card.signature_png),
        x=pdf.l_margin + 4,
        y=top + 3,
        h=28,
        keep_aspect_ratio=True,
        w=pdf.epw - 8,
    )
    pdf.set_y(top + 36)
    pdf.set_font_size(9)
    pdf.multi_cell(0, 4.8, SIGNATURE_SENTENCE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    _credentials_box(
        pdf,
        "オンライン発給システム  ユーザーID / User ID for the online system",
        "ユーザーID User ID",
        card.chamber_code,
        card.user_id,
        card.password,
        card.password_notice,
    )
    _footer(pdf, f"交付日 Issued {card.issued_on.isoformat()}.  ", card.printed_at, card.time_zone)


def render_signer_card(card: SignerCardData) -> bytes:
    return render("署名登録証", card.printed_at, [card], draw_signer_card)


def render_signer_cards(cards: Sequence[SignerCardData]) -> list[bytes]:
    """One PDF per card, made in chunks (see documents.pdf)."""
    if not cards:
        return []
    return render_each("署名登録証", cards[0].printed_at, cards, draw_signer_card)


def render_signer_cards_document(cards: Sequence[SignerCardData]) -> bytes:
    return render("署名登録証", cards[0].printed_at, cards, draw_signer_card)
