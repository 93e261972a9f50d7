"""`newsgraph kb import geonames`: places from a GeoNames dump (allCountries.zip, cities500.zip,
XX.zip or their .txt), so that a town the embedded gazetteer lacks can be found.

The dump is tab-separated, one place a line, in GeoNames' documented columns: geonameid, name,
asciiname, alternatenames (comma-separated), latitude, longitude, feature class, feature
code, country code, cc2, admin1..admin4 codes, population, elevation, dem, timezone,
modification date. Every name is indexed under the gazetteer's own normalisation, so
`resolve.gazetteer.lookup` finds imported places beside its embedded ones. A place keeps its
GeoNames admin1 code; the gazetteer names that division when it reads the place (from the
code-to-division table its embedded cities taught it), so a better table needs no re-import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from newsgraph.kb import dumps

COLUMNS = ("geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude",
           "feature_class", "feature_code", "country_code", "cc2", "admin1", "admin2", "admin3",
           "admin4", "population", "elevation", "dem", "timezone", "modified")
PRIMARY, OFFICIAL, ALTERNATE = 0, 1, 2     # the gazetteer's name kinds


def parse_line(line: bytes, path: Path, number: int) -> Optional[dict]:
    """One place of a GeoNames line; a malformed line is a one-line error naming file and line."""
    text = line.decode("utf-8", errors="replace").rstrip("\r\n")
    if not text or text.startswith("#"):
        return None
    cols = text.split("\t")
    if len(cols) < 15:
        raise dumps.ImportError_(f"{path}: line {number}: expected GeoNames' 19 tab-separated "
                                 f"columns, found {len(cols)}")
    try:
        place = {"geonameid": int(cols[0]), "name": cols[1], "asciiname": cols[2],
                 "alternatenames": [n for n in cols[3].split(",") if n],
                 "lat": float(cols[4]), "lon": float(cols[5]), "fclass": cols[6] or None,
                 "fcode": cols[7] or None, "country": cols[8] or None, "admin1": cols[10] or None,
                 "population": int(cols[14] or 0)}
    except ValueError as exc:
        raise dumps.ImportError_(f"{path}: line {number}: bad GeoNames value ({exc})") from None
    return place


def units(dump: dumps.Dump, skip: int):
    for number, line in enumerate(dump.lines()):
        if number >= skip:
            yield parse_line(line, dump.path, number + 1)


def _names(place: dict) -> dict[str, int]:
    """Normalised name -> best kind, as the gazetteer indexes them (codes and the links GeoNames
    keeps among alternate names are not names)."""
    from newsgraph.resolve.gazetteer import _latin, normalize
    kinds: dict[str, int] = {}
    for name, kind in ([(place["name"], PRIMARY), (place["asciiname"], PRIMARY)] +
                       [(n, ALTERNATE) for n in place["alternatenames"]
                        if len(n) >= 3 and not (n.isupper() and len(n) <= 4) and "://" not in n]):
        key = normalize(name)
        if _latin(key) and kinds.get(key, 9) > kind:
            kinds[key] = kind
    return kinds


def write(source: str):
    def write_place(con, place: dict) -> str:
        values = (place["name"], place["lat"], place["lon"], place["fclass"], place["fcode"],
                  place["country"], place["admin1"], place["population"], source,
                  json.dumps({"alternatenames": place["alternatenames"]}, ensure_ascii=False))
        old = con.execute("SELECT name, lat, lon, fclass, fcode, country, admin1, population, "
                          "source, data FROM places WHERE geonameid = ?", (place["geonameid"],)).fetchone()
        if old == values:
            return "unchanged"
        con.execute("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (place["geonameid"], *values))
        con.execute("DELETE FROM place_names WHERE geonameid = ?", (place["geonameid"],))
        con.executemany("INSERT INTO place_names VALUES (?,?,?)",
                        [(key, place["geonameid"], kind) for key, kind in _names(place).items()])
        return "added" if old is None else "updated"
    return write_place


def import_geonames(path: Path, kb_path: Optional[Path] = None, limit: Optional[int] = None,
                    restart: bool = False, show_progress: bool = False) -> dict:
    """Import a GeoNames dump (zip or txt) into the KB store; resumable."""
    path = Path(path)
    return dumps.run("geonames", path, units, write(f"geonames:{path.name}"), kb_path,
                     limit=limit, restart=restart, show_progress=show_progress)
