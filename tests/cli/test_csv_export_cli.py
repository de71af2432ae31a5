"""`cert list --csv` with a signer name an administrator set to a formula; `--excel` for Japanese Excel."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.cli.conftest import Shomei
from tests.cli.test_cert_cli import company, ok, quick, workdir  # noqa: F401  (fixtures)

FORMULA = '=HYPERLINK("http://evil.example/","x")'


def test_a_formula_in_a_name_is_text_in_the_csv_and_excel_gets_a_bom_and_crlf(
    company: dict[str, Shomei], workdir: Path
) -> None:
    ok(company["admin"]("signer", "update", "SG000001", "--name", FORMULA))
    ok(company["sub"]("cert", "apply", "--type", "co", "--file", "shipment.toml"))
    plain = ok(company["signer"]("cert", "list", "--csv")).stdout
    (row,) = list(csv.DictReader(io.StringIO(plain)))
    assert row["signer"] == "'" + FORMULA
    assert not plain.startswith("\ufeff")
    excel = ok(company["signer"]("cert", "list", "--csv", "--excel")).stdout_bytes
    assert excel.startswith("\ufeffreference,".encode())
    assert excel.count(b"\r\n") == 2  # the header and the one row
    assert excel.count(b"\n") == 2
    refused = company["signer"]("cert", "list", "--excel")
    assert (refused.exit_code, "--excel goes with --csv" in refused.stderr) == (2, True)
