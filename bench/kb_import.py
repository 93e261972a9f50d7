"""Speed and peak memory of `newsgraph kb import wikidata` on a synthetic dump of N and 10×N items.

    .venv/bin/python bench/kb_import.py [--n 20000] [--keep-share 0.3] [--format gz|bz2]

The script writes the dump itself, in the Wikidata JSON dump's real layout (a JSON array, one
entity per line ending with ","), with entities shaped like real ones: labels, descriptions and
aliases in English and a few other languages, instance-of, country, dates, positions held with
qualifiers, relations, coordinates, and sitelinks. A share `--keep-share` of the entities are
well known (8-40 sitelinks: kept at the default --min-sitelinks 5), the rest obscure (0-3
sitelinks), as in the real dump where most items are filtered out; kept entities are a mix of
people, organisations and places. Each size is imported by a fresh subprocess into a fresh
store, which reports entities read per second (wall clock, the whole dump, including
decompression; also per CPU second of the process, steadier on a shared machine) and its
peak RSS (`resource.getrusage`): flat memory means 10×N peaks about
where N does.
"""
from __future__ import annotations

import argparse
import bz2
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LANGS = ("en", "fr", "de", "ar", "es")
COUNTRIES = ("Q858", "Q801", "Q794", "Q796", "Q43", "Q159", "Q212", "Q30", "Q145", "Q142")


def _item(prop, qid, qualifiers=None):
    claim = {"mainsnak": {"snaktype": "value", "property": prop, "datavalue": {
        "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
        "type": "wikibase-entityid"}, "datatype": "wikibase-item"}, "type": "statement",
        "id": f"{qid}$x", "rank": "normal"}
    if qualifiers:
        claim["qualifiers"] = qualifiers
    return claim


def _time(prop, year, month, day):
    value = {"time": f"+{year:04d}-{month:02d}-{day:02d}T00:00:00Z", "timezone": 0, "before": 0,
             "after": 0, "precision": 11, "calendarmodel": "http://www.wikidata.org/entity/Q1985727"}
    return {"snaktype": "value", "property": prop, "datavalue": {"value": value, "type": "time"}}


def synthetic_entity(i: int, rng: random.Random, keep_share: float) -> dict:
    qid = f"Q{10_000_000 + i}"
    known = rng.random() < keep_share
    kind = rng.choice(("person", "org", "place"))
    name = f"Name{i} {rng.choice(('Haddad', 'Petrov', 'Smith', 'Okafor', 'Nguyen'))}"
    claims = {"P31": [_item("P31", {"person": "Q5", "org": "Q7278", "place": "Q515"}[kind])],
              "P17": [_item("P17", rng.choice(COUNTRIES))]}
    if kind == "person":
        claims["P27"] = [_item("P27", rng.choice(COUNTRIES))]
        claims["P569"] = [{"mainsnak": _time("P569", rng.randint(1930, 2000), rng.randint(1, 12),
                                             rng.randint(1, 28)), "type": "statement", "rank": "normal"}]
        claims["P39"] = [_item("P39", f"Q{20_000_000 + i % 500}", qualifiers={
            "P580": [_time("P580", 2010, 1, 1)], "P582": [_time("P582", 2015, 6, 30)]})]
    elif kind == "org":
        claims["P488"] = [_item("P488", f"Q{10_000_000 + max(0, i - 1)}")]
        claims["P463"] = [_item("P463", "Q7184")]
    else:
        claims["P625"] = [{"mainsnak": {"snaktype": "value", "property": "P625", "datavalue": {
            "value": {"latitude": rng.uniform(-60, 70), "longitude": rng.uniform(-180, 180),
                      "precision": 0.0001, "globe": "http://www.wikidata.org/entity/Q2"},
            "type": "globecoordinate"}}, "type": "statement", "rank": "normal"}]
    wikis = rng.randint(8, 40) if known else rng.randint(0, 3)
    sitelinks = {f"w{j}wiki": {"site": f"w{j}wiki", "title": name, "badges": []} for j in range(wikis)}
    if known:
        sitelinks["enwiki"] = {"site": "enwiki", "title": name, "badges": []}
    return {"type": "item", "id": qid,
            "labels": {lang: {"language": lang, "value": name} for lang in LANGS},
            "descriptions": {lang: {"language": lang, "value": f"synthetic {kind} number {i}"}
                             for lang in LANGS},
            "aliases": {"en": [{"language": "en", "value": f"Alias{i} {k}"} for k in range(3)]},
            "claims": claims, "sitelinks": sitelinks}


def write_dump(path: Path, n: int, keep_share: float, seed: int = 7) -> None:
    rng = random.Random(seed)
    opener = bz2.open if path.suffix == ".bz2" else gzip.open
    with opener(path, "wt", encoding="utf-8") as f:
        f.write("[\n")
        for i in range(n):
            f.write(json.dumps(synthetic_entity(i, rng, keep_share)) + (",\n" if i < n - 1 else "\n"))
        f.write("]\n")


def run_one(dump: str, store: str) -> None:
    """In a fresh process: import the dump, print one JSON line of figures."""
    from newsgraph.kb.wikidata import import_wikidata
    start, cpu = time.perf_counter(), time.process_time()
    result = import_wikidata(Path(dump), min_sitelinks=5, kb_path=Path(store))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"read": result["read"], "kept": result["kept"], "seconds": round(seconds, 2),
                      "cpu_seconds": round(cpu, 2),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "store_mb": round(os.path.getsize(store) / 2**20, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--keep-share", type=float, default=0.3)
    parser.add_argument("--format", choices=("gz", "bz2"), default="gz")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        print(f"synthetic Wikidata dump, {args.keep_share:.0%} of items well known, .{args.format}; "
              f"import with --min-sitelinks 5 (python {sys.version.split()[0]})")
        print(f"{'items':>9} {'kept':>8} {'seconds':>8} {'items/s':>9} {'kept/s':>8} "
              f"{'CPU s':>7} {'items/CPU s':>12} {'peak RSS MB':>12} {'dump MB':>8} {'store MB':>9}")
        for n in (args.n, 10 * args.n):
            dump = Path(tmp) / f"synthetic-{n}.json.{args.format}"
            write_dump(dump, n, args.keep_share)
            store = Path(tmp) / f"kb-{n}.sqlite"
            out = subprocess.run([sys.executable, __file__, "--child", str(dump), str(store)],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{n:>9,} {r['kept']:>8,} {r['seconds']:>8.1f} {n / r['seconds']:>9,.0f} "
                  f"{r['kept'] / r['seconds']:>8,.0f} {r['cpu_seconds']:>7.1f} "
                  f"{n / r['cpu_seconds']:>12,.0f} {r['peak_rss_mb']:>12.1f} "
                  f"{dump.stat().st_size / 2**20:>8.1f} {r['store_mb']:>9.1f}")
            dump.unlink()


if __name__ == "__main__":
    main()
