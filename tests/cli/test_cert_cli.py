"""`shomei cert …` as a company's signer and sub ID and the chamber's staff run it, each in its own profile
(staff in the default one, `--profile signer`, `--profile sub`, `--profile admin`): exit codes, what goes to
stdout and stderr, the files written, and the certificate read back.

The company is made through the services, straight into the CLI's store (the example registrations issued
by staff, A1301000001's signer 大阪 正人 added, approved and its user ID U000001 activated, one sub ID
SB000001; tests/cli/test_signer_cli.py drives those steps through the CLI), and each ID logs in through the
CLI under its own profile. Every Core the CLI opens reads the tests' standing clock (10:00 in Tokyo on
2026-11-27) and hashes with cheap argon2id parameters; registration and signer cards are stubs.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tomllib
from functools import partial
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PIL import Image, ImageDraw

from shomei_cli.domain.applications import ACCESS_CODE_ALPHABET
from shomei_cli.domain.clock import FixedClock
from shomei_cli.services.hashing import HashParameters, PasswordHashing
from tests.cli.conftest import Result, Shomei
from tests.helpers import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CSV = ROOT / "docs" / "examples" / "registrations.csv"
SHIPMENT = ROOT / "docs" / "examples" / "shipment.toml"
FAST_HASHING = HashParameters(memory_kib=1024, time_cost=1, parallelism=1)
VERIFY_URL = "https://shomei.example.jp/verify"
SUMMARY_KEYS = [
    "reference",
    "reception_number",
    "type",
    "status",
    "registration_number",
    "destination_country",
    "copies",
    "signer",
    "applicant",
    "fee",
    "certificate_number",
    "created_at",
    "submitted_at",
    "issued_at",
]


@pytest.fixture(autouse=True)
def quick(clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """The standing clock, a cheap hasher and stub cards for every Core the CLI opens."""
    monkeypatch.setattr("shomei_cli.services.core.SystemClock", lambda: clock)
    monkeypatch.setattr("shomei_cli.services.core.PasswordHashing", lambda: PasswordHashing(FAST_HASHING))
    monkeypatch.setattr(
        "shomei_cli.documents.cards.render_registration_cards",
        lambda cards: [f"%PDF-stub {c.admin_id}".encode() for c in cards],
    )
    monkeypatch.setattr(
        "shomei_cli.documents.cards.render_signer_cards",
        lambda cards: [f"%PDF-stub {c.user_id}".encode() for c in cards],
    )
    return clock


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory: shipment.toml and a signature image."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(SHIPMENT, work / "shipment.toml")
    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).rectangle((96, 80, 503, 119), fill="black")
    image.save(work / "sig.png", format="PNG")
    monkeypatch.chdir(work)
    return work


def build_company(database_url: str, clock: FixedClock) -> None:
    """Chamber 1301 and 日商テスト商事 made through the services, every ID's password TEST_PASSWORD."""
    from shomei_cli import config, keys
    from shomei_cli.services import auth, chambers, registrations, review, signers, subids
    from shomei_cli.services.core import Core

    # the key the CLI opens the store with: the chamber's signing key is sealed under it
    key = keys.configured_key(config.paths().config_dir / keys.KEY_FILE_NAME)
    core = Core.open(database_url, clock=clock, hashing=PasswordHashing(FAST_HASHING), secret_key=key)

    def activate(login_id: str, password: str) -> Any:
        token = auth.login(core, "1301", login_id, password).token
        auth.change_password(
            core, auth.authenticate(core, token, allow_temporary_password=True), password, TEST_PASSWORD
        )
        return auth.authenticate(core, auth.login(core, "1301", login_id, TEST_PASSWORD).token)

    try:
        created = chambers.init_chamber(
            core, "1301", "東京商工会議所", "Tokyo Chamber of Commerce and Industry"
        )
        staff = activate("S00001", created.staff.initial_password)
        registrations.issue_from_csv(core, staff, EXAMPLE_CSV.read_bytes())
        (card,) = registrations.print_cards(core, staff, ["1301000001"])
        admin = activate("A1301000001", card.password or "")
        osaka: dict[str, str | None] = {
            "name": "大阪 正人",
            "name_en": "Osaka Masahito",
            "title": "代表取締役",
            "title_en": "President",
        }
        added = signers.add_signer(core, admin, osaka, (Path.cwd() / "sig.png").read_bytes(), None)
        review.decide(core, staff, added.reference, "approve", None)
        (signer_card,) = signers.print_signer_cards(core, admin, [added.reference])
        signer = activate(signer_card.login_id, signer_card.password or "")
        sub = subids.add_sub(core, signer, "鈴木 花子", None)
        activate(sub.login_id, sub.initial_password)
    finally:
        core.close()


