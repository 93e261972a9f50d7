"""`newsgraph kb import wikidata`: people, organisations and places from a Wikidata JSON dump.

The dump (latest-all.json.gz or .bz2) is a JSON array written one entity per line, each line
ending with ",". Only items pass; they are kept by type (people: instance of human, Q5;
organisations: instance of a class in import_data/wikidata.yaml; places: has coordinates,
P625) and by their number of sitelinks (a cheap proxy for how well known they are; lines
with fewer `"site":` keys are skipped before any JSON parsing). The KB key is the English
Wikipedia title (the item id when there is none). Kept: label, aliases, description, P31
classes, country (P17/P27, resolved to ISO through the dump's own P297 codes, else the data
file), coordinates, dates (born, died, founded, dissolved), positions held (P39 with start
P580 and end P582) and relations (P488 chairperson, P463 member of, P361 part of, P1365
replaces). Country items and positions (items with P1001, applies to jurisdiction) are noted
whatever the filters, so that countries and offices can be named.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import yaml

from newsgraph.kb import dumps, store

DATA_FILE = Path(__file__).parent / "import_data" / "wikidata.yaml"
TYPES = ("people", "orgs", "places")
RELATIONS = {"P488": "led_by", "P463": "member_of", "P361": "part_of", "P1365": "successor_of"}
DATES = {"P569": "born", "P570": "died", "P571": "founded", "P576": "dissolved"}


@lru_cache(maxsize=1)
def classes() -> dict:
    with open(DATA_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _values(claims: dict, prop: str) -> list:
    """The values of a property's statements, preferred rank first, deprecated ones dropped."""
    statements = [s for s in claims.get(prop, []) if s.get("rank") != "deprecated"]
    statements.sort(key=lambda s: s.get("rank") != "preferred")
    out = []
    for s in statements:
        snak = s.get("mainsnak") or {}
        if snak.get("snaktype") == "value" and "datavalue" in snak:
            out.append((snak["datavalue"].get("value"), s))
    return out


def _item_ids(claims: dict, prop: str) -> list[str]:
    return [v["id"] for v, _ in _values(claims, prop) if isinstance(v, dict) and v.get("id")]


def wikidata_time(value) -> Optional[str]:
    """A Wikidata time value ("+1982-10-29T00:00:00Z", precision 9/10/11) as ISO text; BCE and
    undated values give None."""
    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        return None
    text, precision = value["time"], value.get("precision", 11)
    if not text.startswith("+") or precision < 9:
        return None
    year, month, day = text[1:11].split("-")
    if precision == 9 or month == "00":
        return year.zfill(4)
    if precision == 10 or day == "00":
        return f"{year.zfill(4)}-{month}"
    return f"{year.zfill(4)}-{month}-{day}"


def _qualifier_time(statement: dict, prop: str) -> Optional[str]:
    for snak in (statement.get("qualifiers") or {}).get(prop, []):
        if snak.get("snaktype") == "value":
            return wikidata_time(snak.get("datavalue", {}).get("value"))
    return None


def _english(entity: dict, key: str) -> Optional[str]:
    value = (entity.get(key) or {}).get("en")
    return value.get("value") if isinstance(value, dict) else None


def parse_entity(entity: dict, wanted: set[str], min_sitelinks: int) -> Optional[dict]:
    """What the KB keeps of one entity: {"entry", "country_qid", "sitelinks", "coordinates",
    "relations", "iso", "position"}; None when nothing is kept."""
    if entity.get("type") != "item" or not entity.get("id"):
        return None
    qid = entity["id"]
    claims = entity.get("claims") or {}
    label = _english(entity, "labels")
    iso = next((v for v, _ in _values(claims, "P297") if isinstance(v, str)), None)
    position = None
    jurisdiction = _item_ids(claims, "P1001")
    if jurisdiction and label:
        position = (qid, label, jurisdiction[0])
    result = {"iso": (qid, iso.upper()) if iso else None, "position": position, "entry": None}
    sitelinks = entity.get("sitelinks") or {}
    if len(sitelinks) < min_sitelinks or not label:
        return result if (iso or position) else None
    p31 = _item_ids(claims, "P31")
    data = classes()
    org_class = next((c for c in p31 if c in data["organisations"]), None)
    coords = next((v for v, _ in _values(claims, "P625") if isinstance(v, dict)), None)
    if "people" in wanted and "Q5" in p31:
        kind, sector = "PERSON", None
    elif "orgs" in wanted and org_class:
        kind, sector = data["organisations"][org_class]
    elif "places" in wanted and coords and coords.get("latitude") is not None:
        kind, sector = next((data["place_types"][c] for c in p31 if c in data["place_types"]), "GPE"), None
    else:
        return result if (iso or position) else None
    enwiki = (sitelinks.get("enwiki") or {}).get("title")
    entry = {"id": enwiki or qid, "title": enwiki or label, "wikidata": qid, "label": label,
             "type": kind, "sector": sector, "description": _english(entity, "descriptions"),
             "names": [a["value"] for a in (entity.get("aliases") or {}).get("en", [])
                       if isinstance(a, dict) and a.get("value")],
             "classes": p31, "country": iso.upper() if iso else None}
    for prop, name in DATES.items():
        values = [wikidata_time(v) for v, _ in _values(claims, prop)]
        if values and values[0]:
            entry[name] = values[0]
    entry["positions"] = [{"position": v["id"], "from": _qualifier_time(s, "P580"),
                           "to": _qualifier_time(s, "P582")}
                          for v, s in _values(claims, "P39") if isinstance(v, dict) and v.get("id")]
    relations = sorted({(name, target) for prop, name in RELATIONS.items()
                        for target in _item_ids(claims, prop)})
    entry["relations"] = [list(r) for r in relations]
    countries = _item_ids(claims, "P27" if kind == "PERSON" else "P17") or _item_ids(claims, "P17")
    result.update(entry=entry, country_qid=countries[0] if countries else None,
                  sitelinks=len(sitelinks),
                  coordinates=(coords["latitude"], coords["longitude"]) if kind != "PERSON" and coords else None)
    return result


