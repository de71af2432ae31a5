"""`shomei demo`: the whole flow on a fresh store in a new directory, run in-process with Typer's runner.

The demo must leave the user's own SHOMEI_HOME (set by the autouse fixture) untouched, write readable PDFs,
refuse a directory that is not empty (exit 7), and ship sample data identical to docs/examples.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from shomei_cli.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
DEMO_DATA = ROOT / "src" / "shomei_cli" / "demo_data"
TOKYO = ZoneInfo("Asia/Tokyo")
PDF_NAMES = {
    "registration_card": "trade-registration-card.pdf",
    "signer_card": "signer-card.pdf",
    "certificate": "certificate.pdf",
    "receipt": "receipt.pdf",
}


def run(*args: str) -> Any:
    return CliRunner().invoke(main.app, ["demo", *args], catch_exceptions=False)


def tokyo_year() -> int:
    return datetime.now(TOKYO).year


def pdf_text(path: Path) -> list[str]:
    """The text of every page (pypdf reads the embedded Japanese font's text with NULs between characters)."""
    return [page.extract_text() for page in PdfReader(path).pages]


def expected_steps(certificate: str) -> list[str]:
    return [
        " 1. Chamber 1301 東京商工会議所 set up, with its first staff ID S00001.",
        " 2. S00001 logged in and changed its initial password.",
        " 3. Trade registration 1301000001 (日商テスト商事株式会社) created from registrations.csv, with the "
        "administrator ID A1301000001.",
        " 4. The 貿易登録証 of 1301000001 printed, with the initial password of A1301000001.",
        " 5. A1301000001 logged in with the password on its card and changed it.",
        " 6. Signer SG000001 (大阪 正人) added with a sample signature, waiting for review.",
        " 7. S00001 approved the signer SG000001.",
        " 8. The 署名登録証 of SG000001 printed: user ID U000001 issued, with its password.",
        " 9. U000001 logged in with the password on its card and changed it.",
        "10. U000001 added the sub ID SB000001 for 鈴木 花子.",
        "11. SB000001 logged in and changed its initial password.",
        "12. SB000001 applied for a certificate of origin (shipment.toml): reception number 1301-00000001.",
        "13. S00001 approved the application 1301-00000001: fee ¥1,360.",
        "14. S00001 topped up the prepaid balance of 1301000001: ¥10,000.",
        f"15. SB000001 paid ¥1,360 from the prepaid balance: certificate {certificate} issued.",
        f"16. The certificate {certificate} printed: its ORIGINAL page and one COPY page.",
        "17. The receipt RC1301-0000001 printed.",
        f"18. Anyone, without logging in, verified {certificate} with its access code: genuine.",
    ]


def test_the_demo_runs_the_whole_flow_into_a_new_directory_and_refuses_to_run_there_again(
    tmp_path: Path, isolated: Path
) -> None:
    out = tmp_path / "demo"
    years = {tokyo_year()}
    started = time.process_time()
    result = run("--out", str(out))
    cpu = time.process_time() - started
    years.add(tokyo_year())
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stderr == ""
    # about 2.5 s of CPU (four PDFs, a dozen argon2 hashes); CPU time, not wall time, so that a loaded
    # machine (the suite runs with -n auto) cannot make this fail
    assert cpu < 20, f"the demo took {cpu:.1f} s of CPU"

    certificate = next(f"1301-{y}-0000001" for y in sorted(years) if f"1301-{y}-0000001" in result.stdout)
    assert result.stdout.splitlines() == [
        *expected_steps(certificate),
        "The PDFs:",
        f"  trade registration certificate (貿易登録証)   {out / 'trade-registration-card.pdf'}",
        f"  signer registration certificate (署名登録証)  {out / 'signer-card.pdf'}",
        f"  certificate of origin                         {out / 'certificate.pdf'}",
        f"  receipt                                       {out / 'receipt.pdf'}",
        f"The demo's store: sqlite:///{out.resolve() / 'shomei.db'}",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*PDF_NAMES.values(), "card-secret.key", "shomei.db"]
    )

    # every PDF reads back with its key texts
    (card,) = pdf_text(out / "trade-registration-card.pdf")
    for expected in ("貿易登録証", "1301000001", "A1301000001", "日商テスト商事株式会社", "Initial password"):
        assert expected in card, (expected, card)
    (signer_card,) = pdf_text(out / "signer-card.pdf")
    for expected in ("署名登録証", "U000001", "大阪 正人", "Initial password"):
        assert expected in signer_card, (expected, signer_card)
    pages = pdf_text(out / "certificate.pdf")
    assert [page.split("\n", 1)[0] for page in pages] == ["ORIGINAL", "COPY"]
    for page in pages:
        for expected in ("CERTIFICATE OF ORIGIN", f"Certificate No. {certificate}", "ACME Pumps Inc."):
            assert expected in page, (expected, page)
    (receipt,) = pdf_text(out / "receipt.pdf")
    for expected in ("No. RC1301-0000001", "¥1,360-", "1301-00000001", certificate):
        assert expected in receipt, (expected, receipt)

    # the user's own home (config, data, keyring file) was never touched
    assert not isolated.exists() or list(isolated.rglob("*")) == []

    # a second run into the same directory is refused, and changes nothing there
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = run("--out", str(out))
    assert again.exit_code == 7
    assert again.stdout == ""
    assert again.stderr == (
        f"Error: Invalid input: --out: {out} is not empty: the demo needs a new or empty directory "
        "(name another with --out)\n"
    )
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_json_prints_one_document_with_the_steps_and_the_paths(tmp_path: Path, isolated: Path) -> None:
    out = tmp_path / "nested" / "demo"  # missing parents are made
    result = run("--out", str(out), "--json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stderr == ""
    document = json.loads(result.stdout)
    certificate = document["certificate_number"]
    assert [f"{s['number']:>2}. {s['text']}" for s in document["steps"]] == expected_steps(certificate)
    assert [s["step"] for s in document["steps"]] == [
        "chamber_init",
        "staff_password",
        "registration",
        "registration_card",
        "admin_password",
        "signer_add",
        "signer_approve",
        "signer_card",
        "signer_password",
        "sub_id",
        "sub_password",
        "apply",
        "application_approve",
        "topup",
        "pay",
        "certificate",
        "receipt",
        "verify",
    ]
    assert document["pdfs"] == {key: str(out / name) for key, name in PDF_NAMES.items()}
    assert {key: document[key] for key in ("chamber", "registration_number", "user_id", "sub_id")} == {
        "chamber": "1301",
        "registration_number": "1301000001",
        "user_id": "U000001",
        "sub_id": "SB000001",
    }
    assert (document["reception_number"], document["receipt_number"], document["verification"]) == (
        "1301-00000001",
        "RC1301-0000001",
        "genuine",
    )
    assert document["directory"] == str(out)
    assert not isolated.exists() or list(isolated.rglob("*")) == []


def test_a_directory_named_with_out_is_refused_when_not_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shomei-demo").mkdir()
    (tmp_path / "shomei-demo" / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("--out", "shomei-demo")
    assert result.exit_code == 7
    assert result.stderr == (
        "Error: Invalid input: --out: shomei-demo is not empty: the demo needs a new or empty directory "
        "(name another with --out)\n"
    )
    assert [p.name for p in (tmp_path / "shomei-demo").iterdir()] == ["notes.txt"]


def test_a_file_in_the_way_is_refused_under_json(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("", encoding="utf-8")
    result = run("--out", str(target), "--json")
    assert result.exit_code == 7
    error = json.loads(result.stdout)["error"]
    assert (error["code"], error["errors"]) == (
        "invalid_input",
        [{"field": "--out", "reason": f"{target} exists and is not a directory; name a new directory"}],
    )


def test_the_shipped_sample_data_equals_docs_examples() -> None:
    shipped = sorted(p.relative_to(DEMO_DATA) for p in DEMO_DATA.rglob("*") if p.is_file())
    assert shipped == sorted(
        Path(name)
        for name in (
            "registrations.csv",
            "signers.csv",
            "shipment.toml",
            "signatures/osaka.png",
            "signatures/tanaka.png",
            "seal.png",
        )
    )
    for relative in shipped:
        assert (DEMO_DATA / relative).read_bytes() == (EXAMPLES / relative).read_bytes(), (
            f"src/shomei_cli/demo_data/{relative} differs from docs/examples/{relative}: copy it again"
        )


def test_without_out_a_second_demo_takes_the_next_free_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shomei_cli.cli.demo import _fresh_default

    monkeypatch.chdir(tmp_path)
    assert _fresh_default() == Path("shomei-demo")
    (tmp_path / "shomei-demo").mkdir()
    assert _fresh_default() == Path("shomei-demo")  # empty: it will do
    (tmp_path / "shomei-demo" / "shomei.db").write_bytes(b"")
    assert _fresh_default() == Path("shomei-demo-2")
    (tmp_path / "shomei-demo-2").mkdir()
    (tmp_path / "shomei-demo-2" / "shomei.db").write_bytes(b"")
    (tmp_path / "shomei-demo-3").write_text("a file, not a directory")
    assert _fresh_default() == Path("shomei-demo-4")
