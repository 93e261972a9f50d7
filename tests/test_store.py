"""The SQLite store on the real pipeline's records of the bundled samples (and the example)."""
from __future__ import annotations

import io
import json
import re
import sqlite3
from pathlib import Path

import pytest

from newsgraph import Store
from newsgraph.batch import analyze_paths
from newsgraph.store import (HIGHLIGHT, MIGRATIONS, SCHEMA_VERSION, StoreError, content_hash,
                             migrate, normalize_name)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "newsgraph" / "samples"
EXAMPLE = ROOT.parent / "shared" / "examples" / "000_7858cea97ce4f018.txt"
TABLES = ("articles", "articles_fts", "entities", "entity_names", "mentions", "places", "dates",
          "counts")


def row_counts(path: Path) -> dict:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """Records of every sample and of the example, analysed once for the whole module."""
    specs = [str(SAMPLES)] + ([str(EXAMPLE)] if EXAMPLE.exists() else [])
    recs = [rec.to_dict() for _, rec in analyze_paths(specs)]
    assert len(recs) >= 2
    return recs


@pytest.fixture(scope="module")
def store(records, tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "news.db"
    with Store(path) as s:
        summary = s.ingest_many(records)
        # Identical texts (if any) are stored once.
        assert summary["stored"] == len({r["id"] for r in records})
        yield s


def test_reingest_changes_nothing(store, records):
    before = row_counts(store.path)
    assert before["articles"] == len(store) == before["articles_fts"]
    assert store.ingest_many(records) == {"stored": 0, "unchanged": len(records)}
    assert store.ingest(records[0]) == "unchanged"
    assert row_counts(store.path) == before
    assert store.integrity_check() == "ok"


def test_derived_tables_match_records(store, records):
    by_id = {r["id"]: r for r in records}
    conn = sqlite3.connect(store.path)
    for aid, rec in by_id.items():
        n = lambda table: conn.execute(f"SELECT count(*) FROM {table} WHERE article_id = ?",  # noqa
                                       (aid,)).fetchone()[0]
        assert n("entities") == len(rec["entities"])
        assert n("mentions") == sum(len(e["mentions"]) for e in rec["entities"])
        assert n("places") == sum(1 for e in rec["entities"] if e["geo"])
        assert n("dates") == len(rec["dates"])
        assert n("counts") == len(rec["counts"])
    # Every stored mention cuts its text from its article's text.
    for text, start, end, mention in conn.execute(
            "SELECT a.text, m.span_start, m.span_end, m.text FROM mentions m "
            "JOIN articles a ON a.id = m.article_id"):
        assert text[start:end] == mention


def test_get_by_id_and_prefix(store, records):
    rec = records[0]
    assert store.get(rec["id"]) == rec
    assert store.get(rec["id"][:6].upper()) == rec
    assert store.get("f" * 16 if rec["id"] != "f" * 16 else "e" * 16) is None
    assert store.get("not an id") is None
    firsts = [r["id"][0] for r in records]
    shared = next((c for c in firsts if firsts.count(c) > 1), None)
    if shared:
        with pytest.raises(StoreError, match="ambiguous"):
            store.get(shared)


def _distinctive_word(records: list[dict]) -> tuple[str, dict]:
    """A title word whose first five letters occur in no other article, so that no stemmed
    variant of it can either: one hit is the right answer."""
    for rec in records:
        for word in sorted(re.findall(r"[A-Za-z]{6,}", rec.get("title") or ""), key=len,
                           reverse=True):
            holders = [r for r in records if word[:5].lower() in r["text"].lower()]
            if holders == [rec]:
                return word, rec
    pytest.skip("no title word unique to one article")


def test_search_ranks_and_highlights(store, records):
    word, rec = _distinctive_word(records)
    hits = store.search(word)
    assert [h.id for h in hits] == [rec["id"]]
    hit = hits[0]
    assert hit.title == rec["title"] and hit.published == rec["published"]
    assert hit.score is not None
    assert f"{HIGHLIGHT[0]}{word.lower()}" in hit.snippet.lower()
    # Phrase and prefix searches.
    assert rec["id"] in [h.id for h in store.search(f'"{word}"')]
    assert rec["id"] in [h.id for h in store.search(word[:4] + "*")]


def test_latakia_is_found(store, records):
    holders = {r["id"] for r in records if re.search(r"\bLatakia\b", r["text"], re.I)}
    if not holders:
        pytest.skip("no article mentions Latakia")
    hits = store.search("Latakia")
    assert {h.id for h in hits} == holders
    assert all("<mark>latakia</mark>" in h.snippet.lower() for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("query", ["AND", "OR NOT", '"unbalanced', "NEAR(", "title:foo",
                                   "a - b", "(x", "*"])
def test_user_queries_never_break_fts(store, query):
    if not any(c.isalnum() for c in query):
        with pytest.raises(StoreError, match="no words"):
            store.search(query)
    else:
        assert isinstance(store.search(query), list)


def test_raw_fts_syntax_error_is_one_line(store):
    with pytest.raises(StoreError) as err:
        store.search("AND", raw=True)
    assert "\n" not in str(err.value) and "AND" in str(err.value)
    # Raw syntax works when it is valid.
    assert isinstance(store.search("latakia OR ceasefire", raw=True), list)


def test_entity_filter(store, records):
    rec = next(r for r in records if any(e["type"] == "PERSON" for e in r["entities"]))
    person = next(e for e in rec["entities"] if e["type"] == "PERSON")
    hits = store.search(entity=person["name"].upper(), limit=100)
    assert rec["id"] in {h.id for h in hits}
    for h in hits:   # every hit really has such an entity
        names = {normalize_name(x) for e in store.get(h.id)["entities"]
                 for x in [e["name"], *e["aliases"], *(m["text"] for m in e["mentions"])]}
        assert normalize_name(person["name"]) in names
    # Combined with words: only articles holding both.
    assert store.search("zzzunlikelyword", entity=person["name"]) == []


def test_entity_filter_matches_aliases(store, records):
    pairs = [(r, e, a) for r in records for e in r["entities"] for a in e["aliases"]]
    if not pairs:
        pytest.skip("no entity with aliases yet")
    rec, _, alias = pairs[0]
    assert rec["id"] in {h.id for h in store.search(entity=alias.lower(), limit=100)}


def test_place_filter_by_name_and_country(store, records):
    places = [(r, e) for r in records for e in r["entities"]
              if e["type"] in ("GPE", "LOC", "FAC")]
    if not places:
        pytest.skip("no places")
    rec, place = places[0]
    assert rec["id"] in {h.id for h in store.search(place=place["name"].lower(), limit=100)}
    geocoded = [(r, e) for r, e in places if e["geo"] and e["geo"]["country"]]
    if not geocoded:
        pytest.skip("no geocoded places yet")
    import pycountry
    code = geocoded[0][1]["geo"]["country"]
    expected = {r["id"] for r, e in geocoded if e["geo"]["country"] == code}
    by_code = {h.id for h in store.search(place=code.lower(), limit=100)}
    assert expected <= by_code
    name = pycountry.countries.get(alpha_2=code).name
    assert expected <= {h.id for h in store.search(place=name, limit=100)}


def test_syria_matches_places_in_syria(store, records):
    in_sy = {r["id"] for r in records for e in r["entities"]
             if e["geo"] and e["geo"]["country"] == "SY"}
    if not in_sy:
        pytest.skip("no place geocoded in Syria")
    assert in_sy <= {h.id for h in store.search(place="Syria", limit=100)}


def test_date_filter_is_on_published(store, records):
    dated = sorted(r["published"] for r in records if r["published"])
    if len(dated) < 2:
        pytest.skip("fewer than two dated articles")
    lo, hi = dated[0], dated[len(dated) // 2]
    expected = {r["id"] for r in records if r["published"] and lo <= r["published"] <= hi}
    hits = store.search(date_from=lo, date_to=hi, limit=1000)
    assert {h.id for h in hits} == expected
    assert {h.id for h in store.search(date_from=hi, limit=1000)} == {
        r["id"] for r in records if r["published"] and r["published"] >= hi}
    with pytest.raises(StoreError, match="bad from date"):
        store.search(date_from="March 2025")


def test_no_query_lists_newest_first(store):
    hits = store.search(limit=1000)
    assert len(hits) == len(store)
    dates = [h.published for h in hits if h.published]
    assert dates == sorted(dates, reverse=True)


def test_export_round_trip(store, records):
    buf = io.StringIO()
    n = store.export_jsonl(buf)
    exported = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert n == len(exported) == len(store)
    seen, expected = set(), []
    for r in records:
        if r["id"] not in seen:
            seen.add(r["id"])
            expected.append(r)
    assert exported == expected
    assert list(store.records()) == expected


def test_stats(store, records):
    st = store.stats()
    assert st["schema_version"] == SCHEMA_VERSION
    assert st["articles"] == len(store)
    assert st["entities"] == sum(len(r["entities"]) for r in {r["id"]: r for r in records}.values())
    assert sum(st["languages"].values()) == len(store)


def test_ingest_is_one_transaction(tmp_path, records):
    """A record that fails half-way through indexing leaves nothing behind."""
    broken = json.loads(json.dumps(records[0]))
    broken["entities"].append({"id": "bad"})       # no name, no mentions: indexing fails
    with Store(tmp_path / "t.db") as s:
        with pytest.raises(KeyError):
            s.ingest(broken)
        assert len(s) == 0
        assert row_counts(s.path)["entities"] == 0
        assert s.ingest(records[0]) == "stored"


def test_opening_an_older_database_migrates_it(tmp_path, records):
    """A version-1 database (articles and text index only) gains the derived tables."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, upto=1) == 1
    rec = records[0]
    conn.execute("INSERT INTO articles (id, content_hash, source, url, published, title, "
                 "language, text, record, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (rec["id"], content_hash(rec["text"]), rec["source"], rec["url"],
                  rec["published"], rec["title"], rec["language"], rec["text"], json.dumps(rec),
                  "2025-01-01T00:00:00+00:00"))
    conn.execute("INSERT INTO articles_fts (rowid, title, text) VALUES (1, ?, ?)",
                 (rec["title"] or "", rec["text"]))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'entities'").fetchone()
    conn.close()

    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION == MIGRATIONS[-1][0]
        assert s.get(rec["id"]) == rec
        assert row_counts(path)["entities"] == len(rec["entities"])
        if rec["entities"]:
            assert rec["id"] in {h.id for h in s.search(entity=rec["entities"][0]["name"])}
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] \
        == str(SCHEMA_VERSION)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_not_a_database(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(StoreError, match="junk.db"):
        Store(path)