@pytest.fixture
def company(shomei: Shomei, workdir: Path, tmp_path: Path, clock: FixedClock) -> dict[str, Shomei]:
    """Staff S00001 (the default profile), A1301000001 (admin), U000001 (signer) and SB000001 (sub), each
    logged in through the CLI under its own profile."""
    build_company(f"sqlite:///{tmp_path / 'cli.db'}", clock)  # the store the `shomei` fixture passes
    runs = {}
    for profile, login_id in (
        ("default", "S00001"),
        ("admin", "A1301000001"),
        ("signer", "U000001"),
        ("sub", "SB000001"),
    ):
        run = partial(shomei, "--profile", profile)
        ok(
            run(
                "login", "--chamber", "1301", "--id", login_id, "--password-stdin", input=TEST_PASSWORD + "\n"
            )
        )
        runs["staff" if profile == "default" else profile] = run
    return runs


def issue(company: dict[str, Shomei], ref: str = "AP0000001") -> dict[str, Any]:
    """Staff approve the application and top up ¥5,000; the sub ID pays."""
    staff, sub = company["staff"], company["sub"]
    number = ok(sub("cert", "show", ref, "--json")).json()["summary"]["reception_number"]
    ok(staff("chamber", "review", "approve", number))
    ok(staff("chamber", "topup", "1301000001", "5000"))
    paid: dict[str, Any] = ok(sub("cert", "pay", ref, "--json")).json()
    return paid


def test_apply_review_pay_print_receipt_and_verify(company: dict[str, Shomei], workdir: Path) -> None:
    staff, sub = company["staff"], company["sub"]
    settings = ok(staff("chamber", "settings", "--verification-url", VERIFY_URL, "--json"))
    assert settings.json() == {"verification_url": VERIFY_URL}

    applied = ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    assert applied.stderr == "Submitted: reception number 1301-00000001.\n"
    assert "reception number  1301-00000001" in applied.stdout
    assert "status            submitted" in applied.stdout

    shown = ok(sub("cert", "show", "AP0000001", "--json")).json()
    assert list(shown["summary"]) == SUMMARY_KEYS
    assert {
        k: shown["summary"][k] for k in ("reference", "reception_number", "status", "applicant", "fee")
    } == {
        "reference": "AP0000001",
        "reception_number": "1301-00000001",
        "status": "submitted",
        "applicant": "SB000001",
        "fee": None,
    }
    assert shown["content"]["goods"][1] == {
        "marks": "ACME / LONG BEACH / NO.11-12",
        "packages": "2 pallets",
        "description": "Parts of pumps",
        "hs_code": "8413.91",
        "quantity": "350.5",
        "unit": "kg",
        "origin_country": "JP",
    }

    approved = ok(staff("chamber", "review", "approve", "1301-00000001"))
    assert approved.stderr == "1301-00000001 (application, 日商テスト商事株式会社): approved.\n"
    assert ok(staff("chamber", "topup", "1301000001", "5000")).stderr == "Balance of 1301000001: ¥5,000.\n"
    assert ok(sub("cert", "balance")).stdout == "¥5,000\n"

    paid = ok(sub("cert", "pay", "AP0000001"))
    assert "receipt      RC1301-0000001" in paid.stdout
    assert "amount       ¥1,360" in paid.stdout
    assert "certificate  1301-2026-0000001" in paid.stdout
    assert "balance      ¥3,640" in paid.stdout
    assert paid.stderr == "Issued: print it with `shomei cert print AP0000001 -o certificate.pdf`.\n"
    code = ok(sub("cert", "show", "AP0000001", "--json")).json()["access_code"]
    assert len(code) == 10 and set(code) <= set(ACCESS_CODE_ALPHABET)

    printed = ok(sub("cert", "print", "AP0000001", "-o", "co.pdf"))
    assert printed.stderr == "Wrote co.pdf: certificate 1301-2026-0000001 (print 1).\n"
    pages = [p.extract_text() for p in pypdf.PdfReader(workdir / "co.pdf").pages]
    assert [p.split("\n", 1)[0] for p in pages] == ["ORIGINAL", "COPY"]
    assert all("Certificate No. 1301-2026-0000001" in p and f"Access code {code}" in p for p in pages)
    assert f"Verify: {VERIFY_URL}?n=1301-2026-0000001&c={code}" in pages[0]

    receipt = ok(sub("cert", "receipt", "AP0000001", "-o", "receipt.pdf"))
    assert receipt.stderr == "Wrote receipt.pdf: receipt RC1301-0000001.\n"
    assert (workdir / "receipt.pdf").read_bytes().startswith(b"%PDF-")

    # verification needs no login: a fresh profile with no session at all
    anyone = partial(company["staff"], "--profile", "nobody")
    verified = ok(anyone("cert", "verify", "1301-2026-0000001", "--code", code))
    assert "status       genuine" in verified.stdout
    assert "consignee    ACME Pumps Inc." in verified.stdout
    assert "goods        Centrifugal pumps (120 pcs); Parts of pumps (350.5 kg)" in verified.stdout
    as_json = ok(anyone("cert", "verify", "1301-2026-0000001", "--code", code, "--json")).json()
    assert (as_json["status"], as_json["exporter"], as_json["issued_on"]) == (
        "genuine",
        "Nissho Test Co., Ltd.",
        "2026-11-27",
    )
    wrong = "A" * 10 if code != "A" * 10 else "B" * 10
    refused = anyone("cert", "verify", "1301-2026-0000001", "--code", wrong)
    assert refused.exit_code == 5
    assert refused.stdout == ""
    assert refused.stderr == "No certificate 1301-2026-0000001 with that access code.\n"
    unknown = anyone("cert", "verify", "1301-2026-0000009", "--code", code, "--json")
    assert unknown.exit_code == 5
    assert unknown.json()["status"] == "not_found"


