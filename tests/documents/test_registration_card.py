"""The 貿易登録証 as a PDF: what it says (read back with pypdf), the first-day rule on paper, the page, the
embedded font, the batch split, and a rendering to PNG with poppler's pdftoppm."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PageObject, PdfReader
from typer.testing import CliRunner

from shomei_cli.documents.cards import (
    RegistrationCardData,
    render_registration_card,
    render_registration_cards,
)
from shomei_cli.domain.clock import FixedClock
from shomei_cli.services.cards import NOTICE_AFTER_FIRST_DAY, REGISTRATION_CARD
from tests.cli.conftest import Result
from tests.helpers import TEST_PASSWORD

JST = ZoneInfo("Asia/Tokyo")
A4 = (595.28, 841.89)  # points
NOTICE = NOTICE_AFTER_FIRST_DAY[REGISTRATION_CARD]
PASSWORD = "Kx7pQ2mZ9vR4tW8n"
EXAMPLE_CSV = Path(__file__).resolve().parents[2] / "docs" / "examples" / "registrations.csv"


def card_data(**changes: Any) -> RegistrationCardData:
    """The first row of docs/examples/registrations.csv as chamber 1301 prints it on its first day."""
    card = RegistrationCardData(
        chamber_code="1301",
        chamber_name="東京商工会議所",
        chamber_name_en="Tokyo Chamber of Commerce and Industry",
        registration_number="1301000001",
        kind="exporter",
        corporate_number="2010401000001",
        company_name="日商テスト商事株式会社",
        company_name_en="Nissho Test Co., Ltd.",
        representative_name="大阪 正人",
        representative_name_en="Osaka Masahito",
        representative_title="代表取締役",
        representative_title_en="President",
        postal_code="100-0005",
        address="東京都千代田区丸の内三丁目2番2号",
        address_en="3-2-2 Marunouchi, Chiyoda-ku, Tokyo",
        valid_from=date(2026, 11, 27),
        valid_until=date(2028, 11, 26),
        issued_on=date(2026, 11, 27),
        admin_id="A1301000001",
        password=PASSWORD,
        password_notice=None,
        printed_at=datetime(2026, 11, 27, 10, 0, tzinfo=JST),
        time_zone="Asia/Tokyo",
    )
    return dataclasses.replace(card, **changes)


def the_page(pdf: bytes) -> PageObject:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0]


def page_text(pdf: bytes) -> str:
    """The text of the (one) page, as pypdf reads it."""
    return the_page(pdf).extract_text()


def squashed(text: str) -> str:
    """Without any whitespace: for texts the card wraps over several lines."""
    return "".join(text.split())


def embedded_font_files(page: PageObject) -> dict[str, list[str]]:
    """For each font of the page: the /FontFile* entries of its descriptor (a Type0 font's is on its
    descendant CIDFont)."""
    found: dict[str, list[str]] = {}
    for name, reference in page["/Resources"]["/Font"].items():
        font = reference.get_object()
        keys: list[str] = []
        for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
            descriptor = part.get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                keys += [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
                assert all(len(descriptor[k].get_object().get_data()) > 1000 for k in keys)
        found[str(name)] = keys
    return found


def text_heights(pdf: bytes) -> dict[str, float]:
    """Each text run of the page and the height (points from the bottom) of its baseline."""
    heights: dict[str, float] = {}

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        clean = text.strip()
        if clean:
            heights.setdefault(clean, float(tm[5]))

    the_page(pdf).extract_text(visitor_text=visit)
    return heights


# -- rendered directly -----------------------------------------------------------------------------


def test_a_first_day_card_says_who_what_and_the_password() -> None:
    text = page_text(render_registration_card(card_data()))

    for expected in (
        "貿易登録証",
        "Trade Registration Certificate",
        "東京商工会議所",
        "日商テスト商事株式会社",
        "Nissho Test Co., Ltd.",
        "大阪 正人",
        "1301000001",
        "A1301000001",
        "2010401000001",
        "〒100-0005 東京都千代田区丸の内三丁目2番2号",
        "2026年11月27日 (2026-11-27) ～ 2028年11月26日 (2028-11-26)",
        PASSWORD,
        "Printed 2026-11-27 10:00 JST",
    ):
        assert expected in text, expected
    assert squashed(NOTICE) not in squashed(text)


def test_a_card_printed_after_the_first_day_has_the_notice_instead_of_the_password() -> None:
    later = card_data(
        password=None, password_notice=NOTICE, printed_at=datetime(2026, 12, 1, 9, 0, tzinfo=JST)
    )

    text = page_text(render_registration_card(later))

    for expected in ("貿易登録証", "東京商工会議所", "日商テスト商事株式会社", "大阪 正人", "A1301000001"):
        assert expected in text, expected
    assert PASSWORD not in text
    assert "（表示されません / not shown）" in text
    assert squashed(NOTICE) in squashed(text)


def test_the_card_is_one_a4_page_with_its_font_embedded() -> None:
    page = the_page(render_registration_card(card_data()))

    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.01)
    fonts = embedded_font_files(page)
    assert fonts
    assert all(keys and set(keys) <= {"/FontFile2", "/FontFile3"} for keys in fonts.values()), fonts


def test_thirty_cards_are_thirty_one_page_pdfs_each_with_only_its_own_company() -> None:
    cards = [
        card_data(
            registration_number=f"1301{n:06d}",
            admin_id=f"A1301{n:06d}",
            company_name=f"第{n:02d}テスト商事株式会社",
            password=f"Pw{n:02d}xxxxxxxxxxxx",
        )
        for n in range(1, 31)
    ]

    pdfs = render_registration_cards(cards)

    assert len(pdfs) == 30
    texts = [page_text(pdf) for pdf in pdfs]  # page_text asserts one page each
    for n, (card, text) in enumerate(zip(cards, texts, strict=True), start=1):
        assert card.company_name in text
        assert card.registration_number in text
        assert card.password is not None
        assert card.password in text
        for other in cards:
            if other is not card:
                assert other.company_name not in text, (n, other.company_name)
                assert other.registration_number not in text, (n, other.registration_number)
    for pdf in (pdfs[0], pdfs[24], pdfs[25], pdfs[29]):  # both chunks of the split, each end
        page = the_page(pdf)
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.01)
        assert all(embedded_font_files(page).values())


def test_a_card_with_every_particular_at_its_longest_keeps_the_credentials_on_the_page() -> None:
    longest = card_data(
        company_name=("日商テスト商事株式会社" * 20)[:200],
        company_name_en=("Nissho Test Trading " * 10)[:200],
        representative_name=("大阪正人" * 25)[:100],
        representative_name_en=("Osaka Masahito " * 7)[:100],
        representative_title=("代表取締役社長" * 15)[:100],
        representative_title_en=("Representative Director " * 5)[:100],
        address=("東京都千代田区丸の内三丁目2番2号" * 18)[:300],
        address_en=("3-2-2 Marunouchi, Chiyoda-ku, Tokyo " * 9)[:300],
    )
    lengths = {
        f: len(getattr(longest, f)) for f in ("company_name", "company_name_en", "address", "address_en")
    }
    assert lengths == {"company_name": 200, "company_name_en": 200, "address": 300, "address_en": 300}

    heights = text_heights(render_registration_card(longest))

    footer = next(y for text, y in heights.items() if text.startswith("印刷日時"))
    for needed in ("A1301000001", PASSWORD):
        assert footer < heights[needed] < A4[1], (needed, heights[needed])


# -- printed through the CLI -----------------------------------------------------------------------


Shomei = Callable[..., Result]


@pytest.fixture
def shomei(tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> Shomei:
    """`shomei` in-process on its own SQLite store, in tmp_path, on the tests' standing clock."""
    monkeypatch.setattr("shomei_cli.services.core.SystemClock", lambda: clock)
    monkeypatch.chdir(tmp_path)
    from shomei_cli.cli.main import app

    runner = CliRunner()
    database = f"sqlite:///{tmp_path / 'cli.db'}"

    def invoke(*args: str, input: str | None = None) -> Result:
        outcome = runner.invoke(app, ["--database-url", database, *args], input=input, catch_exceptions=False)
        return Result(outcome.exit_code, outcome.stdout, outcome.stderr)

    return invoke


