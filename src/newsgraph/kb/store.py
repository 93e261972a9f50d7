"""The imported KB store: what `newsgraph kb import` adds, in one SQLite file beside the embedded KB.

Where: `--kb PATH`, else `$NEWSGRAPH_KB`, else `kb.sqlite` in the gazetteer's cache folder
(`$NEWSGRAPH_CACHE`, default `~/.cache/newsgraph/`). Imports take precedence over the embedded
entries: `embedded.lookup`, `get` and `stats` pass their results through `with_imports`,
`overlay` and `add_stats` here, which return them unchanged while no store exists.

Tables: `entries` (one row per entry id and origin: a user's actor list, Wikidata), `names`
(normalised names, with an FTS5 index for token matches: "Jolani" finds "Abu Mohammad
al-Jolani"), `relations` and `positions` (Wikidata ids, resolved to titles when read),
`qid_iso` (country items to ISO codes), `terms` (offices held with their dates: a Wikidata
position id, or a canonical office and country from an actor list, so that `office_holder`
finds imported holders without reading every entry), `places` and `place_names` (GeoNames),
`leads` (Wikipedia lead paragraphs), `redirects` (Wikipedia titles that redirect to a page,
also stored as the page's names) and `checkpoints` (how far each import got, so a re-run
resumes). A store written before `terms` existed gets it filled from its entries when it is
next opened for writing.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

ENV_PATH = "NEWSGRAPH_KB"
SCHEMA_VERSION = "1"
# Origins, strongest first: a user's own actor list overrides Wikidata, which overrides the
# embedded KB. The rank is added to a candidate's score as the embedded KB does (curated = 2).
ORIGIN_RANK = {"actors": 4, "wikidata": 2, "wikipedia": 0}
NAME_SCORE = {"title": 1.0, "label": 1.0, "alias": 0.9, "surname": 0.7, "token": 0.65}
RELATION_KEYS = ("leader_of", "led_by", "member_of", "part_of", "successor_of", "backed_by")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS entries (
    id TEXT NOT NULL, origin TEXT NOT NULL, source TEXT NOT NULL, title TEXT, wikidata TEXT,
    type TEXT, sector TEXT, country TEXT, country_qid TEXT, description TEXT,
    sitelinks INTEGER NOT NULL DEFAULT 0, lat REAL, lon REAL, data TEXT NOT NULL,
    PRIMARY KEY (id, origin));
CREATE INDEX IF NOT EXISTS entries_qid ON entries(wikidata);
CREATE INDEX IF NOT EXISTS entries_source ON entries(source);
CREATE TABLE IF NOT EXISTS names (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL, entry TEXT NOT NULL, origin TEXT NOT NULL,
    kind TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS names_key ON names(key);
CREATE INDEX IF NOT EXISTS names_entry ON names(entry, origin);
CREATE VIRTUAL TABLE IF NOT EXISTS names_fts USING fts5(key, content='names', content_rowid='id', detail='none');
CREATE TRIGGER IF NOT EXISTS names_ai AFTER INSERT ON names BEGIN
    INSERT INTO names_fts(rowid, key) VALUES (new.id, new.key); END;
CREATE TRIGGER IF NOT EXISTS names_ad AFTER DELETE ON names BEGIN
    INSERT INTO names_fts(names_fts, rowid, key) VALUES ('delete', old.id, old.key); END;
CREATE TABLE IF NOT EXISTS relations (
    qid TEXT NOT NULL, relation TEXT NOT NULL, target TEXT NOT NULL,
    PRIMARY KEY (qid, relation, target)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relations_target ON relations(target, relation);
CREATE TABLE IF NOT EXISTS qid_iso (qid TEXT PRIMARY KEY, iso TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS positions (qid TEXT PRIMARY KEY, label TEXT, jurisdiction TEXT);
CREATE INDEX IF NOT EXISTS positions_jurisdiction ON positions(jurisdiction);
CREATE TABLE IF NOT EXISTS terms (
    entry TEXT NOT NULL, origin TEXT NOT NULL, position TEXT, office TEXT, country TEXT,
    start_date TEXT, end_date TEXT);
CREATE INDEX IF NOT EXISTS terms_entry ON terms(entry, origin);
CREATE INDEX IF NOT EXISTS terms_position ON terms(position);
CREATE INDEX IF NOT EXISTS terms_office ON terms(office, country);
CREATE TABLE IF NOT EXISTS places (
    geonameid INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
    fclass TEXT, fcode TEXT, country TEXT, admin1 TEXT, population INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS place_names (
    key TEXT NOT NULL, geonameid INTEGER NOT NULL, kind INTEGER NOT NULL,
    PRIMARY KEY (key, geonameid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS place_names_id ON place_names(geonameid);
CREATE TABLE IF NOT EXISTS redirects (title TEXT PRIMARY KEY, target TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS redirects_target ON redirects(target);
CREATE TABLE IF NOT EXISTS leads (
    title TEXT PRIMARY KEY, text TEXT NOT NULL, source TEXT NOT NULL, licence TEXT NOT NULL,
    dump_date TEXT);
CREATE TABLE IF NOT EXISTS checkpoints (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, path TEXT NOT NULL, position INTEGER NOT NULL,
    done INTEGER NOT NULL, counts TEXT NOT NULL);
"""