def test_staff_revoke_a_certificate_and_verify_exits_6(company: dict[str, Shomei]) -> None:
    staff, sub, signer = company["staff"], company["sub"], company["signer"]
    ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    code = issue(company)["access_code"]
    refused = signer("chamber", "revoke", "1301-2026-0000001", "--reason", "wrong consignee", "--yes")
    assert (refused.exit_code, refused.stdout) == (4, "")
    assert refused.stderr == (
        "Error: Permission denied: a user ID may not do certificate.cancel (allowed: staff ID).\n"
    )
    revoke = partial(staff, "chamber", "revoke", "1301-2026-0000001", "--reason", "wrong consignee")
    kept = revoke("--json", input="n\n")
    assert (kept.exit_code, kept.stdout) == (1, "")
    assert kept.stderr == (
        "Cancel certificate 1301-2026-0000001? This cannot be undone. [y/N]: Aborted: nothing was changed.\n"
    )
    no_answer = revoke(input="")
    assert no_answer.exit_code == 1
    assert no_answer.stderr.endswith("[y/N]: \nAborted: nothing was changed.\n")
    assert ok(staff("cert", "show", "AP0000001", "--json")).json()["summary"]["status"] == "issued"
    revoked = ok(revoke("--json", input="y\n"))
    assert (revoked.json()["summary"]["status"], revoked.json()["reason"]) == ("cancelled", "wrong consignee")
    anyone = partial(staff, "--profile", "nobody")
    verified = anyone("cert", "verify", "1301-2026-0000001", "--code", code)
    assert verified.exit_code == 6
    assert verified.stdout.splitlines()[:5] == [
        "status        cancelled",
        "certificate   1301-2026-0000001",
        "chamber       Tokyo Chamber of Commerce and Industry",
        "issued on     2026-11-27",
        "cancelled on  2026-11-27",
    ]
    again = staff("chamber", "revoke", "AP0000001", "--reason", "again", "--yes")
    assert again.exit_code == 6
    assert again.stderr == (
        "Error: Application AP0000001 is cancelled: it cannot revoke (it allows: nothing more).\n"
    )
    printed = sub("cert", "print", "AP0000001", "-o", "co.pdf")
    assert printed.exit_code == 6
    no_reason = staff("chamber", "revoke", "AP0000001", "--reason", " ", "--yes")
    assert no_reason.exit_code == 7


