"""Options shared by many commands, defined once."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

JSON_META_KEY = "shomei_json"


def new_group(help: str) -> typer.Typer:
    """Every group is made here: plain help (no rich rendering, which would triple start-up time)."""
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)


def _remember_json(ctx: typer.Context, value: bool) -> bool:
    # Recorded on the shared meta so that errors, too, come out as JSON.
    ctx.meta[JSON_META_KEY] = value
    return value


JsonOption = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print exactly one JSON document on stdout (stable keys); messages stay on stderr.",
        callback=_remember_json,
        is_eager=True,
    ),
]

PasswordStdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of standard input."),
]


def read_stdin_lines(count: int, names: list[str]) -> list[str]:
    """Read ``count`` lines from stdin (without their line ends); name the missing one if short."""
    lines: list[str] = []
    for index in range(count):
        line = sys.stdin.readline()
        if not line:
            from shomei_cli.domain.errors import InvalidInput

            raise InvalidInput.single(names[index], "missing from standard input")
        lines.append(line.rstrip("\r\n"))
    return lines


def prompt_secret(label: str, *, confirm: bool = False) -> str:
    value: str = typer.prompt(label, hide_input=True, confirmation_prompt=confirm, err=True)
    return value