class StoreError(ValueError):
    """The KB store cannot be opened or is not a KB store; the message names the file."""


def default_path() -> Path:
    """$NEWSGRAPH_KB, else kb.sqlite in the gazetteer's cache folder.

    Asked for on every KB lookup (tens of thousands of times per batch), so the answer is
    cached per process, keyed on the environment it depends on: a test or user changing
    $NEWSGRAPH_KB, $NEWSGRAPH_CACHE or $HOME is seen at once.
    """
    env = os.environ
    return _path_for(env.get(ENV_PATH), env.get("NEWSGRAPH_CACHE"), env.get("HOME"))


@lru_cache(maxsize=64)
def _path_for(kb_env: Optional[str], cache_env: Optional[str], home: Optional[str]) -> Path:
    if kb_env:
        return Path(kb_env).expanduser()
    from newsgraph.resolve.gazetteer import cache_dir
    return cache_dir() / "kb.sqlite"


def connect(path: Optional[Path] = None, create: bool = True) -> sqlite3.Connection:
    """An open store (created with its tables when `create`); one connection per call."""
    path = Path(path) if path else default_path()
    if not create and not path.exists():
        raise StoreError(f"{path}: no KB store (import something first: newsgraph kb import ...)")
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        if create:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "entries" not in tables:   # another program's database, e.g. articles
                con.close()
                raise StoreError(f"{path}: an SQLite file that is not a KB store")
            con.executescript(_SCHEMA)
            con.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            _fill_terms(con)
            con.commit()
        row = con.execute("SELECT v FROM meta WHERE k = 'schema'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a newsgraph KB store ({exc})") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot open KB store ({exc.strerror or exc})") from None
    if not row or row[0] != SCHEMA_VERSION:
        con.close()
        raise StoreError(f"{path}: KB store of another version ({row[0] if row else 'none'}); "
                         "delete it and import again")
    return con


def _fill_terms(con: sqlite3.Connection) -> None:
    """Once per store: the terms of entries written before the `terms` table existed."""
    if con.execute("SELECT 1 FROM meta WHERE k = 'terms'").fetchone():
        return
    for entry_id, origin, data in con.execute("SELECT id, origin, data FROM entries").fetchall():
        _write_terms(con, {"id": entry_id, **json.loads(data)}, origin)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('terms', '1')")


# --- reading, for the embedded KB's queries -----------------------------------------------

_readers: dict[tuple[str, int], sqlite3.Connection] = {}


