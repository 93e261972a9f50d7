"""`newsgraph eval dates`: TempEval-3 Task A (timex extraction + normalisation) on TIMEX3 gold.

Scoring as ../shared/gold/dates/README.md describes: per file, system and gold timexes are
aligned one to one, greedily by largest character overlap (a relaxed match shares at least
one character, a strict match has identical offsets); counts are summed over the file's
documents (micro average); type and value accuracy are over relaxed matches; value F1 =
relaxed F1 x value accuracy (TempEval-3's ranking figure), type F1 likewise. Values are
compared as exact strings. `score_file` is shared with bench/peers_dates.py so that every
system is scored by the same code.
"""
from __future__ import annotations

import time as _time
from pathlib import Path
from typing import Callable, Iterable, Optional

from .common import default_gold, gold_files, prf, read_gold

FIGURES = ("strict_F1", "relaxed_F1", "type_accuracy", "value_accuracy", "value_F1")


def align(system: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    """One-to-one pairs of overlapping timexes, largest character overlap first."""
    pairs = []
    for si, s in enumerate(system):
        for gi, g in enumerate(gold):
            overlap = min(s["end"], g["end"]) - max(s["start"], g["start"])
            if overlap > 0:
                pairs.append((overlap, si, gi))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_s, used_g, out = set(), set(), []
    for _, si, gi in pairs:
        if si in used_s or gi in used_g:
            continue
        used_s.add(si)
        used_g.add(gi)
        out.append((system[si], gold[gi]))
    return out


def count_doc(system: list[dict], gold: list[dict]) -> dict:
    """The counts TempEval-3 sums over documents, for one document."""
    pairs = align(system, gold)
    return {
        "system": len(system),
        "gold": len(gold),
        "relaxed": len(pairs),
        "strict": sum(1 for s, g in pairs if s["start"] == g["start"] and s["end"] == g["end"]),
        "type_ok": sum(1 for s, g in pairs if s.get("type") == g["type"]),
        "value_ok": sum(1 for s, g in pairs if s.get("value") == g["value"]),
    }


def figures(c: dict) -> dict:
    """Overall figures from summed counts (keys of FIGURES plus P/R and the counts)."""
    strict = prf(c["strict"], c["system"], c["gold"])
    relaxed = prf(c["relaxed"], c["system"], c["gold"])
    type_acc = c["type_ok"] / c["relaxed"] if c["relaxed"] else 0.0
    value_acc = c["value_ok"] / c["relaxed"] if c["relaxed"] else 0.0
    return {
        "strict_F1": strict["F1"], "relaxed_F1": relaxed["F1"],
        "type_accuracy": round(type_acc, 4), "value_accuracy": round(value_acc, 4),
        "value_F1": round(relaxed["F1"] * value_acc, 4),
        "type_F1": round(relaxed["F1"] * type_acc, 4),
        "strict_P": strict["P"], "strict_R": strict["R"],
        "relaxed_P": relaxed["P"], "relaxed_R": relaxed["R"],
        "counts": dict(c),
    }


def _add(total: dict, c: dict) -> None:
    for k, v in c.items():
        total[k] = total.get(k, 0) + v


def score_file(records: list[dict], predictions: Iterable[list[dict]]) -> dict:
    """Figures for one gold file given each record's predicted timexes, in record order."""
    total = {"system": 0, "gold": 0, "relaxed": 0, "strict": 0, "type_ok": 0, "value_ok": 0}
    for rec, pred in zip(records, predictions):
        _add(total, count_doc(pred, rec.get("timexes", [])))
    out = figures(total)
    out["docs"] = len(records)
    return out


def newsgraph_predictions(records: list[dict], model: Optional[str] = None) -> list[list[dict]]:
    """newsgraph's timexes for gold records: texts parsed in batches, published as document date."""
    from ..nlp import parse_many
    from ..time import find_dates
    out = []
    for rec, doc in zip(records, parse_many((r["text"] for r in records), model=model)):
        out.append([{"start": d.span.start, "end": d.span.end, "text": d.span.text,
                     "type": d.type, "value": d.value} for d in find_dates(doc, rec.get("published"))])
    return out


def _check(file: Path, records: list[dict]) -> None:
    for n, rec in enumerate(records, 1):
        if not isinstance(rec.get("text"), str) or not isinstance(rec.get("timexes", []), list):
            raise ValueError(f"{file}: record {n} has no 'text' string or 'timexes' list")


def evaluate(gold: Optional[Path] = None, limit: Optional[int] = None, model: Optional[str] = None,
             predict: Optional[Callable[[list[dict]], list[list[dict]]]] = None) -> dict:
    """TempEval-3 Task A figures for newsgraph (or `predict`) on each gold file and overall.

    The overall figures are micro-averaged over every file given; README asks to report the
    two corpora separately, which `by_file` does.
    """
    gold = Path(gold) if gold else default_gold("dates")
    predict = predict or (lambda recs: newsgraph_predictions(recs, model))
    by_file, total, seconds = {}, {}, 0.0
    for file in gold_files(gold):
        records = list(read_gold(file, limit))
        _check(file, records)
        t0 = _time.perf_counter()
        preds = predict(records)
        seconds += _time.perf_counter() - t0
        scored = score_file(records, preds)
        by_file[file.name] = scored
        _add(total, scored["counts"])
    out = figures(total) if total else figures({"system": 0, "gold": 0, "relaxed": 0, "strict": 0,
                                                "type_ok": 0, "value_ok": 0})
    out["docs"] = sum(f["docs"] for f in by_file.values())
    out["seconds"] = round(seconds, 2)
    out["by_file"] = by_file
    return out
