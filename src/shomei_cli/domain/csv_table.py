"""Reading a CSV file as people in Japanese offices save it: UTF-8 (with or without BOM) or Shift_JIS/CP932
from Excel, Japanese or English column names, every problem reported with its row and column."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.i18n import _

MAX_ROWS = 100_000


@dataclass(frozen=True)
class CsvRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else CP932 (Excel's Shift_JIS); strictly, so that nothing is mis-read."""
    if not data.strip():
        raise InvalidInput.single("file", _("is empty"))
    if b"\x00" in data[:4096]:
        raise InvalidInput.single("file", _("is not a CSV text file (it contains binary data)"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        bad = utf8_error.start
    if not any(byte >= 0x80 for byte in data[:bad]):
        # nothing but ASCII before the first non-UTF-8 byte: it may well be Shift_JIS
        try:
            return data.decode("cp932")
        except UnicodeDecodeError as cp932_error:
            bad = max(bad, cp932_error.start)
    # (valid UTF-8 text before the bad bytes: a UTF-8 file with a pasted foreign cell, never re-read as CP932)
    line = data[:bad].count(b"\n") + 1
    raise InvalidInput.single(
        "file",
        _(
            "is neither UTF-8 nor Shift_JIS (CP932): undecodable bytes at offset {offset} (line {line}); "
            "save it from Excel as 'CSV UTF-8' or 'CSV (comma delimited)'"
        ).format(offset=bad, line=line),
    )


def header_key(name: str) -> str:
    """Column names compare without regard to width, case, spaces or bracket style."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(c for c in folded if not c.isspace() and c not in "()[]_-")


def read_table(data: bytes, columns: Mapping[str, tuple[str, ...]], required: frozenset[str]) -> list[CsvRow]:
    """Parse ``data`` into rows keyed by field name.

    ``columns`` maps each field to the header names accepted for it (English and Japanese). A missing
    required column, an unknown or repeated one, a row with too many or too few cells: all are reported at
    once as InvalidInput.
    """
    text = decode(data)
    aliases = {header_key(alias): field for field, names in columns.items() for alias in (field, *names)}
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InvalidInput.single("file", _("has no header row")) from None
    errors: list[FieldError] = []
    fields: list[str] = []
    for position, name in enumerate(header, start=1):
        field = aliases.get(header_key(name))
        if field is None:
            shown = name.strip() or _("(empty, column {position})").format(position=position)
            errors.append(FieldError(shown, _("is not a known column"), 1))
        elif field in fields:
            errors.append(FieldError(name.strip(), _("appears twice"), 1))
        fields.append(field or "")
    for missing in sorted(required - set(fields)):
        errors.append(FieldError(missing, _("column is missing"), 1))
    if errors:
        raise InvalidInput.of(errors)
    rows: list[CsvRow] = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # blank lines (Excel leaves them at the end)
            if len(cells) != len(fields):
                errors.append(
                    FieldError(
                        "row",
                        _("has {cells} cells; the header has {columns}").format(
                            cells=len(cells), columns=len(fields)
                        ),
                        number,
                    )
                )
                continue
            rows.append(CsvRow(number, dict(zip(fields, cells, strict=True))))
            if len(rows) > MAX_ROWS:
                raise InvalidInput.single(
                    "file", _("has more than {maximum} rows; split it").format(maximum=MAX_ROWS)
                )
    except csv.Error as exc:
        errors.append(FieldError("file", _("is not valid CSV: {error}").format(error=exc), reader.line_num))
    if errors:
        raise InvalidInput.of(errors)
    if not rows:
        raise InvalidInput.single("file", _("has a header but no rows"))
    return rows
