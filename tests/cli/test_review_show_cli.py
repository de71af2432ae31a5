"""`shomei chamber review show` and `review list --company --older-than` as staff type them: the files
written where they can be opened, the same described by --json, a wait in words."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from shomei_cli.cli.chamber import waited
from shomei_cli.domain.clock import FixedClock
from tests.cli.conftest import Shomei
from tests.cli.test_cert_cli import company, ok, quick, workdir  # noqa: F401  (fixtures)
from tests.helpers import TEST_PASSWORD


def test_staff_see_an_application_and_its_files(company: dict[str, Shomei], workdir: Path) -> None:
    staff, sub = company["staff"], company["sub"]
    ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    shown = ok(staff("chamber", "review", "show", "1301-00000001"))
    fields = [line.split(maxsplit=1) for line in shown.stdout.split("\n\n")[0].splitlines()]
    assert fields[:3] == [["reference", "1301-00000001"], ["kind", "application"], ["status", "pending"]]
    assert ["form.invoice.number", "NT-2026-1120"] in fields
    assert ["attachment.sha256", "-"] in fields
    directory = workdir / "review-1301-00000001"
    assert sorted(p.name for p in directory.iterdir()) == ["form.json", "form.toml", "preview.pdf"]
    preview = (directory / "preview.pdf").read_bytes()
    assert (
        f"review-1301-00000001/preview.pdf  {len(preview)}  {hashlib.sha256(preview).hexdigest()}"
        in shown.stdout
    )
    described = ok(staff("chamber", "review", "show", "1301-00000001", "--out", "desk", "--json")).json()
    assert [f["name"] for f in described["files"]] == ["form.json", "form.toml", "preview.pdf"]
    assert described["files"][2]["path"] == "desk/preview.pdf"
    assert (
        described["files"][2]["sha256"]
        == hashlib.sha256((workdir / "desk" / "preview.pdf").read_bytes()).hexdigest()
    )
    assert described["entry"]["reference"] == "1301-00000001"
    assert described["changes"] == []
    refused = sub("chamber", "review", "show", "1301-00000001")
    assert refused.exit_code == 4
    assert not (workdir / "review-1301-00000001" / "x").exists()


def test_a_return_and_a_resubmission_show_what_changed(company: dict[str, Shomei], workdir: Path) -> None:
    staff, sub = company["staff"], company["sub"]
    ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    ok(staff("chamber", "review", "return", "1301-00000001", "--reason", "インボイス番号が一致しません"))
    text = (workdir / "shipment.toml").read_text(encoding="utf-8").replace("NT-2026-1120", "NT-2026-1121")
    (workdir / "shipment.toml").write_text(text, encoding="utf-8")
    ok(sub("cert", "amend", "AP0000001", "--file", "shipment.toml"))
    ok(sub("cert", "submit", "AP0000001"))
    shown = ok(staff("chamber", "review", "show", "1301-00000001"))
    assert shown.stderr == "Returned 2026-11-27 10:00:00 JST: インボイス番号が一致しません\n"
    assert "form.invoice.number       NT-2026-1120  NT-2026-1121" in shown.stdout


def test_the_list_says_how_long_each_item_waited_and_filters(
    company: dict[str, Shomei], shomei: Shomei, clock: FixedClock
) -> None:
    sub = company["sub"]
    ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    clock.advance(timedelta(hours=26, minutes=5))
    ok(shomei("login", "--chamber", "1301", "--id", "S00001", "--password-stdin", input=TEST_PASSWORD + "\n"))
    listed = ok(shomei("chamber", "review", "list", "--kind", "application"))
    assert listed.stdout.splitlines()[1].endswith("1 d 2 h")
    aged = ok(
        shomei("chamber", "review", "list", "--company", "1301000001", "--older-than", "26", "--json")
    ).json()
    assert [(i["reference"], i["waited_seconds"]) for i in aged] == [("1301-00000001", 26 * 3600 + 300)]
    assert ok(shomei("chamber", "review", "list", "--older-than", "27", "--json")).json() == []
    unknown = shomei("chamber", "review", "list", "--company", "1301999999")
    assert unknown.exit_code == 5


@pytest.mark.parametrize(
    ("seconds", "words"), [(0, "0 min"), (59 * 60, "59 min"), (3600, "1 h 0 min"), (86400 + 7200, "1 d 2 h")]
)
def test_a_wait_reads_in_words(seconds: int, words: str) -> None:
    assert waited(seconds) == words


def test_open_hands_every_file_to_the_systems_viewer(
    company: dict[str, Shomei], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("typer.launch", lambda path, **_: opened.append(path) or 0)
    ok(company["sub"]("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    ok(company["staff"]("chamber", "review", "show", "1301-00000001", "--open", "--out", "desk"))
    assert opened == ["desk/form.json", "desk/form.toml", "desk/preview.pdf"]
