"""PLOVER contexts of events: the "why" beside the event's "what" (type) and "how" (mode).

The manual codes `context` "at the paragraph- or document-level", possibly several per
event ("a feature, not a bug"). Each event gets, in the manual's order, every context with
evidence (event_contexts.yaml says what counts and why):

* its type and mode: modes that imply their context (cyber, misinformation) and type:mode
  pairs whose CAMEO codes share one context in the PLOVER authors' CAMEO->PLOVER table;
* its actors' sectors (MIL -> military, JUD -> legal...) and the manual's Repression rule
  (security forces using force or coercion against unarmed people);
* cue words in its sentences, entities of a telling sector named there;
* repeated cues in the rest of its paragraph, and for document-level contexts (election,
  disasters, misinformation) the headline or repeated cues across the article.

`context_evidence` says which cue gave each context, so every code can be explained.
Stages never re-parse: the cues are read from the spaCy Doc the pipeline already has.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from ..record import Entity, Event, Record

DATA = Path(__file__).resolve().parent / "event_contexts.yaml"
LEMMA_POS = {"NOUN", "VERB", "ADJ", "ADV"}
STATE_SECTORS = {"MIL", "GOV"}
STATE_TYPES = {"GPE"}


@dataclass
class Cues:
    """event_contexts.yaml, indexed for one pass over a Doc."""

    order: list[str]
    lemmas: dict[str, list[tuple[str, Optional[str]]]]      # lemma -> [(context, POS or None)]
    phrases: dict[str, list[tuple[tuple[str, ...], str]]]   # first word -> [(words, context)]
    sectors: dict[str, list[str]]                            # sector -> contexts
    document: set[str]
    type_modes: dict[str, dict]
    modes: dict[str, str]
    not_with: dict[str, list[str]]
    repression: dict
    paragraph_min: int
    document_min: int


@lru_cache(maxsize=1)
def cues() -> Cues:
    try:
        with open(DATA, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(f"{DATA}: cannot read the context cues ({err})") from None
    contexts = data.get("contexts") or {}
    lemmas: dict[str, list] = {}
    phrases: dict[str, list] = {}
    sectors: dict[str, list] = {}
    for name, entry in contexts.items():
        if not entry.get("manual"):
            raise ValueError(f"{DATA}: context {name!r} has no `manual` line")
        for cue in entry.get("lemmas") or []:
            lemma, _, pos = str(cue).lower().partition("/")
            lemmas.setdefault(lemma, []).append((name, pos.upper() or None))
        for cue in entry.get("phrases") or []:
            words = tuple(_phrase_words(cue))
            phrases.setdefault(words[0], []).append((words, name))
        for sector in entry.get("sectors") or []:
            sectors.setdefault(sector, []).append(name)
    for first in phrases:       # longest phrase first: "crimes against humanity" before "crime"
        phrases[first].sort(key=lambda p: -len(p[0]))
    for pair, rule in (data.get("type_modes") or {}).items():
        if rule.get("context") not in contexts:
            raise ValueError(f"{DATA}: type_modes {pair!r} names unknown context "
                             f"{rule.get('context')!r}")
    return Cues(order=list(contexts), lemmas=lemmas, phrases=phrases, sectors=sectors,
                document={n for n, e in contexts.items() if e.get("document")},
                type_modes=data.get("type_modes") or {}, modes=data.get("modes") or {},
                not_with=data.get("not_with") or {}, repression=data.get("repression") or {},
                paragraph_min=int(data.get("paragraph_min", 2)),
                document_min=int(data.get("document_min", 3)))


def _phrase_words(phrase: str) -> list[str]:
    """A phrase cue as the token texts spaCy gives it ("same-sex" -> same, -, sex)."""
    out = []
    for word in phrase.lower().split():
        parts = [p for p in word.replace("-", " - ").replace("'s", " 's").split() if p]
        out.extend(parts)
    return out


@dataclass
class Hit:
    """A cue found in the text: where, which context, which words."""

    start: int
    context: str
    cue: str
    sentence: int = 0       # start of its sentence: paragraph evidence counts sentences


def find_cues(doc) -> list[Hit]:
    """Every context cue in the Doc, phrases first, in text order (one pass over tokens)."""
    lex = cues()
    hits: list[Hit] = []
    used: set[int] = set()
    n = len(doc)
    low = [t.lower_ for t in doc]
    lem = [t.lemma_.lower() for t in doc]
    for i in range(n):
        for first in {low[i], lem[i]}:
            for words, name in lex.phrases.get(first, ()):
                k = len(words)
                if i + k <= n and all(words[j] in (low[i + j], lem[i + j]) for j in range(k)):
                    hits.append(Hit(doc[i].idx, name, doc[i:i + k].text,
                                    doc[i].sent.start_char))
                    used.update(range(i, i + k))
    for i, tok in enumerate(doc):
        if i in used or tok.pos_ not in LEMMA_POS:
            continue
        for name, pos in lex.lemmas.get(lem[i], ()):
            if pos is None or pos == tok.pos_:
                hits.append(Hit(tok.idx, name, tok.text, tok.sent.start_char))
    hits.sort(key=lambda h: h.start)
    return hits


def _paragraph(text: str, pos: int) -> tuple[int, int]:
    """The paragraph holding `pos`: between blank lines (the readers' paragraph break)."""
    start = text.rfind("\n\n", 0, pos)
    end = text.find("\n\n", pos)
    return (0 if start < 0 else start + 2), (len(text) if end < 0 else end)


def _title_range(rec: Record) -> Optional[tuple[int, int]]:
    for s in rec.sections:
        if s.kind == "headline":
            return s.start, s.end
    if rec.title and rec.text.startswith(rec.title):
        return 0, len(rec.title)
    return None


def _document_contexts(rec: Record, hits: list[Hit], lex: Cues) -> dict[str, str]:
    """Document-level contexts: a cue in the headline, or document_min cues over two or more
    paragraphs."""
    out: dict[str, str] = {}
    title = _title_range(rec)
    for name in lex.document:
        mine = [h for h in hits if h.context == name]
        if title and any(title[0] <= h.start < title[1] for h in mine):
            out[name] = "document: headline " + next(
                h.cue for h in mine if title[0] <= h.start < title[1])
            continue
        if rec.title and not title and any(c.cue.lower() in rec.title.lower() for c in mine):
            out[name] = "document: title"
            continue
        paragraphs = {_paragraph(rec.text, h.start) for h in mine}
        if len(mine) >= lex.document_min and len(paragraphs) >= 2:
            out[name] = f"document: {len(mine)} cues in {len(paragraphs)} paragraphs"
    return out


def _is_state(entity: Optional[Entity]) -> bool:
    return bool(entity) and (entity.sector in STATE_SECTORS
                             or (entity.type in STATE_TYPES and not entity.sector))


def context_evidence(event: Event, rec: Record, hits: list[Hit],
                     document: Optional[dict[str, str]] = None) -> dict[str, str]:
    """Each context of the event with the evidence that gave it, in the manual's order."""
    lex = cues()
    found: dict[str, str] = {}

    def add(name: str, why: str) -> None:
        found.setdefault(name, why)

    entities = {e.id: e for e in rec.entities}
    source = entities.get(event.source_actor) if event.source_actor else None
    target = entities.get(event.target_actor) if event.target_actor else None

    if event.mode and event.mode in lex.modes:
        add(lex.modes[event.mode], f"mode {event.mode}")
    rule = lex.type_modes.get(f"{event.type}:{event.mode}") if event.mode else None
    if rule and (not rule.get("state_actor") or _is_state(source) or _is_state(target)):
        add(rule["context"], f"{event.type} {event.mode}: CAMEO " + ", ".join(rule["cameo"]))

    for role, ent in (("source", source), ("target", target)):
        for name in lex.sectors.get(ent.sector if ent else None, ()):
            add(name, f"{role} {ent.name} ({ent.sector})")
    rep = lex.repression
    if (event.type in rep.get("types", ()) and source and target
            and source.sector in rep.get("source_sectors", ())
            and target.sector in rep.get("target_sectors", ())):
        add("repression", f"{source.sector} {event.type} against {target.sector}")

    sentences = event.sentences or [event.sentence]
    in_sentence = lambda pos: any(s.start <= pos < s.end for s in sentences)  # noqa: E731
    for h in hits:
        if in_sentence(h.start):
            add(h.context, f"sentence: {h.cue}")
    for ent in rec.entities:
        names = lex.sectors.get(ent.sector or "", ())
        if names and any(in_sentence(m.start) for m in ent.mentions):
            for name in names:
                add(name, f"sentence names {ent.name} ({ent.sector})")

    paragraphs = {_paragraph(rec.text, s.start) for s in sentences}
    near: dict[str, list[Hit]] = {}
    for h in hits:
        if not in_sentence(h.start) and any(a <= h.start < b for a, b in paragraphs):
            near.setdefault(h.context, []).append(h)
    for name, found_near in near.items():
        if len({h.sentence for h in found_near}) >= lex.paragraph_min:
            add(name, "paragraph: " + ", ".join(dict.fromkeys(h.cue for h in found_near)))

    for name, why in (document or {}).items():
        add(name, why)

    for name, more_specific in lex.not_with.items():
        if name in found and any(m in found for m in more_specific) and "cyber" not in found:
            del found[name]
    return {name: found[name] for name in lex.order if name in found}


def assign_contexts(doc, rec: Record) -> None:
    """Set `context` on every event of the record (in place), from the parse `doc`."""
    if not rec.events:
        return
    hits = find_cues(doc)
    document = _document_contexts(rec, hits, cues())
    for event in rec.events:
        event.context = list(context_evidence(event, rec, hits, document))
