"""The store's `events` and `event_counts` tables: filled at ingest, rebuilt by reindex and by
the migration of older databases, and answering `Store.events` exactly as the record JSON
would (`newsgraph.export.select_events`)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from newsgraph import Store
from newsgraph.batch import analyze_paths
from newsgraph.export import select_events
from newsgraph.store import SCHEMA_VERSION, StoreError, content_hash, migrate
from test_export import hand_coded, quiet

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "newsgraph" / "samples"
EXAMPLE = ROOT.parent / "shared" / "examples" / "000_7858cea97ce4f018.txt"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """The real pipeline's records of the samples (and the example), distinct by text."""
    specs = [str(SAMPLES)] + ([str(EXAMPLE)] if EXAMPLE.exists() else [])
    by_id = {rec.id: rec.to_dict() for _, rec in analyze_paths(specs)}
    recs = list(by_id.values())
    assert sum(len(r["events"]) for r in recs) >= 5
    return recs


@pytest.fixture(scope="module")
def store(records, tmp_path_factory):
    with Store(tmp_path_factory.mktemp("ev") / "news.db") as s:
        s.ingest_many(records)
        yield s


def table(store: Store, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(store.path) as conn:
        return conn.execute(sql, args).fetchall()


def test_every_event_has_a_row_cut_from_its_article(store, records):
    assert table(store, "SELECT count(*) FROM events")[0][0] == sum(len(r["events"])
                                                                     for r in records)
    assert table(store, "SELECT count(*) FROM event_counts")[0][0] == sum(
        len(e["counts"]) for r in records for e in r["events"])
    for text, start, end, trigger in table(
            store, "SELECT a.text, e.trigger_start, e.trigger_end, e.trigger_text "
                   "FROM events e JOIN articles a ON a.id = e.article_id"):
        assert text[start:end] == trigger
    for text, start, end, what in table(
            store, "SELECT a.text, c.span_start, c.span_end, c.text "
                   "FROM event_counts c JOIN articles a ON a.id = c.article_id"):
        assert text[start:end] == what


def test_table_answers_as_the_record_json(store, records):
    """Every filter a user could give, built from the stored events themselves."""
    every = select_events(records)
    assert store.events() == every
    filters = [{"type": t} for t in {e["type"] for e in every}]
    filters += [{"actor": e[k]} for e in every for k in ("source_actor", "target_actor",
                                                         "source_code") if e[k]]
    filters += [{"place": e[k]} for e in every for k in ("location", "country", "admin1")
                if e[k]]
    days = sorted({e["date"] for e in every if e["date"]})
    filters += [{"date_from": d} for d in days] + [{"date_to": d} for d in days]
    filters += [{"type": e["type"], "place": e["location"], "date_from": e["date"]}
                for e in every if e["location"] and e["date"]]
    contexts = {c for e in every for c in e["context"]}
    assert contexts, "the samples' events carry PLOVER contexts"
    filters += [{"context": c} for c in contexts]
    filters += [{"context": c, "type": e["type"]} for e in every for c in e["context"]]
    assert len(filters) > 10
    for f in filters:
        assert store.events(**f) == select_events(records, **f), f


def test_hand_coded_filters(tmp_path):
    with Store(tmp_path / "h.db") as s:
        s.ingest(hand_coded())
        s.ingest(quiet())
        assert [e["event_id"] for e in s.events(type="assault")] == ["v1", "v2", "v6"]
        assert [e["event_id"] for e in s.events(actor="SDNREB")] == ["v1", "v2"]
        assert [e["event_id"] for e in s.events(place="Sudan")] == ["v1", "v2", "v3", "v4"]
        assert [e["event_id"] for e in s.events(date_from="2025-06-14",
                                                date_to="2025-06-14")] == ["v3", "v4"]
        row = table(s, "SELECT type, mode, status, source_name, source_code, target_name, "
                       "location_name, lat, country, time_start, fatalities, attributed_name "
                       "FROM events WHERE event_id = 'v1'")[0]
        assert row == ("ASSAULT", "heavy-weapons", "reported", "Militants", "SDNREB",
                       "civilians", "Kadugli", 11.0106, "SD", "2025-06-12", 12,
                       "local officials")
        assert table(s, "SELECT value, effect FROM event_counts WHERE event_id = 'v4'") \
            == [(35, "arrest")]
        with pytest.raises(StoreError, match="unknown event type"):
            s.events(type="KILL")
        with pytest.raises(StoreError, match="bad from date"):
            s.events(date_from="yesterday")


def test_type_and_country_filters_use_their_indexes(store):
    plan = " ".join(str(r) for r in table(
        store, "EXPLAIN QUERY PLAN SELECT view FROM events WHERE type = 'ASSAULT'"))
    assert "events_type" in plan
    plan = " ".join(str(r) for r in table(
        store, "EXPLAIN QUERY PLAN SELECT view FROM events WHERE country = 'SY'"))
    assert "events_country" in plan


def test_reindex_rebuilds_the_events(store, records):
    before = store.events()
    with sqlite3.connect(store.path) as conn:
        conn.execute("DELETE FROM events")
        conn.execute("DELETE FROM event_counts")
    assert store.events() == []
    store.reindex()
    assert store.events() == before


def test_a_version_2_database_gains_its_events(tmp_path, records):
    rec = max(records, key=lambda r: len(r["events"]))
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, upto=2) == 2
    conn.execute("INSERT INTO articles (id, content_hash, source, url, published, title, "
                 "language, text, record, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (rec["id"], content_hash(rec["text"]), rec["source"], rec["url"],
                  rec["published"], rec["title"], rec["language"], rec["text"], json.dumps(rec),
                  "2025-01-01T00:00:00+00:00"))
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone()
    conn.close()
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.events() == select_events([rec])
        assert len(s.events()) == len(rec["events"]) > 0