def reader() -> Optional[sqlite3.Connection]:
    """A read-only connection to the default store, or None while there is none.

    Checked on every call (one stat) so that an import, or a test pointing $NEWSGRAPH_KB
    elsewhere, is seen at once; connections are kept per path.
    """
    path = default_path()
    try:
        stamp = path.stat().st_ino
    except OSError:
        return None
    key = (str(path), stamp)
    con = _readers.get(key)
    if con is None:
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            con.execute("SELECT 1 FROM entries LIMIT 1")
        except sqlite3.Error:
            return None
        _readers[key] = con
    return con


def _row_entry(con: sqlite3.Connection, row) -> dict:
    """An entries row as an entry mapping in the embedded KB's shape."""
    (entry_id, origin, source, title, qid, kind, sector, country, _cq, description, sitelinks,
     lat, lon, data) = row
    entry = json.loads(data)
    entry.update({k: v for k, v in (("title", title or entry_id), ("wikidata", qid), ("type", kind),
                                    ("sector", sector), ("country", country),
                                    ("description", description)) if v is not None})
    if lat is not None:
        entry["coordinates"] = [lat, lon]
    if sitelinks:
        entry["sitelinks"] = sitelinks
    entry["source"] = source
    entry["origin"] = origin
    return entry


def _titles_of(con: sqlite3.Connection, qids: Iterable[str]) -> dict[str, str]:
    """Wikidata ids -> KB titles, from the store, else the embedded KB (ids it cannot name stay)."""
    from newsgraph.kb.embedded import load
    out = {}
    by_qid = load().by_qid
    for qid in set(qids):
        row = con.execute("SELECT id FROM entries WHERE wikidata = ? LIMIT 1", (qid,)).fetchone()
        out[qid] = row[0] if row else by_qid.get(qid, qid)
    return out


def _resolve_wikidata(con: sqlite3.Connection, entry: dict) -> None:
    """Relations and positions held, from Wikidata ids to titles, offices and countries."""
    qid = entry.get("wikidata")
    if not qid:
        return
    rel = con.execute("SELECT relation, target FROM relations WHERE qid = ?", (qid,)).fetchall()
    back = con.execute("SELECT qid FROM relations WHERE target = ? AND relation = 'led_by'",
                       (qid,)).fetchall()
    titles = _titles_of(con, [t for _, t in rel] + [q for (q,) in back])
    for relation, target in rel:
        entry.setdefault(relation, [])
        if titles[target] not in entry[relation]:
            entry[relation].append(titles[target])
    for (org,) in back:      # "X chairperson Y" on the organisation: Y is leader of X
        entry.setdefault("leader_of", [])
        if titles[org] not in entry["leader_of"]:
            entry["leader_of"].append(titles[org])
    terms = []
    for held in entry.get("positions", []):
        row = con.execute("SELECT label, jurisdiction FROM positions WHERE qid = ?",
                          (held["position"],)).fetchone()
        if row is None:
            continue
        label, jurisdiction = row
        offices, country = _office_of(label)
        if jurisdiction:
            iso = con.execute("SELECT iso FROM qid_iso WHERE qid = ?", (jurisdiction,)).fetchone()
            country = iso[0] if iso else country
        for office in offices:
            terms.append({"office": office, "from": held.get("from"), "to": held.get("to"),
                          "country": country or entry.get("country"), "position": label})
    if terms:
        entry["in_office"] = [t for t in terms if t["from"]]


def _office_of(label: Optional[str]) -> tuple[set[str], Optional[str]]:
    """A position's label ("President of Syria") as canonical offices and a country code."""
    if not label:
        return set(), None
    from newsgraph.kb.embedded import _parse_role
    return _parse_role(label)


