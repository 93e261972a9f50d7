"""`eval linking`: entity linking scored on others' gold (../shared/gold/entities/README.md).

The whole pipeline runs on each gold text (`analyze_documents`, gold `published` as the date),
so the figures are end to end: newsgraph finds its own mentions, unlike the published
disambiguation systems, which are given the gold spans. Only files whose records have the "el"
task are scored; NER-only files are listed under `skipped`.

Identifiers. A gold link is a Wikipedia title (underscores become spaces, first letter upper)
and/or a Wikidata QID. A prediction is correct when its KB id (an English Wikipedia title)
equals the gold title, or when both sides have a QID and they are equal, or when the gold id
maps to the same KB entry through the KB: its QID, its title, a redirect from an imported
CirrusSearch dump (`kb import wikipedia`: the store's redirect table), or a KB alias that
belongs to exactly one entry — without a dump, the KB's aliases stand in for Wikipedia's
redirect table ("Burma" -> Myanmar). Other old titles count as misses.

Figures (GERBIL's InKB measures; InKB = gold mentions with a link):
- `accuracy`: for each InKB gold mention, the entity whose mention has exactly that span; a
  missing or unlinked prediction is wrong (D2KB micro-accuracy, an upper-bounded proxy here).
- `kb_coverage`: share of InKB gold mentions whose id the KB holds (by the mapping above);
  `kb_coverage_ids` the same over distinct gold ids.
- `in_kb_accuracy`: accuracy on the InKB gold mentions whose id the KB holds: the linker's own
  quality, apart from what the KB lacks.
- `found_share`: share of InKB gold spans that some entity mention has exactly.
- `F1` (with `P`, `R`): end-to-end InKB micro-F1, strong match (A2KB), pooled over the
  exhaustively annotated files with precision: aida_conll, and news_fair inside its
  `eval_spans`; predictions on a gold NIL span are ignored. aida_testc gives recall only (its
  NIL mentions were not released): `e2e_R` pools recall over all three.
- `nil_unlinked_share`: share of gold NIL mentions that newsgraph leaves unlinked (no entity
  at that span, or one without kb_id).
News-Fair also links common nouns ("boss"); its gold is kept to named entities by its
`kb_types` (person, organisation, geographic entity) plus its NIL mentions that are capitalised.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Optional

from .. import kb
from ..kb.embedded import normalise
from ..pipeline import analyze_documents
from ..record import Document
from .common import gold_files, prf, read_gold

EXHAUSTIVE = {"aida_conll": "F1", "news_fair": "F1", "aida_testc": "recall"}
# ELEVANT's coarse classes that mark a News-Fair gold entity as named (README: kb_types).
NAMED_KB_TYPES = {"Q215627", "Q43229", "Q27096213"}   # person, organization, geographic entity


def title_key(title: Optional[str]) -> Optional[str]:
    """A Wikipedia title as the README compares them: spaces for underscores, first letter upper."""
    if not title:
        return None
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:]


def gold_kb_id(mention: dict) -> Optional[str]:
    """The KB entry a gold link names, or None when the KB does not hold it."""
    qid = mention.get("wikidata")
    if qid and kb.get(qid):
        return kb.get(qid)["title"]
    title = title_key(mention.get("wikipedia"))
    if not title or title.startswith("De:"):
        return None
    entry = kb.get(title)         # follows an imported redirect table
    if entry:
        return entry["title"]
    owners = {i for i, kind in kb.load().names.get(normalise(title), []) if kind == "alias"}
    return owners.pop() if len(owners) == 1 else None


def is_correct(pred_id: Optional[str], mention: dict, gold_id: Optional[str]) -> bool:
    if not pred_id:
        return False
    entry = kb.get(pred_id) or {}
    if mention.get("wikidata") and entry.get("wikidata"):
        return mention["wikidata"] == entry["wikidata"]
    return pred_id == gold_id or title_key(pred_id) == title_key(mention.get("wikipedia"))


def is_el_record(rec: dict) -> bool:
    return "el" in (rec.get("tasks") or [])


def gold_mentions(rec: dict) -> list[dict]:
    """The record's gold mentions; for News-Fair only named ones inside its evaluation spans."""
    out = rec.get("entities") or []
    if rec.get("source") == "news_fair" or "eval_spans" in rec:
        spans = rec.get("eval_spans") or [[0, len(rec["text"])]]
        out = [m for m in out if any(a <= m["start"] and m["end"] <= b for a, b in spans)
               and (set(m.get("kb_types") or []) & NAMED_KB_TYPES
                    or (is_nil(m) and m["text"][:1].isupper()))]
    return out


