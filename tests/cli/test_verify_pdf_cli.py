"""`shomei cert verify --pdf`, `chamber kit`, `chamber keys`, `chamber timestamp`, `cert schema --issued`,
as a user types them: the exit codes scripts depend on (0 genuine, 10 modified, 11 unknown issuer, 12
unsigned, 6 cancelled online, 7 a bad file, 2 usage); a kit checks a file with no store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fpdf import FPDF

from shomei_cli.documents.issued import SCHEMA_ID
from shomei_cli.domain.clock import FixedClock
from shomei_cli.signing import pki
from tests.cli.conftest import Shomei
from tests.cli.test_cert_cli import company, issue, ok, quick, workdir  # noqa: F401  (fixtures)
from tests.signing_pki import (
    TimestampAuthority,
    append_after_signing,
    flip_signed_byte,
    own_ca,
    public_ca_pkcs12,
)


@pytest.fixture
def printed(company: dict[str, Shomei], workdir: Path) -> Path:
    """Certificate 1301-2026-0000001 issued and printed to co.pdf by the sub ID."""
    ok(company["sub"]("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    issue(company)
    ok(company["sub"]("cert", "print", "AP0000001", "-o", "co.pdf"))
    return workdir / "co.pdf"


def test_a_printed_certificate_verifies_genuine_from_the_store_and_offline_from_a_kit(
    shomei: Shomei, company: dict[str, Shomei], printed: Path, workdir: Path
) -> None:
    checked = ok(shomei("cert", "verify", "--pdf", str(printed), "--json")).json()
    assert (checked["verdict"], checked["online_status"]) == ("genuine", "genuine")
    assert checked["data"]["certificate_number"] == "1301-2026-0000001"
    assert checked["data"]["schema"] == SCHEMA_ID
    human = ok(shomei("cert", "verify", "--pdf", str(printed)))
    assert human.stdout.splitlines()[:3] == [
        "verdict        genuine",
        "reason         Signed by the chamber and unchanged since.",
        "online status  genuine",
    ]
    assert "certificate    1301-2026-0000001" in human.stdout
    assert human.stderr == "All the signed data: --json (its schema: shomei cert schema --issued).\n"

    exported = ok(shomei("chamber", "kit", "-o", "kit", "--json")).json()
    assert exported["files"] == ["kit.json", "root-1.pem"]
    assert exported["roots"] == [checked["root_sha256"]]
    # no store at all: the kit alone
    alone = shomei(
        "cert", "verify", "--pdf", str(printed), "--trust", "kit", "--offline", "--json", database_url=None
    )
    assert alone.exit_code == 0, alone.stderr
    assert (alone.json()["verdict"], alone.json()["online_status"]) == ("genuine", None)
    assert alone.json()["data"] == checked["data"]
    by_root = ok(shomei("cert", "verify", "--pdf", str(printed), "--trust", "kit/root-1.pem", "--offline"))
    assert by_root.stdout.startswith("verdict       genuine\n")
    again = shomei("chamber", "kit", "-o", "kit")
    assert again.exit_code == 6
    assert "--force" in again.stderr


def test_modified_unknown_issuer_and_unsigned_exit_10_11_12(
    shomei: Shomei, printed: Path, workdir: Path
) -> None:
    (workdir / "changed.pdf").write_bytes(flip_signed_byte(printed.read_bytes()))
    (workdir / "added.pdf").write_bytes(append_after_signing(printed.read_bytes()))
    blank = FPDF()
    blank.add_page()
    (workdir / "blank.pdf").write_bytes(bytes(blank.output()))
    for name, code, verdict in (
        ("changed.pdf", 10, "modified"),
        ("added.pdf", 10, "modified"),
        ("blank.pdf", 12, "unsigned"),
    ):
        result = shomei("cert", "verify", "--pdf", name, "--json")
        assert (result.exit_code, result.json()["verdict"], result.json()["data"]) == (code, verdict, None)
    stranger = workdir / "stranger.pem"
    stranger.write_text(pki.pem(own_ca("Other Chamber").root))
    foreign = shomei("cert", "verify", "--pdf", str(printed), "--trust", str(stranger), "--offline")
    assert foreign.exit_code == 11
    assert foreign.stdout.startswith("verdict    unknown_issuer\n")


def test_a_cancelled_certificate_exits_6_online_and_0_offline(
    shomei: Shomei, company: dict[str, Shomei], printed: Path
) -> None:
    ok(company["staff"]("chamber", "kit", "-o", "kit"))
    ok(company["staff"]("chamber", "revoke", "1301-2026-0000001", "--reason", "wrong consignee", "--yes"))
    online = shomei("cert", "verify", "--pdf", str(printed), "--json")
    assert (online.exit_code, online.json()["verdict"], online.json()["online_status"]) == (
        6,
        "genuine",
        "cancelled",
    )
    assert online.json()["cancelled_on"] is not None
    offline = shomei("cert", "verify", "--pdf", str(printed), "--trust", "kit", "--offline", "--json")
    assert (offline.exit_code, offline.json()["online_status"]) == (0, None)
    # with a kit and without --offline the status is asked for as well
    both = shomei("cert", "verify", "--pdf", str(printed), "--trust", "kit", "--json")
    assert (both.exit_code, both.json()["online_status"]) == (6, "cancelled")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("cert", "verify", "--pdf", "missing.pdf"), 7, "missing.pdf"),
        (("cert", "verify", "--pdf", "shipment.toml"), 7, "pdf: is not a PDF file"),
        (
            ("cert", "verify", "--pdf", "co.pdf", "--trust", "shipment.toml"),
            7,
            "is neither a verification kit",
        ),
        (("cert", "verify", "--pdf", "co.pdf", "--offline"), 2, "--offline needs a verification kit"),
        (
            ("cert", "verify", "1301-2026-0000001", "--pdf", "co.pdf"),
            2,
            "give either NUMBER and --code, or --pdf",
        ),
        (("cert", "verify"), 2, "name the certificate NUMBER and its --code"),
        (("cert", "schema"), 2, "give exactly one of --type and --issued"),
    ],
)
def test_bad_files_and_options_are_refused(
    shomei: Shomei, printed: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    result = shomei(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""


def test_the_issued_schema_is_printed(shomei: Shomei) -> None:
    schema = ok(shomei("cert", "schema", "--issued")).json()
    assert schema["$id"] == SCHEMA_ID
    assert [variant["properties"]["document"]["const"] for variant in schema["oneOf"]] == [
        "certificate",
        "receipt",
    ]


def test_staff_rotate_and_import_keys_and_set_a_timestamp_authority(
    company: dict[str, Shomei], printed: Path, workdir: Path, clock: FixedClock
) -> None:
    staff = company["staff"]
    shown = ok(staff("chamber", "keys", "show", "--json")).json()
    assert [(k["version"], k["in_force"], k["source"]) for k in shown] == [(1, True, "own")]
    rotated = ok(staff("chamber", "keys", "rotate"))
    assert rotated.stderr == "Signing key version 2 is in force.\n"
    p12, _root = public_ca_pkcs12(now=clock.now())
    (workdir / "chamber.p12").write_bytes(p12)
    imported = ok(
        staff(
            "chamber",
            "keys",
            "import",
            "--pkcs12",
            "chamber.p12",
            "--password-stdin",
            "--json",
            input="p12-secret\n",
        )
    )
    assert [(k["version"], k["source"], k["in_force"]) for k in imported.json()] == [
        (1, "own", False),
        (2, "own", False),
        (3, "imported", True),
    ]
    wrong = staff("chamber", "keys", "import", "--pkcs12", "chamber.p12", "--password-stdin", input="nope\n")
    assert wrong.exit_code == 7
    assert "pkcs12: is not a PKCS#12 file, or the password does not open it" in wrong.stderr
    assert "nope" not in wrong.stderr
    refused = company["signer"]("chamber", "keys", "rotate")
    assert refused.exit_code == 4

    authority = TimestampAuthority()
    (workdir / "tsa.pem").write_text(authority.root_pem)
    with authority.serving():
        ok(staff("chamber", "timestamp", "set", "--url", authority.url, "--root", "tsa.pem"))
        ok(company["sub"]("cert", "print", "AP0000001", "-o", "again.pdf"))
    ok(staff("chamber", "kit", "-o", "kit"))
    assert sorted(p.name for p in (workdir / "kit").iterdir()) == [
        "kit.json",
        "root-1.pem",
        "root-2.pem",
        "tsa-1.pem",
    ]
    checked = ok(
        staff("cert", "verify", "--pdf", "again.pdf", "--trust", "kit", "--offline", "--json")
    ).json()
    assert (checked["verdict"], checked["signer"], checked["timestamp_authority"]) == (
        "genuine",
        "Tokyo Chamber (public CA)",
        "Test Timestamp Unit",
    )
    cleared = ok(staff("chamber", "timestamp", "clear", "--json")).json()
    assert cleared == {"url": None, "root_sha256": []}
    kit = json.loads((workdir / "kit" / "kit.json").read_text())
    assert kit["chamber_code"] == "1301"
