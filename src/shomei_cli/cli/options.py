"""Options shared by many commands, defined once."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from shomei_cli.i18n import _

JSON_META_KEY = "shomei_json"


def text_without_pydantic() -> None:
    """Typer (0.29+) converts every non-boolean option's value through a pydantic TypeAdapter, so that any
    command given --profile (or any text at all) imports pydantic: a tenth of a second. Text needs no
    conversion: options whose type is plain ``str`` keep click's string as it is, and flags their bool (or
    None, not given). Called once, by main."""
    from dataclasses import dataclass
    from typing import Any

    from typer import core
    from typer._coercion import RuntimeParam, build_runtime_param

    @dataclass(frozen=True)
    class Text(RuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if isinstance(value, self.annotation):
                return value
            return build_runtime_param(param.type_descriptor)._coerce_value(value, param, ctx)

    original = core._TyperParameter.get_runtime_param

    def get_runtime_param(self: core._TyperParameter) -> RuntimeParam:
        d = self.type_descriptor
        plain = d.annotation in (str, bool) and d.file_annotation is None and not d.is_choice
        if self._runtime_param is None and plain:
            self._runtime_param = Text(annotation=d.annotation, parameter_info=d.parameter_info)
        return original(self)

    core._TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]


def new_group(help: str) -> typer.Typer:
    """Every group is made here: plain help (no rich rendering, which would triple start-up time); shell
    completion is installed from the root (`shomei --install-completion`), not from each group."""
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None, add_completion=False)


def _remember_json(ctx: typer.Context, value: bool) -> bool:
    # Recorded on the shared meta so that errors, too, come out as JSON.
    ctx.meta[JSON_META_KEY] = value
    return value


JsonOption = Annotated[
    bool,
    typer.Option(
        "--json",
        help=_("Print exactly one JSON document on stdout (stable keys); messages stay on stderr."),
        callback=_remember_json,
        is_eager=True,
    ),
]

PasswordStdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help=_("Read the password from the first line of standard input.")),
]


def read_stdin_lines(count: int, names: list[str]) -> list[str]:
    """Read ``count`` lines from stdin (without their line ends); name the missing one if short."""
    lines: list[str] = []
    for index in range(count):
        line = sys.stdin.readline()
        if not line:
            from shomei_cli.domain.errors import InvalidInput

            raise InvalidInput.single(names[index], _("missing from standard input"))
        lines.append(line.rstrip("\r\n"))
    return lines


def confirm(question: str) -> bool:
    """Ask a yes/no question on stderr; only y or yes (either language's keyboard) is yes. Typer's own
    confirm echoes a space to stdout, which would spoil --json output, and words its answers in English."""
    sys.stderr.write(_("{question} [y/N]: ").format(question=question))
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not answer:  # end of input: nobody said yes
        sys.stderr.write("\n")
        return False
    return answer.strip().lower() in ("y", "yes", "ｙ", "ｙｅｓ", "はい")


def prompt_secret(label: str, *, confirm: bool = False) -> str:
    """Ask for a secret on stderr (``label`` comes translated), twice when ``confirm``: the confirmation
    is asked here rather than by Typer, whose own wording is English only."""
    while True:
        value: str = typer.prompt(label, hide_input=True, err=True)
        if not confirm:
            return value
        again: str = typer.prompt(_("Repeat for confirmation"), hide_input=True, err=True)
        if again == value:
            return value
        typer.echo(_("Error: The two entered values do not match."), err=True)
