"""The one place where failures become exit codes (CLI.md) and error output."""

from __future__ import annotations

import json
import os
import sys
import traceback
from enum import IntEnum

from shomei_cli.config import ENV_DEBUG
from shomei_cli.domain import errors as e
from shomei_cli.i18n import _


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    AUTHENTICATION = 3
    PERMISSION = 4
    NOT_FOUND = 5
    CONFLICT = 6
    INVALID_INPUT = 7
    UNAVAILABLE = 8


# Checked in order: the first class the error is an instance of decides.
_EXIT_CODES: tuple[tuple[type[e.ShomeiError], ExitCode], ...] = (
    (e.AuthenticationError, ExitCode.AUTHENTICATION),
    (e.PermissionDenied, ExitCode.PERMISSION),
    (e.NotFound, ExitCode.NOT_FOUND),
    (e.Conflict, ExitCode.CONFLICT),
    (e.InvalidInput, ExitCode.INVALID_INPUT),
    (e.Unavailable, ExitCode.UNAVAILABLE),
    (e.RateLimited, ExitCode.UNAVAILABLE),
)


def exit_code_for(error: e.ShomeiError) -> ExitCode:
    for cls, code in _EXIT_CODES:
        if isinstance(error, cls):
            return code
    return ExitCode.UNEXPECTED


def report(error: e.ShomeiError, *, as_json: bool) -> ExitCode:
    """Print ``error`` (stderr for people; also stdout as one JSON document under --json)."""
    print(_("Error: {message}").format(message=error.message), file=sys.stderr)
    if as_json:
        body = {"error": {"code": error.code, "message": error.message, **error.details()}}
        print(json.dumps(body, ensure_ascii=False, indent=2))
    return exit_code_for(error)


def report_unexpected(exc: BaseException, *, as_json: bool) -> ExitCode:
    """An unexpected failure: its kind and message (which never carry secrets), the traceback on request."""
    print(_("Unexpected error ({kind}): {error}").format(kind=type(exc).__name__, error=exc), file=sys.stderr)
    if os.environ.get(ENV_DEBUG):
        traceback.print_exception(exc, file=sys.stderr)
    else:
        print(_("Set {variable}=1 to see the traceback.").format(variable=ENV_DEBUG), file=sys.stderr)
    if as_json:
        body = {"error": {"code": "unexpected", "message": str(exc)}}
        print(json.dumps(body, ensure_ascii=False, indent=2))
    return ExitCode.UNEXPECTED
