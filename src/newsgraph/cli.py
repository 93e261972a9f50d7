"""The `newsgraph` command: a thin layer over the Python API (analyze, Store, evaluate).

Every error is one line on stderr, `newsgraph: error: ...`, never a traceback, and the exit
code says what happened (docs/CLI.md):
  0 ok · 1 some inputs failed (the rest was done) · 2 usage error · 3 nothing could be read,
  or not found · 4 internal error (a bug: NEWSGRAPH_DEBUG=1 shows the traceback) ·
  130 interrupted.
"""
from __future__ import annotations

import functools
import json
import os
import sqlite3
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, \
    TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from . import __version__, render
from .batch import analyze_paths, count_files, ingest_paths
from .nlp import ModelNotFound
from .read import ReadError
from .store import HIGHLIGHT, Store, StoreError

OK, PARTIAL, USAGE, NOT_FOUND, INTERNAL, INTERRUPTED = 0, 1, 2, 3, 4, 130
EVAL_AREAS = ("dates", "geo", "entities", "events", "linking")
DEFAULT_DB = Path("newsgraph.db")


class CliError(Exception):
    def __init__(self, message: str, code: int = USAGE):
        super().__init__(message)
        self.code = code


def error(message: str) -> None:
    """One line on stderr: the only way the CLI reports a problem."""
    print(f"newsgraph: error: {' '.join(str(message).split())}", file=sys.stderr, flush=True)


class NewsgraphGroup(TyperGroup):
    """Usage errors as one line (`newsgraph: error: ...`, exit 2) instead of a usage panel."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            rv = super().main(args, prog_name or "newsgraph", complete_var, False, **extra)
        except typer.TyperException as err:   # click's UsageError, BadParameter...
            if type(err).__name__ == "NoArgsIsHelpError":   # help was printed already
                sys.exit(USAGE)
            ctx = getattr(err, "ctx", None)
            where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            error(err.format_message() + where)
            sys.exit(err.exit_code)
        except typer.Abort:
            error("interrupted")
            sys.exit(INTERRUPTED)
        sys.exit(rv if isinstance(rv, int) else OK)


def handle_errors(func):
    """Known failures become one line and their exit code; anything else is a bug (exit 4)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except CliError as err:
            error(str(err))
            code = err.code
        except ReadError as err:
            error(str(err))
            code = NOT_FOUND
        except ModelNotFound as err:
            error(str(err))
            code = NOT_FOUND
        except StoreError as err:
            error(str(err))
            code = USAGE
        except sqlite3.Error as err:
            error(f"database: {err}")
            code = NOT_FOUND
        except FileNotFoundError as err:
            error(str(err))
            code = NOT_FOUND
        except KeyboardInterrupt:
            error("interrupted")
            code = INTERRUPTED
        except BrokenPipeError:   # the reader went away (`... | head`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = OK
        except Exception as err:
            if os.environ.get("NEWSGRAPH_DEBUG"):
                raise
            error(f"internal error: {type(err).__name__}: {err} "
                  "(set NEWSGRAPH_DEBUG=1 for the traceback)")
            code = INTERNAL
        raise typer.Exit(code)
    return wrapper


app = typer.Typer(
    cls=NewsgraphGroup, add_completion=False, no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="News articles in, an auditable record out: who did and said what to whom, where and "
         "when, every field anchored to character offsets of its source.")
gazetteer_app = typer.Typer(help="The embedded place index used for geocoding.",
                            no_args_is_help=True)
app.add_typer(gazetteer_app, name="gazetteer")

from .kb.cli import kb_app  # noqa: E402  (the kb sub-app reuses this module's error handling)

app.add_typer(kb_app, name="kb")


class RecordFormat(str, Enum):
    json = "json"
    table = "table"
    markdown = "markdown"


class HitFormat(str, Enum):
    table = "table"
    json = "json"
    ids = "ids"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    acled_csv = "acled-csv"
    gdelt_tsv = "gdelt-tsv"
    plover_jsonl = "plover-jsonl"
    geojson = "geojson"
    parquet = "parquet"


class EventFormat(str, Enum):
    table = "table"
    json = "json"