def test_list_as_a_json_array_and_as_csv(company: dict[str, Shomei]) -> None:
    sub, signer, staff = company["sub"], company["signer"], company["staff"]
    ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    ok(signer("cert", "apply", "--type", "co", "--file", "shipment.toml", "--draft"))
    listed = ok(sub("cert", "list", "--json"))
    rows = json.loads(listed.stdout)
    assert isinstance(rows, list)
    assert [(r["reference"], r["status"]) for r in rows] == [("AP0000001", "submitted")]
    assert list(rows[0]) == SUMMARY_KEYS
    # the signer sees the company's, newest first; staff the chamber's
    assert [r["reference"] for r in ok(signer("cert", "list", "--json")).json()] == ["AP0000002", "AP0000001"]
    # a draft is the company's own: the chamber sees applications once they are submitted
    assert ok(staff("cert", "list", "--json", "--status", "draft")).json() == []
    table = list(csv.DictReader(io.StringIO(ok(signer("cert", "list", "--csv")).stdout)))
    assert list(table[0]) == SUMMARY_KEYS
    assert [(r["reference"], r["reception_number"], r["status"], r["applicant"]) for r in table] == [
        ("AP0000002", "", "draft", "U000001"),
        ("AP0000001", "1301-00000001", "submitted", "SB000001"),
    ]
    # an empty history is an empty array
    assert ok(sub("cert", "list", "--json", "--status", "issued")).stdout == "[]\n"


def test_a_draft_then_submit_and_a_new_application_from_a_past_one(
    company: dict[str, Shomei], workdir: Path
) -> None:
    sub = company["sub"]
    draft = ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml", "--draft"))
    assert draft.stderr == "Draft AP0000001 saved; submit it with `shomei cert submit AP0000001`.\n"
    assert "reception number  (not submitted)" in draft.stdout
    submitted = ok(sub("cert", "submit", "AP0000001"))
    assert submitted.stderr == "Submitted: reception number 1301-00000001.\n"

    # a new application from the first, with some fields overridden from a small JSON file
    (workdir / "small-override.json").write_text(
        json.dumps({"copies": 0, "destination_country": "CA", "remarks": "L/C No. 67890"}), encoding="utf-8"
    )
    again = ok(sub("cert", "apply", "--from", "AP0000001", "--file", "small-override.json", "--json")).json()
    assert (again["summary"]["reference"], again["summary"]["reception_number"]) == (
        "AP0000002",
        "1301-00000002",
    )
    assert (
        again["summary"]["type"],
        again["summary"]["destination_country"],
        again["summary"]["copies"],
    ) == (
        "co",
        "CA",
        0,
    )
    original = tomllib.loads(SHIPMENT.read_text(encoding="utf-8"))
    assert again["content"]["remarks"] == "L/C No. 67890"
    assert again["content"]["consignee"] == original["consignee"]
    assert [g["description"] for g in again["content"]["goods"]] == ["Centrifugal pumps", "Parts of pumps"]
    # --from alone copies it as it was
    third = ok(sub("cert", "apply", "--from", "1301-00000002", "--json")).json()
    assert third["content"] == again["content"]


def test_a_forbidden_step_exits_6_and_changes_nothing(company: dict[str, Shomei]) -> None:
    sub = company["sub"]
    ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    before = ok(sub("cert", "show", "AP0000001", "--json")).stdout
    for args, message in (
        (("pay", "AP0000001"), "Application AP0000001 is submitted: it cannot pay"),
        (
            ("amend", "AP0000001", "--file", "shipment.toml"),
            "Application AP0000001 is submitted: it cannot amend",
        ),
        (("submit", "AP0000001"), "Application AP0000001 is submitted: it cannot submit"),
        (("print", "AP0000001", "-o", "x.pdf"), "only an issued certificate can be printed"),
    ):
        refused = sub("cert", *args)
        assert refused.exit_code == 6, (args, refused.stderr)
        assert refused.stderr.startswith("Error: ") and message in refused.stderr
    assert ok(sub("cert", "show", "AP0000001", "--json")).stdout == before
    assert not Path("x.pdf").exists()
    issue(company)
    refused = sub("cert", "cancel", "AP0000001", "--json")
    assert refused.exit_code == 6
    assert refused.json()["error"] == {
        "code": "wrong_state",
        "message": "Application AP0000001 is issued: it cannot cancel (it allows: revoke).",
    }


