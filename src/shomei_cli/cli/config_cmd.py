"""shomei config: profiles (endpoint, database, chamber code, ID)."""

from __future__ import annotations

from typing import Annotated

import typer

from shomei_cli import config
from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, new_group
from shomei_cli.cli.state import state

app = new_group("Profiles: endpoint, database, chamber code and ID.")


@app.command()
def show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The settings in force for the current profile, and where files live."""
    st = state(ctx)
    where = config.paths()
    data = {
        "profile": st.profile,
        "settings": st.settings,
        "mode": "remote" if st.remote else "local",
        "endpoint": st.endpoint,
        "database_url": None if st.remote else st.database_url,
        "config_file": str(where.config_file),
    }
    if as_json:
        output.emit_json(data)
        return
    output.emit_fields([(k, v) for k, v in data.items() if k != "settings"])
    for key, value in st.settings.items():
        output.emit_fields([(f"  {key}", value)])


@app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=f"One of: {', '.join(config.PROFILE_KEYS)}.")],
    value: Annotated[str, typer.Argument(help="The value; an empty string removes the key.")],
) -> None:
    """Set one key of the current profile."""
    st = state(ctx)
    config.save_setting(st.profile, key, config.parse_setting(key, value) if value else None)
    output.message(f"Profile {st.profile}: {key} {'set' if value else 'removed'}.")