def iso_date(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (expected YYYY-MM-DD)") from None


def _version(value: bool) -> None:
    if value:
        print(f"newsgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """newsgraph: analyse, store, search and score news articles."""


PUBLISHED = typer.Option(None, "--published", callback=iso_date, metavar="YYYY-MM-DD",
                         help="Publication date for articles that do not carry one.")
MODEL = typer.Option(None, "--model", help="spaCy model name or folder "
                                          "(default: $NEWSGRAPH_MODEL or en_core_web_sm).")
DB = typer.Option(DEFAULT_DB, "--db", help="SQLite database file.")


def date_bound(flag: str, help: str):
    """A --from/--to option: an ISO date, checked on parsing."""
    return typer.Option(None, flag, callback=iso_date, metavar="YYYY-MM-DD", help=help)
BATCH = typer.Option(32, "--batch-size", min=1, help="Articles parsed per nlp.pipe batch.")
EVENTS_MODEL = typer.Option(None, "--events-model", metavar="MODEL",
                            help="Events classifier from `newsgraph train events`, used beside "
                                 "the rules (default: $NEWSGRAPH_EVENTS_MODEL).")


def use_events_model(path: Optional[str]) -> None:
    """Check the events model loads, then let every pipeline run of this process use it."""
    from .extract.events_model import ENV, EventsModelError, load_model, model_path

    path = model_path(path)
    if not path:
        return
    try:
        load_model(path)
    except EventsModelError as err:
        raise CliError(str(err), NOT_FOUND) from None
    os.environ[ENV] = path


def open_store(db: Path, create: bool = False) -> Store:
    if not create and not db.exists():
        raise CliError(f"{db}: no such database (create it with: newsgraph ingest PATH --db {db})",
                       NOT_FOUND)
    try:
        return Store(db)
    except StoreError as err:
        raise CliError(str(err), NOT_FOUND) from None


def outcome(done: int, failed: int) -> int:
    """Exit code of a batch: all done, partly done, or nothing done."""
    if done == 0:
        return NOT_FOUND
    return PARTIAL if failed else OK


def print_record(d: dict, fmt: RecordFormat) -> None:
    if fmt is RecordFormat.json:
        sys.stdout.write(json.dumps(d, ensure_ascii=False) + "\n")
    elif fmt is RecordFormat.markdown:
        sys.stdout.write(render.record_markdown(d))
    else:
        render.console().print(render.record_table(d))


@app.command()
@handle_errors
def analyze(
    articles: List[str] = typer.Argument(..., metavar="ARTICLE...",
                                         help="Files, folders, globs, or - for stdin."),
    published: Optional[str] = PUBLISHED,
    format: RecordFormat = typer.Option(RecordFormat.json, "--format", "-f",
                                        help="json (one object per line), table or markdown."),
    model: Optional[str] = MODEL,
    batch_size: int = BATCH,
    events_model: Optional[str] = EVENTS_MODEL,
) -> None:
    """Analyse articles and print their records (nothing is stored)."""
    use_events_model(events_model)
    failures: list[str] = []

    def on_event(event: dict) -> None:
        if event["event"] == "failed":
            failures.append(event["reason"])
            error(event["reason"])

    n = 0
    for i, (_, record) in enumerate(analyze_paths(articles, published=published, model=model,
                                                  batch_size=batch_size, on_event=on_event)):
        if i and format is RecordFormat.markdown:
            sys.stdout.write("\n---\n\n")
        print_record(record.to_dict(), format)
        sys.stdout.flush()
        n += 1
    raise typer.Exit(outcome(n, len(failures)))


@app.command()
@handle_errors
def ingest(
    paths: List[str] = typer.Argument(..., metavar="PATH...",
                                      help="Files, folders, globs, or - for stdin."),
    db: Path = DB,
    published: Optional[str] = PUBLISHED,
    model: Optional[str] = MODEL,
    batch_size: int = BATCH,
    events_model: Optional[str] = EVENTS_MODEL,
) -> None:
    """Analyse articles and store them; already stored articles are left unchanged."""
    use_events_model(events_model)
    err_console = render.console(stderr=True)
    store = open_store(db, create=True)
    summary = {"stored": 0, "unchanged": 0, "failed": 0, "failures": []}
    counts = {"stored": 0, "unchanged": 0, "failed": 0}
    try:
        with store, Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                             MofNCompleteColumn(), TextColumn("files"), TimeElapsedColumn(),
                             console=err_console, transient=False) as progress:
            task = progress.add_task("ingesting", total=count_files(paths) or None)

            def on_event(event: dict) -> None:
                if event["event"] == "file":
                    progress.advance(task)
                elif event["event"] in counts:
                    counts[event["event"]] += 1
                    progress.update(task, description="stored {stored} · unchanged {unchanged}"
                                                      " · failed {failed}".format(**counts))

            summary = ingest_paths(store, paths, published=published, model=model,
                                   batch_size=batch_size, on_event=on_event)
            total = len(store)
    except KeyboardInterrupt:
        print(f"interrupted: stored {counts['stored']}, unchanged {counts['unchanged']}, "
              f"failed {counts['failed']}; run the same command again to complete it")
        raise
    print(f"stored {summary['stored']}, unchanged {summary['unchanged']}, "
          f"failed {summary['failed']} ({db}: {total} articles)")
    for reason in summary["failures"]:
        error(reason)
    raise typer.Exit(outcome(summary["stored"] + summary["unchanged"], summary["failed"]))


@app.command()
@handle_errors
def search(
    query: Optional[str] = typer.Argument(None, help="Words in the title or text; "
                                                     "\"quoted phrase\"; word* for a prefix."),
    entity: Optional[str] = typer.Option(None, "--entity", help="An entity's name, alias or "
                                                                "mention (any case)."),
    place: Optional[str] = typer.Option(None, "--place", help="A place name, or a country "
                                                              "(name or ISO code)."),
    date_from: Optional[str] = date_bound("--from", "Published on or after."),
    date_to: Optional[str] = date_bound("--to", "Published on or before."),
    limit: int = typer.Option(20, "--limit", "-n", min=1),
    raw: bool = typer.Option(False, "--raw", help="QUERY is FTS5 syntax (AND, OR, NEAR...)."),
    db: Path = DB,
    format: HitFormat = typer.Option(HitFormat.table, "--format", "-f",
                                     help="table, json or ids (one id per line)."),
) -> None:
    """Search stored articles by words, entity, place and publication date."""
    with open_store(db) as store:
        hits = store.search(query, entity=entity, place=place, date_from=date_from,
                            date_to=date_to, limit=limit, raw=raw)
    if format is HitFormat.ids:
        sys.stdout.write("".join(h.id + "\n" for h in hits))
    elif format is HitFormat.json:
        sys.stdout.write(json.dumps([h.to_dict() for h in hits], ensure_ascii=False) + "\n")
    elif hits:
        render.console().print(render.hits_table(hits, HIGHLIGHT))
    else:
        print("no matching articles", file=sys.stderr)


@app.command()
@handle_errors
def show(
    id: str = typer.Argument(..., help="An article id, or a unique prefix of one."),
    format: RecordFormat = typer.Option(RecordFormat.table, "--format", "-f"),
    db: Path = DB,
) -> None:
    """Print one stored record."""
    with open_store(db) as store:
        record = store.get(id)
    if record is None:
        raise CliError(f"no article with id {id!r} in {db}", NOT_FOUND)
    print_record(record, format)


@app.command()
@handle_errors
def export(
    format: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", "-f",
                                        help="jsonl (records), acled-csv, gdelt-tsv, "
                                             "plover-jsonl, geojson (events) or parquet "
                                             "(the whole store; -o is a folder)."),
    db: Path = DB,
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="File to write (default: stdout); a folder "
                                               "for parquet."),
) -> None:
    """Write the stored records, or their events in a format monitors load (docs/EXPORTS.md)."""
    from . import export as exports

    if format is ExportFormat.parquet and output is None:
        raise CliError("parquet needs -o FOLDER (one .parquet file per table)", USAGE)
    with open_store(db) as store:
        if format is ExportFormat.jsonl:
            if output is None:
                store.export_jsonl(sys.stdout)
                return
            try:
                with open(output, "w", encoding="utf-8") as fh:
                    n = store.export_jsonl(fh)
            except OSError as err:
                raise CliError(f"{output}: {err.strerror}", NOT_FOUND) from None
            print(f"exported {n} records to {output}", file=sys.stderr)
            return
        try:
            if format is ExportFormat.parquet:
                summary = exports.write_parquet(store.records(), output)
            elif output is None:
                summary = exports.WRITERS[format.value](store.records(), sys.stdout)
            else:
                newline = "" if format.value in ("acled-csv", "gdelt-tsv") else None
                with open(output, "w", encoding="utf-8", newline=newline) as fh:
                    summary = exports.WRITERS[format.value](store.records(), fh)
        except OSError as err:
            raise CliError(f"{output}: {err.strerror}", NOT_FOUND) from None
    what = "events" if format is not ExportFormat.parquet else "rows"
    print(f"exported {format.value}: {summary.line(what)}"
          + (f" -> {output}" if output else ""), file=sys.stderr)


@app.command()
@handle_errors
def events(
    db: Path = DB,
    type: Optional[str] = typer.Option(None, "--type", help="A PLOVER type: ASSAULT, "
                                                            "PROTEST, COERCE..."),
    actor: Optional[str] = typer.Option(None, "--actor", help="Source or target actor: a name, "
                                                              "alias, mention or code (SYRGOV)."),
    place: Optional[str] = typer.Option(None, "--place", help="The event's place, its region, "
                                                              "or a country (name or ISO code)."),
    date_from: Optional[str] = date_bound("--from", "Happened on or after."),
    date_to: Optional[str] = date_bound("--to", "Happened on or before."),
    context: Optional[str] = typer.Option(None, "--context", help="A PLOVER context: "
                                          "human_rights, military, economic..."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1),
    format: EventFormat = typer.Option(EventFormat.table, "--format", "-f",
                                       help="table or json (a list of events)."),
) -> None:
    """List stored events by type, actor, place, date and context."""
    with open_store(db) as store:
        found = store.events(type=type, actor=actor, place=place, date_from=date_from,
                             date_to=date_to, context=context)
    found = found[:limit] if limit else found
    if format is EventFormat.json:
        sys.stdout.write(json.dumps(found, ensure_ascii=False) + "\n")
    elif found:
        header = ["date", "event", "who → whom", "where", "dead", "status", "context",
                  "article"]
        rows = [[e["date"], " ".join(x for x in (e["type"], e["mode"]) if x),
                 f"{e['source_actor'] or '?'} → {e['target_actor'] or '?'}", e["location"],
                 e["fatalities"] or "", e["status"], ", ".join(e.get("context") or []),
                 e["id"]] for e in found]
        render.console().print(render._table(f"{len(found)} events", header, rows))
    else:
        print("no matching events", file=sys.stderr)


@app.command()
@handle_errors
def stats(db: Path = DB) -> None:
    """Counts of what the database holds, as JSON."""
    with open_store(db) as store:
        print(json.dumps(store.stats(), ensure_ascii=False, indent=2))


@app.command(name="eval")
@handle_errors
def eval_(
    area: str = typer.Argument(..., help="One of: " + ", ".join(EVAL_AREAS)),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Gold folder or JSONL file "
                                                             "(default: ../shared/gold/AREA)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1,
                                        help="Score only the first N records of each file."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as one JSON object."),
    model: Optional[str] = MODEL,
    events_model: Optional[str] = EVENTS_MODEL,
) -> None:
    """Score a stage on gold annotated by others."""
    use_events_model(events_model)
    import importlib

    from .evaluate.common import default_gold

    if area not in EVAL_AREAS:
        raise CliError(f"unknown eval area {area!r}; areas: {', '.join(EVAL_AREAS)}", USAGE)
    module_name = f"newsgraph.evaluate.{area}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name != module_name:
            raise
        raise CliError(f"eval {area} is not available in this installation", NOT_FOUND) from None
    gold = gold or default_gold(area)
    if not gold.exists():
        raise CliError(f"{gold}: no such gold file or folder", NOT_FOUND)
    try:
        result = module.evaluate(gold, limit=limit, model=model)
    except (ValueError, KeyError, TypeError) as err:   # JSON errors are ValueErrors
        raise CliError(f"{gold}: not {area} gold in the expected format "
                       f"({type(err).__name__}: {err})", NOT_FOUND) from None
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        out = render.console()
        out.print(render.eval_tables(area, result, width=out.width))


@gazetteer_app.command("build")
@handle_errors
def gazetteer_build(force: bool = typer.Option(False, "--force",
                                               help="Rebuild even if the index exists.")) -> None:
    """Build the place index (once; it is cached on disk)."""
    from .resolve.gazetteer import build
    print(build(force=force))


class DetailsFormat(str, Enum):
    markdown = "markdown"
    json = "json"


def _record_for(article: str, db: Path, published: Optional[str], model: Optional[str]):
    """A record dict: ARTICLE analysed now when it is a file, else the stored article of that id."""
    if Path(article).is_file():
        from .pipeline import analyze
        from .read import read_path
        documents = list(read_path(Path(article), published=published))
        if not documents:
            raise CliError(f"{article}: no article found", NOT_FOUND)
        return analyze(documents[0], model=model).to_dict()
    if not db.exists():
        raise CliError(f"{article}: no such file, and no database {db} to look the id up in",
                       NOT_FOUND)
    with open_store(db) as store:
        record = store.get(article)
    if record is None:
        raise CliError(f"{article}: no such file, and no article with that id in {db}", NOT_FOUND)
    return record


@app.command()
@handle_errors
def details(
    article: str = typer.Argument(..., metavar="ARTICLE|ID", help="An article file, or a stored "
                                                                  "article id (or prefix)."),
    db: Path = DB,
    kb: Optional[Path] = typer.Option(None, "--kb", help="KB store file (default: $NEWSGRAPH_KB "
                                                         "or ~/.cache/newsgraph/kb.sqlite)."),
    published: Optional[str] = PUBLISHED,
    model: Optional[str] = MODEL,
    format: DetailsFormat = typer.Option(DetailsFormat.markdown, "--format", "-f",
                                         help="markdown or json."),
) -> None:
    """Background on the article's main entities: Wikipedia leads, else KB facts at its date."""
    from .details import as_dicts, details_markdown, write_details
    from .kb.cli import use_store
    use_store(kb)
    record = _record_for(article, db, published, model)
    found = as_dicts(write_details(record))
    if format is DetailsFormat.json:
        sys.stdout.write(json.dumps({"id": record["id"], "published": record.get("published"),
                                     "details": found}, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(details_markdown(found, record.get("entities")))


from .kb.cli import guarded as _kb_guarded  # noqa: E402


@kb_app.command("learn")
@_kb_guarded
def kb_learn(
    id: str = typer.Argument(..., help="A stored article id (or prefix) with a background part."),
    db: Path = DB,
    kb: Optional[Path] = typer.Option(None, "--kb", help="KB store file to add the facts to."),
    as_json: bool = typer.Option(False, "--json", help="Print the facts as JSON."),
) -> None:
    """Turn an article's own background part into facts with provenance (id and offsets)."""
    from .details import learn
    from .kb.store import default_path
    with open_store(db) as store:
        record = store.get(id)
    if record is None:
        raise CliError(f"no article with id {id!r} in {db}", NOT_FOUND)
    facts = learn(record, kb)
    if as_json:
        sys.stdout.write(json.dumps({"id": record["id"], "facts": facts}, ensure_ascii=False) + "\n")
        return
    if not any(s["kind"] == "background" for s in record.get("sections") or []):
        print(f"{record['id']}: the article has no background part; nothing learned")
        return
    rows = [[f["subject"], f["field"], f["value"], f"{f['start']}-{f['end']}"] for f in facts]
    render.console().print(render._table(f"learned {len(facts)} facts from {record['id']}",
                                         ["subject", "field", "value", "span"], rows))
    print(f"-> {kb or default_path()}")


train_app = typer.Typer(help="Train optional learned layers on your own coded data.",
                        no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("events")
@handle_errors
def train_events(
    gold: Path = typer.Option(..., "--gold", help="Coded sentences in the events gold format "
                                                  "(a JSONL file or a folder of them)."),
    output: Path = typer.Option(Path("events-model"), "--output", "-o",
                                help="Folder to write the model to."),
    epochs: int = typer.Option(10, "--epochs", min=1),
    holdout: float = typer.Option(0.0, "--holdout", min=0.0, max=0.9,
                                  help="Fraction of records kept out of training by a hash of "
                                       "their text, written to OUTPUT/heldout/ for eval."),
    exclude: Optional[Path] = typer.Option(None, "--exclude", help="Gold file or folder whose "
                                           "sentences must not be trained on (a test set)."),
    folds: int = typer.Option(4, "--folds", min=0,
                              help="Cross-fitting folds of the training records that calibrate "
                                   "each type's add/veto thresholds (0: fixed thresholds, "
                                   "uncalibrated)."),
) -> None:
    """Train the events sentence classifier used by --events-model."""
    from .extract.events_model import EventsModelError, train

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    try:
        summary = train(gold, output, epochs=epochs, holdout=holdout, exclude=exclude,
                        folds=folds, on_step=say,
                        on_epoch=lambda e, loss: say(f"epoch {e}/{epochs} loss {loss}"))
    except EventsModelError as err:
        raise CliError(str(err), NOT_FOUND) from None
    on = {t: g for t, g in summary["thresholds"].items() if g["add"] is not None
          or g["veto"] is not None}
    print(f"trained on {summary['train_records']} records ({summary['excluded_records']} "
          f"excluded, {summary['heldout_records']} held out) -> {output}")
    if not folds:
        print("types the model may change: all (uncalibrated --folds 0: fixed thresholds)")
    else:
        print("types the model may change: " + (", ".join(
            f"{t} (" + ", ".join(f"{k} {op} {g[k]}" for k, op in (("add", ">="), ("veto", "<"))
                                 if g[k] is not None) + ")" for t, g in on.items())
            if on else "none (calibration found no reliable gain over the rules)"))


if __name__ == "__main__":
    app()
