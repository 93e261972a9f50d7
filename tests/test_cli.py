"""The `newsgraph` command, run in-process (Typer's CliRunner) and as the installed script."""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgraph import Store, __version__
from newsgraph.cli import app
from newsgraph.read import expand_paths
from newsgraph.schema import validate

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "newsgraph" / "samples"
EXAMPLE = ROOT.parent / "shared" / "examples" / "000_7858cea97ce4f018.txt"
SCRIPT = Path(sys.executable).parent / "newsgraph"
TABLES = ("articles", "entities", "entity_names", "mentions", "places", "dates", "counts")


def run(*args, input=None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def assert_one_line_error(result, code: int, *needles: str):
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert lines and all(ln.startswith("newsgraph: error: ") for ln in lines), result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.stderr


def row_counts(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """The samples ingested once through the CLI, for the whole module."""
    path = tmp_path_factory.mktemp("cli") / "news.db"
    result = run("ingest", SAMPLES, "--db", path)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout.startswith("stored ")
    assert "failed 0" in result.stdout
    return path


@pytest.fixture(scope="module")
def stored(db) -> list[dict]:
    with Store(db) as s:
        return list(s.records())


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"newsgraph {__version__}"


def test_ingest_twice_changes_nothing(db, stored):
    before = row_counts(db)
    assert before["articles"] == len(stored) >= 12
    result = run("ingest", SAMPLES, "--db", db)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"stored 0, unchanged {len(stored)}, failed 0")
    assert row_counts(db) == before


def test_ingest_stdin(tmp_path, stored):
    rec = next(r for r in stored if r["published"])
    result = run("ingest", "-", "--db", tmp_path / "in.db", "--published", rec["published"],
                 input=rec["text"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("stored 1, unchanged 0, failed 0")


def test_search_formats(db, stored):
    holders = {r["id"] for r in stored if re.search(r"\bLatakia\b", r["text"], re.I)}
    assert holders, "a sample about Latakia is expected (the Makefile demo searches it)"
    ids = run("search", "Latakia", "--db", db, "--format", "ids")
    assert ids.exit_code == 0 and set(ids.stdout.split()) == holders
    as_json = run("search", "Latakia", "--db", db, "--format", "json")
    hits = json.loads(as_json.stdout)
    assert {h["id"] for h in hits} == holders
    assert set(hits[0]) == {"id", "title", "published", "source", "score", "snippet"}
    assert all("<mark>" in h["snippet"] for h in hits)
    table = run("search", "Latakia", "--db", db)
    assert table.exit_code == 0 and next(iter(holders)) in table.stdout


def test_search_filters(db, stored):
    rec = next(r for r in stored if any(e["type"] == "PERSON" for e in r["entities"]))
    person = next(e for e in rec["entities"] if e["type"] == "PERSON")
    out = run("search", "--entity", person["name"].lower(), "--db", db, "--format", "ids")
    assert rec["id"] in out.stdout.split()

    place = next((e for r in stored for e in r["entities"]
                  if e["geo"] and e["geo"]["country"]), None)
    if place:
        code = place["geo"]["country"]
        out = run("search", "--place", code, "--db", db, "--format", "ids", "--limit", 100)
        expected = {r["id"] for r in stored for e in r["entities"]
                    if e["geo"] and e["geo"]["country"] == code}
        assert expected <= set(out.stdout.split())

    published = sorted(r["published"] for r in stored if r["published"])
    lo, hi = published[0], published[len(published) // 2]
    out = run("search", "--from", lo, "--to", hi, "--db", db, "--format", "ids", "--limit", 100)
    assert set(out.stdout.split()) == {r["id"] for r in stored
                                       if r["published"] and lo <= r["published"] <= hi}


def test_search_no_hits_is_success(db):
    result = run("search", "zzzqqqxxx", "--db", db, "--format", "ids")
    assert result.exit_code == 0 and result.stdout == ""


@pytest.mark.parametrize("args,code,needle", [
    (["search", "x", "--from", "2025-13-01"], 2, "--from"),
    (["search", "x", "--to", "yesterday"], 2, "--to"),
    (["search", "AND", "--raw"], 2, "syntax error"),
    (["search", "x", "--format", "xml"], 2, "xml"),
    (["show"], 2, "Missing argument"),
    (["frobnicate"], 2, "frobnicate"),
    (["eval", "sentiment"], 2, "dates, geo, entities"),
    (["show", "ffffffffffffffff"], 3, "no article with id"),
])
def test_errors_are_one_line_with_exit_code(db, args, code, needle):
    result = run(*args, "--db", db) if args[0] in ("search", "show") and len(args) > 1 \
        else run(*args)
    assert_one_line_error(result, code, needle)


def test_missing_database_is_not_found(tmp_path):
    for args in (["search", "x"], ["show", "abc"], ["export"], ["stats"]):
        result = run(*args, "--db", tmp_path / "none.db")
        assert_one_line_error(result, 3, "none.db")
    assert not (tmp_path / "none.db").exists()


def test_show_formats(db, stored):
    rec = max(stored, key=lambda r: len(r["entities"]))
    as_json = run("show", rec["id"][:8], "--db", db, "--format", "json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == rec
    table = run("show", rec["id"], "--db", db)
    assert table.exit_code == 0
    for title in ("Article", "Entities"):
        assert title in table.stdout
    top = max(rec["entities"], key=lambda e: len(e["mentions"]))
    assert top["name"].split()[0] in table.stdout
    md = run("show", rec["id"], "--db", db, "--format", "markdown")
    assert md.exit_code == 0
    assert "## Entities" in md.stdout and "| name | type | country |" in md.stdout
    assert f"| {top['name']} | {top['type']} |" in md.stdout


def test_export_round_trip(db, stored, tmp_path):
    out = tmp_path / "all.jsonl"
    result = run("export", "--format", "jsonl", "--db", db, "-o", out)
    assert result.exit_code == 0
    assert [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()] == stored
    to_stdout = run("export", "--db", db)
    assert [json.loads(ln) for ln in to_stdout.stdout.splitlines()] == stored


def test_analyze_json_matches_what_is_stored(db, stored):
    path = next(p for p in expand_paths([str(SAMPLES)]) if Path(p).suffix == ".txt")
    result = run("analyze", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    validate(rec)
    assert rec in stored


def test_analyze_many_prints_one_object_per_line(stored):
    jsonl = next((p for p in expand_paths([str(SAMPLES)]) if Path(p).suffix == ".jsonl"), None)
    if jsonl is None:
        pytest.skip("no JSONL sample")
    result = run("analyze", jsonl)
    assert result.exit_code == 0, result.stderr
    recs = [json.loads(ln) for ln in result.stdout.splitlines()]
    assert len(recs) > 1 and all(r in stored for r in recs)


def test_analyze_stdin_table_and_markdown(example_path):
    text = example_path.read_text(encoding="utf-8")
    table = run("analyze", "-", "--format", "table", input=text)
    assert table.exit_code == 0, table.stderr
    assert "Entities" in table.stdout and "2025-03-10" in table.stdout
    md = run("analyze", "-", "--format", "markdown", input=text)
    assert md.exit_code == 0 and "## Entities" in md.stdout and "## Dates" in md.stdout


def test_analyze_plain_text_with_published(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Police in Nairobi arrested 40 protesters on Friday, officials said.\n",
                    encoding="utf-8")
    rec = json.loads(run("analyze", path, "--published", "2025-03-10").stdout)
    assert rec["published"] == "2025-03-10"
    validate(rec)
    bad = run("analyze", path, "--published", "10/03/2025")
    assert_one_line_error(bad, 2, "--published")


def test_analyze_unreadable_inputs(tmp_path):
    assert_one_line_error(run("analyze", tmp_path / "missing.txt"), 3, "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert_one_line_error(run("analyze", empty), 3, "empty.txt")


def test_eval_wiring(gold_dir):
    result = run("eval", "dates", "--limit", 1, "--json")
    if "not available" in result.stderr:
        pytest.skip("eval dates is not installed yet")
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout)
    assert "by_file" in figures
    table = run("eval", "dates", "--limit", 1)
    assert table.exit_code == 0 and "by_file" in table.stdout
    missing = run("eval", "dates", "--gold", "/nonexistent/gold")
    assert_one_line_error(missing, 3, "/nonexistent/gold")


def test_installed_script_in_a_pipe(db):
    """The console script itself, its output cut short by `head` as scripts do: clean exit."""
    if not SCRIPT.exists():
        pytest.skip("newsgraph script not installed in this environment")
    shell = subprocess.run(["bash", "-o", "pipefail", "-c",
                            f"'{SCRIPT}' export --db '{db}' | head -c 100"],
                           capture_output=True, text=True)
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.startswith('{"schema_version": "1"')
    assert shell.stderr == ""


def test_eval_bad_gold_is_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("this is not gold\n", encoding="utf-8")
    result = run("eval", "dates", "--gold", bad)
    if "not available" in result.stderr:
        pytest.skip("eval dates is not installed yet")
    assert_one_line_error(result, 3, "bad.jsonl")


def test_stats(db, stored):
    result = run("stats", "--db", db)
    assert result.exit_code == 0
    st = json.loads(result.stdout)
    assert st["articles"] == len(stored)
    assert st["entities"] == sum(len(r["entities"]) for r in stored)
