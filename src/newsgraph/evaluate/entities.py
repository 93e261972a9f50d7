"""`eval entities`: NER scored on others' gold, exact span, micro P/R/F1 per CoNLL label.

Gold format and scoring: ../shared/gold/entities/README.md. Each gold `text` is parsed with
newsgraph's own pipeline (`nlp.parse_many`, batched) and passed to `resolve_entities` as a
Document with the gold `published` date. Every mention of every entity is scored separately:
a prediction is a true positive when start, end and the mapped label equal a gold entity's.

Label mapping (OntoNotes as spaCy and newsgraph use it -> CoNLL-2003):
    PERSON -> PER;  ORG, MEDIA -> ORG;  GPE, LOC, FAC -> LOC;
    NORP, EVENT, WORK_OF_ART, PRODUCT, LAW, LANGUAGE -> MISC;
    DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL -> dropped (not entities).
    A government entity made by metonymy ("Government of Russia" for "Moscow said") is
    scored as LOC: CoNLL labels the toponym as written, not the government it stands for.

Only NER files are scored (records whose entities carry a non-null `label`, or whose `tasks`
include "ner"); entity-linking-only files are listed under `skipped`. The same run also
scores the model's raw `doc.ents` (no consolidation), under `raw_spacy`, so the effect of the
entities stage on NER is measured, not assumed.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable, Optional

from .. import nlp as _nlp
from ..record import Document
from ..resolve.entities import GOV_PREFIX, resolve_entities
from .common import gold_files, prf, read_gold

LABELS = ("PER", "ORG", "LOC", "MISC")
TO_CONLL = {
    "PERSON": "PER", "ORG": "ORG", "MEDIA": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "PRODUCT": "MISC", "LAW": "MISC",
    "LANGUAGE": "MISC",
}
BATCH = 32


def is_ner_record(rec: dict) -> bool:
    if "ner" in (rec.get("tasks") or []):
        return True
    return any(e.get("label") for e in rec.get("entities") or [])


def predicted_spans(entities) -> set[tuple[int, int, str]]:
    """(start, end, CoNLL label) for every mention of every entity that maps to a label."""
    out = set()
    for ent in entities:
        if ent.name.startswith(GOV_PREFIX) and ent.type == "ORG" and ent.sector == "GOV":
            conll = {m.text: ("ORG" if m.text.startswith(GOV_PREFIX) else "LOC") for m in ent.mentions}
        else:
            conll = None
        label = TO_CONLL.get(ent.type)
        for m in ent.mentions:
            lab = conll[m.text] if conll else label
            if lab:
                out.add((m.start, m.end, lab))
    return out


def raw_spans(doc) -> set[tuple[int, int, str]]:
    return {(e.start_char, e.end_char, TO_CONLL[e.label_]) for e in doc.ents if e.label_ in TO_CONLL}


def gold_spans(rec: dict) -> set[tuple[int, int, str]]:
    return {(e["start"], e["end"], e["label"]) for e in rec.get("entities") or []
            if e.get("label") in LABELS}


class Tally:
    def __init__(self):
        self.tp, self.pred, self.gold = Counter(), Counter(), Counter()

    def add(self, pred: set, gold: set):
        for s in pred & gold:
            self.tp[s[2]] += 1
        for s in pred:
            self.pred[s[2]] += 1
        for s in gold:
            self.gold[s[2]] += 1

    def merge(self, other: "Tally"):
        self.tp.update(other.tp)
        self.pred.update(other.pred)
        self.gold.update(other.gold)

    def figures(self) -> dict:
        out = prf(sum(self.tp.values()), sum(self.pred.values()), sum(self.gold.values()))
        out["by_label"] = {lab: prf(self.tp[lab], self.pred[lab], self.gold[lab]) for lab in LABELS}
        return out


def _batches(items: list, n: int) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def evaluate(gold: Path, limit: Optional[int] = None, model: Optional[str] = None) -> dict:
    """Micro P/R/F1 over PER/ORG/LOC/MISC on every NER file under `gold` (first `limit`
    documents of each), with per-file and per-label figures, and the raw spaCy baseline."""
    files = gold_files(Path(gold))
    total, total_raw = Tally(), Tally()
    by_file, skipped, scored = {}, [], []
    for file in files:
        records = [r for r in read_gold(file, limit) if "text" in r]
        if not records or not any(is_ner_record(r) for r in records):
            skipped.append({"file": file.name, "reason": "no NER labels (entity-linking only)"})
            continue
        records = [r for r in records if is_ner_record(r)]
        tally, tally_raw = Tally(), Tally()
        for batch in _batches(records, BATCH):
            docs = _nlp.parse_many([r["text"] for r in batch], model=model, batch_size=BATCH)
            for rec, doc in zip(batch, docs):
                document = Document(text=rec["text"], published=rec.get("published"),
                                    source=rec.get("id"))
                gold_set = gold_spans(rec)
                tally.add(predicted_spans(resolve_entities(document, doc)), gold_set)
                tally_raw.add(raw_spans(doc), gold_set)
        figs = tally.figures()
        figs["documents"] = len(records)
        figs["raw_spacy"] = tally_raw.figures()
        by_file[file.name] = figs
        scored.append(file.name)
        total.merge(tally)
        total_raw.merge(tally_raw)
    out = total.figures()
    out.update({"by_file": by_file, "files": scored, "skipped": skipped, "limit": limit,
                "label_mapping": TO_CONLL, "raw_spacy": total_raw.figures()})
    return out
