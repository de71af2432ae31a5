"""Japanese and English: every message, prompt, table heading and help text goes through ``_``.

The language is ``SHOMEI_LANG`` (``ja`` or ``en``), else the locale (``ja_*`` → Japanese: LC_ALL, LC_MESSAGES,
LANG, then the platform's own setting, which is how Windows says it), else English. On a server each request
speaks its client's language (``Accept-Language``, set by RemoteBackend from the client's own choice), held in
a context variable so that threads serving other clients are not affected.

The catalogs are gettext's: ``locale/{ja,en}/LC_MESSAGES/shomei.po``, compiled to ``.mo`` with Babel
(``python scripts/i18n.py``). English is the source language; its catalog exists so that a test can hold every
message to being in both. JSON keys, exit codes, status values and audit records never change with the
language.

Messages with values are written with named placeholders and formatted after translation:
``_("No application {ref} that you can see.").format(ref=ref)`` — never an f-string inside ``_``.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gettext

DOMAIN = "shomei"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ja")
DEFAULT_LANGUAGE = "en"
ENV_LANG = "SHOMEI_LANG"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("shomei_language", default=None)


def normalize(tag: str | None) -> str | None:
    """``ja``, ``ja_JP.UTF-8``, ``ja-JP``, ``Japanese_Japan.932`` → ``ja``; ``en*``, ``C``, ``POSIX`` →
    ``en``; anything else → None (not a language shomei speaks)."""
    if not tag:
        return None
    tag = tag.strip().lower()
    if tag.startswith(("ja", "japanese")):
        return "ja"
    if tag.startswith(("en", "english")) or tag.split(".")[0] in ("c", "posix"):
        return "en"
    return None


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """SHOMEI_LANG, else the locale variables, else the platform's locale, else English."""
    env = os.environ if environ is None else environ
    explicit = normalize(env.get(ENV_LANG))
    if explicit is not None:
        return explicit
    for variable in LOCALE_VARIABLES:
        value = env.get(variable)
        if value:
            # the first variable that is set decides, as POSIX says (LC_ALL=C means C, whatever LANG is)
            return normalize(value) or DEFAULT_LANGUAGE
    if environ is None:
        import locale

        try:
            platform = locale.getlocale(locale.LC_CTYPE)[0]
        except (ValueError, TypeError):  # an unparsable locale name
            platform = None
        return normalize(platform) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def from_accept_language(header: str | None) -> str:
    """The first of the client's languages that shomei speaks (an HTTP Accept-Language header)."""
    if header:
        weighted = []
        for index, part in enumerate(header.split(",")):
            tag, _sep, parameters = part.strip().partition(";")
            quality = 1.0
            if parameters.strip().startswith("q="):
                try:
                    quality = float(parameters.strip()[2:])
                except ValueError:
                    quality = 0.0
            language = normalize(tag)
            if language is not None and quality > 0:
                weighted.append((-quality, index, language))
        if weighted:
            return min(weighted)[2]
    return DEFAULT_LANGUAGE


def current() -> str:
    """The language in force: this context's (a server request's), else the environment's."""
    language = _current.get()
    return language if language is not None else _environment_language()


@cache
def _environment_language() -> str:
    return from_environment()


def set_language(language: str) -> contextvars.Token[str | None]:
    """Speak ``language`` in this context (a request, a test) until ``reset_language``."""
    if language not in LANGUAGES:
        raise ValueError(f"not a language shomei speaks: {language!r}")
    return _current.set(language)


def reset_language(token: contextvars.Token[str | None]) -> None:
    _current.reset(token)


def forget_environment() -> None:
    """Read SHOMEI_LANG and the locale again at the next message (tests that change them)."""
    _environment_language.cache_clear()


class _Source:
    """The source language: the messages as written (without loading gettext at every start-up)."""

    @staticmethod
    def gettext(message: str) -> str:
        return message

    @staticmethod
    def ngettext(singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    @staticmethod
    def pgettext(context: str, message: str) -> str:
        del context
        return message


@cache
def translations(language: str) -> gettext.NullTranslations | _Source:
    if language == DEFAULT_LANGUAGE:
        return _Source()
    import gettext

    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _(message: str) -> str:
    """``message`` in the language in force."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the language in force, where the same English word means another thing elsewhere
    (a status "submitted" and a column "submitted")."""
    return translations(current()).pgettext(context, message)


def N_(message: str) -> str:
    """Marks a message kept in a constant; it is translated where it is shown, with ``_``."""
    return message


# Help texts of the options Typer adds itself, and the usage line's prefix, which its bundled click writes as
# plain literals (no gettext): translated when the help is drawn.
FRAMEWORK_TEXTS = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Usage: "),
)


def install_for_command_line() -> None:
    """Typer formats its help headings (Options, Arguments, default:, required) with the stdlib's
    ``gettext.gettext``: point that at shomei's catalog and language, in this process only. The few texts its
    bundled click writes as literals (FRAMEWORK_TEXTS) are translated as the help is drawn."""
    language = current()
    if language == DEFAULT_LANGUAGE:
        return
    import gettext

    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = language

    from typer import core
    from typer._click import formatting

    help_record = core.TyperOption.get_help_record
    write_usage = formatting.HelpFormatter.write_usage

    def translated_help_record(self: core.TyperOption, ctx: Any) -> Any:
        if self.help in FRAMEWORK_TEXTS:
            self.help = _(self.help)
        return help_record(self, ctx)

    def translated_usage(
        self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    core.TyperOption.get_help_record = translated_help_record  # type: ignore[method-assign]
    formatting.HelpFormatter.write_usage = translated_usage  # type: ignore[method-assign]
