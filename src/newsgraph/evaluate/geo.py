"""`eval geo`: toponym recognition and resolution on news gold (../shared/gold/geo/README.md).

The whole pipeline runs on each gold text (`analyze_documents`), so the figures are what users
get. Predicted toponyms are the mentions of

- place entities (GPE, LOC, FAC), located at the entity's `geo`;
- government entities named by a place ("Moscow said", "the U.S. on Tuesday said": an entity of
  sector GOV whose mention is a gazetteer name of its own country or a place in it), located at
  that place: its country's point, or its capital's when the mention names the capital. The
  gold corpora count such metonymic uses as toponyms.
- nationality adjectives and demonyms of one country ("Syrian", "Turkish officials", "Russian
  diplomats"): NORP entities the places stage gave `geo` (the country's point, precision
  "country"), at that point; regional adjectives ("European") at their region's point;
- a union of states named by its region (the EU: an IGO entity the places stage gave its
  region's point); the gold corpora count it as a toponym.

Scope: the gold's own definition of a toponym (README "What counts as a toponym"): LGL and
TR-News annotate adjectives and demonyms used for a place ("Turkish" -> Turkey), GeoWebNews
its Non_Literal_Modifier ("Russian diplomats") with coordinates; and the record gives these
words the country's geo (a product decision, resolve/places.py). Peoples and faiths that are
no one country's nationality (Kurds, Alawites, Arabs) have no geo and are not predictions.
`without_demonyms` gives the figures without the nationality words, for comparison with
systems that count only place names.

Recognition: exact span match and one-to-one greedy overlap match (largest overlap first), both
reported. Resolution uses the overlap match. `acc_at_161`, `mean_km`, `median_km`, `auc` are end
to end over every gold toponym with coordinates (a miss counts wrong, 20,039 km);
`matched_acc_at_161` etc. only over those matched to a prediction (the protocol of EUPEG and
the CamCoder paper; a matched prediction without a point still counts wrong there);
`resolved_acc_at_161` only over the matched ones that got a point (resolution alone).
`coverage` is the share of gold toponyms with coordinates that got a point. Top-level figures pool all files (micro); each file is under `by_file`.
"""
from __future__ import annotations

import math
import statistics
import time
from pathlib import Path
from typing import Optional

from ..pipeline import analyze_documents
from ..record import Document
from ..resolve import gazetteer
from .common import gold_files, prf, read_gold

MAX_KM = 20039.0
ACC_KM = 161.0
PLACE_TYPES = ("GPE", "LOC", "FAC")
GWN_LITERAL = {"Literal", "Mixed", "Literal_Modifier", "Coercion", "Embedded_Literal"}


def _government_point(entity, text: str) -> Optional[tuple[float, float]]:
    """Where a government named by a place is: that place, if it is its country or in it."""
    found = [c for c in gazetteer.lookup(text) if c.country_code == entity.country
             and c.name_kind != gazetteer.ALTERNATE]
    if not found:
        return None
    rank = {"PCLI": 0, "PPLC": 1, "ADM1": 2}
    best = min(found, key=lambda c: (rank.get(c.feature_code, 3), -c.population))
    return best.lat, best.lon


def predictions(record, demonyms: bool = True) -> list[tuple[int, int, Optional[tuple[float, float]]]]:
    """(start, end, point or None) of every predicted toponym of a record (`demonyms`: with the
    nationality words that have geo)."""
    out = []
    for e in record.entities:
        if e.type in PLACE_TYPES:
            point = (e.geo.lat, e.geo.lon) if e.geo else None
            out.extend((m.start, m.end, point) for m in e.mentions)
        elif e.sector == "GOV" and e.country:
            for m in e.mentions:
                point = _government_point(e, m.text)
                if point is not None:
                    out.append((m.start, m.end, point))
        elif demonyms and e.type == "NORP" and e.geo is not None:
            out.extend((m.start, m.end, (e.geo.lat, e.geo.lon)) for m in e.mentions)
        elif e.type == "ORG" and e.sector == "IGO" and e.geo is not None:     # the EU
            out.extend((m.start, m.end, (e.geo.lat, e.geo.lon)) for m in e.mentions)
    return sorted(out, key=lambda p: (p[0], p[1]))


