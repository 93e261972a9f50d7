"""`newsgraph eval events`: PLOVER event types per sentence, modes and actors, on coded gold.

Scoring as ../shared/gold/events/README.md says.  Each record's text runs through the whole
per-document pipeline (`build_record`: entities, places, dates, counts, events) so actors are
resolved as in a real article.  For a record, gold G = its non-null PLOVER types, predicted
P = the types of the events the coder asserts, reports, estimates, alleges or plans (events
only threatened, advocated or denied are embedded in a THREATEN / REQUEST / REJECT event or
did not happen, and the gold codes them no further), leaving out events that are the content
of another event (`part_of`: "condemned the attack", "agreed to resign"), which the
sentence-coded gold does not code, except in case2021_task2 (main-event recall).  Per type TP/FP/FN summed over records;
macro-F1 over the types with gold support; each dataset apart, never pooled.

Dataset rules: `zsp_plv` merges CONCEDE and RETREAT into YIELD and reads gold cameo "08" as
YIELD; `case2021_task2` reports main-type recall only (gold is the snippet's main event);
`petr2_validation` counts any predicted type on a no-event record as a false positive.
Pair classification (`pair_classification`): each gold (actor, recipient) pair gets the type
of our event with those actors (else with one of them, else our first event, else NONE);
accuracy and macro-F1 over the gold classes: the task ZSP's published figures are for (it is
given the pair; we must also find it).
Actor codes (GSR, PETRARCH): country (first three letters) and full-code accuracy of the
CAMEO-style code (alpha-3 country + sector) of a same-type predicted actor in that role.
Actor accuracy: over gold events whose type was predicted and whose actor text is given, a
predicted event of that type whose actor (any mention text or the name of the entity) equals
or contains / is contained in the gold text as whole words (head-match: "US" is in "US
forces", not in "Russia") after casefolding and dropping a leading article and punctuation.  Mode accuracy: over gold events with a mode whose type was predicted.
"""
from __future__ import annotations

import re
import time as _time
from pathlib import Path
from typing import Optional

from .common import gold_files, prf, read_gold

COUNTED_STATUS = ("asserted", "reported", "estimated", "alleged", "planned")
PRIMARY = "plover_gsr"
# Datasets whose gold is the snippet's main event among several: every event counts there
# (recall only).  Elsewhere the gold codes the events a sentence reports at its top level, not
# the act a request, threat, agreement or condemnation is about (`Event.part_of`).
ALL_EVENTS_DATASETS = ("case2021_task2",)
YIELD_TYPES = ("CONCEDE", "RETREAT")


def _dataset(file: Path, records: list[dict]) -> str:
    return (records[0].get("source") if records else None) or file.stem


def _gold_types(rec: dict, dataset: str) -> set:
    out = set()
    for ev in rec.get("events") or []:
        t = ev.get("plover")
        if dataset == "zsp_plv":
            if t is None and str(ev.get("cameo") or "").startswith("08"):
                t = "YIELD"
            elif t in YIELD_TYPES:
                t = "YIELD"
        if t:
            out.add(t)
    return out


def _norm(s: Optional[str]) -> str:
    s = (s or "").casefold()
    s = re.sub(r"[^\w\s]", " ", s)
    s = re.sub(r"^\s*(the|a|an)\s+", "", s)
    return " ".join(s.split())


def _actor_match(gold: Optional[str], texts: list[str]) -> bool:
    """Exact match or containment of one in the other as whole words (the README's head-match:
    "US" is in "US forces", not in "Russia")."""
    g = _norm(gold)
    if not g:
        return False
    for t in texts:
        p = _norm(t)
        if p and (p == g or f" {p} " in f" {g} " or f" {g} " in f" {p} "):
            return True
    return False


