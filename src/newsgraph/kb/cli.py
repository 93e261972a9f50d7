"""`newsgraph kb ...`: what the knowledge base holds, lookups, and dump imports.

A Typer sub-app (`kb_app`) mounted by the main CLI. Errors follow the main CLI's rules (one
line on stderr, its exit codes) through its `handle_errors`, imported when a command runs so
that the two modules can import each other in any order. `--kb PATH` (else $NEWSGRAPH_KB, else
the cache folder's kb.sqlite) names the store that imports write and lookups read.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

kb_app = typer.Typer(help="The knowledge base: stats, lookups, and imports of Wikidata, GeoNames "
                          "and Wikipedia dumps and of your own actor lists.", no_args_is_help=True)
import_app = typer.Typer(help="Import a dump or an actor list into the KB store (streaming, "
                              "resumable: run again to continue).", no_args_is_help=True)
kb_app.add_typer(import_app, name="import")


class Format(str, Enum):
    table = "table"
    json = "json"


KB_PATH = typer.Option(None, "--kb", help="KB store file (default: $NEWSGRAPH_KB or "
                                          "~/.cache/newsgraph/kb.sqlite).")
RESTART = typer.Option(False, "--restart", help="Import from the start even if an earlier run "
                                                "finished or stopped part-way.")
JSON_OUT = typer.Option(False, "--json", help="Print the import's tallies as JSON.")


def guarded(func):
    """Run a command under the main CLI's error handling, with the KB's errors mapped to it."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from newsgraph.cli import NOT_FOUND, USAGE, CliError, error, handle_errors
        from newsgraph.kb.actors import ActorListError
        from newsgraph.kb.dumps import ImportError_
        from newsgraph.kb.embedded import KBError
        from newsgraph.kb.store import StoreError

        def body():
            try:
                return func(*args, **kwargs)
            except ActorListError as err:
                for problem in err.problems[:-1]:
                    error(problem)
                raise CliError(err.problems[-1], NOT_FOUND) from None
            except StoreError as err:
                raise CliError(str(err), USAGE) from None
            except (ImportError_, KBError) as err:
                raise CliError(str(err), NOT_FOUND) from None
        return handle_errors(body)()
    return wrapper


def use_store(path: Optional[Path]) -> None:
    """Point lookups at `--kb PATH` for this command."""
    if path is not None:
        from newsgraph.kb.store import ENV_PATH
        os.environ[ENV_PATH] = str(path)


def _day(value: Optional[str]) -> Optional[str]:
    from newsgraph.cli import iso_date
    return iso_date(value)


def _console():
    from newsgraph import render
    return render.console()


