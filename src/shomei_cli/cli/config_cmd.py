"""shomei config: profiles (endpoint, database, chamber code, ID)."""

from __future__ import annotations

from typing import Annotated

import typer

from shomei_cli import config
from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, new_group
from shomei_cli.cli.state import state
from shomei_cli.i18n import N_, _

app = new_group(_("Profiles: endpoint, database, chamber code and ID."))

# the labels of `config show`'s lines for people (the --json keys stay as they are)
LABELS = {
    "profile": N_("profile"),
    "mode": N_("mode"),
    "endpoint": N_("endpoint"),
    "database_url": N_("database_url"),
    "config_file": N_("config_file"),
}
MODES = {"remote": N_("remote"), "local": N_("local")}


@app.command(help=_("The settings in force for the current profile, and where files live."))
def show(ctx: typer.Context, as_json: JsonOption = False) -> None:
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
    output.emit_fields(
        [(_(LABELS[k]), _(MODES[str(v)]) if k == "mode" else v) for k, v in data.items() if k != "settings"]
    )
    for key, value in st.settings.items():
        output.emit_fields([(f"  {key}", value)])


@app.command("set", help=_("Set one key of the current profile."))
def set_(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(help=_("One of: {keys}.").format(keys=", ".join(config.PROFILE_KEYS)))
    ],
    value: Annotated[str, typer.Argument(help=_("The value; an empty string removes the key."))],
) -> None:
    st = state(ctx)
    config.save_setting(st.profile, key, config.parse_setting(key, value) if value else None)
    if value:
        output.message(_("Profile {profile}: {key} set.").format(profile=st.profile, key=key))
    else:
        output.message(_("Profile {profile}: {key} removed.").format(profile=st.profile, key=key))
