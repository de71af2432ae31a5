"""Banks and customs read these files by machine: the text of every PDF shomei makes extracts cleanly with
pypdf as well as with poppler's pdftotext (no NUL before each character, Japanese included)."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from shomei_cli.documents.cards import render_registration_card
from shomei_cli.documents.certificates import ReceiptData, render_receipt
from tests.documents.test_certificate_layout import ROOT, certificate, goods_line
from tests.documents.test_registration_card import card_data


def receipt() -> bytes:
    return render_receipt(
        ReceiptData(
            receipt_number="RC1301-0000001",
            chamber_name="東京商工会議所",
            chamber_name_en="Tokyo Chamber of Commerce and Industry",
            company_name="日商テスト商事株式会社",
            registration_number="1301000001",
            reception_number="1301-00000001",
            certificate_number="1301-2026-0000001",
            type="co",
            copies=1,
            amount=1360,
            method="prepaid",
            payment_reference=None,
            paid_at=datetime(2026, 12, 3, 3, tzinfo=UTC),
            time_zone="Asia/Tokyo",
        )
    )


def invoice() -> bytes:
    return certificate(
        [], kind="invoice", attachment=(ROOT / "docs" / "examples" / "invoice.pdf").read_bytes()
    )


DOCUMENTS = {
    "certificate of origin": (
        lambda: certificate([goods_line(1, "ポンプ部品 Parts of pumps")]),
        ["CERTIFICATE OF ORIGIN", "原産地証明書", "ポンプ部品 Parts of pumps", "Japan (JP)"],
    ),
    "signature certification": (
        lambda: certificate([], kind="signature", document_title="委任状", document_date="2026-11-30"),
        ["CERTIFICATE OF SIGNATURE", "サイン証明", "委任状"],
    ),
    "certified invoice": (invoice, ["COMMERCIAL INVOICE", "インボイス証明", "1301-2026-0000001"]),
    "receipt": (receipt, ["領収書", "日商テスト商事株式会社 様", "¥1,360"]),
    "trade registration card": (
        lambda: render_registration_card(card_data()),
        ["貿易登録証", "Trade Registration Certificate", "日商テスト商事株式会社"],
    ),
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_pypdf_reads_the_text_as_written(name: str) -> None:
    make, expected = DOCUMENTS[name]
    reader = PdfReader(io.BytesIO(make()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "\x00" not in text
    for words in expected:
        assert words in text


@pytest.mark.parametrize("name", DOCUMENTS)
def test_pdftotext_reads_the_text_as_written(name: str, tmp_path: Path) -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    make, expected = DOCUMENTS[name]
    source = tmp_path / "document.pdf"
    source.write_bytes(make())
    text = subprocess.run([pdftotext, str(source), "-"], capture_output=True, check=True, text=True).stdout
    assert "\x00" not in text
    for words in expected:
        assert words in text


def test_the_japanese_font_is_encoded_identity_h_with_codes_that_are_its_cids() -> None:
    """The root of the NULs was fpdf2's own code-to-CID CMap stream as the font's /Encoding, which pypdf
    reads a byte at a time; shomei's codes are the CIDs, so the predefined Identity-H says it all."""
    reader = PdfReader(io.BytesIO(certificate([goods_line(1, "Pumps")])))
    font = reader.pages[0]["/Resources"]["/Font"]["/F1"].get_object()
    assert font["/Encoding"] == "/Identity-H"
    assert font["/DescendantFonts"][0].get_object()["/Subtype"] == "/CIDFontType0"
    assert "/ToUnicode" in font
