"""Batches: bad inputs are reported one line each while the rest is stored, nothing is
stored twice, and a `kill -9` in the middle of a folder ingest loses nothing."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsgraph import Store
from newsgraph.batch import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "newsgraph" / "samples"
SCRIPT = Path(sys.executable).parent / "newsgraph"

CITIES = ["Mosul", "Aleppo", "Kharkiv", "Goma", "Khartoum", "Mandalay", "Port-au-Prince",
          "Gao", "Tripoli", "Sanaa"]
GROUPS = ["the army", "rebel fighters", "the police", "a militia", "border guards"]
WORDS = ["market", "school", "bridge", "clinic", "depot", "station", "mosque", "bakery"]


def generated_article(i: int, paragraphs: int = 12) -> str:
    """A dated article, distinct for each i, long enough that analysing it takes a while."""
    city = CITIES[i % len(CITIES)]
    day = 1 + i % 28
    lines = [f"date 2025-02-{day:02d} Clashes near the {WORDS[i % len(WORDS)]} in {city}, "
             f"report {i}", ""]
    for p in range(paragraphs):
        group = GROUPS[(i + p) % len(GROUPS)]
        place = CITIES[(i + p + 3) % len(CITIES)]
        lines.append(
            f"On Monday, {group} said that {10 + i + p} people were arrested near the "
            f"{WORDS[(i + p) % len(WORDS)]} in {city} after a night of shelling. Residents "
            f"who fled to {place} told reporters that at least {3 + p} civilians were killed "
            f"and {20 + 2 * i} homes were destroyed on February {day}, 2025. Officials in "
            f"{place} promised an inquiry into the events of report {i}, paragraph {p}.")
        lines.append("")
    return "\n".join(lines)


def make_folder(folder: Path, n: int, paragraphs: int = 12) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"article_{i:03d}.txt").write_text(generated_article(i, paragraphs),
                                                       encoding="utf-8")
    return folder


FRENCH = ("Les habitants de la ville ont quitté leurs maisons après trois jours de combats. "
          "Selon les autorités locales, plusieurs écoles ont été fermées et les marchés sont "
          "restés vides pendant toute la semaine. Les familles attendent de l'aide.")


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory):
    """Good articles mixed with the bad inputs of issue 3 part 11."""
    folder = make_folder(tmp_path_factory.mktemp("batch") / "in", 3, paragraphs=2)
    body = lambda i: generated_article(i, 2).split("\n", 2)[2]   # noqa: E731 (no date line)
    # Unreadable: each must fail alone, with a one-line reason naming it.
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    with open(folder / "huge.txt", "w", encoding="utf-8") as fh:
        fh.write(("word " * 1_000_000 + "\n") * 11)                    # 55 MB
    good = [{"text": body(100 + k), "title": f"Wire {k}", "published": "2025-02-10",
             "source": "wire"} for k in range(2)]
    (folder / "wire.jsonl").write_text(
        json.dumps(good[0]) + "\n" + '{"text": "unterminated\n' + json.dumps(good[1]) + "\n",
        encoding="utf-8")
    # Readable despite their encoding, markup or language: each must be stored.
    (folder / "latin1.txt").write_bytes(("Caf\u00e9 owners in Montr\u00e9al said. " + body(200))
                                        .encode("latin-1"))
    (folder / "utf16.txt").write_bytes(body(201).encode("utf-16"))
    (folder / "bom.txt").write_bytes(b"\xef\xbb\xbf" + generated_article(202, 2).encode())
    (folder / "broken.html").write_text(
        "<html><head><title>Curfew in " + CITIES[3] + "</title><body><h1>Curfew</h1><p>"
        + body(203).replace("\n\n", "</p><p>") + "<div><p>unclosed", encoding="utf-8")
    (folder / "impossible_date.txt").write_text(
        "date 2025-02-30 An impossible date\n\n" + body(204), encoding="utf-8")
    (folder / "french.txt").write_text(FRENCH, encoding="utf-8")
    return folder


UNREADABLE = ("empty.txt", "binary.txt", "huge.txt", "wire.jsonl:2")
READABLE = ("latin1.txt", "utf16.txt", "bom.txt", "broken.html", "french.txt")


def test_bad_inputs_are_reported_and_the_rest_stored(bad_batch, tmp_path):
    events = []
    files = sorted(str(p) for p in bad_batch.iterdir())
    with Store(tmp_path / "b.db") as store:
        summary = ingest_paths(store, [str(bad_batch)], on_event=events.append)
        failures = summary["failures"]
        assert all("\n" not in f for f in failures)
        for name in UNREADABLE:
            assert sum(f.startswith(str(bad_batch / name)) for f in failures) == 1, failures
        sources = [r["source"] for r in store.records()]
        for name in READABLE:
            assert any(s and s.startswith(str(bad_batch / name)) for s in sources), name
        french = next(r for r in store.records() if r["source"].endswith("french.txt"))
        assert french["language"] == "fr" and french["warnings"]
        # Every article is stored or reported, none twice; every file is reported done once.
        assert summary["stored"] == len(store) == len(set(sources))
        assert summary["failed"] == len(failures) >= len(UNREADABLE)
        for f in files:
            assert any(s and s.startswith(f) for s in sources) or any(
                x.startswith(f) for x in failures), f
        assert sorted(e["source"] for e in events if e["event"] == "file") == files
        # Again: what was stored is unchanged, what failed fails the same way.
        again = ingest_paths(store, [str(bad_batch)])
        assert (again["stored"], again["unchanged"], again["failures"]) == (
            0, summary["stored"], failures)


def test_cli_exit_codes_for_partial_and_total_failure(bad_batch, tmp_path):
    from typer.testing import CliRunner
    from newsgraph.cli import app
    runner = CliRunner()
    partial = runner.invoke(app, ["ingest", str(bad_batch), "--db", str(tmp_path / "p.db")])
    assert partial.exit_code == 1
    summary = partial.stdout.splitlines()[0]
    assert summary.startswith("stored ") and ", unchanged 0, failed " in summary
    errors = [ln for ln in partial.stderr.splitlines() if ln.startswith("newsgraph: error: ")]
    assert len(errors) == int(summary.split("failed ")[1].split()[0]) >= len(UNREADABLE)
    assert any("wire.jsonl:2" in ln for ln in errors)
    assert "Traceback" not in partial.output

    nothing = runner.invoke(app, ["ingest", str(bad_batch / "empty.txt"),
                                  str(bad_batch / "binary.txt"), str(tmp_path / "nope.txt"),
                                  "--db", str(tmp_path / "n.db")])
    assert nothing.exit_code == 3
    assert nothing.stdout.startswith("stored 0, unchanged 0, failed 3")


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:      # not created or not migrated yet
        return 0


def test_kill_9_during_ingest_then_rerun_completes(tmp_path):
    if not SCRIPT.exists():
        pytest.skip("newsgraph script not installed in this environment")
    n = 40
    folder = make_folder(tmp_path / "articles", n, paragraphs=4)
    db = tmp_path / "k.db"
    cmd = [str(SCRIPT), "ingest", str(folder), "--db", str(db), "--batch-size", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None and _count(db) < 3:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    stored_before = _count(db)
    assert 3 <= stored_before < n

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # No half-written article: each stored article has all its derived rows.
        for aid, record in conn.execute("SELECT id, record FROM articles"):
            rec = json.loads(record)
            assert conn.execute("SELECT count(*) FROM entities WHERE article_id = ?",
                                (aid,)).fetchone()[0] == len(rec["entities"])
            assert conn.execute("SELECT count(*) FROM counts WHERE article_id = ?",
                                (aid,)).fetchone()[0] == len(rec["counts"])
        fts = conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
        assert fts == stored_before

    rerun = subprocess.run(cmd, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith(f"stored {n - stored_before}, unchanged {stored_before}, "
                                   "failed 0")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == n
        assert conn.execute("SELECT count(DISTINCT content_hash) FROM articles").fetchone()[0] == n
        assert conn.execute("SELECT count(DISTINCT source) FROM articles").fetchone()[0] == n
        assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == n
