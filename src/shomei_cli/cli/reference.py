"""The CLI reference in docs/, generated from the commands themselves so that it cannot drift.

``python -m shomei_cli.cli.reference > docs/cli-reference.md``;
tests/test_docs.py fails when the file is stale.
"""

from __future__ import annotations

from typing import Any

import typer

from shomei_cli.cli.main import app

WIDTH = 100


def _walk(command: Any, path: list[str], parent: Any) -> list[tuple[list[str], Any, Any]]:
    context = command.make_context(path[-1], [], parent=parent, resilient_parsing=True)
    found = [(path, command, context)]
    for name in getattr(command, "list_commands", lambda _ctx: [])(context):
        sub = command.get_command(context, name)
        if sub is not None and not sub.hidden:
            found += _walk(sub, [*path, name], context)
    return found


def render_reference() -> str:
    """Markdown: every command's full --help, in the order `shomei --help` lists them."""
    root = typer.main.get_command(app)
    lines = [
        "# CLI reference",
        "",
        "Generated from the code by `python -m shomei_cli.cli.reference > docs/cli-reference.md`;",
        "`tests/test_docs.py` fails when this file is out of date. Every command takes `-h`/`--help`.",
        "",
    ]
    for path, command, context in _walk(root, ["shomei"], None):
        context.terminal_width = WIDTH
        context.max_content_width = WIDTH
        lines += [f"## `{' '.join(path)}`", "", "```text", command.get_help(context).rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_reference(), end="")