def test_a_card_is_refused_and_staff_record_a_bank_transfer(company: dict[str, Shomei]) -> None:
    sub, staff = company["sub"], company["staff"]
    ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    ok(staff("chamber", "review", "approve", "1301-00000001"))
    card = sub("cert", "pay", "AP0000001", "--method", "card", "--reference", "VISA-0001")
    assert card.exit_code == 7
    assert card.stderr == (
        "Error: Invalid input: method: card payments need the chamber's payment provider, and none is set "
        "up: pay from the prepaid balance (--method prepaid), or by bank transfer or at the counter, which "
        "the chamber records (shomei chamber payment confirm)\n"
    )
    refused = sub("chamber", "payment", "confirm", "AP0000001", "--method", "transfer", "--reference", "X")
    assert refused.exit_code == 4
    confirmed = staff(
        "chamber", "payment", "confirm", "1301-00000001", "--method", "transfer", "--reference", "MIZUHO-1"
    )
    assert confirmed.exit_code == 0, confirmed.stderr
    assert confirmed.stdout.splitlines()[:3] == [
        "receipt      RC1301-0000001",
        "amount       ¥1,360",
        "method       transfer (MIZUHO-1)",
    ]
    shown = ok(sub("cert", "show", "AP0000001", "--json")).json()
    assert shown["summary"]["status"] == "issued"
    assert ok(sub("cert", "balance", "--json")).json() == {"balance": 0}


def test_an_administrator_cannot_apply_and_a_bad_file_is_invalid_input(
    company: dict[str, Shomei], workdir: Path
) -> None:
    admin, sub = company["admin"], company["sub"]
    refused = admin("cert", "apply", "--type", "co", "--file", "shipment.toml")
    assert refused.exit_code == 4
    assert refused.stderr == (
        "Error: An administrator ID can never apply for certificates: this is a rule of the system. "
        "Log in with a signer's user ID or a sub ID to apply.\n"
    )
    (workdir / "broken.toml").write_text('copies = 1\n[consignee\nname = "ACME"\n', encoding="utf-8")
    broken = sub("cert", "apply", "--type", "co", "--file", "broken.toml")
    assert broken.exit_code == 7
    assert broken.stderr.startswith("Error: Invalid input: --file: is not valid TOML: ")
    lot = tomllib.loads(SHIPMENT.read_text(encoding="utf-8"))
    lot["goods"][0]["unit"] = "lot"
    (workdir / "lot.json").write_text(json.dumps(lot, default=str), encoding="utf-8")
    invalid = sub("cert", "apply", "--type", "co", "--file", "lot.json", "--json")
    assert invalid.exit_code == 7
    assert invalid.json()["error"]["errors"] == [
        {
            "field": "goods.1.unit",
            "reason": "must be a concrete unit of quantity (kg, pcs, m, L …), not a lot or a package",
        }
    ]
    assert ok(sub("cert", "list", "--json")).stdout == "[]\n"


def test_schema_is_a_json_schema_with_goods(shomei: Shomei) -> None:
    result = ok(shomei("cert", "schema", "--type", "co"))
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert schema["title"] == "CertificateOfOrigin"
    assert schema["additionalProperties"] is False
    assert schema["properties"]["goods"]["type"] == "array"
    assert (schema["properties"]["goods"]["minItems"], schema["properties"]["goods"]["maxItems"]) == (1, 50)
    assert set(schema["required"]) == {
        "destination_country",
        "commodity_category",
        "consignee",
        "invoice",
        "transport",
        "goods",
    }
    line = schema["$defs"]["GoodsLine"]
    assert line["properties"]["hs_code"]["pattern"] == "^\\d{4}\\.?\\d{2}$"
    assert "from" in schema["$defs"]["Transport"]["properties"]
    # a valid JSON Schema (the meta-schema says so), and the example file is valid against it
    jsonschema_rs = pytest.importorskip("jsonschema_rs")  # comes with schemathesis, in the test extra
    jsonschema_rs.meta.validate(schema)
    example = json.loads(json.dumps(tomllib.loads(SHIPMENT.read_text(encoding="utf-8")), default=str))
    jsonschema_rs.validate(schema, example)
    example["goods"][0]["packing"] = "carton"
    assert not jsonschema_rs.is_valid(schema, example)
    assert shomei("cert", "schema", "--type", "coo").exit_code == 7
    for kind in ("invoice", "signature"):
        assert "properties" in json.loads(ok(shomei("cert", "schema", "--type", kind)).stdout)
