"""Japanese and English (issue 7): every message is in both catalogs, no message escapes translation, the
language follows SHOMEI_LANG, else the locale, else English; a server answers in its client's language; JSON
keys, codes and exit codes are the same in both."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from shomei_cli import i18n
from shomei_cli.server.app import create_app
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services.core import Core

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "shomei_cli"
NOT_TRANSLATED = "# not translated:"  # a line that carries it is exempt from the lint, with its reason


def catalogs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_catalogs", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the catalogs ------------------------------------------------------------------------------------------


def test_every_message_in_the_code_is_translated_in_both_catalogs_and_compiled() -> None:
    tool = catalogs()
    template = tool.extract()
    assert len(template) > 300  # the whole product speaks through _(): not a handful of strings
    found = [problem for language in ("ja", "en") for problem in tool.problems(template, language)]
    assert found == [], "run `python scripts/i18n.py` and translate:\n" + "\n".join(found[:40])


def test_a_translation_keeps_every_placeholder() -> None:
    tool = catalogs()
    assert tool.placeholders("No application {ref} that you can see.") == {"ref"}
    assert tool.placeholders("¥{amount:,} ({count} 件)") == {"amount", "count"}
    assert tool.placeholders("{broken") == {"<unbalanced braces>"}


# -- nothing escapes -----------------------------------------------------------------------------------------

# calls whose first argument is a message for people
MESSAGE_CALLS = {"message", "warn", "echo", "print", "prompt", "confirm", "new_group", "fail", "secho"}
# their second argument is: FieldError(field, reason), InvalidInput.single(field, reason)
REASON_CALLS = {"FieldError", "single"}
# files whose text is data, not messages: bilingual documents and pages, the generated references
EXEMPT_FILES = {
    "i18n.py",
    "server/pages.py",
    "server/openapi.py",
    "cli/reference.py",
    "documents/pdf.py",
    "documents/cards.py",
    "documents/certificates.py",
}


def _is_text(node: ast.AST | None) -> bool:
    """A literal with words in it, or an f-string: text that should have gone through _()."""
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and any(c.isalpha() for c in str(v.value)) for v in node.values
        )
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(c.isalpha() for c in node.value)
    )


def _unextractable(argument: ast.AST | None, name: str) -> bool:
    """N_ marks a literal; _ translates a literal, or a constant that N_ marked (a name, an attribute, an
    item). An f-string, a concatenation or a .format() inside either is text Babel never sees."""
    if isinstance(argument, ast.Constant):
        return not isinstance(argument.value, str)
    if name == "N_":
        return True
    if isinstance(argument, ast.JoinedStr | ast.BinOp):
        return True
    return isinstance(argument, ast.Call) and _name(argument.func) == "format"


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _error_classes() -> set[str]:
    from shomei_cli.domain import errors

    return {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == errors.__name__
    } | {"HiddenRecord", "BadParameter", "UsageError"}


def untranslated(path: Path, source: str) -> Iterator[str]:
    lines = source.splitlines()
    errors = _error_classes()

    def exempt(node: ast.AST) -> bool:
        end = getattr(node, "end_lineno", node.lineno)  # type: ignore[attr-defined]
        return any(NOT_TRANSLATED in lines[n - 1] for n in range(node.lineno, end + 1))  # type: ignore[attr-defined]

    where = path.relative_to(PACKAGE)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            first = node.args[0] if node.args else None
            if name in ("_", "N_") and _unextractable(first, name):
                yield f"{where}:{node.lineno}: {name}() of something Babel cannot extract"
            elif name in errors or name in MESSAGE_CALLS:
                if _is_text(first) and not exempt(node):
                    yield f"{where}:{node.lineno}: {name}() of untranslated text"
            elif name in REASON_CALLS and len(node.args) > 1 and _is_text(node.args[1]) and not exempt(node):
                yield f"{where}:{node.lineno}: {name}() reason is untranslated text"
            for keyword in node.keywords:
                named = keyword.arg in ("help", "message", "reason", "short_help")
                if named and _is_text(keyword.value) and not exempt(node):
                    yield f"{where}:{node.lineno}: {keyword.arg}= of untranslated text"
        elif isinstance(node, ast.FunctionDef):
            # a Typer command's docstring would be its (untranslated) help: commands pass help=_() instead
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and _name(decorator.func) in ("command", "callback")
                    and not any(k.arg == "help" for k in decorator.keywords)
                    and ast.get_docstring(node)
                ):
                    yield f"{where}:{node.lineno}: command {node.name} takes its help from a docstring"


def test_no_message_escapes_translation() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if str(path.relative_to(PACKAGE)) in EXEMPT_FILES:
            continue
        found.extend(untranslated(path, path.read_text(encoding="utf-8")))
    assert found == []


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ('raise NotFound(f"No application {ref}.")\n', "NotFound() of untranslated text"),
        ('raise WrongState("It is issued.")\n', "WrongState() of untranslated text"),
        ('x = FieldError("limit", "must be 1 or more")\n', "FieldError() reason is untranslated text"),
        ('output.message(f"Wrote {path}.")\n', "message() of untranslated text"),
        ('x = typer.Option("--code", help="The code.")\n', "help= of untranslated text"),
        ("x = _(f'No {ref}')\n", "_() of something Babel cannot extract"),
        ('x = _("No " + ref)\n', "_() of something Babel cannot extract"),
        ('x = _("No {ref}".format(ref=ref))\n', "_() of something Babel cannot extract"),
        ("X = N_(TEXT)\n", "N_() of something Babel cannot extract"),
        (
            '@app.command()\ndef show(ctx):\n    """One application."""\n',
            "command show takes its help from a docstring",
        ),
    ],
)
def test_the_lint_catches_each_kind_of_escape(source: str, problem: str) -> None:
    assert [p.split(": ", 1)[1] for p in untranslated(PACKAGE / "x.py", source)] == [problem]


@pytest.mark.parametrize(
    "source",
    [
        'raise NotFound(_("No application {ref}.").format(ref=ref))\n',
        'print(f"¥{amount:,}")\n',
        'print(f"shomei {__version__}")  # not translated: the program name and its version\n',
        'x = typer.Option("--code", help=_("The code."))\n',
        "x = _(MESSAGES[reason])\n",
        '@app.command(help=_("One application."))\ndef show(ctx):\n    """One application."""\n',
    ],
)
def test_the_lint_lets_translated_and_non_text_through(source: str) -> None:
    assert list(untranslated(PACKAGE / "x.py", source)) == []


# -- which language ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"SHOMEI_LANG": "ja"}, "ja"),
        ({"SHOMEI_LANG": "ja_JP.UTF-8"}, "ja"),
        ({"SHOMEI_LANG": "en", "LANG": "ja_JP.UTF-8"}, "en"),
        ({"SHOMEI_LANG": "fr", "LANG": "ja_JP.UTF-8"}, "ja"),  # not one of ours: the locale decides
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ja_JP.eucJP", "LANG": "en_US.UTF-8"}, "ja"),
        ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"),  # LC_ALL wins, as POSIX says
        ({"LC_ALL": "ja_JP.UTF-8", "LANG": "C"}, "ja"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "Japanese_Japan.932"}, "ja"),  # how Windows names it
    ],
)
def test_the_language_follows_shomei_lang_then_the_locale_then_english(
    environ: dict[str, str], language: str
) -> None:
    assert i18n.from_environment(environ) == language


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("ja", "ja"),
        ("ja-JP,ja;q=0.9,en;q=0.8", "ja"),
        ("en-US,en;q=0.9,ja;q=0.8", "en"),
        ("fr-FR,ja;q=0.5", "ja"),
        ("en;q=0.2,ja;q=0.9", "ja"),
        ("ja;q=0", "en"),
        ("de", "en"),
        ("ja;q=bad", "en"),
    ],
)
def test_a_server_reads_the_clients_language_from_accept_language(header: str | None, language: str) -> None:
    assert i18n.from_accept_language(header) == language


def test_a_context_speaks_its_own_language_until_reset() -> None:
    assert i18n.current() == "en"
    token = i18n.set_language("ja")
    try:
        assert i18n.current() == "ja"
        assert i18n._("Commands") != "Commands"
    finally:
        i18n.reset_language(token)
    assert i18n._("Commands") == "Commands"
    with pytest.raises(ValueError, match="not a language shomei speaks: 'fr'"):
        i18n.set_language("fr")


# -- the command line in Japanese ----------------------------------------------------------------------------


def shomei(*args: str, lang: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOMEI_", "LC_", "LANG"))}
    env.update(SHOMEI_HOME=str(home), SHOMEI_INSECURE_STORAGE="1", SHOMEI_LANG=lang)
    return subprocess.run(
        [sys.executable, "-m", "shomei_cli", *args], env=env, capture_output=True, text=True, check=False
    )


def test_help_and_errors_speak_japanese_and_json_does_not_change(tmp_path: Path) -> None:
    ja_help = shomei("--help", lang="ja", home=tmp_path)
    en_help = shomei("--help", lang="en", home=tmp_path)
    assert ja_help.returncode == en_help.returncode == 0
    assert "shomei (証明): online issuance" in en_help.stdout
    assert "商工会議所" in ja_help.stdout and "online issuance" not in ja_help.stdout
    assert "Commands" in en_help.stdout and "Commands" not in ja_help.stdout

    ja = shomei("whoami", "--json", lang="ja", home=tmp_path)
    en = shomei("whoami", "--json", lang="en", home=tmp_path)
    assert ja.returncode == en.returncode == 3
    ja_error, en_error = json.loads(ja.stdout)["error"], json.loads(en.stdout)["error"]
    assert list(ja_error) == list(en_error) == ["code", "message"]
    assert ja_error["code"] == en_error["code"] == "not_logged_in"
    assert en_error["message"] == "Not logged in: run `shomei login --chamber CODE --id ID` first."
    assert ja_error["message"] != en_error["message"]
    assert "shomei login" in ja_error["message"] and "ログイン" in ja_error["message"]


def test_a_server_answers_each_request_in_its_clients_language(core: Core, database_url: str) -> None:
    with TestClient(create_app(ServerSettings(database_url=database_url), core=core)) as client:
        answers = {lang: client.get("/api/v1/me", headers={"Accept-Language": lang}) for lang in ("ja", "en")}
    assert answers["ja"].status_code == answers["en"].status_code == 401
    ja, en = answers["ja"].json(), answers["en"].json()
    assert ja["code"] == en["code"] == "not_logged_in"
    assert set(ja) == set(en)
    assert ja["detail"] != en["detail"]
    assert "ログイン" in ja["detail"]


def test_people_read_states_in_their_language_and_scripts_read_values(tmp_path: Path) -> None:
    """Human output words a status in Japanese; --json carries the value in every language."""
    assert [shomei("cert", "verify", "1301-2026-0000001", "--code", "X", "--json", lang=lang, home=tmp_path)
            .returncode for lang in ("ja", "en")] == [5, 5]  # fmt: skip
    from shomei_cli.cli.cert import _status, verification_status

    token = i18n.set_language("ja")
    try:
        assert (_status("issued"), _status("submitted"), verification_status("genuine")) == (
            "発給済み",
            "提出済み",
            "真正",
        )
        assert _status("unknown-value") == "unknown-value"
    finally:
        i18n.reset_language(token)
    assert (_status("issued"), verification_status("cancelled")) == ("issued", "cancelled")