def match_overlap(pred: list, gold: list) -> dict[int, int]:
    """gold index -> pred index, one to one, greedily by largest character overlap (>= 1)."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            ov = min(g["end"], p[1]) - max(g["start"], p[0])
            if ov > 0:
                pairs.append((ov, gi, pi))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    used_g, used_p, out = set(), set(), {}
    for _, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out[gi] = pi
    return out


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return gazetteer.distance_km(a[0], a[1], b[0], b[1])


def auc(errors: list[float]) -> Optional[float]:
    """Area under the log-error curve (Jurgens et al. 2015): 0 perfect, 1 worst."""
    if not errors:
        return None
    ys = [math.log(1 + e) / math.log(MAX_KM) for e in sorted(errors)]
    if len(ys) == 1:
        return round(ys[0], 4)
    return round(sum((ys[i] + ys[i + 1]) / 2 for i in range(len(ys) - 1)) / (len(ys) - 1), 4)


def _resolution(errors: list[float]) -> dict:
    if not errors:
        return {"acc_at_161": None, "mean_km": None, "median_km": None, "auc": None, "n": 0}
    return {"acc_at_161": round(sum(e < ACC_KM for e in errors) / len(errors), 4),
            "mean_km": round(statistics.fmean(errors), 1),
            "median_km": round(statistics.median(errors), 1),
            "auc": auc(errors), "n": len(errors)}


class _Tally:
    """Counts for one file (or all): recognition, resolution errors, GeoWebNews type recall."""

    def __init__(self):
        self.n_gold = self.n_pred = self.tp_exact = self.tp_overlap = 0
        self.e2e: list[float] = []          # every gold toponym with coordinates
        self.matched: list[float] = []      # those matched to a prediction (no point: 20,039 km)
        self.with_point = 0                 # those matched to a prediction that has a point
        self.groups: dict[str, list[int]] = {}

    def add(self, gold: list[dict], pred: list) -> None:
        self.n_gold += len(gold)
        self.n_pred += len(pred)
        spans = {(p[0], p[1]) for p in pred}
        self.tp_exact += sum((g["start"], g["end"]) in spans for g in gold)
        match = match_overlap(pred, gold)
        self.tp_overlap += len(match)
        for gi, g in enumerate(gold):
            if "type" in g:
                group = "literal" if g["type"] in GWN_LITERAL else "associative"
                found, total = self.groups.setdefault(group, [0, 0])
                self.groups[group] = [found + (gi in match), total + 1]
            if g.get("lat") is None or g.get("lon") is None:
                continue
            point = pred[match[gi]][2] if gi in match else None
            err = MAX_KM if point is None else distance_km(point, (g["lat"], g["lon"]))
            self.e2e.append(err)
            if gi in match:
                self.matched.append(err)
                self.with_point += point is not None

    def merge(self, other: "_Tally") -> None:
        for k in ("n_gold", "n_pred", "tp_exact", "tp_overlap", "with_point"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.e2e += other.e2e
        self.matched += other.matched
        for g, (f, t) in other.groups.items():
            a, b = self.groups.get(g, [0, 0])
            self.groups[g] = [a + f, b + t]

    def figures(self) -> dict:
        exact = prf(self.tp_exact, self.n_pred, self.n_gold)
        overlap = prf(self.tp_overlap, self.n_pred, self.n_gold)
        e2e, matched = _resolution(self.e2e), _resolution(self.matched)
        out = {
            "acc_at_161": e2e["acc_at_161"], "matched_acc_at_161": matched["acc_at_161"],
            "mean_km": e2e["mean_km"], "median_km": e2e["median_km"], "auc": e2e["auc"],
            "matched_mean_km": matched["mean_km"], "matched_median_km": matched["median_km"],
            "matched_auc": matched["auc"],
            "resolved_acc_at_161": _resolution([e for e in self.matched if e < MAX_KM])["acc_at_161"],
            "toponym_P": exact["P"], "toponym_R": exact["R"], "toponym_F1": exact["F1"],
            "toponym_overlap_P": overlap["P"], "toponym_overlap_R": overlap["R"],
            "toponym_overlap_F1": overlap["F1"],
            "coverage": round(self.with_point / len(self.e2e), 4) if self.e2e else None,
            "gold_toponyms": self.n_gold, "gold_with_coordinates": len(self.e2e),
            "predicted_toponyms": self.n_pred, "matched_with_coordinates": len(self.matched),
            "with_point": self.with_point,
        }
        if self.groups:
            out["recall_by_type_group"] = {g: round(f / t, 4) if t else None
                                           for g, (f, t) in sorted(self.groups.items())}
        return out


def evaluate(gold: Path, limit: Optional[int] = None, model: Optional[str] = None) -> dict:
    """Score the pipeline on every gold file of `gold` (a folder or one JSONL file)."""
    started = time.monotonic()
    total, total_bare = _Tally(), _Tally()
    by_file = {}
    gazetteer.load()
    for path in gold_files(Path(gold)):
        items = list(read_gold(path, limit))
        for i, item in enumerate(items):
            if "text" not in item or "toponyms" not in item:
                raise ValueError(f"{path}: record {i + 1} lacks 'text' or 'toponyms'")
        docs = (Document(text=it["text"], published=it.get("published"), source=it.get("id"))
                for it in items)
        tally, tally_bare = _Tally(), _Tally()
        for item, record in zip(items, analyze_documents(docs, model=model)):
            tally.add(item["toponyms"], predictions(record))
            tally_bare.add(item["toponyms"], predictions(record, demonyms=False))
        by_file[path.name] = {**tally.figures(), "documents": len(items),
                              "without_demonyms": _short(tally_bare.figures())}
        total.merge(tally)
        total_bare.merge(tally_bare)
    return {**total.figures(), "without_demonyms": _short(total_bare.figures()), "by_file": by_file,
            "scope": "toponyms are place names (GPE, LOC, FAC), governments named by a place, and "
                     "nationality adjectives/demonyms of one country, as the gold counts them; "
                     "without_demonyms leaves the last out",
            "protocol": "end to end on raw text; recognition exact and overlap; resolution on "
                        "the overlap match; acc_at_161/mean/median/auc over every gold toponym "
                        "with coordinates (miss = 20039 km), matched_* over the matched ones "
                        "(a match without a point = 20039 km)",
            "kb_store": gazetteer.imported_store(),     # GeoNames places merged, if any
            "seconds": round(time.monotonic() - started, 1)}


def _short(fig: dict) -> dict:
    keys = ("acc_at_161", "matched_acc_at_161", "toponym_P", "toponym_R", "toponym_F1",
            "toponym_overlap_F1", "coverage")
    return {k: fig[k] for k in keys}
