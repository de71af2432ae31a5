"""CSV that is safe to open in a spreadsheet: the one place every export's cells pass through.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and
LibreOffice (OWASP, "CSV Injection"): such a cell gets a leading ``'``, which the spreadsheet shows as text
and does not keep. Numbers are written as numbers (a negative amount stays a number). For Japanese Excel the
file is UTF-8 with a byte-order mark and CRLF line ends (``excel=True``); otherwise plain UTF-8 lines.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will read it: text that would start a formula is prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_rows(
    out: TextIO, names: Sequence[str], batches: Iterable[Iterable[dict[str, Any]]], *, excel: bool
) -> None:
    """A header and every row of every batch, each cell made safe; ``excel``: BOM and CRLF."""
    if excel:
        out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=list(names), lineterminator="\r\n" if excel else "\n")
    writer.writeheader()
    for batch in batches:
        writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in batch)