def predictions(record, dataset: str) -> list[dict]:
    """The counted events of a record as {type, mode, source texts, target texts}."""
    from ..extract.events import actor_code

    ents = {e.id: e for e in record.entities}

    def texts(eid):
        e = ents.get(eid)
        return [e.name] + [m.text for m in e.mentions] if e else []

    out = []
    for ev in record.events:
        if ev.status not in COUNTED_STATUS:
            continue
        if ev.part_of is not None and dataset not in ALL_EVENTS_DATASETS:
            continue
        t = ev.type
        if dataset == "zsp_plv" and t in YIELD_TYPES:
            t = "YIELD"
        out.append({"type": t, "mode": ev.mode, "source": texts(ev.source_actor),
                    "target": texts(ev.target_actor),
                    "source_code": actor_code(ents.get(ev.source_actor)),
                    "target_code": actor_code(ents.get(ev.target_actor))})
    return out


def _gold_type(ev: dict, dataset: str) -> Optional[str]:
    t = ev.get("plover")
    if dataset == "zsp_plv" and (t in YIELD_TYPES or (t is None and str(ev.get("cameo") or "")
                                                      .startswith("08"))):
        return "YIELD"
    return t


def pair_label(ev: dict, pred: list[dict]) -> str:
    """The type we give the gold (actor, recipient) pair: that of a predicted event with both
    actors matching, else one, else the first predicted event; "NONE" without any."""
    src = (ev.get("source_actor") or {}).get("text")
    tgt = (ev.get("target_actor") or {}).get("text")
    both = [p for p in pred if _actor_match(src, p["source"]) and _actor_match(tgt, p["target"])]
    one = [p for p in pred if _actor_match(src, p["source"]) or _actor_match(tgt, p["target"])]
    pick = (both or one or pred or [None])[0]
    return pick["type"] if pick else "NONE"


def pair_scores(records: list[dict], predicted: list[list[dict]], dataset: str) -> dict:
    """Classification of each gold (actor, recipient) pair, the task ZSP is scored on."""
    pairs = [(_gold_type(ev, dataset), pair_label(ev, pred))
             for rec, pred in zip(records, predicted) for ev in rec.get("events") or []
             if _gold_type(ev, dataset)]
    if not pairs:
        return {}
    labels = sorted({g for g, _ in pairs})
    f1s = []
    for t in labels:
        tp = sum(1 for g, p in pairs if g == t and p == t)
        f1s.append(prf(tp, sum(1 for _, p in pairs if p == t), sum(1 for g, _ in pairs if g == t))["F1"])
    return {"pairs": len(pairs), "accuracy": round(sum(g == p for g, p in pairs) / len(pairs), 4),
            "macro_F1": round(sum(f1s) / len(f1s), 4)}


