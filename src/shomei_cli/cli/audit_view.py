"""The audit trail's options and rendering, shared by `chamber audit` and `admin audit`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from shomei_cli.cli import output
from shomei_cli.cli.state import State
from shomei_cli.i18n import _

ActorOption = Annotated[str | None, typer.Option("--actor", help=_("Only events by this ID."))]
ActionOption = Annotated[
    str | None, typer.Option("--action", help=_("Only this action, e.g. auth.login or staff.create."))
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        help=_("Only events at or after this date or time (ISO 8601; without a zone: Asia/Tokyo)."),
    ),
]
LimitOption = Annotated[int, typer.Option("--limit", help=_("At most this many events, newest first."))]


def parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        from shomei_cli.domain.errors import InvalidInput

        raise InvalidInput.single(
            "--since", _("must be a date or time in ISO 8601, e.g. 2026-11-27")
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=output.display_zone())
    return parsed


def show_audit(
    st: State, actor: str | None, action: str | None, since: str | None, limit: int, as_json: bool
) -> None:
    from shomei_cli.domain.records import AuditQuery

    events = st.backend().audit(AuditQuery(actor=actor, action=action, since=parse_since(since), limit=limit))
    if as_json:
        output.emit_records(events)
        return
    output.emit_table(
        [_("at"), _("actor"), _("role"), _("action"), _("target"), _("outcome")],
        [(output.show_time(e.at), e.actor, e.actor_role, e.action, e.target, e.outcome) for e in events],
    )
