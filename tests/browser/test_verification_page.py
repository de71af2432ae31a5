"""The public verification page in a real headless browser (Debian's Chromium, driven by Playwright).

A real `shomei serve` process on SQLite, a real certificate issued through the services, and the page the
QR code opens, loaded for a genuine certificate, a wrong access code and an unknown number. Screenshots go to
the test's temporary directory. Without Chromium the test is skipped on a laptop, and fails in CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shomei_cli.services import applications, auth, chambers, registrations, review, signers
from shomei_cli.services.core import Core

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "kumo-no-ue-de-odoru-77"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _activate(core: Core, login_id: str, initial: str) -> auth.Actor:
    token = auth.login(core, "1301", login_id, initial).token
    auth.change_password(
        core, auth.authenticate(core, token, allow_temporary_password=True), initial, PASSWORD
    )
    return auth.authenticate(core, auth.login(core, "1301", login_id, PASSWORD).token)


def _issue_certificate(url: str, key: bytes, pdf_path: Path) -> tuple[str, str]:
    """A company, an approved signer and one issued certificate of origin; its number and access code. Its
    signed PDF is printed to ``pdf_path``."""
    core = Core.open(url, secret_key=key)
    created = chambers.init_chamber(core, "1301", "東京商工会議所", "Tokyo Chamber of Commerce and Industry")
    staff = _activate(core, "S00001", created.staff.initial_password)
    registrations.issue_from_csv(core, staff, (ROOT / "docs/examples/registrations.csv").read_bytes())
    (card,) = registrations.print_cards(core, staff, ["1301000001"])
    admin = _activate(core, "A1301000001", card.password or "")
    fields: dict[str, str | None] = {
        "name": "大阪 正人",
        "name_en": "Osaka Masahito",
        "title": "代表取締役",
        "title_en": "President",
    }
    signers.add_signer(core, admin, fields, (ROOT / "docs/examples/signatures/osaka.png").read_bytes(), None)
    review.decide(core, staff, "SG000001", "approve", None)
    (signer_card,) = signers.print_signer_cards(core, admin, ["SG000001"])
    signer = _activate(core, "U000001", signer_card.password or "")
    content = tomllib.loads((ROOT / "docs/examples/shipment.toml").read_text(encoding="utf-8"))
    content["invoice"]["date"] = content["invoice"]["date"].isoformat()
    content["transport"]["on_or_about"] = content["transport"]["on_or_about"].isoformat()
    view = applications.create(core, signer, "co", content, None, False)
    reference = view.summary.reception_number or ""
    review.decide(core, staff, reference, "approve", None)
    applications.topup(core, staff, "1301000001", 10_000)
    paid = applications.pay(core, signer, reference, "prepaid", None)
    pdf_path.write_bytes(applications.print_certificate(core, signer, reference).pdf)
    core.close()
    return paid.certificate_number, paid.access_code


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from cryptography.fernet import Fernet

    key = Fernet.generate_key()
    url = f"sqlite:///{tmp_path / 'verify.db'}"
    number, code = _issue_certificate(url, key, tmp_path / "certificate.pdf")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SHOMEI_HOME": str(tmp_path / "server"), "SHOMEI_SECRET_KEY": key.decode()}
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "shomei_cli", "serve", "--database-url", url, "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("shomei serve did not start: " + (tmp_path / "server.log").read_text())
        yield base, number, code
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_the_page_shows_genuine_wrong_code_and_unknown_in_a_real_browser(
    server: tuple[str, str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, number, code = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone

        page.goto(f"{base}/verify?n={number}&c={code}")
        genuine = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "genuine.png"), full_page=True)
        assert "この証明書は真正です。" in genuine
        assert "This certificate is genuine." in genuine
        for expected in (
            number,
            "Tokyo Chamber of Commerce and Industry",
            "Nissho Test Co., Ltd.",
            "ACME Pumps Inc.",
            "Centrifugal pumps (120 pcs)",
        ):
            assert expected in genuine

        page.goto(f"{base}/verify?n={number}&c=WRONG00000")
        wrong = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "wrong-code.png"))
        assert "該当する証明書はありません。" in wrong
        assert "ACME Pumps Inc." not in wrong
        assert "Nissho Test" not in wrong

        page.goto(f"{base}/verify?n=1301-2026-9999999&c={code}")
        unknown = page.inner_text("body")
        assert unknown == wrong.replace(number, "1301-2026-9999999")

        # the form on the page works as a person would use it
        page.goto(f"{base}/verify")
        page.fill("input[name=n]", number)
        page.fill("input[name=c]", code)
        page.click("text=確認 Verify")
        page.wait_for_load_state()
        assert "This certificate is genuine." in page.inner_text("body")
        browser.close()
    assert (tmp_path / "genuine.png").stat().st_size > 5000


def test_the_page_checks_an_uploaded_signed_pdf_in_a_real_browser(
    server: tuple[str, str, str], tmp_path: Path
) -> None:
    """The same answer as `shomei cert verify --pdf`: genuine for the printed file, modified for a copy with
    a drawing added after signing, unsigned for a PDF without a signature."""
    from playwright.sync_api import sync_playwright

    from tests.signing_pki import append_after_signing

    base, number, _code = server
    printed = tmp_path / "certificate.pdf"
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(append_after_signing(printed.read_bytes()))
    card = tmp_path / "unsigned.pdf"
    from fpdf import FPDF

    blank = FPDF()
    blank.add_page()
    card.write_bytes(bytes(blank.output()))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 390, "height": 844})

        def upload(path: Path) -> str:
            page.goto(f"{base}/verify")
            page.set_input_files("input[name=pdf]", str(path))
            page.click("text=PDFを確認 Check the PDF")
            page.wait_for_load_state()
            return page.inner_text("#verdict")

        genuine = "この文書は商工会議所が署名したもので、署名後に変更されていません。"
        assert upload(printed) == f"{genuine}\nSigned by the chamber and unchanged since."
        body = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "upload-genuine.png"), full_page=True)
        for expected in (number, "有効 Valid", "Tokyo Chamber of Commerce and Industry Document Signing 1"):
            assert expected in body
        assert (
            upload(changed)
            == "この文書は署名後に変更されています。\nThis document was changed after it was signed."
        )
        assert number not in page.inner_text("body")
        assert (
            upload(card) == "この文書には電子署名がありません。\nThis document carries no digital signature."
        )
        browser.close()
    assert (tmp_path / "upload-genuine.png").stat().st_size > 5000
