"""shomei admin: trade registrations and their administrator IDs."""

from __future__ import annotations

import typer

from shomei_cli.cli.audit_view import (
    ActionOption,
    ActorOption,
    LimitOption,
    SinceOption,
    show_audit,
)
from shomei_cli.cli.options import JsonOption, new_group
from shomei_cli.cli.state import state

app = new_group("Trade registrations and their administrator IDs.")


@app.command()
def audit(
    ctx: typer.Context,
    actor: ActorOption = None,
    action: ActionOption = None,
    since: SinceOption = None,
    limit: LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    """The audit trail of your own company (administrator IDs), newest first."""
    show_audit(state(ctx), actor, action, since, limit, as_json)
