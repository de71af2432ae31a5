"""Rendering: one JSON document on stdout under --json, rich tables or key/value lines otherwise,
and human messages on stderr. Every command renders through here."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

# Instants are shown in the chamber's zone: Asia/Tokyo, whatever the machine's own zone is.
DISPLAY_ZONE_NAME = "Asia/Tokyo"


def display_zone() -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(DISPLAY_ZONE_NAME)


def message(text: str) -> None:
    """A message for people: always stderr, so that stdout stays data."""
    print(text, file=sys.stderr)


def emit_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def emit_record(record: Any) -> None:
    from shomei_cli.domain.records import to_dict

    emit_json(to_dict(record))


def emit_records(records: Sequence[Any]) -> None:
    from shomei_cli.domain.records import to_dict

    emit_json([to_dict(r) for r in records])


def show_time(value: datetime | None) -> str:
    """An instant in the chamber's zone, to the second."""
    if value is None:
        return ""
    return value.astimezone(display_zone()).strftime("%Y-%m-%d %H:%M:%S %Z")


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: two for each wide (e.g. Japanese) character."""
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(c) in ("W", "F") else 1 for c in text)


def emit_fields(pairs: Sequence[tuple[str, object]]) -> None:
    """Key/value lines, the keys aligned (Japanese labels too: by columns, not characters)."""
    width = max((display_width(k) for k, _value in pairs), default=0)
    for key, value in pairs:
        padding = " " * (width - display_width(key))
        print(f"{key}{padding}  {'' if value is None else value}")


def emit_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    if sys.stdout.isatty():
        Console(soft_wrap=True).print(table)
        return
    # into a pipe or a file: whole lines, however wide (a path or a name is never folded), no padding at
    # their ends, no styling
    console = Console(width=100_000, no_color=True, highlight=False)
    with console.capture() as captured:
        console.print(table)
    for line in captured.get().splitlines():
        print(line.rstrip())