def office_terms(offices: set[str], country: str, day: str) -> list[tuple[str, dict]]:
    """(start, merged entry) of everyone the store says held one of `offices` in `country` on
    `day`: Wikidata positions whose jurisdiction is that country's item and whose label names
    the office ("President of Syria"), and actor lists' own terms. Terms without a start date
    are left out, as `in_office` leaves them out."""
    con = reader()
    if con is None or not offices or not country:
        return []
    from newsgraph.kb.embedded import _within, load
    try:
        rows = con.execute("SELECT p.qid, p.label FROM positions p JOIN qid_iso i "
                           "ON i.qid = p.jurisdiction WHERE i.iso = ?", (country,)).fetchall()
        positions = [qid for qid, label in rows if _office_of(label)[0] & offices]
        marks = ",".join("?" * len(positions))
        terms = con.execute(f"SELECT entry, start_date, end_date FROM terms WHERE position IN ({marks})",
                            positions).fetchall() if positions else []
        marks = ",".join("?" * len(offices))
        terms += con.execute(f"SELECT entry, start_date, end_date FROM terms WHERE country = ? "
                             f"AND office IN ({marks})", (country, *sorted(offices))).fetchall()
    except sqlite3.OperationalError:      # a store from before `terms`, not yet reopened
        return []
    kb = load()
    out, seen = [], set()
    for entry_id, start, end in sorted(terms, key=lambda t: t[1] or "", reverse=True):
        if not start or entry_id in seen or not _within(day, start, end):
            continue
        seen.add(entry_id)
        entry = merged(kb.entries.get(entry_id), entry_rows(con, entry_id), None)
        if entry is not None:
            out.append((start, entry))
    return out


def entry_rows(con: sqlite3.Connection, entry_id: str) -> list[dict]:
    """Every imported row of an entry (by id or Wikidata id), strongest origin first."""
    rows = con.execute("SELECT * FROM entries WHERE id = ?", (entry_id,)).fetchall()
    if not rows and entry_id[:1] == "Q":
        rows = con.execute("SELECT * FROM entries WHERE wikidata = ?", (entry_id,)).fetchall()
    entries = [_row_entry(con, r) for r in rows]
    for entry in entries:
        if entry["origin"] == "wikidata":
            _resolve_wikidata(con, entry)
    return sorted(entries, key=lambda e: -ORIGIN_RANK.get(e["origin"], 0))


def redirect(title: str) -> Optional[str]:
    """The page a Wikipedia title redirects to, by an imported CirrusSearch dump, or None."""
    con = reader()
    if con is None:
        return None
    try:
        row = con.execute("SELECT target FROM redirects WHERE title = ?", (title,)).fetchone()
    except sqlite3.OperationalError:      # a store from before redirects
        return None
    return row[0] if row else None


def lead_of(con: sqlite3.Connection, title: str) -> Optional[dict]:
    row = con.execute("SELECT title, text, source, licence, dump_date FROM leads WHERE title = ?",
                      (title,)).fetchone()
    if row is None:
        return None
    return {"title": row[0], "extract": row[1], "source": row[2], "licence": row[3],
            "dump_date": row[4]}


def merged(embedded: Optional[dict], imported: list[dict], lead: Optional[dict]) -> Optional[dict]:
    """One entry: the embedded fields, overridden field by field by each import, strongest last."""
    if embedded is None and not imported and lead is None:
        return None
    entry: dict = dict(embedded or {})
    sources = list(entry.get("sources", []))
    for row in reversed(imported):            # weakest first, so the strongest writes last
        entry.update({k: v for k, v in row.items() if v not in (None, "", [])})
        sources.insert(0, row["origin"])
    if lead is not None:
        entry["lead"] = lead
        entry.setdefault("title", lead["title"])
        sources.append("wikipedia")
    entry["sources"] = list(dict.fromkeys(sources)) or ["wikipedia"]
    entry.setdefault("source", entry["sources"][0])
    return entry


def overlay(entry_id: str, embedded: Optional[dict]) -> Optional[dict]:
    """The embedded entry (or None) with what the store holds for it; unchanged without a store."""
    con = reader()
    if con is None:
        return embedded
    imported = entry_rows(con, entry_id)
    title = imported[0]["title"] if imported else (embedded or {}).get("title", entry_id)
    return merged(embedded, imported, lead_of(con, title))


FTS_LIMIT = 50


