"""A certificate of origin through a real server: `shomei serve` on PostgreSQL, the `shomei` command in
subprocesses (each person with their own SHOMEI_HOME), exact outputs and exit codes at every step.

The company is onboarded through the CLI as in test_company_flow.py (staff issue
docs/examples/registrations.csv, the administrator of 1301000001 adds the signer 大阪 正人, staff approve it,
its 署名登録証 issues U000001). Then the signer applies with docs/examples/shipment.toml (as a .json file of
the same form; the TOML file itself is applied in a test of its own), staff approve it from the review
queue and top up the company's balance,
the signer pays (which issues the certificate), prints it and its receipt, and anyone, never logged in,
verifies it by number and access code, on the CLI and on the public page its QR code opens.
A wrong access code answers exactly as an unknown number does (exit 5).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pypdf import PdfReader

from shomei_cli.domain.applications import ACCESS_CODE_ALPHABET, ACCESS_CODE_LENGTH, TRANSITIONS, Status
from tests.e2e.conftest import CHAMBER_NAME, FIRST_STAFF_ID, Cli, Server, describe

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
TOKYO = ZoneInfo("Asia/Tokyo")
FIRST = "1301000001"
FIRST_ADMIN = f"A{FIRST}"
FIRST_COMPANY = "日商テスト商事株式会社"
USER_ID = "U000001"
RECEPTION = "1301-00000001"

SUBMITTED = (
    "reference         AP0000001\n"
    f"reception number  {RECEPTION}\n"
    "type              co\n"
    "status            submitted\n"
    "destination       US\n"
    "copies            1\n"
    "signer            大阪 正人\n"
    f"applicant         {USER_ID}\n"
    "fee               \n"
    "certificate       \n"
    "access code       \n"
    "printable until   \n"
)
INSUFFICIENT = (
    "Error: The prepaid balance (¥0) is less than the fee (¥1,360): ask the chamber to top it up, or pay "
    "by bank transfer or at the counter, which the chamber records\n"
)
ADMIN_NEVER_APPLIES = (
    "Error: An administrator ID can never apply for certificates: this is a rule of the system. Log in "
    "with a signer's user ID or a sub ID to apply.\n"
)
# what an issued application allows, as the lifecycle table says (the chamber's revocation, lately added)
ISSUED_ALLOWS = ", ".join(sorted(step.value for (s, step) in TRANSITIONS if s is Status.ISSUED)) or (
    "nothing more"
)


def tokyo_today() -> date:
    return datetime.now(TOKYO).date()


def without(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in keys}


def pdf_pages(path: Path) -> list[str]:
    """The text of every page (pypdf reads the embedded Japanese font's text with NULs between characters)."""
    return [page.extract_text() for page in PdfReader(path).pages]


def expect(result: Any, code: int, stdout: str, stderr: str) -> None:
    assert (result.returncode, result.stdout, result.stderr) == (code, stdout, stderr), describe(result)


def shipment_json(directory: Path) -> Path:
    """docs/examples/shipment.toml as the same form in a .json file (TOML dates as ISO strings)."""
    form = tomllib.loads((EXAMPLES / "shipment.toml").read_text(encoding="utf-8"))
    path = directory / "shipment.json"
    path.write_text(json.dumps(form, default=date.isoformat, ensure_ascii=False), encoding="utf-8")
    return path


def onboard(
    chamber: dict[str, Any], new_cli: Callable[[str | None], Cli], server: Server, tmp_path: Path
) -> Any:
    """Staff S00001, the administrator A1301000001 and the signer U000001, each logged in through the CLI with
    its password changed; returns the three `shomei` users."""
    staff, admin, signer = (new_cli(server.endpoint) for _ in range(3))
    staff.activate(FIRST_STAFF_ID, chamber["staff"]["initial_password"])
    rows = staff.json(
        "admin",
        "issue",
        "--csv",
        str(EXAMPLES / "registrations.csv"),
        "--out",
        str(tmp_path / "cards"),
        "--json",
    )
    admin.activate(FIRST_ADMIN, next(r["password"] for r in rows if r["registration_number"] == FIRST))
    added = admin.json(
        "signer",
        "add",
        "--name",
        "大阪 正人",
        "--name-en",
        "Osaka Masahito",
        "--title",
        "代表取締役",
        "--title-en",
        "President",
        "--signature",
        str(EXAMPLES / "signatures" / "osaka.png"),
        "--json",
    )
    assert (added["reference"], added["status"]) == ("SG000001", "pending")
    staff.ok("chamber", "review", "approve", "SG000001")
    card = admin.json("signer", "card", "SG000001", "-o", str(tmp_path / "signer-card.pdf"), "--json")
    assert card["user_id"] == USER_ID
    signer.activate(USER_ID, card["password"])
    return staff, admin, signer


def test_a_certificate_of_origin_applied_approved_paid_printed_and_verified_through_a_real_server(
    server: Server, chamber: dict[str, Any], new_cli: Callable[[str | None], Cli], tmp_path: Path
) -> None:
    staff, admin, signer = onboard(chamber, new_cli, server, tmp_path)
    anyone = new_cli(server.endpoint)  # never logs in
    verify_url = f"{server.endpoint}/verify"
    expect(
        staff.run("chamber", "settings", "--verification-url", verify_url),
        0,
        f"verification url  {verify_url}\n",
        "",
    )

    # -- the signer applies; an administrator ID never can ------------------------------------------------
    shipment = shipment_json(tmp_path)
    expect(
        signer.run("cert", "apply", "--type", "co", "--file", str(shipment)),
        0,
        SUBMITTED,
        f"Submitted: reception number {RECEPTION}.\n",
    )
    expect(admin.run("cert", "apply", "--type", "co", "--file", str(shipment)), 4, "", ADMIN_NEVER_APPLIES)

    # -- staff find it in the review queue and approve it: the fee is fixed (a member: ¥1,260 + ¥100) -------
    queue = staff.json("chamber", "review", "list", "--kind", "application", "--json")
    assert [without(q, "submitted_at", "waited_seconds") for q in queue] == [
        {
            "reference": RECEPTION,
            "kind": "application",
            "status": "pending",
            "registration_number": FIRST,
            "company_name": FIRST_COMPANY,
            "summary": "application AP0000001",
            "payload": {"application": "AP0000001"},
            "reason": None,
            "submitted_by": USER_ID,
            "decided_at": None,
            "decided_by": None,
        }
    ]
    expect(
        staff.run("chamber", "review", "approve", RECEPTION),
        0,
        "",
        f"{RECEPTION} (application, {FIRST_COMPANY}): approved.\n",
    )
    approved = signer.json("cert", "show", RECEPTION, "--json")["summary"]
    assert (approved["status"], approved["fee"]) == ("approved", 1360)

    # -- nothing to pay with until staff top up the prepaid balance -----------------------------------------
    expect(signer.run("cert", "pay", RECEPTION), 6, "", INSUFFICIENT)
    expect(staff.run("chamber", "topup", FIRST, "5000"), 0, "", f"Balance of {FIRST}: ¥5,000.\n")
    expect(signer.run("cert", "balance"), 0, "¥5,000\n", "")

    # -- paying issues the certificate: its number (the year of issue in Tokyo) and access code ------------
    years = {tokyo_today().year}
    paid = signer.run("cert", "pay", RECEPTION)
    years.add(tokyo_today().year)
    assert paid.returncode == 0, describe(paid)
    found = re.search(r"^access code  (\S+)$", paid.stdout, re.MULTILINE)
    assert found is not None, describe(paid)
    code = found[1]
    assert len(code) == ACCESS_CODE_LENGTH and set(code) <= set(ACCESS_CODE_ALPHABET), code
    number = next(f"1301-{y}-0000001" for y in sorted(years) if f"1301-{y}-0000001" in paid.stdout)
    expect(
        paid,
        0,
        "receipt      RC1301-0000001\n"
        "amount       ¥1,360\n"
        "method       prepaid\n"
        f"certificate  {number}\n"
        f"access code  {code}\n"
        "balance      ¥3,640\n",
        "Issued: print it with `shomei cert print AP0000001 -o certificate.pdf`.\n",
    )
    expect(signer.run("cert", "balance"), 0, "¥3,640\n", "")
    expect(
        signer.run("cert", "pay", RECEPTION),
        6,
        "",
        f"Error: Application AP0000001 is issued: it cannot pay (it allows: {ISSUED_ALLOWS}).\n",
    )
    issued = signer.json("cert", "list", "--json")
    assert [(a["reference"], a["status"], a["fee"], a["certificate_number"]) for a in issued] == [
        ("AP0000001", "issued", 1360, number)
    ]

    # -- printed on the client's side: the ORIGINAL and one COPY; then the receipt -------------------------
    certificate = tmp_path / "out" / "certificate.pdf"
    certificate.parent.mkdir()
    expect(
        signer.run("cert", "print", RECEPTION, "-o", str(certificate)),
        0,
        "",
        f"Wrote {certificate}: certificate {number} (print 1).\n",
    )
    pages = pdf_pages(certificate)
    assert [page.split("\n", 1)[0] for page in pages] == ["ORIGINAL", "COPY"]
    url = f"{verify_url}?n={number}&c={code}"
    for page in pages:
        for expected in (f"Certificate No. {number}", f"Access code {code}", f"Verify: {url}"):
            assert expected in page, (expected, page)
    receipt = tmp_path / "out" / "receipt.pdf"
    expect(
        signer.run("cert", "receipt", "AP0000001", "-o", str(receipt)),
        0,
        "",
        f"Wrote {receipt}: receipt RC1301-0000001.\n",
    )
    (text,) = pdf_pages(receipt)
    for expected in ("No. RC1301-0000001", f"{FIRST_COMPANY} 様", "¥1,360-", RECEPTION, number):
        assert expected in text, (expected, text)
    assert signer.json("cert", "show", "AP0000001", "--json")["print_count"] == 1

    # -- anyone verifies it, without logging in -------------------------------------------------------------
    issued_on = signer.json("cert", "show", "AP0000001", "--json")["summary"]["issued_at"]
    day = datetime.fromisoformat(issued_on).astimezone(TOKYO).date().isoformat()
    expect(
        anyone.run("cert", "verify", number, "--code", code.lower()),
        0,
        "status       genuine\n"
        f"certificate  {number}\n"
        f"chamber      {CHAMBER_NAME}\n"
        f"issued on    {day}\n"
        "exporter     Nissho Test Co., Ltd.\n"
        "consignee    ACME Pumps Inc.\n"
        "destination  US\n"
        "goods        Centrifugal pumps (120 pcs); Parts of pumps (350.5 kg)\n",
        "",
    )
    assert not anyone.token_file.exists()
    # the public page the QR code opens says the same
    page = httpx.get(url, timeout=10.0)
    assert page.status_code == 200
    for expected in (
        "This certificate is genuine.",
        f"<dd>{number}</dd>",
        "<li>Centrifugal pumps (120 pcs)</li>",
    ):
        assert expected in page.text, (expected, page.text)

    # a wrong access code answers exactly as a number that does not exist
    wrong = "A" * ACCESS_CODE_LENGTH if code != "A" * ACCESS_CODE_LENGTH else "B" * ACCESS_CODE_LENGTH
    unknown = f"{number[:-7]}0009999"
    expect(
        anyone.run("cert", "verify", number, "--code", wrong),
        5,
        "",
        f"No certificate {number} with that access code.\n",
    )
    expect(
        anyone.run("cert", "verify", unknown, "--code", code),
        5,
        "",
        f"No certificate {unknown} with that access code.\n",
    )
    answers = [
        json.loads(anyone.run("cert", "verify", n, "--code", c, "--json").stdout)
        for n, c in ((number, wrong), (unknown, code))
    ]
    nothing = {
        "status": "not_found",
        "type": None,
        "chamber": None,
        "issued_on": None,
        "cancelled_on": None,
        "exporter": None,
        "consignee": None,
        "destination_country": None,
        "goods": [],
    }
    assert answers == [{**nothing, "certificate_number": number}, {**nothing, "certificate_number": unknown}]

    assert server.server_errors() == []


def test_the_documented_toml_example_applies_through_a_real_server(
    server: Server, chamber: dict[str, Any], new_cli: Callable[[str | None], Cli], tmp_path: Path
) -> None:
    _, _, signer = onboard(chamber, new_cli, server, tmp_path)
    expect(
        signer.run("cert", "apply", "--type", "co", "--file", str(EXAMPLES / "shipment.toml")),
        0,
        SUBMITTED,
        f"Submitted: reception number {RECEPTION}.\n",
    )
