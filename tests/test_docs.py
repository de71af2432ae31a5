"""Docs that cannot drift from the code (after sqlite-utils' test_docs)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from shomei_cli.cli.main import app
from shomei_cli.cli.reference import _walk, render_reference

ROOT = Path(__file__).resolve().parent.parent


def test_the_cli_reference_is_current() -> None:
    current = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert current == render_reference(), (
        "docs/cli-reference.md is stale: run `python -m shomei_cli.cli.reference > docs/cli-reference.md`"
    )


COMMANDS = [
    " ".join(path) for path, _command, _context in _walk(typer.main.get_command(app), ["shomei"], None)
]


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_has_help_text(path: str) -> None:
    by_path = {" ".join(p): c for p, c, _ in _walk(typer.main.get_command(app), ["shomei"], None)}
    command = by_path[path]
    assert (command.help or "").strip(), f"`{path}` has no help text"
    for parameter in command.params:
        if parameter.name not in {"help"}:
            assert getattr(parameter, "help", None), f"`{path}` option {parameter.name} has no help"


def test_the_readme_names_every_group() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for group in ("chamber", "admin", "signer", "subid", "cert", "db", "config"):
        assert f"shomei {group}" in readme, f"README.md does not mention `shomei {group}`"


def test_the_exported_openapi_schema_is_current() -> None:
    from shomei_cli.server.openapi import render_openapi

    current = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert current == render_openapi(), (
        "docs/openapi.json is stale: run `python -m shomei_cli.server.openapi > docs/openapi.json`"
    )


@pytest.mark.parametrize(
    ("kind", "name"), [("co", "shipment.toml"), ("signature", "signature.toml"), ("invoice", "invoice.toml")]
)
def test_the_example_application_files_are_valid(kind: str, name: str) -> None:
    import datetime
    import json
    import tomllib

    from shomei_cli.domain.application_forms import certificate_type, parse_form

    content = json.loads(
        json.dumps(
            tomllib.loads((ROOT / "docs" / "examples" / name).read_text(encoding="utf-8")), default=str
        )
    )
    form = parse_form(certificate_type(kind), content, datetime.date(2026, 11, 27))
    assert form.model_dump()["destination_country"] == content["destination_country"]