def _match_ids(con: sqlite3.Connection, key: str) -> dict[str, tuple[str, float]]:
    """Entry ids whose names match a normalised name, with how they match and a base score:
    exact names first; else names holding every word of it (FTS), scored by the share of the
    name those words cover ("Jolani" in "abu mohammad al jolani")."""
    found: dict[str, tuple[str, float]] = {}
    for entry_id, kind in con.execute("SELECT entry, kind FROM names WHERE key = ?", (key,)):
        if entry_id not in found or NAME_SCORE[kind] > found[entry_id][1]:
            found[entry_id] = (kind, NAME_SCORE[kind])
    if found or len(key) < 4:
        return found
    query = " ".join('"' + word + '"' for word in key.replace('"', "").split())
    try:
        rows = con.execute("SELECT n.entry, n.key FROM names_fts f JOIN names n ON n.id = f.rowid "
                           "WHERE names_fts MATCH ? LIMIT ?", (query, FTS_LIMIT * 4)).fetchall()
    except sqlite3.OperationalError:     # a name FTS cannot parse: no token matches
        return found
    for entry_id, name in rows:
        score = NAME_SCORE["token"] * (0.5 + 0.5 * len(key) / max(len(name), len(key)))
        if score > found.get(entry_id, ("token", 0.0))[1]:
            found[entry_id] = ("token", score)
    return dict(sorted(found.items(), key=lambda kv: -kv[1][1])[:FTS_LIMIT])


def candidates(name: str, day: Optional[str] = None, types: Optional[set[str]] = None,
               country: Optional[str] = None, embedded_kb=None) -> list:
    """Imported candidates for a name, scored like the embedded KB's (plus origin and fame)."""
    con = reader()
    if con is None:
        return []
    from newsgraph.kb.embedded import (SOURCE_RANK, _candidate, _date_adjustment, _type_ok, load,
                                       normalise)
    key = normalise(name)
    if not key:
        return []
    kb = embedded_kb or load()
    out = []
    for entry_id, (kind, base) in _match_ids(con, key).items():
        imported = entry_rows(con, entry_id)
        if not imported and entry_id not in kb.entries:     # a redirect to a page known by its lead
            lead = lead_of(con, entry_id)
            if lead is None:
                continue
        entry = merged(kb.entries.get(entry_id), imported, None if imported or entry_id in kb.entries
                       else lead)
        if not _type_ok(entry, types):
            continue
        rank = max((ORIGIN_RANK.get(o, SOURCE_RANK.get(o, 0)) for o in entry["sources"]), default=0)
        fame = min(0.1, math.log10(1 + (entry.get("sitelinks") or 0)) / 20)
        score = base + _date_adjustment(entry, day) + 0.06 * rank + fame
        if country and entry.get("country") == country:
            score += 0.05
        out.append(_candidate(entry, score, "alias" if kind == "label" else kind))
    return out


def with_imports(found: list, name: str, day: Optional[str] = None, types=None,
                 country: Optional[str] = None, limit: int = 10) -> list:
    """The embedded candidates with the store's merged in; an imported entry replaces its id."""
    con = reader()
    if con is None:
        return found
    from newsgraph.kb.embedded import _candidate, load
    kb = load()
    by_id = {}
    for cand in found:          # an embedded candidate the store also holds shows the import
        imported = entry_rows(con, cand.id)
        by_id[cand.id] = _candidate(merged(kb.entries.get(cand.id), imported, None), cand.score,
                                    cand.match) if imported else cand
    for cand in candidates(name, day, set(types) if types else None, country):
        previous = by_id.get(cand.id)
        if previous is not None and previous.score > cand.score:
            cand.score = previous.score
        by_id[cand.id] = cand
    return sorted(by_id.values(), key=lambda c: (-c.score, c.title))[:limit]