def test_analyze_and_show_list_the_events(store):
    """`analyze --format markdown|table` and `show` render a record's Events section."""
    from rich.console import Console

    from newsgraph.render import record_markdown, record_table

    d = hand_coded().to_dict()
    md = record_markdown(d)
    section = md.split("## Events", 1)[1].split("##", 1)[0]
    rows = [r for r in section.splitlines() if r.startswith("| ") and "---" not in r][1:]
    assert len(rows) == len(d["events"]) == 6
    assert "| ASSAULT | heavy-weapons | Militants → civilians | Kadugli | 2025-06-12 (day) " \
           "“Thursday” | 12 civilians (kill) | reported (0.90) | local officials | shelled @" \
           in rows[0]
    assert "denied" in rows[5] and "army" in rows[5]
    out = Console(width=300)
    with out.capture() as cap:
        out.print(record_table(d))
    assert "Events" in cap.get() and "Police → protesters" in cap.get()
    # A stored record renders the same way (what `show` prints).
    stored = next(r for r in store.records() if r["events"])
    assert "## Events" in record_markdown(stored)


def test_a_version_4_database_gains_the_context_column(tmp_path, records):
    """Migration 5 adds events.context (a JSON list) and fills it from the stored records."""
    rec = max(records, key=lambda r: sum(bool(e["context"]) for e in r["events"]))
    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, upto=4) == 4
    columns = {r[1] for r in conn.execute("PRAGMA table_info(events)")}
    assert "context" not in columns
    conn.execute("INSERT INTO articles (id, content_hash, source, url, published, title, "
                 "language, text, record, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (rec["id"], content_hash(rec["text"]), rec["source"], rec["url"],
                  rec["published"], rec["title"], rec["language"], rec["text"], json.dumps(rec),
                  "2025-01-01T00:00:00+00:00"))
    conn.close()
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION == 5
        stored = table(s, "SELECT event_id, context FROM events ORDER BY ord")
        assert [(eid, json.loads(c)) for eid, c in stored] == [
            (e["id"], e["context"]) for e in rec["events"]]
        some = next(c for e in rec["events"] for c in e["context"])
        assert s.events(context=some) == select_events([rec], context=some) != []
