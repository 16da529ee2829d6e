"""Keep the message catalog in step with the code (see `scripts/catalog --help`).

Extraction is Babel's (Python: its AST-based extractor with our keywords) and Jinja's
(`extract_from_ast` over each template, parsed by kolbot's own environment so its extensions are
known). Updating a translation catalog is Babel's `Catalog.update`, compiling it Babel's `write_mo`
(the `.mo` next to each `.po` is what `bot.i18n` reads at run time). What is written by hand here is
only the wiring and the `--check` report, which no tool gives in one place.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from jinja2.ext import extract_from_ast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cards.env import get_env  # noqa: E402
from bot.i18n import DOMAIN, LANGS, SOURCE_LANG  # noqa: E402

LOCALE = ROOT / "bot" / "locale"
TEMPLATE_FILE = LOCALE / f"{DOMAIN}.pot"
PYTHON_DIRS = ("bot", "handlers")
# name -> positions of (msgid, plural) and "c" for the context argument, counted from 1; `lang` is 1
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "tr": (2,),
    "ntr": (2, 3),
    "ptr": ((2, "c"), 3),
    "N_": None,
    "Text": None,
    "Plural": (1, 2),
}
TEMPLATE_FUNCTIONS = ("_", "ngettext", "pgettext")
PLACEHOLDER = re.compile(r"%(?:\([a-z_0-9]+\))?[sd]")
# a fixed date: regenerating an unchanged catalog must not change its files
STAMP = datetime(2026, 1, 1, tzinfo=UTC)

Message = tuple[str | tuple[str, ...], str | None, str]  # (id or (singular, plural), context, where)


def _python_messages() -> Iterator[Message]:
    for folder in PYTHON_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            for lineno, message, _comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
            ):
                yield message, context, f"{where}:{lineno}"


def _template_messages() -> Iterator[Message]:
    env = get_env()
    for name in env.list_templates(extensions=["j2"]):
        source, _filename, _uptodate = env.loader.get_source(env, name)  # type: ignore[union-attr]
        for lineno, func, message in extract_from_ast(env.parse(source), TEMPLATE_FUNCTIONS):
            if isinstance(message, str):
                yield message, None, f"templates/{name}:{lineno}"
            elif func == "pgettext" and isinstance(message, tuple):
                context, text = message[0], message[1]
                if isinstance(context, str) and isinstance(text, str):
                    yield text, context, f"templates/{name}:{lineno}"
            elif func == "ngettext" and isinstance(message, tuple):
                singular, plural = message[0], message[1]
                if isinstance(singular, str) and isinstance(plural, str):
                    yield (singular, plural), None, f"templates/{name}:{lineno}"


def extract() -> Catalog:
    catalog = Catalog(domain=DOMAIN, project="kolbot", fuzzy=False, creation_date=STAMP, revision_date=STAMP)
    for message, context, where in [*_python_messages(), *_template_messages()]:
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        path, _, line = where.rpartition(":")
        catalog.add(message, locations=[(path, int(line))], context=context)
    return catalog


def _read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def _write(path: Path, catalog: Catalog, *, locations: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, no_location=not locations, omit_header=False, sort_output=True)


def _new_catalog(lang: str) -> Catalog:
    header = f"# kolbot's messages in {lang}. Update with scripts/catalog; translate the empty msgstr lines."
    return Catalog(
        locale=lang,
        domain=DOMAIN,
        project="kolbot",
        fuzzy=False,
        header_comment=header,
        creation_date=STAMP,
        revision_date=STAMP,
    )


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compiled(catalog: Catalog) -> bytes:
    """The `.mo` of `catalog` (what `bot.i18n` reads at run time)."""
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def update() -> None:
    """Write the template and merge it into every translation, dropping messages no longer used."""
    template = extract()
    _write(TEMPLATE_FILE, template, locations=True)
    for lang in LANGS:
        if lang == SOURCE_LANG:
            continue
        path = po_path(lang)
        catalog = _read(path, lang) if path.exists() else _new_catalog(lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _write(path, catalog, locations=False)
        path.with_suffix(".mo").write_bytes(compiled(_read(path, lang)))


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def problems() -> list[str]:
    """Everything that keeps the catalog from being complete and consistent with the code."""
    template = extract()
    found: list[str] = []
    for lang in LANGS:
        if lang == SOURCE_LANG:
            continue
        path = po_path(lang)
        if not path.exists():
            return [f"{path.relative_to(ROOT)} is missing: run scripts/catalog"]
        catalog = _read(path, lang)
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            found.append(f"{lang}: {mo.relative_to(ROOT)} is not the compiled .po (run scripts/catalog)")
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id, context=message.context)
            name = message.id if isinstance(message.id, str) else message.id[0]
            if translated is None:
                found.append(f"{lang}: not in the catalog (run scripts/catalog): {name!r}")
                continue
            strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
            if not all(strings):
                found.append(f"{lang}: untranslated: {name!r}")
            elif translated.fuzzy:
                found.append(f"{lang}: fuzzy: {name!r}")
            else:
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                wanted = _placeholders(str(ids[-1]))
                for text in strings:
                    if _placeholders(str(text)) != wanted:
                        found.append(f"{lang}: placeholders differ: {name!r} -> {text!r}")
        for message in catalog:
            if message.id and template.get(message.id, context=message.context) is None:
                found.append(f"{lang}: no longer used (run scripts/catalog): {message.id!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/catalog",
        description="Extract user-facing messages into bot/locale/kolbot.pot and update each language's .po.",
    )
    parser.add_argument("--check", action="store_true", help="change nothing; list what is missing or wrong")
    args = parser.parse_args(argv)
    if not args.check:
        update()
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)" if found else "catalog complete")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