def place_rows(key: str) -> list[tuple]:
    """GeoNames places imported under a normalised (gazetteer) name:
    (geonameid, name, lat, lon, country, admin1, fclass, fcode, population, kind)."""
    con = reader()
    if con is None:
        return []
    return con.execute("SELECT p.geonameid, p.name, p.lat, p.lon, p.country, p.admin1, p.fclass, "
                       "p.fcode, p.population, n.kind FROM place_names n JOIN places p "
                       "ON p.geonameid = n.geonameid WHERE n.key = ?", (key,)).fetchall()


def counts(con: sqlite3.Connection) -> dict:
    """What the store holds: entries by type and origin, places, leads, imports done."""
    result: dict = {"entries": con.execute("SELECT COUNT(DISTINCT id) FROM entries").fetchone()[0],
                    "by_type": {}, "by_origin": {}, "by_source": {}}
    for kind, n in con.execute("SELECT COALESCE(type, 'unknown'), COUNT(*) FROM entries GROUP BY 1"):
        result["by_type"][kind] = n
    for origin, n in con.execute("SELECT origin, COUNT(*) FROM entries GROUP BY 1"):
        result["by_origin"][origin] = n
    for source, n in con.execute("SELECT source, COUNT(*) FROM entries GROUP BY 1"):
        result["by_source"][source] = n
    for source, n in con.execute("SELECT source, COUNT(*) FROM places GROUP BY 1"):
        result["by_source"][source] = n
    for source, n in con.execute("SELECT source, COUNT(*) FROM leads GROUP BY 1"):
        result["by_source"][source] = n
    result["places"] = con.execute("SELECT COUNT(*) FROM places").fetchone()[0]
    result["leads"] = con.execute("SELECT COUNT(*) FROM leads").fetchone()[0]
    result["names"] = con.execute("SELECT COUNT(*) FROM names").fetchone()[0]
    try:
        result["redirects"] = con.execute("SELECT COUNT(*) FROM redirects").fetchone()[0]
    except sqlite3.OperationalError:      # a store from before redirects
        result["redirects"] = 0
    return result


def add_stats(result: dict) -> dict:
    """The embedded KB's stats with an `imported` part when a store exists."""
    con = reader()
    if con is not None:
        result["imported"] = {"path": str(default_path()), **counts(con)}
    return result


# --- writing, for the importers -------------------------------------------------------------

def _names_of(entry: dict) -> list[tuple[str, str]]:
    """(normalised name, kind) of an entry: its title (and the title without a "(...)"
    qualifier), label, aliases and, for people, the surname."""
    import re
    from newsgraph.kb.embedded import _surname, normalise
    pairs: dict[str, str] = {}

    def add(name, kind):
        key = normalise(name or "")
        if key and (key not in pairs or NAME_SCORE[kind] > NAME_SCORE[pairs[key]]):
            pairs[key] = kind

    title = entry.get("title") or ""
    for name in entry.get("names", []) or []:
        add(name, "alias")
    if entry.get("label"):
        add(entry["label"], "label")
    add(title, "title")
    add(re.sub(r"\s*\(.*\)$", "", title), "title")
    if entry.get("type") == "PERSON":
        surname = _surname(entry.get("label") or title)
        if surname and normalise(surname) not in pairs:
            pairs[normalise(surname)] = "surname"
    return list(pairs.items())


_ENTRY_COLUMNS = ("title", "wikidata", "type", "sector", "country", "description")