@kb_app.command()
@guarded
def stats(kb: Optional[Path] = KB_PATH,
          format: Format = typer.Option(Format.table, "--format", "-f", help="table or json.")) -> None:
    """What the KB holds, by type and source: the embedded KB and the imported store."""
    use_store(kb)
    from newsgraph.kb import embedded
    result = embedded.stats()
    if format is Format.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True) + "\n")
        return
    from rich.table import Table
    table = Table(title="newsgraph knowledge base")
    for column in ("part", "group", "value", "count"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for group in ("by_type", "by_source"):
        for value, n in sorted(result[group].items(), key=lambda kv: -kv[1]):
            table.add_row("embedded", group[3:], str(value), f"{n:,}")
    table.add_row("embedded", "total", "entries", f"{result['total']:,}")
    imported = result.get("imported")
    if imported:
        for group in ("by_type", "by_source"):
            for value, n in sorted(imported[group].items(), key=lambda kv: -kv[1]):
                table.add_row("imported", group[3:], str(value), f"{n:,}")
        for what in ("entries", "places", "leads"):
            table.add_row("imported", "total", what, f"{imported[what]:,}")
    _console().print(table)
    if imported:
        _console().print(f"store: {imported['path']}")
    else:
        from newsgraph.kb.store import default_path
        _console().print(f"no imported store at {default_path()} (newsgraph kb import ...)")


@kb_app.command()
@guarded
def lookup(name: str = typer.Argument(..., help="A name as news writes it: \"Jolani\", \"HTS\"."),
           date: Optional[str] = typer.Option(None, "--date", callback=_day, metavar="YYYY-MM-DD",
                                              help="The article's date: prefers who held office then."),
           type: Optional[str] = typer.Option(None, "--type", help="Entity types, comma-separated "
                                                                    "(PERSON, ORG, GPE, MEDIA...)."),
           country: Optional[str] = typer.Option(None, "--country", help="ISO code to favour (SY)."),
           limit: int = typer.Option(10, "--limit", min=1, help="Candidates to show."),
           kb: Optional[Path] = KB_PATH,
           format: Format = typer.Option(Format.table, "--format", "-f", help="table or json.")) -> None:
    """Candidates for a name, best first, with ids, descriptions and scores."""
    use_store(kb)
    from newsgraph.kb import embedded
    types = [t.strip().upper() for t in type.split(",") if t.strip()] if type else None
    found = embedded.lookup(name, date=date, types=types,
                            country=country.upper() if country else None, limit=limit)
    if format is Format.json:
        sys.stdout.write(json.dumps([dataclasses.asdict(c) for c in found], ensure_ascii=False) + "\n")
        return
    if not found:
        _console().print(f"no candidate for {name!r}")
        return
    from rich.table import Table
    table = Table(title=f"{name}" + (f" on {date}" if date else ""))
    for column in ("score", "id", "type", "country", "sector", "match", "source", "wikidata",
                   "description"):
        table.add_column(column, overflow="fold")
    for c in found:
        table.add_row(f"{c.score:.2f}", c.id, c.type or "", c.country or "", c.sector or "",
                      c.match, c.source, c.wikidata or "", c.description or "")
    _console().print(table)


def _report(kind: str, path: Path, result: dict, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps({"kind": kind, "path": str(path), **result}, sort_keys=True) + "\n")
        return
    extra = f", {result['removed']:,} removed" if result.get("removed") else ""
    if result["status"] == "already imported":
        print(f"{kind} {path.name}: already imported ({result['kept']:,} kept of {result['read']:,} "
              f"read) into {result['store']}; --restart imports it again")
        return
    print(f"{kind} {path.name}: {result['status']}: {result['kept']:,} kept of {result['read']:,} "
          f"read ({result.get('added', 0):,} added, {result.get('updated', 0):,} updated, "
          f"{result.get('unchanged', 0):,} unchanged{extra}) -> {result['store']}")


@import_app.command("wikidata")
@guarded
def import_wikidata(path: Path = typer.Argument(..., help="latest-all.json.gz or .bz2 (or a part)."),
                    types: str = typer.Option("people,orgs,places", "--types",
                                              help="What to keep: people, orgs, places."),
                    min_sitelinks: int = typer.Option(5, "--min-sitelinks", min=0,
                                                      help="Keep items with at least this many sitelinks."),
                    kb: Optional[Path] = KB_PATH, restart: bool = RESTART,
                    as_json: bool = JSON_OUT) -> None:
    """People, organisations and places from a Wikidata JSON dump."""
    from newsgraph.cli import USAGE, CliError
    from newsgraph.kb.dumps import ImportError_
    from newsgraph.kb.wikidata import import_wikidata as run, parse_types
    try:
        parse_types(types)
    except ImportError_ as err:
        raise CliError(str(err), USAGE) from None
    _report("wikidata", path, run(path, types, min_sitelinks, kb, restart=restart,
                                  show_progress=True), as_json)


@import_app.command("geonames")
@guarded
def import_geonames(path: Path = typer.Argument(..., help="allCountries.zip, cities500.zip, XX.zip or .txt."),
                    kb: Optional[Path] = KB_PATH, restart: bool = RESTART,
                    as_json: bool = JSON_OUT) -> None:
    """Places from a GeoNames dump, also used by geocoding."""
    from newsgraph.kb.geonames import import_geonames as run
    _report("geonames", path, run(path, kb, restart=restart, show_progress=True), as_json)


@import_app.command("wikipedia")
@guarded
def import_wikipedia(path: Path = typer.Argument(..., help="enwiki-*-abstract.xml.gz or "
                                                          "enwiki-*-cirrussearch-content.json.gz."),
                     kb: Optional[Path] = KB_PATH, restart: bool = RESTART,
                     as_json: bool = JSON_OUT) -> None:
    """Lead paragraphs of Wikipedia articles (CC BY-SA 4.0), for the Details section; from a
    CirrusSearch dump also each page's redirect titles, as its aliases."""
    from newsgraph.kb.wikipedia import import_wikipedia as run
    _report("wikipedia", path, run(path, kb, restart=restart, show_progress=True), as_json)


def _actors(path: Path, kb: Optional[Path], as_json: bool) -> None:
    from newsgraph.kb.actors import import_actors
    _report("actors", path, import_actors(path, kb), as_json)


@import_app.command("yaml")
@guarded
def import_yaml(path: Path = typer.Argument(..., help="An actor list in the KB's entry format "
                                                     "(a .csv file is read as CSV)."),
                kb: Optional[Path] = KB_PATH, as_json: bool = JSON_OUT) -> None:
    """Your own actor list; it overrides every other source for the titles it lists."""
    _actors(path, kb, as_json)


@import_app.command("csv")
@guarded
def import_csv(path: Path = typer.Argument(..., help="Columns title,type,country,sector,aliases,"
                                                     "description (aliases separated by ';')."),
               kb: Optional[Path] = KB_PATH, as_json: bool = JSON_OUT) -> None:
    """Your own actor list as CSV; it overrides every other source for the titles it lists."""
    _actors(path, kb, as_json)
