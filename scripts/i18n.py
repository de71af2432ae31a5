"""Keep the message catalogs in step with the code (Babel).

    python scripts/i18n.py            # extract, update ja/en catalogs, compile .mo
    python scripts/i18n.py --check    # exit 1 naming what is missing, untranslated or stale
    python scripts/i18n.py --import ja.json [...]   # take translations from {"English": "日本語"} files

Extraction reads every ``_("…")``, ``N_("…")`` and ``ngettext("…", "…", n)`` in src/shomei_cli, and the few
help headings Typer itself passes through gettext (typer/core.py: Options, Arguments, Commands, default:,
required …). The Japanese catalog keeps its translations; a new message arrives untranslated (and --check
fails until someone translates it); a message no longer in the code is dropped. The English catalog is the
source text itself. Both are compiled to .mo, which is what ships and what shomei reads at run time.
"""

from __future__ import annotations

import argparse
import io
import json
import string
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "shomei_cli"
LOCALE = PACKAGE / "locale"
DOMAIN = "shomei"
LANGUAGES = ("ja", "en")
FIXED_DATE = datetime(2026, 11, 27, tzinfo=UTC)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def _typer_core() -> Path | None:
    try:
        import typer.core
    except ImportError:  # pragma: no cover - typer is a dependency
        return None
    return Path(typer.core.__file__)


def sources() -> Iterable[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))
    typer_core = _typer_core()
    if typer_core is not None:
        yield typer_core


def extract() -> Catalog:
    """Every message in the code, with where it stands."""
    catalog = Catalog(domain=DOMAIN, project="shomei", charset="utf-8")
    for path in sources():
        location = path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path("typer") / path.name
        for lineno, message, comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, comment_tags=("i18n:",)
        ):
            # typer's line numbers change with its releases: name the file only
            line = lineno if path.is_relative_to(ROOT) else None
            catalog.add(message, locations=[(str(location), line)], auto_comments=comments, context=context)
    return catalog


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN, charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def updated(template: Catalog, language: str) -> Catalog:
    """The language's catalog for exactly the template's messages, keeping what was translated."""
    old = read(language)
    catalog = new_catalog(language)
    for message in template:
        if not message.id:
            continue
        previous = old.get(message.id, context=message.context)
        if language == "en":
            string: object = message.id
        else:
            string = previous.string if previous is not None else ("", "") if message.pluralizable else ""
        catalog.add(
            message.id,
            string,
            locations=message.locations,
            auto_comments=message.auto_comments,
            flags=message.flags,
            context=message.context,
        )
    return catalog


def new_catalog(language: str) -> Catalog:
    """An empty catalog with a header that does not change from one run to the next."""
    catalog = Catalog(
        locale=language,
        domain=DOMAIN,
        project="shomei",
        version="1",
        charset="utf-8",
        header_comment=f"# shomei's messages in {'Japanese' if language == 'ja' else 'English'}.\n"
        "# Edit the msgstr lines; then run python scripts/i18n.py to compile.",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        language_team="shomei",
        last_translator="shomei",
        fuzzy=False,
    )
    return catalog


def problems(template: Catalog, language: str) -> list[str]:
    """What is wrong with the language's catalog against the code: missing, untranslated, placeholders that
    differ, stale messages, and a .mo that is not the .po compiled."""
    catalog = read(language)
    found = []
    for message in template:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        have = catalog.get(message.id, context=message.context)
        if have is None:
            found.append(f"{language}: missing: {key!r}")
            continue
        strings = have.string if isinstance(have.string, tuple | list) else (have.string,)
        if not all(strings):
            found.append(f"{language}: untranslated: {key!r}")
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        if any(placeholders(text) != placeholders(ids[0]) for text in strings):
            found.append(f"{language}: placeholders differ in {key!r}")
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    for have in catalog:
        key = have.id if isinstance(have.id, str) else have.id[0]
        if have.id and (key, have.context) not in wanted:
            found.append(f"{language}: no longer in the code: {key!r}")
    mo = po_path(language).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != _compiled(catalog):
        found.append(f"{language}: {mo.relative_to(ROOT)} is not the compiled .po: run scripts/i18n.py")
    return found


def placeholders(text: str) -> set[str]:
    """The {named} fields of a str.format template (a translation must keep every one, and add none)."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def _compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def write(catalog: Catalog, language: str) -> None:
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=110, omit_header=False, sort_output=False, include_previous=False)
    path.write_bytes(buffer.getvalue())
    path.with_suffix(".mo").write_bytes(_compiled(catalog))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Change nothing; exit 1 listing the problems.")
    parser.add_argument(
        "--import",
        dest="imports",
        type=Path,
        nargs="*",
        default=[],
        help='JSON files of Japanese translations, {"English message": "日本語"} ("context|message" for a '
        "message with a context); later files win.",
    )
    args = parser.parse_args()
    template = extract()
    if args.check:
        found = [problem for language in LANGUAGES for problem in problems(template, language)]
        for problem in found:
            print(problem, file=sys.stderr)
        return 1 if found else 0
    translations: dict[str, str] = {}
    for path in args.imports:
        translations.update(json.loads(path.read_text(encoding="utf-8")))
    for language in LANGUAGES:
        catalog = updated(template, language)
        if language == "ja":
            for message in catalog:
                key = message.id if isinstance(message.id, str) else message.id[0]  # plurals: the singular
                if message.context:  # a message with a context is keyed "context|message"
                    key = f"{message.context}|{key}"
                if key in translations:
                    # Japanese has one plural form (nplurals=1): the one translation serves every count
                    message.string = (translations[key],) if message.pluralizable else translations[key]
        write(catalog, language)
    untranslated = [p for p in problems(template, "ja") if "untranslated" in p]
    print(f"{len(template)} messages; {len(untranslated)} untranslated in ja")
    for problem in untranslated:
        print(problem)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