def write_entry(con: sqlite3.Connection, entry: dict, origin: str, source: str,
                country_qid: Optional[str] = None, sitelinks: int = 0,
                coordinates: Optional[tuple[float, float]] = None) -> str:
    """Insert or update one entry and its names; "unchanged" when the stored row is the same.

    Returns "added", "updated" or "unchanged", so that a re-import can say it changed nothing.
    """
    entry_id = entry["id"]
    data = {k: v for k, v in entry.items() if k not in _ENTRY_COLUMNS and k != "id"
            and v not in (None, "", [])}
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True)
    lat, lon = coordinates if coordinates else (None, None)
    values = (source, entry.get("title"), entry.get("wikidata"), entry.get("type"),
              entry.get("sector"), entry.get("country"), country_qid, entry.get("description"),
              sitelinks, lat, lon, blob)
    old = con.execute("SELECT source, title, wikidata, type, sector, country, country_qid, "
                      "description, sitelinks, lat, lon, data FROM entries WHERE id = ? AND origin = ?",
                      (entry_id, origin)).fetchone()
    if old is not None:
        # A country resolved after the import (from the dump's country items) is kept.
        same = old[:5] == values[:5] and old[6:] == values[6:] and (old[5] == values[5] or values[5] is None)
        if same:
            return "unchanged"
        con.execute("DELETE FROM names WHERE entry = ? AND origin = ?", (entry_id, origin))
    con.execute("INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (entry_id, origin, *values))
    con.executemany("INSERT INTO names (key, entry, origin, kind) VALUES (?,?,?,?)",
                    [(key, entry_id, origin, kind) for key, kind in _names_of(entry)])
    _write_terms(con, entry, origin)
    return "added" if old is None else "updated"


def _write_terms(con: sqlite3.Connection, entry: dict, origin: str) -> None:
    """An entry's terms in office: Wikidata's positions held (P39, by position id) and an
    actor list's `in_office` terms (canonical office and country)."""
    con.execute("DELETE FROM terms WHERE entry = ? AND origin = ?", (entry["id"], origin))
    rows = [(entry["id"], origin, held.get("position"), None, None, held.get("from"), held.get("to"))
            for held in entry.get("positions") or [] if isinstance(held, dict)]
    rows += [(entry["id"], origin, None, term.get("office"), term.get("country") or entry.get("country"),
              term.get("from"), term.get("to"))
             for term in entry.get("in_office") or [] if isinstance(term, dict) and term.get("office")]
    con.executemany("INSERT INTO terms VALUES (?,?,?,?,?,?,?)", rows)


def redirects_to(con: sqlite3.Connection, title: str) -> list[str]:
    return [r[0] for r in con.execute("SELECT title FROM redirects WHERE target = ? ORDER BY title",
                                      (title,))]


def write_redirects(con: sqlite3.Connection, title: str, redirects: list[str]) -> None:
    """A page's redirect titles, in the redirect table and as its names (origin "wikipedia")."""
    from newsgraph.kb.embedded import normalise
    con.execute("DELETE FROM redirects WHERE target = ?", (title,))
    con.executemany("INSERT OR REPLACE INTO redirects VALUES (?,?)", [(r, title) for r in redirects])
    con.execute("DELETE FROM names WHERE entry = ? AND origin = 'wikipedia'", (title,))
    keys = {normalise(r) for r in redirects} - {normalise(title), ""}
    con.executemany("INSERT INTO names (key, entry, origin, kind) VALUES (?,?,?,?)",
                    [(key, title, "wikipedia", "alias") for key in sorted(keys)])


def delete_entry(con: sqlite3.Connection, entry_id: str, origin: str) -> None:
    con.execute("DELETE FROM terms WHERE entry = ? AND origin = ?", (entry_id, origin))
    con.execute("DELETE FROM names WHERE entry = ? AND origin = ?", (entry_id, origin))
    con.execute("DELETE FROM entries WHERE id = ? AND origin = ?", (entry_id, origin))


def checkpoint(con: sqlite3.Connection, key: str) -> Optional[tuple[int, bool, dict]]:
    """(position, done, counts) of an import, or None when it never started."""
    row = con.execute("SELECT position, done, counts FROM checkpoints WHERE key = ?", (key,)).fetchone()
    return (row[0], bool(row[1]), json.loads(row[2])) if row else None


def save_checkpoint(con: sqlite3.Connection, key: str, kind: str, path: str, position: int,
                    done: bool, tallies: dict) -> None:
    """Record how far an import got; call inside the transaction that wrote those rows."""
    con.execute("INSERT OR REPLACE INTO checkpoints VALUES (?,?,?,?,?,?)",
                (key, kind, path, position, int(done), json.dumps(tallies, sort_keys=True)))