def is_nil(mention: dict) -> bool:
    return not mention.get("wikipedia") and not mention.get("wikidata")


def predictions(record, rec: dict) -> dict[tuple[int, int], Optional[str]]:
    """(start, end) -> KB id (or None) of every entity mention; a linked entity wins a span."""
    spans = rec.get("eval_spans")
    out: dict[tuple[int, int], Optional[str]] = {}
    for ent in record.entities:
        for m in ent.mentions:
            if spans and not any(a <= m.start and m.end <= b for a, b in spans):
                continue
            key = (m.start, m.end)
            if out.get(key) is None:
                out[key] = ent.kb_id
    return out


class Tally:
    def __init__(self):
        self.c = Counter()
        self.gold_ids, self.held_ids = set(), set()

    def add(self, rec: dict, pred: dict, exhaustive: Optional[str]):
        gold = gold_mentions(rec)
        gold_spans = set()
        for m in gold:
            span = (m["start"], m["end"])
            gold_spans.add(span)
            if is_nil(m):
                self.c["nil"] += 1
                self.c["nil_unlinked"] += pred.get(span) is None
                continue
            gid = gold_kb_id(m)
            ident = m.get("wikidata") or title_key(m.get("wikipedia"))
            self.gold_ids.add(ident)
            if gid:
                self.held_ids.add(ident)
            ok = is_correct(pred.get(span), m, gid)
            self.c["inkb"] += 1
            self.c["found"] += span in pred
            self.c["correct"] += ok
            self.c["held"] += gid is not None
            self.c["held_correct"] += ok and gid is not None
            if exhaustive:
                self.c["e2e_gold"] += 1
                self.c["e2e_tp"] += ok
                if exhaustive == "F1":
                    self.c["f1_gold"] += 1
                    self.c["f1_tp"] += ok
        if exhaustive == "F1":
            nil_spans = {(m["start"], m["end"]) for m in gold if is_nil(m)}
            self.c["f1_pred"] += sum(1 for span, pid in pred.items()
                                     if pid and span not in nil_spans)

    def merge(self, other: "Tally"):
        self.c.update(other.c)
        self.gold_ids |= other.gold_ids
        self.held_ids |= other.held_ids

    def figures(self) -> dict:
        c = self.c

        def share(a, b):
            return round(c[a] / c[b], 4) if c[b] else None
        out = {"accuracy": share("correct", "inkb"), "kb_coverage": share("held", "inkb"),
               "in_kb_accuracy": share("held_correct", "held"),
               "found_share": share("found", "inkb"),
               "nil_unlinked_share": share("nil_unlinked", "nil"),
               "kb_coverage_ids": round(len(self.held_ids) / len(self.gold_ids), 4)
               if self.gold_ids else None,
               "inkb_mentions": c["inkb"], "correct": c["correct"], "held": c["held"],
               "nil_mentions": c["nil"]}
        if c["f1_gold"]:
            f = prf(c["f1_tp"], c["f1_pred"], c["f1_gold"])
            out.update({"F1": f["F1"], "P": f["P"], "R": f["R"]})
        else:
            out.update({"F1": None, "P": None, "R": None})
        out["e2e_R"] = share("e2e_tp", "e2e_gold")
        return out


def evaluate(gold: Path, limit: Optional[int] = None, model: Optional[str] = None) -> dict:
    """Linking figures over every entity-linking file under `gold` (first `limit` documents of
    each), pooled at the top level and per file under `by_file`."""
    files = gold_files(Path(gold))
    total = Tally()
    by_file, skipped = {}, []
    for file in files:
        records = [r for r in read_gold(file, limit) if "text" in r]
        records = [r for r in records if is_el_record(r)]
        if not records:
            skipped.append({"file": file.name, "reason": "no entity-linking task"})
            continue
        name = re.sub(r"\.jsonl$", "", file.name)
        documents = [Document(text=r["text"], published=r.get("published"), source=r.get("id"),
                              language="en") for r in records]
        tally = Tally()
        for rec, record in zip(records, analyze_documents(documents, model=model)):
            tally.add(rec, predictions(record, rec), EXHAUSTIVE.get(name))
        figs = tally.figures()
        figs["documents"] = len(records)
        by_file[file.name] = figs
        total.merge(tally)
    out = total.figures()
    out.update({"by_file": by_file, "skipped": skipped, "limit": limit,
                "kb_entries": kb.stats()["total"],
                "id_mapping": "title (underscores to spaces, first letter upper) or QID; "
                              "gold ids mapped to KB entries by QID, title or unique KB alias"})
    return out