def score_file(records: list[dict], predicted: list[list[dict]], dataset: str) -> dict:
    """Figures for one gold file given each record's counted predicted events."""
    tp, fp, fn = {}, {}, {}
    modes = [0, 0]
    actors = {"source": [0, 0], "target": [0, 0], "both": [0, 0]}
    codes = {"country": [0, 0], "code": [0, 0]}
    for rec, pred in zip(records, predicted):
        gold = _gold_types(rec, dataset)
        ptypes = {p["type"] for p in pred}
        for t in gold | ptypes:
            if t in gold and t in ptypes:
                tp[t] = tp.get(t, 0) + 1
            elif t in ptypes:
                fp[t] = fp.get(t, 0) + 1
            else:
                fn[t] = fn.get(t, 0) + 1
        for ev in rec.get("events") or []:
            t = ev.get("plover")
            if dataset == "zsp_plv" and (t in YIELD_TYPES or (t is None and ev.get("cameo", "") and
                                                              str(ev["cameo"]).startswith("08"))):
                t = "YIELD"
            if t not in ptypes:
                continue
            same = [p for p in pred if p["type"] == t]
            if ev.get("mode"):
                modes[1] += 1
                modes[0] += any(p["mode"] == ev["mode"] for p in same)
            src = (ev.get("source_actor") or {}).get("text")
            tgt = (ev.get("target_actor") or {}).get("text")
            s_ok = src and any(_actor_match(src, p["source"]) for p in same)
            t_ok = tgt and any(_actor_match(tgt, p["target"]) for p in same)
            if src:
                actors["source"][1] += 1
                actors["source"][0] += bool(s_ok)
            if tgt:
                actors["target"][1] += 1
                actors["target"][0] += bool(t_ok)
            if src and tgt:
                actors["both"][1] += 1
                actors["both"][0] += bool(s_ok and t_ok)
            for role in ("source", "target"):
                code = (ev.get(role + "_actor") or {}).get("code")
                if not code or code.startswith("---"):
                    continue
                mine = [p.get(role + "_code") or "" for p in same]
                codes["country"][1] += 1
                codes["country"][0] += any(m[:3] == code[:3] for m in mine)
                codes["code"][1] += 1
                codes["code"][0] += any(m == code for m in mine)
    gold_types = sorted(t for t in set(tp) | set(fn) if tp.get(t, 0) + fn.get(t, 0) > 0)
    per_type = {}
    for t in sorted(set(tp) | set(fp) | set(fn)):
        n_gold = tp.get(t, 0) + fn.get(t, 0)
        per_type[t] = prf(tp.get(t, 0), tp.get(t, 0) + fp.get(t, 0), n_gold)
    out: dict = {"records": len(records)}
    if dataset == "case2021_task2":
        recall = {t: per_type[t]["R"] for t in gold_types}
        total_tp = sum(tp.get(t, 0) for t in gold_types)
        total_gold = sum(tp.get(t, 0) + fn.get(t, 0) for t in gold_types)
        out["main_type_recall"] = round(total_tp / total_gold, 4) if total_gold else 0.0
        out["per_type_recall"] = recall
    else:
        macro = [per_type[t]["F1"] for t in gold_types]
        out["macro_F1"] = round(sum(macro) / len(macro), 4) if macro else 0.0
        micro = prf(sum(tp.values()), sum(tp.values()) + sum(fp.values()),
                    sum(tp.values()) + sum(fn.values()))
        out["micro_F1"], out["micro_P"], out["micro_R"] = micro["F1"], micro["P"], micro["R"]
        out["per_type"] = {t: per_type[t] for t in per_type}
        out["pair_classification"] = pair_scores(records, predicted, dataset)
    out["mode_accuracy"] = round(modes[0] / modes[1], 4) if modes[1] else None
    out["mode_n"] = modes[1]
    out["actor_accuracy"] = {k: (round(v[0] / v[1], 4) if v[1] else None) for k, v in actors.items()}
    out["actor_n"] = {k: v[1] for k, v in actors.items()}
    out["actor_code_accuracy"] = {k: (round(v[0] / v[1], 4) if v[1] else None)
                                  for k, v in codes.items()}
    out["actor_code_n"] = codes["code"][1]
    return out


def run_file(file: Path, limit: Optional[int] = None, model: Optional[str] = None) -> dict:
    """Parse and code every record of one gold file; figures for it."""
    from .. import nlp
    from ..pipeline import build_record
    from ..record import Document

    records = list(read_gold(file, limit))
    for r in records:
        if not isinstance(r.get("text"), str) or not isinstance(r.get("events"), list):
            raise ValueError(f"{file}: not events gold (a record lacks its text or its events list)")
    dataset = _dataset(file, records)
    docs = nlp.parse_many((r["text"] for r in records), model=model)
    predicted = []
    for rec, doc in zip(records, docs):
        record = build_record(Document(text=rec["text"], published=rec.get("published")), doc)
        predicted.append(predictions(record, dataset))
    return {"dataset": dataset, **score_file(records, predicted, dataset)}


def evaluate(gold: Path, limit: Optional[int] = None, model: Optional[str] = None) -> dict:
    """Figures per gold file; the primary dataset's macro/micro F1 at the top level."""
    t0 = _time.time()
    by_file = {}
    for file in gold_files(gold):
        by_file[file.name] = run_file(file, limit=limit, model=model)
    primary = next((v for v in by_file.values() if v["dataset"] == PRIMARY), None)
    if primary is None:
        primary = next((v for v in by_file.values() if "macro_F1" in v), None)
    out = {
        "area": "events",
        "gold": str(gold),
        "limit": limit,
        "primary": primary["dataset"] if primary else None,
        "macro_F1": primary["macro_F1"] if primary else None,
        "micro_F1": primary["micro_F1"] if primary else None,
        "by_file": by_file,
        "seconds": round(_time.time() - t0, 1),
    }
    return out
