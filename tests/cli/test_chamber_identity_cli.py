"""`shomei chamber profile`, `seal set|show`, `officer set|show` and `fees set --tax-rate`: exact output,
--json, and exit 7 naming the field for bad input."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Shomei

ROOT = Path(__file__).resolve().parents[2]
SEAL = ROOT / "src" / "shomei_cli" / "demo_data" / "seal.png"
SIGNATURE = ROOT / "src" / "shomei_cli" / "demo_data" / "signatures" / "tanaka.png"


def test_staff_set_the_profile_seal_and_officer(shomei: Shomei, staff_session: str, tmp_path: Path) -> None:
    shown = shomei("chamber", "profile")
    assert shown.exit_code == 0
    assert shown.stdout.splitlines() == [
        "chamber                      1301 東京商工会議所",
        "address                      (not set)",
        "address (English)            (not set)",
        "place of issue               (not set)",
        "invoice registration number  (not set)",
        "seal                         (not set)",
        "officer                      (not set)",
    ]
    changed = shomei(
        "chamber", "profile", "--place", "Tokyo", "--invoice-registration-number", "T7010005005367", "--json"
    )
    assert changed.exit_code == 0
    assert {k: changed.json()[k] for k in ("place", "invoice_registration_number", "seal")} == {
        "place": "Tokyo",
        "invoice_registration_number": "T7010005005367",
        "seal": None,
    }

    sealed = shomei("chamber", "seal", "set", "--image", str(SEAL))
    assert sealed.exit_code == 0
    assert sealed.stderr == "Seal set (version 1).\n"
    (line,) = [line for line in sealed.stdout.splitlines() if line.startswith("seal ")]
    assert line.startswith("seal                         version 1, set ") and line.endswith(" by S00001")
    officer = shomei(
        "chamber",
        "officer",
        "set",
        "--name",
        "Yamada Taro",
        "--title",
        "Director",
        "--signature",
        str(SIGNATURE),
    )
    assert officer.exit_code == 0
    assert officer.stderr == "Officer set (version 1).\n"
    assert "Yamada Taro, Director (version 1, set" in officer.stdout
    as_json = shomei("chamber", "officer", "show", "--json").json()
    assert (as_json["officer"]["name"], as_json["officer"]["version"], as_json["seal"]["version"]) == (
        "Yamada Taro",
        1,
        1,
    )

    fees = shomei(
        "chamber",
        "fees",
        "set",
        "--type",
        "co",
        "--member",
        "--per-application",
        "1260",
        "--per-copy",
        "100",
        "--tax-rate",
        "0",
        "--json",
    )
    assert fees.exit_code == 0
    assert fees.json()[0] == {
        "type": "co",
        "member": True,
        "per_application": 1260,
        "per_copy": 100,
        "tax_rate": 0,
    }
    table = shomei("chamber", "fees", "show").stdout
    assert "not taxable" in table and "10%" in table


def test_bad_input_exits_7_naming_the_field(shomei: Shomei, staff_session: str, tmp_path: Path) -> None:
    wrong = shomei("chamber", "profile", "--invoice-registration-number", "T7010005005368")
    assert wrong.exit_code == 7
    assert (
        "invoice_registration_number: is not a valid registration number (its check digit is wrong)"
        in wrong.stderr
    )
    text = tmp_path / "seal.txt"
    text.write_text("not an image")
    refused = shomei("chamber", "seal", "set", "--image", str(text))
    assert refused.exit_code == 7
    assert "seal: is not a readable PNG or JPEG image" in refused.stderr
    rate = shomei(
        "chamber",
        "fees",
        "set",
        "--type",
        "co",
        "--member",
        "--per-application",
        "1",
        "--per-copy",
        "1",
        "--tax-rate",
        "5",
    )
    assert rate.exit_code == 7
    assert "tax_rate: must be 10 or 8 (per cent), or 0 for not taxable" in rate.stderr