def run(shomei: Shomei, *args: str, input: str | None = None) -> Result:
    result = shomei(*args, input=input)
    assert result.exit_code == 0, (args, result.stderr)
    return result


def staff_login(shomei: Shomei, password: str = TEST_PASSWORD) -> None:
    run(shomei, "login", "--chamber", "1301", "--id", "S00001", "--password-stdin", input=password + "\n")


@pytest.fixture
def issued(shomei: Shomei, tmp_path: Path) -> list[dict[str, Any]]:
    """Chamber 1301, S00001 logged in, and docs/examples/registrations.csv issued into ./cards."""
    created = run(shomei, "chamber", "init", "--code", "1301", "--name", "東京商工会議所", "--json").json()
    initial = created["staff"]["initial_password"]
    staff_login(shomei, initial)
    run(shomei, "passwd", "--stdin", input=f"{initial}\n{TEST_PASSWORD}\n")
    shutil.copy(EXAMPLE_CSV, tmp_path / "registrations.csv")
    rows: list[dict[str, Any]] = run(
        shomei, "admin", "issue", "--csv", "registrations.csv", "--out", "cards", "--json"
    ).json()
    return rows


def test_cards_printed_through_the_cli_carry_the_password_on_their_first_day_only(
    shomei: Shomei, issued: list[dict[str, Any]], clock: FixedClock, tmp_path: Path
) -> None:
    nissho, marunouchi = issued
    first = page_text((tmp_path / "cards" / "1301000001.pdf").read_bytes())
    for expected in (
        "貿易登録証",
        "東京商工会議所",
        "日商テスト商事株式会社",
        "大阪 正人",
        "1301000001",
        "A1301000001",
        nissho["password"],
    ):
        assert expected in first, expected
    assert "丸の内フォワーディング株式会社" not in first
    assert marunouchi["password"] not in first

    other = page_text((tmp_path / "cards" / "1301000002.pdf").read_bytes())
    for expected in ("丸の内フォワーディング株式会社", "田中 一郎", "A1301000002", marunouchi["password"]):
        assert expected in other, expected
    assert "〒100-0005 東京都千代田区丸の内一丁目1番1号" in other  # the full-width postal code folded

    run(shomei, "admin", "card", "1301000001", "-o", "same-day.pdf")
    assert nissho["password"] in page_text((tmp_path / "same-day.pdf").read_bytes())

    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=JST))
    staff_login(shomei)
    run(shomei, "admin", "card", "1301000001", "-o", "next-day.pdf")
    page = the_page((tmp_path / "next-day.pdf").read_bytes())
    later = page.extract_text()
    for expected in ("貿易登録証", "東京商工会議所", "日商テスト商事株式会社", "大阪 正人", "A1301000001"):
        assert expected in later, expected
    assert nissho["password"] not in later
    assert squashed(NOTICE) in squashed(later)
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.01)
    assert all(embedded_font_files(page).values())


# -- as an image -----------------------------------------------------------------------------------


def test_a_card_renders_to_a_png_with_pdftoppm(tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: cannot render the card to PNG")
    source = tmp_path / "card.pdf"
    source.write_bytes(render_registration_card(card_data()))

    subprocess.run(
        [pdftoppm, "-png", "-r", "50", str(source), str(tmp_path / "card")],
        check=True,
        capture_output=True,
        timeout=30,
    )

    (png,) = tmp_path.glob("card*.png")
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    from PIL import Image  # Pillow comes with fpdf2

    with Image.open(png) as image:
        width, height = image.size
        grey = image.convert("L")
        histogram = grey.histogram()
    assert abs(width - A4[0] / 72 * 50) <= 1
    assert abs(height - A4[1] / 72 * 50) <= 1
    inked = sum(histogram[:128])  # dark pixels: text and rules
    assert 1000 < inked < width * height // 4