def units(wanted: set[str], min_sitelinks: int):
    """The dump's lines as parsed entities (None for lines nothing is kept of)."""
    markers = (b'"P297"', b'"P1001"')

    def generate(dump: dumps.Dump, skip: int):
        for number, line in enumerate(dump.lines()):
            if number < skip:            # done by an earlier run: not even parsed
                continue
            line = line.strip().rstrip(b",")
            if not line.startswith(b"{"):          # the array's brackets, blank lines
                yield None
                continue
            if line.count(b'"site":') < min_sitelinks and not any(m in line for m in markers):
                yield None
                continue
            try:
                entity = json.loads(line)
            except ValueError:
                raise dumps.ImportError_(f"{dump.path}: line {number + 1}: not a JSON entity") from None
            yield parse_entity(entity, wanted, min_sitelinks)
    return generate



LICENCE = "CC0 1.0 (Wikidata)"


def write(source: str, date: Optional[str]):
    def write_item(con, item: dict) -> str:
        return _write(con, item, source, date)
    return write_item


def _write(con, item: dict, source: str, date: Optional[str]) -> str:
    """Store one parsed entity: its country code, its position label, and its entry."""
    if item["iso"]:
        con.execute("INSERT OR REPLACE INTO qid_iso VALUES (?,?)", item["iso"])
    if item["position"]:
        con.execute("INSERT OR REPLACE INTO positions VALUES (?,?,?)", item["position"])
    entry = item["entry"]
    if entry is None:
        return "noted"
    entry = {**entry, "licence": LICENCE, "dump_date": date}
    status = store.write_entry(con, entry, "wikidata", source, item["country_qid"],
                               item["sitelinks"], item["coordinates"])
    if status != "unchanged":
        con.execute("DELETE FROM relations WHERE qid = ?", (entry["wikidata"],))
        con.executemany("INSERT OR IGNORE INTO relations VALUES (?,?,?)",
                        [(entry["wikidata"], name, target) for name, target in entry["relations"]])
    return status


def finish(con) -> None:
    """Name the countries of entries kept before their country item was read."""
    con.executemany("INSERT OR IGNORE INTO qid_iso VALUES (?,?)", classes()["countries"].items())
    con.execute("UPDATE entries SET country = (SELECT iso FROM qid_iso WHERE qid = entries.country_qid) "
                "WHERE origin = 'wikidata' AND country IS NULL AND country_qid IS NOT NULL")


def parse_types(types: Iterable[str] | str) -> set[str]:
    wanted = {t.strip() for t in (types.split(",") if isinstance(types, str) else types) if t.strip()}
    unknown = wanted - set(TYPES)
    if unknown or not wanted:
        raise dumps.ImportError_(f"--types: unknown type {', '.join(sorted(unknown)) or '(none)'} "
                                 f"(choose among {', '.join(TYPES)})")
    return wanted


def import_wikidata(path: Path, types: Iterable[str] | str = TYPES, min_sitelinks: int = 5,
                    kb_path: Optional[Path] = None, limit: Optional[int] = None,
                    restart: bool = False, show_progress: bool = False) -> dict:
    """Import a Wikidata JSON dump (gz, bz2 or plain) into the KB store; resumable."""
    wanted = parse_types(types)
    path = Path(path)
    return dumps.run("wikidata", path, units(wanted, min_sitelinks),
                     write(f"wikidata:{path.name}", dumps.dump_date(path)), kb_path,
                     options={"types": sorted(wanted), "min_sitelinks": min_sitelinks},
                     limit=limit, restart=restart, show_progress=show_progress, finish=finish)
