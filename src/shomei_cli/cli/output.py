"""Rendering: one JSON document on stdout under --json, rich tables or key/value lines otherwise,
and human messages on stderr. Every command renders through here."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shomei_cli.domain.clock import DEFAULT_TIME_ZONE
from shomei_cli.domain.records import to_dict

DISPLAY_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)


def message(text: str) -> None:
    """A message for people: always stderr, so that stdout stays data."""
    print(text, file=sys.stderr)


def emit_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def emit_record(record: Any) -> None:
    emit_json(to_dict(record))


def emit_records(records: Sequence[Any]) -> None:
    emit_json([to_dict(r) for r in records])


def show_time(value: datetime | None) -> str:
    """Instants are shown in the chamber's zone (JST by default), to the second."""
    if value is None:
        return ""
    return value.astimezone(DISPLAY_ZONE).strftime("%Y-%m-%d %H:%M:%S %Z")


def emit_fields(pairs: Sequence[tuple[str, object]]) -> None:
    """Key/value lines, the keys aligned."""
    width = max((len(k) for k, _ in pairs), default=0)
    for key, value in pairs:
        print(f"{key:<{width}}  {'' if value is None else value}")


def emit_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, box=None, header_style="bold", pad_edge=False)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    Console(soft_wrap=True).print(table)
