"""The task guides (docs/guide-*.md) name only real commands and options.

Every `$ shomei …` line of their ```console blocks is parsed by the real click command tree, without
running it: an unknown command, an unknown option, a bad value or a missing required argument fails the test.
"""

from __future__ import annotations

import shlex
from functools import cache
from pathlib import Path

import pytest
import typer
import typer.core

# Typer (0.29+) parses with its own copy of click, as the CLI itself does (see shomei_cli.cli.main)
from typer._click import Command, Context
from typer._click.exceptions import NoSuchOption, UsageError

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ("guide-staff.md", "guide-admin.md", "guide-signer.md")

# shell operators that end one command of a line (`a && b`, `a | b`) and redirections (`> file`, `<<< text`)
SEPARATORS = {"&&", "||", ";", "|", "&"}
REDIRECTIONS = {">", ">>", "<", "<<<", ">|"}


def console_commands(text: str) -> list[tuple[int, str]]:
    """(line number, command line) of every `$ …` line in the ```console blocks, continuations joined."""
    found: list[tuple[int, str]] = []
    in_console = False
    pending: tuple[int, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_console = stripped == "```console"
            pending = None
            continue
        if not in_console:
            continue
        if pending is not None:
            start, so_far = pending
            so_far += " " + stripped
        elif line.startswith("$ "):
            start, so_far = number, line[2:].strip()
        else:
            continue
        if so_far.endswith("\\"):
            pending = (start, so_far[:-1].rstrip())
        else:
            pending = None
            found.append((start, so_far))
    return found


def shomei_invocations(command_line: str) -> list[list[str]]:
    """The arguments of every `shomei …` command on a shell line (pipes, `&&` and redirections cut off)."""
    lexer = shlex.shlex(command_line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    segments: list[list[str]] = [[]]
    skip_next = False
    for token in lexer:
        if skip_next:
            skip_next = False
        elif token in SEPARATORS:
            segments.append([])
        elif token in REDIRECTIONS:
            skip_next = True
        else:
            segments[-1].append(token)
    return [segment[1:] for segment in segments if segment and segment[0] == "shomei"]


def guide_lines() -> list[tuple[str, int, str]]:
    """(guide, line number, command line) of every console line that runs shomei."""
    lines = []
    for name in GUIDES:
        path = ROOT / "docs" / name
        if path.exists():
            text = path.read_text(encoding="utf-8")
            lines += [(name, n, line) for n, line in console_commands(text) if shomei_invocations(line)]
    return lines


@cache
def root_command() -> Command:
    from shomei_cli.cli.main import app

    return typer.main.get_command(app)


def remaining_args(context: Context) -> list[str]:
    """What a group left for its subcommand (click keeps the subcommand's name apart from `args`)."""
    return [*getattr(context, "_protected_args", []), *context.args]


def check_invocation(args: list[str]) -> str:
    """Parse `shomei ARGS` down to its leaf command; return the command's path. Raises UsageError."""
    command = root_command()
    context = command.make_context("shomei", list(args), resilient_parsing=False)
    path = ["shomei"]
    while isinstance(command, typer.core.TyperGroup):
        rest = remaining_args(context)
        if not rest:
            raise UsageError(f"`{' '.join(path)}` needs a subcommand", context)
        name, subcommand, rest = command.resolve_command(context, rest)
        assert name is not None and subcommand is not None
        path.append(name)
        command = subcommand
        context = command.make_context(name, rest, parent=context, resilient_parsing=False)
    return " ".join(path)


LINES = guide_lines()


@pytest.mark.parametrize("guide", GUIDES)
def test_each_guide_exists_and_shows_commands(guide: str) -> None:
    path = ROOT / "docs" / guide
    assert path.exists(), f"docs/{guide} is missing"
    text = path.read_text(encoding="utf-8")
    assert len([1 for g, _, _ in LINES if g == guide]) >= 10, f"docs/{guide} shows few `$ shomei` commands"
    assert "cli-reference.md" in text, f"docs/{guide} does not point at docs/cli-reference.md"
    for other in GUIDES:
        if other != guide:
            assert f"({other})" in text, f"docs/{guide} does not link to {other}"


@pytest.mark.parametrize(("guide", "number", "line"), LINES, ids=[f"{g}:{n}" for g, n, _ in LINES])
def test_every_command_in_the_guides_parses(guide: str, number: int, line: str) -> None:
    for args in shomei_invocations(line):
        try:
            check_invocation(args)
        except UsageError as error:  # NoSuchOption, BadParameter, MissingParameter are all UsageErrors
            pytest.fail(f"docs/{guide}:{number}: `{line}` is not a valid command: {error.format_message()}")


def test_the_parser_refuses_what_it_should() -> None:
    """The check itself: it knows real commands and options, and refuses made-up ones and missing values."""
    assert check_invocation(["--profile", "admin", "chamber", "review", "list", "--kind", "change"]) == (
        "shomei chamber review list"
    )
    assert check_invocation(["db", "upgrade"]) == "shomei db upgrade"
    with pytest.raises(NoSuchOption):
        check_invocation(["cert", "list", "--colour"])
    with pytest.raises(UsageError):
        check_invocation(["cert", "fly"])
    with pytest.raises(UsageError):  # a missing required option
        check_invocation(["chamber", "revoke", "1301-2026-0000001"])
    with pytest.raises(UsageError):  # a missing argument
        check_invocation(["chamber", "topup", "1301000001"])
    with pytest.raises(UsageError):  # a group without its subcommand
        check_invocation(["chamber", "review"])
    assert shomei_invocations("shomei cert pay X && shomei cert print X -o c.pdf | cat") == [
        ["cert", "pay", "X"],
        ["cert", "print", "X", "-o", "c.pdf"],
    ]
    assert shomei_invocations("shomei signer reset-password U1 --password-stdin <<< 'a b'") == [
        ["signer", "reset-password", "U1", "--password-stdin"]
    ]
