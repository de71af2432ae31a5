"""`shomei cert print` and `cert receipt` for one or many applications: one file per document, named after
its number, never replacing a file without --force (the set-up is tests/cli/test_cert_cli.py's)."""

from __future__ import annotations

from pathlib import Path

import pypdf

from tests.cli.conftest import Shomei
from tests.cli.test_cert_cli import company, issue, ok, quick, workdir

__all__ = ["company", "quick", "workdir"]  # the fixtures, used by name

FIRST, SECOND = "1301-2026-0000001", "1301-2026-0000002"


def print_count(sub: Shomei, ref: str) -> int:
    count: int = ok(sub("cert", "show", ref, "--json")).json()["print_count"]
    return count


def test_print_names_each_file_after_its_certificate_and_never_replaces_one(
    company: dict[str, Shomei], workdir: Path
) -> None:
    sub = company["sub"]
    for ref in ("AP0000001", "AP0000002"):
        ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
        issue(company, ref)

    printed = ok(sub("cert", "print", "AP0000001"))
    assert printed.stderr == f"Wrote {FIRST}.pdf: certificate {FIRST} (print 1).\n"
    first = (workdir / f"{FIRST}.pdf").read_bytes()
    assert len(pypdf.PdfReader(workdir / f"{FIRST}.pdf").pages) == 2

    # again: refused before anything is printed; the file and the print count stay as they were
    again = sub("cert", "print", "1301-00000001")
    assert (again.exit_code, again.stdout) == (6, "")
    assert again.stderr == f"Error: {FIRST}.pdf already exists; give --force to replace it.\n"
    assert (workdir / f"{FIRST}.pdf").read_bytes() == first
    assert print_count(sub, "AP0000001") == 1

    forced = ok(sub("cert", "print", "AP0000001", "--force"))
    assert forced.stderr == f"Wrote {FIRST}.pdf: certificate {FIRST} (print 2).\n"
    assert print_count(sub, "AP0000001") == 2

    # many at once, into a directory made for them, in the order named
    batch = ok(sub("cert", "print", "AP0000002", "AP0000001", "--out", "prints"))
    assert batch.stderr == (
        f"Wrote {Path('prints') / SECOND}.pdf: certificate {SECOND} (print 1).\n"
        f"Wrote {Path('prints') / FIRST}.pdf: certificate {FIRST} (print 3).\n"
    )
    assert sorted(p.name for p in (workdir / "prints").iterdir()) == [f"{FIRST}.pdf", f"{SECOND}.pdf"]
    for number in (FIRST, SECOND):
        reader = pypdf.PdfReader(workdir / "prints" / f"{number}.pdf")
        pages = [p.extract_text().replace("\x00", "") for p in reader.pages]
        assert [p.split("\n", 1)[0] for p in pages] == ["ORIGINAL", "COPY"]
        assert all(f"Certificate No. {number}" in p for p in pages)

    # one file that exists refuses the whole batch before anything is printed
    (workdir / "prints" / f"{FIRST}.pdf").unlink()
    refused = sub("cert", "print", "AP0000001", "AP0000002", "--out", "prints")
    assert refused.exit_code == 6
    assert refused.stderr == (
        f"Error: {Path('prints') / SECOND}.pdf already exists; give --force to replace it.\n"
    )
    assert not (workdir / "prints" / f"{FIRST}.pdf").exists()
    assert [print_count(sub, ref) for ref in ("AP0000001", "AP0000002")] == [3, 1]

    # -o names one file, and is also never replaced without --force
    (workdir / "mine.pdf").write_bytes(b"mine")
    taken = sub("cert", "print", "AP0000002", "-o", "mine.pdf")
    assert (taken.exit_code, taken.stderr) == (
        6,
        "Error: mine.pdf already exists; give --force to replace it.\n",
    )
    assert (workdir / "mine.pdf").read_bytes() == b"mine"
    ok(sub("cert", "print", "AP0000002", "-o", "mine.pdf", "--force"))
    assert (workdir / "mine.pdf").read_bytes().startswith(b"%PDF-")
    assert print_count(sub, "AP0000002") == 2

    for args in (("AP0000001", "AP0000002", "-o", "two.pdf"), ("AP0000001", "-o", "x.pdf", "--out", "d")):
        usage = sub("cert", "print", *args)
        assert usage.exit_code == 2, usage.stderr
    assert not (workdir / "two.pdf").exists() and not (workdir / "x.pdf").exists()
    assert [print_count(sub, ref) for ref in ("AP0000001", "AP0000002")] == [3, 2]


def test_receipts_are_named_after_their_numbers_and_never_replace_a_file(
    company: dict[str, Shomei], workdir: Path
) -> None:
    sub = company["sub"]
    for ref in ("AP0000001", "AP0000002"):
        ok(sub("cert", "apply", "--type", "co", "--file", "shipment.toml"))
        issue(company, ref)

    written = ok(sub("cert", "receipt", "AP0000002", "AP0000001", "--out", "receipts"))
    assert written.stderr == (
        f"Wrote {Path('receipts') / 'RC1301-0000002'}.pdf: receipt RC1301-0000002.\n"
        f"Wrote {Path('receipts') / 'RC1301-0000001'}.pdf: receipt RC1301-0000001.\n"
    )
    text = pypdf.PdfReader(workdir / "receipts" / "RC1301-0000002.pdf").pages[0].extract_text()
    assert "No. RC1301-0000002" in text.replace("\x00", "")

    before = (workdir / "receipts" / "RC1301-0000001.pdf").read_bytes()
    (workdir / "receipts" / "RC1301-0000001.pdf").write_bytes(b"kept")
    again = sub("cert", "receipt", "AP0000001", "--out", "receipts")
    assert again.exit_code == 6
    assert again.stderr == (
        f"Error: {Path('receipts') / 'RC1301-0000001'}.pdf already exists; give --force to replace it.\n"
    )
    assert (workdir / "receipts" / "RC1301-0000001.pdf").read_bytes() == b"kept"
    ok(sub("cert", "receipt", "AP0000001", "--out", "receipts", "--force"))
    assert (workdir / "receipts" / "RC1301-0000001.pdf").read_bytes()[:5] == before[:5] == b"%PDF-"

    here = ok(sub("cert", "receipt", "AP0000001"))
    assert here.stderr == "Wrote RC1301-0000001.pdf: receipt RC1301-0000001.\n"
