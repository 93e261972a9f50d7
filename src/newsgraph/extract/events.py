"""Events: who did what to whom, where, when and how many, coded in PLOVER from the parse.

`find_events(doc, rec)` runs after entities, dates and counts.  A trigger is a verb or an
event noun found in the dictionaries beside this module (event_verbs.yaml, event_nouns.yaml;
each entry names its PLOVER type, mode and the manual line that justifies it).  Its arguments
come from the dependency parse, not from word windows:

* actives (nsubj -> actor, dobj -> recipient), passives (agent "by" -> actor, nsubjpass ->
  recipient), nominalisations ("the killing of X by Y", "Israel's withdrawal", "carried out
  executions"), coordination (conjoined verbs share their subject; conjoined actors give one
  event each, as the manual codes compound and reciprocal actors), relative and participial
  clauses ("gunmen who killed…", "civilians killed by…"), control ("urged X to withdraw");
* status from cues governing the trigger (event_cues.yaml): reporting frames ("X said Y
  attacked Z" is Y -> Z attributed to X, the saying is no event), allegation, denial, plans
  and modals, threats, calls and obligations, negation, "reportedly", "according to X",
  "it is estimated"; quotations are attributed to the speaker of the sentence;
* unnamed actors ("gunmen", "security forces", "Alawite civilians") become generic entities
  (event_actors.yaml: NORP for populations, ORG for organised bodies) appended to
  rec.entities, with a sector from the descriptor and a country from a modifier or the
  article's main country; so do names the recogniser missed and, in the recipient's slot, plain
  noun phrases ("attacked the mosque") unless abstract (`non_actor_heads`);
* recipients beyond the object (event_actors.yaml): whom a thing is given or sent "to" before
  the thing; the party named inside the object ("restrictions imposed on X", "an investigation
  into allegations against X", "a strike over a law passed by X": `matter_modes`,
  `grievance`); the place an act is done in when no one else is named ("a curfew in Mombasa":
  `place_recipient`, never for a reciprocal meeting); "used X as human shields"; actors of
  nouns from a light or participation verb before a possessive pronoun ("continued their
  attacks"), never from a verb that judges the act ("condemned the attack");
* reciprocal events ("X and Y met", "talks between X and Y"): every party is an actor and
  there is no recipient, as the manual codes them (one event per party, like compound actors);
* sentences inside a `background` section (an encyclopedic "Details" appendix) are no news
  and give no event;
* place (named in the clause, else in the sentence, else earlier in the paragraph, else the
  dateline place the story was filed from: "GOMA (Reuters) -"), time
  (date governing the clause, else nearest in the sentence, else the article's week, span
  None) and counts inside the clause are linked by offsets;
* an event that is the content of another ("called for talks", "threatened to attack",
  "condemned the killing") points to it with `part_of`; so does an event the sentence gives
  only as the purpose, cause, means or circumstance of another, or to describe one of its
  arguments ("arrested for collaborating", "expelled the envoy over the refusal", "lifted a
  ban it had imposed"): it is still recorded, linked to the event the sentence reports
  (coordinated and reported events stay independent).  Announced cooperation becomes AGREE
  and announced coercion THREATEN, as event_types.yaml's `future_type` says;
* modes: from the entry, from weapon words in the clause, refined by the sentence
  ("suicide", "chlorine", "violent": `mode_refinements`); a request, refusal or threat takes
  the mode of what is asked for, refused or threatened (`content_modes`); a verb coded by
  the kind of actor ("protesters blocked the road" PROTEST, "police blocked" COERCE);
* an event named only as a circumstance of the sentence's main news (in an adverbial,
  relative or participial clause, a prepositional phrase, or inside a noun phrase: "suspended
  aid after a convoy was attacked", "a statement released by the palace") is `part_of` the
  sentence's main event when no trigger dominates it (`_main_line`);
* a cooperative act the actor will not do or failed to do ("will not lift the ban", "failed to
  reach agreement") is a refusal, REJECT (`refused_type`); an ending verb with no entry of
  its own takes the code of what it ends ("ended the strike" CONCEDE, "ended mediation
  efforts" SANCTION); giving or sending money or relief goods is AID (`material_transfers`);
  words of the trigger's clause can move it to the type the manual names (`type_refinements`:
  troops sent as peacekeepers are AID, peacekeepers withdrawn SANCTION, hacking COERCE cyber);
  a speaker saying that another actor must do something demands it (REQUEST);
* mentions of one occurrence (same type, compatible actors and time) merge into one event
  that keeps all its sentences.
"""
from __future__ import annotations

from collections import Counter as _Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from ..record import Count, Entity, Event, EventTime, Record, Span

HERE = Path(__file__).resolve().parent
FACTUAL = ("asserted", "reported", "estimated", "alleged")
PLACE_TYPES = ("GPE", "LOC", "FAC")
SUBJ = ("nsubj", "csubj", "nsubj:pass")
OBJ = ("dobj", "obj", "dative")
CLAUSE_DEPS = ("ccomp", "advcl", "relcl", "conj", "parataxis", "xcomp", "acl", "csubj")
DEFAULT_TARGET_PREPS = ("against", "on", "upon", "at", "with", "to", "into", "toward", "towards")
ACTOR_ENT_TYPES = ("GPE", "NORP", "ORG", "PERSON")
# Sectors that stand in the country's place of a code when the body belongs to no country.
INTERNATIONAL_SECTORS = ("IGO", "NGO")
# Entity labels of words that are no actor even when no entity covers them as an actor.
NON_ACTOR_ENTS = ("DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL")
QUOTES = '"“”«»'
RELATIVE = ("who", "that", "which", "whom", "whose")
# Relations that put a trigger in a circumstance or in the description of an argument rather
# than in the sentence's main line of news (`_main_line`).
SUBORDINATE_DEPS = ("advcl", "relcl", "acl", "prep", "npadvmod", "appos", "pobj", "pcomp",
                    "compound", "amod", "poss", "nmod", "dep", "meta")


@dataclass(frozen=True)
class Entry:
    """One dictionary entry: the code a trigger gets and why."""

    key: str
    type: Optional[str]
    mode: Optional[str]
    manual: str
    target_preps: tuple = DEFAULT_TARGET_PREPS
    plural_only: bool = False
    needs_prep: Optional[str] = None
    not_after: tuple = ()                   # noun modifiers that make it another thing
    by_population: Optional["Entry"] = None  # the code when a population is the actor


@dataclass
class Lexicon:
    types: dict
    verbs: dict          # lemma -> {second word or None: Entry}
    nouns: dict          # lemma -> Entry (one word)
    noun_phrases: dict   # tuple of lemmas -> Entry (several words)
    cues: dict           # name -> frozenset of lemmas (or dict for mappings)
    descriptors: dict
    sector_modifiers: dict
    pronouns: dict
    non_actor_heads: frozenset = frozenset()
    participation_verbs: frozenset = frozenset()
    place_recipient: dict = None
    matter_modes: frozenset = frozenset()
    statement_nouns: frozenset = frozenset()
    stative_passives: frozenset = frozenset()
    grievance_types: frozenset = frozenset()
    grievance_preps: frozenset = frozenset()
    theme_object_types: frozenset = frozenset()


def _load(name: str) -> dict:
    path = HERE / name
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(f"{path}: cannot read event data ({err})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def _entries(section: dict, types: dict, file: str) -> dict:
    out = {}
    for key, v in (section or {}).items():
        t, mode = v.get("type"), v.get("mode")
        if t is not None and t not in types:
            raise ValueError(f"{HERE / file}: {key!r} has unknown PLOVER type {t!r}")
        if mode is not None and mode not in (types[t].get("modes") or {}):
            raise ValueError(f"{HERE / file}: {key!r} has mode {mode!r}, not a mode of {t}")
        if not v.get("manual"):
            raise ValueError(f"{HERE / file}: {key!r} names no manual justification")
        if any(isinstance(p, bool) for p in v.get("target_preps") or ()):
            raise ValueError(f"{HERE / file}: {key!r} has an unquoted on/off in target_preps "
                             "that YAML reads as a boolean; quote it")
        pop = v.get("by_population")
        if pop is not None:
            pop = _entries({key: pop}, types, file)[str(key).lower()]
        out[str(key).lower()] = Entry(
            str(key).lower(), t, mode, v["manual"],
            tuple(v.get("target_preps") or DEFAULT_TARGET_PREPS),
            bool(v.get("plural_only")), v.get("needs_prep"),
            tuple(str(w).lower() for w in v.get("not_after") or ()), pop)
    return out


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The event data files, loaded and checked once per process."""
    types = _load("event_types.yaml")["types"]
    verbs: dict = {}
    for key, e in _entries(_load("event_verbs.yaml")["verbs"], types, "event_verbs.yaml").items():
        words = key.split()
        verbs.setdefault(words[0], {})[" ".join(words[1:]) or None] = e
    nouns, phrases = {}, {}
    for key, e in _entries(_load("event_nouns.yaml")["nouns"], types, "event_nouns.yaml").items():
        if " " in key:
            phrases[tuple(key.split())] = e
        else:
            nouns[key] = e
    cues_raw = _load("event_cues.yaml")
    for k, v in cues_raw.items():
        if isinstance(v, list) and any(isinstance(x, bool) for x in v):
            raise ValueError(f"{HERE / 'event_cues.yaml'}: {k} has an unquoted on/off/yes/no "
                             "that YAML reads as a boolean; quote it")
    cues = {k: (dict(v) if isinstance(v, dict) else frozenset(str(x).lower() for x in v))
            for k, v in cues_raw.items()}
    cues["ending_cooperation"] = [dict(r) for r in cues_raw.get("ending_cooperation") or ()]
    for n, rule in enumerate(cues["ending_cooperation"]):
        rule["entry"] = _entries({f"ending {n}": rule["code"]}, types, "event_cues.yaml")[f"ending {n}"]
    ending = cues.get("ending_conflict") or {}
    if ending:
        cues["ending_conflict"] = dict(ending)
        cues["ending_conflict"]["entry"] = _entries(
            {"ending conflict": ending["code"]}, types, "event_cues.yaml")["ending conflict"]
    for t, table in (cues.get("content_modes") or {}).items():
        modes = [*table["by_type"].values(), *table["words"]]
        modes += [r["mode"] for r in (cues.get("mode_refinements") or {}).get(t, [])]
        bad = [m for m in modes if m not in (types[t].get("modes") or {})]
        if bad:
            raise ValueError(f"{HERE / 'event_cues.yaml'}: {bad} are not modes of {t}")
    transfers = cues_raw.get("material_transfers")
    if transfers:
        cues["material_transfers"] = {
            "verbs": frozenset(transfers["verbs"]), "goods": frozenset(transfers["goods"]),
            "entry": _entries({"material transfer": transfers["code"]}, types,
                              "event_cues.yaml")["material transfer"]}
    cues["type_refinements"] = [dict(r) for r in cues_raw.get("type_refinements") or ()]
    for n, rule in enumerate(cues["type_refinements"]):
        rule["entry"] = _entries({f"refinement {n}": {k: rule.get(k) for k in ("type", "mode", "manual")}},
                                 types, "event_cues.yaml")[f"refinement {n}"]
        rule["words"] = frozenset(str(w).lower() for w in rule["words"])
    for t, rules in (cues.get("mode_refinements") or {}).items():
        bad = [r["mode"] for r in rules if r["mode"] not in (types[t].get("modes") or {})]
        if bad or any(not r.get("manual") for r in rules):
            raise ValueError(f"{HERE / 'event_cues.yaml'}: refinement of {t} has an unknown "
                             f"mode {bad} or no manual line")
    actors = _load("event_actors.yaml")
    return Lexicon(types, verbs, nouns, phrases, cues, actors["descriptors"],
                   actors.get("sector_modifiers") or {}, actors.get("pronouns") or {},
                   frozenset(str(w).lower() for w in actors.get("non_actor_heads") or ()),
                   frozenset(str(w).lower() for w in actors.get("participation_verbs") or ()),
                   {k: frozenset(v) for k, v in (actors.get("place_recipient") or {}).items()},
                   frozenset(actors.get("matter_modes") or ()),
                   frozenset(actors.get("statement_nouns") or ()),
                   frozenset(actors.get("stative_passives") or ()),
                   frozenset((actors.get("grievance") or {}).get("types") or ()),
                   frozenset((actors.get("grievance") or {}).get("preps") or ()),
                   frozenset(actors.get("theme_object_types") or ()))


def _phrase_end(tok) -> int:
    """The last token of a phrase without the clauses and appositions that describe it ("the
    leader of the gang who fled": "the leader of the gang")."""
    end = tok.i
    for c in tok.rights:
        if c.dep_ in ("relcl", "acl", "appos", "punct", "cc", "conj", "advcl", "parataxis"):
            break
        end = max(end, _phrase_end(c))
    return end


# --- the record side: entities by token --------------------------------------------------

class Actors:
    """Entities of the record indexed by token, and the generic entities this stage adds."""

    def __init__(self, doc, rec: Record):
        self.doc, self.rec = doc, rec
        self.by_token: dict[int, list[tuple[int, Entity]]] = {}
        for ent in rec.entities:
            for m in ent.mentions:
                self._index(ent, m)
        nums = [int(e.id[1:]) for e in rec.entities if e.id[:1] == "e" and e.id[1:].isdigit()]
        self.next_id = max(nums, default=0) + 1
        self.generic: dict[str, Entity] = {}
        self.plain: list[Entity] = []       # generic entities made from plain noun phrases
        by_country = _Counter()
        for e in rec.entities:
            if e.country and e.type in ("GPE", "ORG", "NORP"):
                by_country[e.country] += len(e.mentions)
        self.main_country = by_country.most_common(1)[0][0] if by_country else None
        self.dateline = _dateline_place(rec)

    def _index(self, ent: Entity, m: Span):
        span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            return
        for t in span:
            self.by_token.setdefault(t.i, []).append((m.end - m.start, ent))

    def at(self, tok) -> Optional[Entity]:
        """The entity with the shortest mention covering the token."""
        found = self.by_token.get(tok.i)
        return min(found, key=lambda x: x[0])[1] if found else None

    def in_tokens(self, tokens) -> Optional[Entity]:
        for t in tokens:
            e = self.at(t)
            if e is not None:
                return e
        return None

    def generic_entity(self, head, lex: Lexicon, fallback: Optional[dict] = None) -> Optional[Entity]:
        """A generic entity for an unnamed group ("security forces", "Alawite civilians"), or,
        with `fallback` (its type and sector), for another noun phrase standing as an argument
        ("the daily newspaper", a name the recogniser missed)."""
        d = lex.descriptors.get(head.lemma_.lower()) or lex.descriptors.get(head.lower_) or fallback
        if d is None or head.pos_ not in ("NOUN", "PROPN"):
            return None
        left = [c for c in head.lefts if c.dep_ not in (
            "det", "predet", "nummod", "quantmod", "punct", "case", "cc", "prep", "advmod")
            and not (c.dep_ == "poss" and c.pos_ == "PRON")]
        start = min([c.left_edge.i for c in left] + [head.i])
        end = head.i
        for c in head.rights:
            of = _pobj(c) if c.dep_ == "prep" and c.lower_ in ("of", "from") else None
            if c.dep_ == "amod" or (of is not None and (
                    head.lemma_.lower() in ("government", "authority", "force", "army", "militant")
                    or self.at(of) is not None or of.lemma_.lower() in lex.descriptors)):
                end = max(end, _phrase_end(c))
        while start < end and (self.doc[start].is_punct or self.doc[start].dep_ == "det"):
            start += 1
        while end > start and self.doc[end].is_punct:
            end -= 1
        text = self.rec.text
        s, e = self.doc[start].idx, self.doc[end].idx + len(self.doc[end].text)
        name = " ".join(text[s:e].translate({ord(q): None for q in QUOTES}).split())
        sector = d.get("sector")
        country = None
        for t in self.doc[start:end + 1]:
            if t.i == head.i:
                continue
            mod = lex.sector_modifiers.get(t.lemma_.lower()) or lex.sector_modifiers.get(t.lower_)
            if mod and t.i < head.i:
                sector = mod
            ent = self.at(t)
            if ent is not None and ent.country and country is None:
                country = ent.country
        country = country or self.main_country
        key = name.lower()
        ent = self.generic.get(key)
        span = Span.of(text, s, e)
        if ent is None:
            ent = Entity(id=f"e{self.next_id}", name=name, type=d.get("type") or "NORP",
                         mentions=[], country=country, sector=sector)
            self.next_id += 1
            self.generic[key] = ent
            self.rec.entities.append(ent)
        if all((m.start, m.end) != (s, e) for m in ent.mentions):
            ent.mentions.append(span)
            self._index(ent, span)
        return ent


def _dateline_place(rec: Record) -> Optional[str]:
    """The place a story was filed from ("KHARKIV, Ukraine —", "GOMA (Reuters) -"): a place
    entity opening the first paragraph of the body and followed by a dateline's dash, as the
    places stage recognises it.  It is the setting of events the text places nowhere else."""
    from ..resolve.places import _dateline
    text = rec.text
    body = next((s for s in rec.sections if s.kind in ("lede", "body")), None)
    if body is not None:
        lo, hi = body.start, body.end
    else:                                   # no sections: the first two paragraphs
        cut = text.find("\n\n", text.find("\n\n") + 2)
        lo, hi = 0, len(text) if cut < 0 else cut
    best = None
    for ent in rec.entities:
        if ent.type not in PLACE_TYPES:
            continue
        for m in ent.mentions:
            if lo <= m.start < hi and (best is None or m.start < best[0]) and _dateline(
                    text, m.start, m.end):
                best = (m.start, ent.id)
    return best[1] if best else None


@lru_cache(maxsize=512)
def _alpha3(alpha2: str) -> str:
    import pycountry
    c = pycountry.countries.get(alpha_2=alpha2.upper())
    return c.alpha_3 if c else "---"


def actor_code(entity: Optional[Entity]) -> Optional[str]:
    """CAMEO/PLOVER-style actor code: ISO alpha-3 country + sector ("SYRGOV", "SYRCVL"); "---"
    stands for an unknown country, as in the PLOVER gold."""
    if entity is None:
        return None
    if not entity.country and entity.sector in INTERNATIONAL_SECTORS:
        return entity.sector                # "IGO": the manual's code for a body of states (l.904)
    country = _alpha3(entity.country) if entity.country else "---"
    if entity.type in ("GPE",) and not entity.sector:
        return country
    return country + (entity.sector or "")


# --- arguments ---------------------------------------------------------------------------

def _conjuncts(tok) -> list:
    """The token and the tokens coordinated with it ("Israel and Lebanon")."""
    out, todo = [], [tok]
    while todo and len(out) < 6:
        t = todo.pop(0)
        out.append(t)
        todo.extend(c for c in t.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "PRON"))
    return out


def _child(tok, deps) -> Optional[object]:
    for c in tok.children:
        if c.dep_ in deps:
            return c
    return None


def _pobj(prep) -> Optional[object]:
    return _child(prep, ("pobj", "pcomp"))


def _subject(verb, depth: int = 0) -> Optional[object]:
    """The verb's subject, inherited through coordination, control and relative clauses."""
    if depth > 6:
        return None
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
    # two subjects are a misparse ("KHARKIV, Ukraine — Russian forces shelled…" makes the
    # dateline a subject too): the one nearest the verb is the real one
    s = min(subjects, key=lambda c: abs(c.i - verb.i)) if subjects else None
    if s is not None:
        if s.lower_ in RELATIVE and verb.dep_ == "relcl":
            return verb.head
        return s
    if _child(verb, ("nsubjpass",)) is not None:
        agent = _child(verb, ("agent",))
        return _pobj(agent) if agent is not None else None
    head = verb.head
    if head.i == verb.i:
        return None
    if verb.dep_ == "conj":
        return _subject(head, depth + 1)
    if verb.dep_ == "xcomp" and head.pos_ == "ADJ" and head.dep_ == "acomp":
        return _subject(head.head, depth + 1)   # "Norway is willing to provide aid"
    if verb.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN") and (
            verb.tag_ != "VBN" or _child(verb, OBJ) is not None):
        if (head.lemma_.lower() in lexicon().statement_nouns and head.dep_ in OBJ
                and head.head.pos_ in ("VERB", "AUX")):
            return _subject(head.head, depth + 1)   # "X issued a communique demanding…"
        return head                         # "forces carrying out raids"
    if verb.dep_ in ("xcomp", "advcl", "acl", "pcomp", "ccomp") and head.pos_ in ("VERB", "AUX"):
        obj = _child(head, OBJ)
        if verb.dep_ == "xcomp" and obj is not None:
            return obj                      # object control: "urged Syria to withdraw"
        return _subject(head, depth + 1)
    if verb.dep_ == "pcomp" and head.dep_ == "prep":
        gov = head.head
        if gov.pos_ not in ("VERB", "AUX"):
            return None
        if head.lower_ in ("of", "for", "from"):     # "accused Syria of attacking", "arrested
            obj = _child(gov, OBJ + ("nsubjpass",))   # X for spying", "X was jailed for…"
            if obj is not None:
                return obj
        return _subject(gov, depth + 1)
    if verb.dep_ == "relcl":
        return head
    return None


def _verb_args(verb, entry: Entry, part=None) -> tuple[Optional[object], list]:
    """(actor head, candidate recipient heads, best first) of a verb trigger; `part` belongs to
    the predicate ("impose" + "sanctions")."""
    if verb.dep_ == "compound" and verb.head.pos_ in ("NOUN", "PROPN"):
        obj = verb.head                     # "begun massacring Alawites" parsed as a compound
        gov = obj.head
        return (_subject(gov) if gov.i != obj.i and gov.pos_ in ("VERB", "AUX") else None), [obj]
    passive = _child(verb, ("nsubjpass",))
    if passive is not None and part is not None and passive.i == part.i:
        passive = None
    if (passive is not None and _child(verb, ("agent",)) is None
            and verb.lemma_.lower() in lexicon().stative_passives):
        to = next((_pobj(c) for c in verb.children if c.dep_ == "prep" and c.lower_ == "to"), None)
        return passive, [to]                # "Chile is opposed to Swiss mediation"
    if passive is not None or (verb.dep_ == "acl" and verb.tag_ == "VBN"
                               and _child(verb, ("nsubj", "aux")) is None):   # not "UNITED
                                                # NATIONS: the Council has condemned…"
        agent = _child(verb, ("agent",))
        source = _pobj(agent) if agent is not None else None
        target = passive if passive is not None else verb.head
        if target is not None and target.lower_ in RELATIVE and verb.dep_ == "relcl":
            target = verb.head
        cands = [target]
        if passive is not None:             # "sanctions against Peru were lifted": Peru
            _object_recipients(cands)
        return source, cands
    source = _subject(verb)
    cands = []
    for c in verb.children:
        if c.dep_ in OBJ and (part is None or c.i != part.i):
            cands.append(verb.head if c.lower_ in RELATIVE and verb.dep_ == "relcl" else c)
    holders = [verb] + ([part] if part is not None else [])
    for h in holders:
        for c in h.children:
            if c.dep_ in ("prep", "dative") and c.lower_ in entry.target_preps + ("for",) and (
                    part is None or c.i != part.i):
                obj = _pobj(c)
                if obj is not None:
                    cands.append(obj)
    complements = [c for c in verb.children if c.dep_ == "xcomp"]
    for c in complements:           # "threatened to attack Israel", "offered to send envoys to
        cands.extend(x for x in c.children if x.dep_ in OBJ)     # Peru": its recipient
        cands.extend(_pobj(x) for x in c.children if x.dep_ == "prep"
                     and x.lower_ in DEFAULT_TARGET_PREPS and _pobj(x) is not None)
        complements.extend(x for x in c.children if x.dep_ == "xcomp" and len(complements) < 4)
    for c in verb.children:
        if c.dep_ == "ccomp":       # "demanded that Israel ease restrictions"
            cands.extend(x for x in c.children if x.dep_ in ("nsubj", "nsubjpass"))
    _object_recipients(cands)
    if entry.type.lower() in lexicon().cues["conditional_target_types"]:   # cue lists are lowercased
        for c in verb.subtree:              # "threatened to strike unless Israel withdrew"
            if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("unless", "if")
                                         for m in c.children):
                cands.extend(x for x in c.children if x.dep_ in ("nsubj", "nsubjpass"))
    return source, cands


def _object_recipients(cands: list) -> None:
    """Add the recipients named inside the verb's object ("demanded the withdrawal of Eritrean
    forces", "lifted sanctions against Belarus", "rejected Syria's request", "lifted the
    restrictions imposed on the mayor")."""
    preps = lexicon().cues["object_target_preps"]
    for c in list(cands):
        if c is None:
            continue
        for p in c.children:
            if p.dep_ == "prep" and p.lower_ in preps:
                obj = _pobj(p)
                if obj is not None:
                    cands.append(obj)
            elif (p.dep_ == "poss" and p.pos_ != "PRON") or (
                    p.dep_ in ("compound", "amod") and p.ent_type_ in ACTOR_ENT_TYPES):
                cands.append(p)
            elif p.dep_ in ("acl", "relcl"):    # "a complaint filed by the Chilean trader"
                agent = _child(p, ("agent",))
                if agent is not None and _pobj(agent) is not None:
                    cands.append(_pobj(agent))
                for q in p.children:            # "restrictions imposed on the mayor"
                    if q.dep_ == "prep" and q.lower_ in ("on", "upon", "against") and _pobj(q) is not None:
                        cands.append(_pobj(q))


def _matter_party(head, actors: Actors, lex: Optional[Lexicon] = None) -> Optional[Entity]:
    """The party an investigation or a lawsuit is about, named inside the matter ("an
    investigation into allegations against X", "into whether X was spied on"); with `lex`,
    also a group named by a descriptor ("laws imposed by the Indian government")."""
    todo, seen = [head], 0
    while todo and seen < 40:
        t = todo.pop(0)
        seen += 1
        e = actors.at(t)
        if e is not None and e.type in ACTOR_ENT_TYPES and t.i != head.i:
            return e
        if lex is not None and t.i != head.i and t.pos_ == "NOUN" and t.lemma_.lower() in lex.descriptors:
            g = actors.generic_entity(t, lex)
            if g is not None:
                return g
        todo.extend(c for c in t.children if c.dep_ in (
            "prep", "pobj", "pcomp", "nsubj", "nsubjpass", "dobj", "poss", "compound", "agent")
            or (lex is not None and c.dep_ == "acl"))   # "a law passed by the government"
    return None


def _grievance_party(found: Found, actors: Actors, lex: Lexicon) -> Optional[Entity]:
    """Whom a protest is against, named in what it protests: its "against" or "over" phrase
    or its purpose clause ("a strike over a bill signed by the minister",
    "blocked roads to press demands on the government"; PROTEST l.506, "against the
    recipient")."""
    holders = [found.token] + [x for x in (found.light, found.part) if x is not None]
    for h in holders:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in lex.grievance_preps and _pobj(c) is not None:
                party = _matter_party(c, actors, lex)
                if party is not None:
                    return party
            elif c.dep_ in ("advcl", "xcomp") and any(a.lower_ == "to" for a in c.children
                                                     if a.dep_ == "aux"):
                party = _matter_party(c, actors, lex)
                if party is not None:
                    return party
    return None


def _noun_args(noun, lex: Lexicon, entry: Entry):
    """(actor head, recipient head, governing light verb) of a nominal trigger."""
    source = target = None
    of_actor = entry.type.lower() in lex.cues["noun_of_actor_types"]
    own = own_from = of_source = None       # "their attacks": whose, if nothing better
    for c in noun.children:
        if c.dep_ == "poss" and c.pos_ == "PRON":
            own = own or c
        elif c.dep_ == "poss":
            source = source or c
        elif c.dep_ == "prep":
            p = c.lower_
            obj = _pobj(c)
            if obj is None:
                continue
            if p == "from":                 # "withdrawal from Tuzla", "attacks from Lebanon":
                own_from = own_from or obj  # often the place, so only after anything better
            elif p == "of" and of_actor:    # "withdrawal of troops", "a session of the
                of_source = of_source or obj    # Council": after a light verb's subject
            elif p in lex.cues["noun_source_preps"]:
                source = source or obj
            elif p in lex.cues.get("noun_reciprocal_preps", ()) and entry.mode == "third-party":
                target = target or obj      # "mediation between X and Y": the mediated parties,
                                            # as the verb "mediate between" has them
            elif p in lex.cues.get("noun_reciprocal_preps", ()):
                source = source or obj      # the parties of talks "between X and Y"
            elif p in lex.cues["noun_target_preps"] or (
                    p == "for" and entry.type.lower() in lex.cues["noun_for_recipient_types"]):
                target = target or obj
        elif c.dep_ in ("compound", "amod") and c.pos_ in ("PROPN", "ADJ", "NOUN") and c.i < noun.i:
            source = source or (c if c.ent_type_ in ("GPE", "NORP", "ORG", "PERSON") else None)
    light = None
    if noun.dep_ in OBJ + ("nsubjpass",) and noun.head.pos_ in ("VERB", "AUX"):
        if noun.head.lemma_.lower() in lex.cues["light_verbs"]:
            light = noun.head
            own_entry = lex.verbs.get(light.lemma_.lower(), {}).get(None)
            judged = own_entry is not None and own_entry.type in (
                "ACCUSE", "SUPPORT", "REJECT")      # "condemned the attack": not the attacker
            if source is None and not judged:
                source = _subject(light) if noun.dep_ != "nsubjpass" else None
                if noun.dep_ == "nsubjpass":
                    agent = _child(light, ("agent",))
                    source = _pobj(agent) if agent is not None else None
            if target is None:
                for c in light.children:
                    if c.dep_ == "dative" and c.i != noun.i:
                        target = _pobj(c) if c.pos_ == "ADP" else c
                    elif c.dep_ == "prep" and c.lower_ in ("on", "against", "upon", "with", "to",
                                                           "into"):    # "opened an inquiry into X"
                        target = _pobj(c)
                        if target is not None and target.ent_type_ in NON_ACTOR_ENTS:
                            target = None       # "on March 10" is when, not whom
                    if target is not None:
                        break
    if source is None:
        source = of_source
    elif target is None and of_source is not None and light is not None:
        target = of_source                  # "requested a session of the Council": the body
    gov = noun.head.head if noun.dep_ == "pobj" and noun.head.dep_ == "prep" else noun.head
    if (noun.dep_ == "pobj" and noun.head.lower_ == "as" and gov.pos_ in ("VERB", "AUX")
            and source is None and target is None):
        source, target = _subject(gov), _child(gov, OBJ)    # "used civilians as human shields"
    if (source is None and light is None and gov.pos_ in ("VERB", "AUX")
            and gov.lemma_.lower() in lex.participation_verbs
            and (noun.dep_ in OBJ or (noun.dep_ == "pobj" and noun.head.lower_ in ("in", "for", "to")))):
        source = _subject(gov)              # "attended the summit", "joined the talks"
    if source is None:
        source = own or own_from
    return source, target, light


# --- triggers ----------------------------------------------------------------------------

def _verb_entry(tok, lex: Lexicon):
    """(entry, the dependant that completes a two-word pattern or None) of a verb trigger."""
    options = lex.verbs.get(tok.lemma_.lower())
    if not options:
        return None, None
    for c in tok.children:
        if c.dep_ not in ("punct", "aux", "neg", "cc", "conj", "mark"):
            words = [c.lemma_.lower(), c.lower_]
            if c.dep_ == "prep" and _pobj(c) is not None:   # "remained on alert"
                if _pobj(c).ent_type_ in ("DATE", "TIME"):
                    continue                # "called X on Saturday" is no "call on"
                words.append(_pobj(c).lemma_.lower())
            for word in words:
                if word in options:
                    return options[word], c
    return options.get(None), None


def _noun_entry(tok, lex: Lexicon):
    """(entry, first token, last token) of a nominal trigger headed by `tok`."""
    doc = tok.doc
    lemma = tok.lemma_.lower()
    for words, entry in lex.noun_phrases.items():
        if lemma not in words:
            continue
        n = len(words)
        for start in range(max(0, tok.i - n + 1), tok.i + 1):
            toks = doc[start:start + n]
            if len(toks) == n and tuple(t.lemma_.lower() for t in toks) == words:
                return entry, toks[0], toks[-1]
    e = lex.nouns.get(tok.lemma_.lower())
    if e is None:
        return None
    if e.plural_only and tok.tag_ != "NNS":
        return None
    if e.needs_prep and not any(c.dep_ == "prep" and c.lower_ == e.needs_prep for c in tok.children):
        return None
    if tok.dep_ == "compound":
        return None
    if e.not_after and any(c.dep_ in ("compound", "amod") and c.lemma_.lower() in e.not_after
                           for c in tok.lefts):
        return None                         # "press release" is no release of captives
    return e, tok, tok


@dataclass
class Found:
    entry: Entry
    token: object        # the predicate token (verb, or the noun's head word)
    first: object
    last: object
    nominal: bool
    light: object = None
    part: object = None  # the dependant completing a verb pattern ("impose" + "sanctions")


def _triggers(sent, lex: Lexicon, actors: Actors, dated: set) -> list[Found]:
    found, used = [], set(dated)
    reporting = lex.cues["reporting_verbs"]
    for tok in sent:
        if tok.i in used:
            continue
        if tok.pos_ == "VERB" or (tok.pos_ == "AUX" and tok.dep_ != "aux"):
            e, part = _verb_entry(tok, lex)
            aid = _transfer_entry(tok, lex)  # "handed over 300 crates of vaccine": aid, whatever
            if aid is not None:              # the verb's own entry
                e, part = aid, None
            if e is None:
                e = _ending_only_entry(tok, lex)
            if e is None or e.type is None:
                continue
            if tok.lemma_.lower() in reporting and _child(tok, ("ccomp",)) is not None:
                continue                    # a reporting frame, not the event itself
            if tok.dep_ in ("amod", "prep", "mark", "case"):
                continue                    # "armed", "wounded" as adjectives; "given"
            found.append(Found(e, tok, tok, tok, False, part=part))
        elif tok.pos_ == "NOUN" and not actors.by_token.get(tok.i):
            r = _noun_entry(tok, lex)
            if r is None or r[0].type is None:
                continue
            e, first, last = r
            span = tok.doc[first.i:last.i + 1]     # its syntactic head: "state" of "state of
            head = next((t for t in span if not first.i <= t.head.i <= last.i or t.head.i == t.i),
                        span[-1])                  # siege", "strike" of "hunger strike"
            found.append(Found(e, head, first, last, True))
            used.update(range(first.i, last.i + 1))
    return found


# --- status, attribution -----------------------------------------------------------------

def _speaker(verb, actors: Actors, lex: Lexicon):
    """Who says it: the subject of a reporting verb, or the object of "quote"."""
    if verb.lemma_.lower() == "quote":
        obj = _child(verb, OBJ)
        if obj is not None:
            return _actor(obj, actors, lex)
    s = _subject(verb)
    return _actor(s, actors, lex) if s is not None else None


def _quoted(sent, tok) -> bool:
    """Whether the token sits between quotation marks in its sentence."""
    marks = [t.i for t in sent if t.text in QUOTES or t.text in ("''", "``")]
    inside = False
    for i in marks:
        if i > tok.i:
            return inside and len(marks) > 1
        inside = not inside
    return False


def _status(found: Found, sent, actors: Actors, lex: Lexicon):
    """(status, attributed_to entity, cue token) from the cues that govern the trigger."""
    cues = lex.cues
    status, who, cue = None, None, None
    pred = found.light if found.light is not None else found.token
    # negation and modals on the predicate itself (or the verb a noun hangs on)
    checks = [pred] if pred.i == found.token.i else [found.token, pred]
    for t in checks:
        for c in t.children:
            low = c.lower_
            if c.dep_ == "neg" or (c.dep_ == "det" and low == "no"):
                status, cue = "denied", c
            elif c.dep_ == "aux" and low in cues["future_modals"] and status is None:
                status, cue = "planned", c
            elif c.dep_ == "aux" and low in cues["obligation_modals"] and status is None:
                status, cue = "advocated", c
            elif c.dep_ == "advmod" and low in cues["reported_adverbs"] and status is None:
                status, cue = "reported", c
            elif c.dep_ == "advmod" and low in cues["alleged_adverbs"] and status is None:
                status, cue = "alleged", c
    if found.light is not None and status is None:
        lemma = found.light.lemma_.lower()
        for name, st in (("denial_verbs", "denied"), ("threat_verbs", "threatened"),
                         ("advocacy_verbs", "advocated"), ("planning_verbs", "planned")):
            if lemma in cues[name]:
                status, cue = st, found.light
                break
    # governing verbs, innermost first
    child, head = pred, pred.head
    steps = 0
    while head.i != child.i and steps < 8:
        steps += 1
        lemma = head.lemma_.lower()
        rel = child.dep_
        complement = rel in ("xcomp", "ccomp", "pcomp", "dobj", "obj", "prep", "advcl", "parataxis",
                             "conj") and rel != "conj"
        if head.pos_ in ("VERB", "AUX", "NOUN", "ADP", "ADJ") and complement:
            if head.pos_ == "ADP":
                pass
            elif lemma in cues["denial_verbs"] and rel in ("xcomp", "ccomp", "pcomp", "dobj"):
                if status is None or status in FACTUAL:
                    status, cue = "denied", head
                who = who or _speaker(head, actors, lex)
            elif lemma in cues["failure_verbs"] and rel == "xcomp":
                if status is None or status in FACTUAL:
                    status, cue = "denied", head
            elif lemma in cues["threat_verbs"] and rel in ("xcomp", "ccomp"):
                if status is None or status in FACTUAL:
                    status, cue = "threatened", head
            elif lemma in cues["advocacy_verbs"] and rel in ("xcomp", "ccomp", "dobj", "obj", "prep"):
                if status is None or status in FACTUAL:
                    status, cue = "advocated", head
            elif lemma in cues["alleging_verbs"] and rel in ("ccomp", "pcomp", "prep", "xcomp"):
                if status is None:
                    status, cue = "alleged", head
                who = who or _speaker(head, actors, lex)
            elif lemma in cues["planning_verbs"] and rel in ("xcomp", "ccomp"):
                if status is None:
                    status, cue = "planned", head
            elif lemma in cues["obligation_verbs"] and rel == "xcomp":
                if status is None:
                    status, cue = "advocated", head
            elif lemma in cues["estimate_words"] and rel in ("ccomp",):
                if status is None or status == "reported":
                    status, cue = "estimated", head
            elif lemma in cues["reporting_verbs"] and rel in ("ccomp", "parataxis"):
                if status is None:
                    status, cue = "reported", head
                who = who or _speaker(head, actors, lex)
            if head.pos_ in ("VERB", "AUX") and steps == 1 and rel in ("xcomp", "dobj", "obj",
                                                                       "nsubj", "nsubjpass"):
                for c in head.children:
                    if c.dep_ == "aux" and c.lower_ in cues["future_modals"] and status is None:
                        status, cue = "planned", c
        if head.lemma_.lower() in cues["reporting_verbs"] and rel == "parataxis" and who is None:
            who = _speaker(head, actors, lex)
        child, head = head, head.head
    # a reporting verb that governs the trigger's clause from above ("…, X said")
    root = sent.root
    if who is None and root.lemma_.lower() in cues["reporting_verbs"] and pred.i != root.i:
        if any(t.i == pred.i for t in root.subtree) and (status is None or status in FACTUAL):
            who = _speaker(root, actors, lex)
            if status is None and who is not None:
                status, cue = "reported", root
    # "according to X", "citing X"
    for t in sent:
        if t.lower_ in cues["attribution_preps"] and (status is None or status == "reported"):
            obj = _pobj(t) or next((_pobj(c) for c in t.children if c.dep_ == "prep"), None)
            if t.lower_ == "according" or obj is not None:
                status, cue = "reported", t
                if obj is not None and who is None:
                    who = _actor(obj, actors, lex)
    if status is None and any(t.lemma_.lower() in cues["estimate_words"] for t in sent
                              if t.i < pred.i and t.pos_ in ("VERB", "ADJ")):
        status = "estimated"
    if _quoted(sent, found.token) and who is None:
        for t in sent:
            if t.lemma_.lower() in cues["reporting_verbs"] and t.pos_ == "VERB" and not _quoted(sent, t):
                who = _speaker(t, actors, lex)
                if status is None:
                    status, cue = "reported", t
                break
    return status or "asserted", (who.id if who is not None else None), cue


# --- linking -----------------------------------------------------------------------------

def _actor(head, actors: Actors, lex: Lexicon, loose: bool = False) -> Optional[Entity]:
    """The entity an argument head stands for, creating a generic one for unnamed groups and
    for names the recogniser missed; `loose` (a recipient) also takes a plain noun phrase."""
    if head is None:
        return None
    if head.pos_ == "NUM" or head.lemma_.lower() in lex.cues["quantity_heads"] or (
            head.lower_[:-1] in lex.cues["quantity_heads"] and head.lower_.endswith("s")):
        of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        if of is not None and _pobj(of) is not None and actors.at(head) is None:
            return _actor(_pobj(of), actors, lex, loose)
    if head.pos_ == "PRON" and head.lower_ in lex.pronouns:
        allowed = lex.pronouns[head.lower_]
        nearest = None
        for i in range(head.i - 1, max(-1, head.sent.start - 60), -1):
            tok = head.doc[i]
            e = actors.at(tok)
            if e is None and tok.dep_ in ("nsubj", "nsubjpass") and tok.pos_ == "NOUN":
                e = actors.generic_entity(tok, lex)     # "the regime said it would…"
            if (e is not None and "PERSON" in allowed and tok.tag_ == "NN" and tok.pos_ == "NOUN"
                    and e in actors.generic.values()):
                return e                    # "the mayor says he backs…"
            if e is None or e.type not in allowed:
                continue
            if tok.dep_ in ("nsubj", "nsubjpass") or tok.head.dep_ in ("nsubj", "nsubjpass"):
                return e                    # the last subject of that kind
            nearest = nearest or e
        return nearest
    e = actors.at(head)
    if e is not None:
        return e
    if head.pos_ == "NOUN" and (head.lemma_.lower() in lex.nouns or head.pos_ == "VERB"):
        return None                         # an event ("condemned the killing"), not an actor
    for c in head.children:                 # "his counterpart, Mostafa Najjar": the name
        if c.dep_ == "appos" and actors.at(c) is not None and actors.at(c).type in ACTOR_ENT_TYPES:
            return actors.at(c)
    g = actors.generic_entity(head, lex)
    if g is not None:
        return g
    if _plain_argument(head, lex) and any(       # "Belgian radio stations": a group of that country
            c.dep_ in ("amod", "compound") and actors.at(c) is not None
            and actors.at(c).type in ("NORP", "GPE") for c in head.lefts):
        return actors.generic_entity(head, lex, {"type": "NORP" if head.tag_ == "NNS" else "ORG",
                                                 "sector": None})
    for c in head.children:
        if c.dep_ in ("compound", "amod", "poss", "appos", "nmod") or (
                c.dep_ == "prep" and c.lower_ in ("of", "from", "in")):
            e = actors.in_tokens(c.subtree)
            if e is not None:
                return e
    if (head.pos_ == "PROPN" or (head.is_upper and head.is_alpha and len(head) > 1)) and (
            head.ent_type_ not in NON_ACTOR_ENTS):      # a name, or an acronym ("ICE")
        return actors.generic_entity(head, lex, {"type": "ORG", "sector": None})  # a missed name
    if loose and _plain_argument(head, lex):
        g = actors.generic_entity(head, lex, {"type": "NORP" if head.tag_ == "NNS" else "ORG",
                                              "sector": None})
        if g is not None:
            actors.plain.append(g)          # a thing or a group of unknown kind
        return g
    return None


def _plain_argument(head, lex: Lexicon) -> bool:
    """Whether a common noun that names no group we know can still stand as the recipient of
    an event ("attacked the mosque", "suspended the daily newspaper", "detained 110
    individuals"): a concrete noun phrase, not an event, a quantity, a date or one of the
    abstract heads of event_actors.yaml `non_actor_heads`."""
    return (head.pos_ == "NOUN" and head.ent_type_ not in NON_ACTOR_ENTS
            and head.lemma_.lower() not in lex.nouns
            and head.lemma_.lower() not in lex.non_actor_heads
            and _noun_entry(head, lex) is None)    # "a state of emergency" is no one


def _place_recipient(sent, clause: set, actors: Actors, lex: Lexicon, exclude: set) -> Optional[Entity]:
    """The place an event is done in or to, as its recipient when the sentence names no one
    ("lifted the curfew in Mombasa", "declared a state of siege in Tarija"): the first place
    entity of the trigger's clause after one of event_actors.yaml `place_recipient` preps."""
    preps = lex.place_recipient["preps"]
    for t in sent:
        if t.i not in clause or t.dep_ != "pobj" or t.head.lower_ not in preps:
            continue
        for c in _conjuncts(t)[:1]:
            e = actors.at(c)
            if e is not None and e.type in PLACE_TYPES and e.id not in exclude:
                return e
    return None


def _clause_tokens(found: Found) -> set:
    """The tokens of the trigger's own clause, without the clauses embedded in it."""
    top = found.light if found.light is not None else found.token
    out = set()
    todo = [top]
    while todo:
        t = todo.pop()
        out.add(t.i)
        for c in t.children:
            if c.dep_ in CLAUSE_DEPS and c.pos_ in ("VERB", "AUX") and c.i != found.token.i:
                continue
            todo.append(c)
    if found.nominal:
        out.update(t.i for t in found.token.subtree)
    return out


def _tok_at(doc, char: int):
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _time(found: Found, sent, rec: Record, clause: set) -> Optional[EventTime]:
    doc = sent.doc
    best, best_d = None, None
    for d in rec.dates:
        if d.start is None and d.end is None:
            continue
        if not (sent.start_char <= d.span.start < sent.end_char):
            continue
        tok = _tok_at(doc, d.span.start)
        if tok is None:
            continue
        inside = tok.i in clause
        dist = (0 if inside else 1000) + abs(tok.i - found.token.i)
        if best_d is None or dist < best_d:
            best, best_d = d, dist
    if best is not None:
        return EventTime(best.start, best.end, best.precision, best.span)
    if rec.published:
        try:
            day = date.fromisoformat(rec.published[:10])
        except ValueError:
            return None
        return EventTime((day - timedelta(days=6)).isoformat(), day.isoformat(), "week", None)
    return None


def _counts(rec: Record, doc, clause: set, sent) -> list[Count]:
    out = []
    for c in rec.counts:
        if not (sent.start_char <= c.span.start < sent.end_char):
            continue
        tok = _tok_at(doc, c.span.start)
        if tok is not None and tok.i in clause:
            out.append(c)
    return out


def _location(found: Found, actors: Actors, clause: set, sent, exclude: set) -> Optional[str]:
    lex = lexicon()
    fallback = None
    for t in sent:
        e = actors.at(t)
        if e is None or e.type not in PLACE_TYPES or e.id in exclude:
            continue
        if t.i in clause and t.head.dep_ == "prep" and t.head.lower_ in lex.cues["location_preps"]:
            return e.id
        if fallback is None and t.dep_ == "pobj" and t.head.lower_ in lex.cues["location_preps"]:
            fallback = e.id
    place = fallback or _paragraph_place(sent, actors, exclude)
    if place is None and actors.dateline not in exclude:
        place = actors.dateline             # filed from there: the story's default setting
    return place


def _paragraph_place(sent, actors: Actors, exclude: set) -> Optional[str]:
    """The last place named earlier in the same paragraph (a story's setting carries over)."""
    doc = sent.doc
    text = actors.rec.text          # doc.text rebuilds the string from every token on each read
    para_start = text.rfind("\n\n", 0, sent.start_char)
    para_start = 0 if para_start < 0 else para_start + 2
    for i in range(sent.start - 1, -1, -1):
        tok = doc[i]
        if tok.idx < para_start:
            break
        e = actors.at(tok)
        if e is not None and e.type in PLACE_TYPES and e.id not in exclude:
            return e.id
    return None


def _assault_mode(found: Found, clause: set, sent, lex: Lexicon) -> Optional[str]:
    instruments = lex.cues["assault_instruments"]
    for t in sent:
        if t.i in clause or t.i == found.token.i:
            m = instruments.get(t.lemma_.lower()) or instruments.get(t.lower_)
            if m:
                return m
    return None


def _refined_mode(etype: str, mode: Optional[str], sent, lex: Lexicon) -> Optional[str]:
    """A more specific mode named by the sentence ("suicide" bombing, shells "with chlorine",
    a "violent" demonstration): event_cues.yaml `mode_refinements`."""
    rules = (lex.cues.get("mode_refinements") or {}).get(etype)
    if not rules:
        return mode
    lemmas = {t.lemma_.lower() for t in sent} | {t.lower_ for t in sent}
    for rule in rules:
        if mode in (rule.get("over") or []) and lemmas & set(rule["words"]):
            return rule["mode"]
    return mode


def _content_mode(found: Found, etype: str, contents: list, lex: Lexicon) -> Optional[str]:
    """The mode of a request, rejection or threat: what is asked for, refused or threatened,
    from the type of its content event, else from the words of its complement."""
    table = lex.cues["content_modes"][etype]
    for t in contents:
        if t in table["by_type"]:
            return table["by_type"][t]
    pred = found.token
    if found.nominal:
        tokens = [t for c in pred.children if c.dep_ not in ("poss", "det", "amod", "compound")
                  for t in c.subtree]
    else:
        tokens = [t for c in pred.children if c.dep_ in OBJ + ("xcomp", "ccomp", "prep", "attr",
                                                              "oprd", "advcl")
                  for t in c.subtree]
    words = table["words"]
    for t in sorted(tokens, key=lambda t: t.i):
        for mode, lemmas in words.items():
            if t.lemma_.lower() in lemmas or t.lower_ in lemmas:
                return mode
    return None


# --- events ------------------------------------------------------------------------------

def _confidence(found: Found, source, target, status: str) -> float:
    c = 0.55 if found.nominal else 0.7
    c += 0.15 * (source is not None) + 0.1 * (target is not None)
    if status not in ("asserted", "reported"):
        c -= 0.1
    return round(max(0.05, min(0.95, c)), 2)


def _sentence_span(text: str, sent) -> Span:
    """The sentence without the blank lines the parser keeps at its ends."""
    start, end = sent.start_char, sent.end_char
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span.of(text, start, end)


def _governing_trigger(found: Found, by_token: dict) -> Optional[Found]:
    """The verbal trigger whose content this event is: its object or the object of its
    preposition for a noun ("condemned the attack", "called for talks"), its clausal
    complement for a verb ("agreed to resign", "threatened to attack")."""
    tok = found.token
    # "provide a grant and a loan": a coordinated noun stands where its first conjunct does
    while found.nominal and tok.dep_ == "conj" and tok.head.pos_ in ("NOUN", "PROPN"):
        tok = tok.head
    if found.nominal and found.light is not None:
        tok = found.light                   # "requested a session": the light verb's place
        if found.light.i in by_token:
            gov = by_token[found.light.i]
            return gov if not gov.nominal else None
    head = tok.head
    if head.i == tok.i:
        return None
    if tok.dep_ == "pobj" and head.dep_ in ("prep", "agent"):
        head = head.head
    elif found.nominal and tok.dep_ not in OBJ + ("nsubjpass", "xcomp", "attr"):
        return None
    elif not found.nominal and tok.dep_ not in ("xcomp", "ccomp", "pcomp", "compound"):
        return None
    gov = by_token.get(head.i)
    return gov if gov is not None and not gov.nominal else None


def _dominating_event(found: Found, made: dict, lex: Lexicon):
    """The event of the nearest trigger that syntactically dominates this one, through
    subordinating relations only: an event given as the purpose, cause, means or circumstance
    of another ("arrested for collaborating", "expelled the envoy over the refusal",
    "detained protesters as protests continued"), or describing one of its arguments ("lifted a
    ban it had imposed").  Sentence-coded gold codes the dominating event only.  Coordination
    ("killed X and freed Y") and parataxis give independent events; a trigger reached through
    coordination is a sibling, not a parent."""
    child = found.light if found.light is not None else found.token
    sibling = False
    for _ in range(12):
        head = child.head
        if head.i == child.i:
            return None
        rel = child.dep_
        if rel in ("parataxis",) or (rel == "ccomp" and head.lemma_.lower()
                                     in lex.cues["reporting_verbs"]):
            return None                     # an independent or reported clause
        if rel == "conj":
            sibling = True
        elif head.i in made and not sibling and head.i != found.token.i:
            return made[head.i]
        elif head.i in made:
            sibling = False
        child = head
    return None


def _reaches(parent: Event, mine: list, parents: dict) -> bool:
    """Whether the chain of `part_of` links from `parent` comes back to one of `mine` (a link
    from one of them to `parent` would close a cycle)."""
    seen = set()
    while parent is not None and id(parent) not in seen:
        if any(parent is m for m in mine):
            return True
        seen.add(id(parent))
        parent = parents.get(id(parent))
    return False


def _events_in(sent, actors: Actors, rec: Record, lex: Lexicon, parents: dict) -> list[Event]:
    """The events of one sentence; `parents` gets id(event) -> the event it is the content of."""
    text = rec.text
    events = []
    dated = set()
    for d in rec.dates:
        if sent.start_char <= d.span.start < sent.end_char:
            span = sent.doc.char_span(d.span.start, d.span.end, alignment_mode="expand")
            dated.update(t.i for t in span or [])
    triggers = _triggers(sent, lex, actors, dated)
    for found in triggers:
        if found.nominal:
            found.light = _noun_args(found.token, lex, found.entry)[2]
    by_token = {f.token.i: f for f in triggers}
    govs = {f.token.i: _governing_trigger(f, by_token) for f in triggers}
    executive = {g.token.i for g in govs.values() if g is not None
                 and g.token.lemma_.lower() in lex.cues["executive_verbs"]}
    made: dict = {}                         # trigger token -> its first event
    own: list = []                          # (trigger, its events)
    for found in triggers:
        e = found.entry
        gov = govs[found.token.i]
        if found.token.i in executive:
            continue                        # "ordered an investigation": the act is the event
        if gov is not None and gov.token.lemma_.lower() in lex.cues["ending_verbs"]:
            continue                        # "lifted the ban": the state ended, not a new event
        if found.nominal and found.token.dep_ == "pobj" and found.token.head.lower_ == "of" and (
                found.token.head.head.lemma_.lower() in lex.cues["ending_nouns"]):
            continue                        # "a suspension of loans": the same, said by a noun
        if gov is not None and gov.token.i in executive:
            gov = None
        if not found.nominal and found.token.lemma_.lower() in lex.cues["ending_verbs"]:
            e = _ending_entry(found, by_token, lex) or e
        loose_target = True                 # a plain noun phrase may stand as recipient
        if found.nominal:
            src_head, tgt_head, found.light = _noun_args(found.token, lex, e)
        else:
            src_head, cands = _verb_args(found.token, e, found.part)
            real = [c for c in cands if c is not None]
            given_to = [c for c in real if c.dep_ == "dative" or (
                c.dep_ == "pobj" and c.head.lower_ in ("to", "toward", "towards"))]
            tgt_head = next((c for group in (given_to, real) for c in group   # "offered its troops
                             if _actor(c, actors, lex) is not None), None)   # to Lebanon": Lebanon
            if tgt_head is None:            # no group or name: a plain noun phrase recipient,
                ranked = sorted((c for c in cands if c is not None),   # whom a thing is given
                                key=lambda c: c.dep_ != "pobj")      # or sent to before the thing
                themes = e.type in lex.theme_object_types    # "provide food": food is given
                tgt_head = next((c for c in ranked if _plain_argument(c, lex)
                                 and not (themes and c.dep_ in OBJ)), None)
                loose_target = tgt_head is not None
                tgt_head = tgt_head if loose_target else (cands[0] if cands else None)
        inside = range(found.first.i, found.last.i + 1)    # "state of siege": no argument
        src_head = None if src_head is not None and src_head.i in inside else src_head
        tgt_head = None if tgt_head is not None and tgt_head.i in inside else tgt_head
        sources = [_actor(h, actors, lex) for h in _conjuncts(src_head)] if src_head is not None else [None]
        targets = [_actor(h, actors, lex, loose=loose_target) for h in _conjuncts(tgt_head)] if tgt_head is not None else [None]
        sources = list({(s.id if s else None): s for s in sources}.values())
        if e.by_population is not None and any(_population(s, lex) for s in sources):
            e = e.by_population             # "protesters blocked the road": PROTEST obstruct
        targets = list({(t.id if t else None): t for t in targets}.values())
        if targets == [None] and tgt_head is not None and e.mode in lex.matter_modes:
            party = _matter_party(tgt_head, actors)
            targets = [party] if party is not None else targets
        if e.type in lex.grievance_types and all(t is None or t in actors.plain for t in targets):
            party = _grievance_party(found, actors, lex)
            targets = [party] if party is not None and all(
                party.id != x.id for x in sources if x) else targets
        status, who, cue = _status(found, sent, actors, lex)
        if gov is not None and status in FACTUAL and gov.entry.type in lex.cues["topic_status"]:
            status = lex.cues["topic_status"][gov.entry.type]
        refused = lex.types[e.type].get("refused_type")
        if refused and status == "denied" and _negating_cue(cue, lex):
            e = _refusal_entry(e, refused, lex)     # "will not lift the ban": a refusal
            status = "reported" if who is not None else "asserted"
        parent = made.get(gov.token.i) if gov is not None else None
        clause = _clause_tokens(found)
        pr = lex.place_recipient or {}
        if targets == [None] and e.type in pr.get("types", ()) and not (
                len(sources) > 1 and e.type in pr.get("single_actor_types", ())):
            place = _place_recipient(sent, clause, actors, lex, {s.id for s in sources if s})
            targets = [place] if place is not None else targets
        e = _refined_entry(e, clause, sent, lex)
        mode = e.mode
        if e.type == "ASSAULT" and mode is None:
            mode = _assault_mode(found, clause, sent, lex)
        mode = _refined_mode(e.type, mode, sent, lex)
        etype = e.type
        future = lex.types[etype].get("future_type")
        if status == "planned" and future:
            etype, mode = future, lex.types[etype].get("future_mode")
        time = _time(found, sent, rec, clause)
        counts = _counts(rec, sent.doc, clause, sent)
        trig = Span.of(text, found.first.idx, found.last.idx + len(found.last.text))
        sspan = _sentence_span(text, sent)
        first_event = len(events)
        for s in sources:
            for t in targets:
                if s is not None and t is not None and s.id == t.id:
                    t = None
                exclude = {x.id for x in (s, t) if x is not None}
                events.append(Event(
                    id="", type=etype, mode=mode, trigger=trig, sentence=sspan,
                    source_actor=s.id if s else None, target_actor=t.id if t else None,
                    location=_location(found, actors, clause, sent, exclude), time=time,
                    counts=list(counts), status=status, attributed_to=who,
                    confidence=_confidence(found, s, t, status), sentences=[sspan]))
                made.setdefault(found.token.i, events[-1])
                if found.light is not None:     # "launched an investigation after…": the
                    made.setdefault(found.light.i, events[-1])  # light verb stands for it
                if parent is not None:
                    parents[id(events[-1])] = parent
        own.append((found, events[first_event:]))
        if status == "advocated" and who is not None and not found.nominal:
            modal = next((c for c in found.token.children
                          if c.dep_ == "aux" and c.lower_ in lex.cues["obligation_modals"]), None)
            subj = sources[0] if sources else None
            if modal is not None and (subj is None or subj.id != who):
                mspan = Span.of(text, modal.idx, modal.idx + len(modal.text))
                events.append(Event(
                    id="", type="REQUEST", mode=None, trigger=mspan, sentence=sspan,
                    source_actor=who, target_actor=subj.id if subj else None, time=time,
                    status="reported", attributed_to=who, confidence=0.6, sentences=[sspan]))
    obligations = _reported_obligations(sent, by_token, actors, rec, lex)
    events.extend(obligations)
    for found, mine in own:
        for ev in mine:
            if ev.mode is None and ev.type in lex.cues["content_modes"]:
                contents = [c.type for c in events if parents.get(id(c)) is ev]
                ev.mode = _content_mode(found, ev.type, contents, lex)
    main = next((ev for found, mine in own if _main_line(found) for ev in mine
                 if ev.status in FACTUAL), None) or next(iter(obligations), None)
    for found, mine in own:
        parent = None
        for ev in mine:
            if id(ev) not in parents:
                parent = parent or _dominating_event(found, made, lex)
                if parent is None and main is not None and not _main_line(found):
                    parent = main           # a circumstance of the sentence's main event
                if parent is not None and not _reaches(parent, mine, parents):
                    parents[id(ev)] = parent
    for ev in events:               # "civilians were killed as troops shelled the town":
        if ev.source_actor is None:  # the actor of the same act named in its circumstance
            ev.source_actor = next((c.source_actor for c in events if parents.get(id(c)) is ev
                                    and c.type == ev.type and c.source_actor
                                    and c.source_actor != ev.target_actor), None)
    return events


def _main_line(found: Found) -> bool:
    """Whether the trigger reports the sentence's own news: it reaches the root through
    clauses, coordination and the arguments of verbs only.  An event named in an adverbial,
    relative or participial clause, in a prepositional phrase, or inside a noun phrase
    ("after a convoy was attacked", "a written statement released by the palace", "on a
    trip to Malawi", "arrested for kidnapping") is a circumstance or a description of an
    argument, which sentence-coded gold does not code."""
    child = found.light if found.light is not None else found.token
    for _ in range(20):
        head = child.head
        if head.i == child.i:
            return True
        if child.dep_ in SUBORDINATE_DEPS or (head.pos_ in ("NOUN", "PROPN", "PRON", "NUM")
                                              and child.dep_ != "conj"):
            return False
        child = head
    return False


def _reported_obligations(sent, by_token: dict, actors: Actors, rec: Record, lex: Lexicon) -> list:
    """A speaker saying that another actor must or should do something demands it ("the Red
    Cross said US forces must ensure security"): REQUEST l.390 "all requests, demands", from the
    speaker to the obliged actor, also when the obliged act is no event of its own."""
    out = []
    for tok in sent:
        if tok.i in by_token or tok.pos_ not in ("VERB", "AUX") or tok.dep_ != "ccomp":
            continue
        if tok.head.lemma_.lower() not in lex.cues["reporting_verbs"]:
            continue
        modal = next((c for c in tok.children if c.dep_ == "aux"
                      and c.lower_ in lex.cues["obligation_modals"]), None)
        if modal is None:
            continue
        who = _speaker(tok.head, actors, lex)
        subj_tok = _subject(tok)
        subj = _actor(subj_tok, actors, lex) if subj_tok is not None else None
        if who is None or subj is None or subj.id == who.id:
            continue
        sspan = _sentence_span(rec.text, sent)
        words = lex.cues["content_modes"]["REQUEST"]["words"]
        mode = next((m for t in tok.subtree for m, lemmas in words.items()
                     if t.lemma_.lower() in lemmas), None)   # what is demanded
        out.append(Event(
            id="", type="REQUEST", mode=mode, trigger=Span.of(rec.text, modal.idx, modal.idx + len(modal.text)),
            sentence=sspan, source_actor=who.id, target_actor=subj.id, status="reported",
            attributed_to=who.id, confidence=0.6, sentences=[sspan]))
    return out


def _refined_entry(entry: Entry, clause: set, sent, lex: Lexicon) -> Entry:
    """Another type when the trigger's clause names what the manual codes apart: troops sent
    as peacekeepers or for relief are AID, peacekeepers or observers withdrawn are SANCTION
    (event_cues.yaml `type_refinements`)."""
    for rule in lex.cues.get("type_refinements") or ():
        if rule["from"] != entry.type or (rule.get("modes") and entry.mode not in rule["modes"]):
            continue
        words = rule["words"]
        if any(t.lemma_.lower() in words or t.lower_ in words for t in sent if t.i in clause):
            return rule["entry"]
    return entry


def _negating_cue(cue, lex: Lexicon) -> bool:
    """Whether a denial comes from the text's own negation ("will not", "no", "failed to"),
    not from someone denying that the act happened ("denied attacking")."""
    return cue is not None and (cue.dep_ == "neg" or cue.lower_ == "no"
                                or cue.lemma_.lower() in lex.cues["failure_verbs"])


def _refusal_entry(entry: Entry, refused: str, lex: Lexicon) -> Entry:
    """The REJECT code of a cooperative act its actor will not do, with the mode of what is
    refused (event_types.yaml `refused_type`, event_cues.yaml `content_modes`)."""
    mode = (lex.cues["content_modes"].get(refused) or {}).get("by_type", {}).get(entry.type)
    return Entry(entry.key, refused, mode, f"REJECT l.452 refusal of {entry.type} ({entry.manual})",
                 entry.target_preps)


def _ending_entry(found: Found, by_token: dict, lex: Lexicon) -> Optional[Entry]:
    """Ending a restriction, a protest or a sanction ("suspended the strike", "cancelled the
    restrictions", "halted the blockade") is a concession, whatever the ending verb's own code
    (event_cues.yaml `ending_conflict`)."""
    rule = lex.cues.get("ending_conflict")
    if not rule:
        return None
    for c in found.token.children:
        obj = by_token.get(c.i) if c.dep_ in OBJ else None
        if obj is not None and obj.nominal and obj.entry.type in rule["types"]:
            return rule["entry"]
    return None


def _ending_only_entry(tok, lex: Lexicon) -> Optional[Entry]:
    """An ending verb that is no trigger of its own ("ended the strike", "scrapped the
    curfew", "ended mediation efforts") whose object names a restriction, protest or sanction
    (the ending is a concession, event_cues.yaml `ending_conflict`) or talks, aid or
    cooperation (the ending reduces relations, `ending_cooperation`)."""
    if tok.lemma_.lower() not in lex.cues["ending_verbs"]:
        return None
    obj = _child(tok, OBJ)
    if obj is None or obj.pos_ != "NOUN":
        return None
    r = _noun_entry(obj, lex)
    if r is None:
        return None
    for rule in [lex.cues.get("ending_conflict") or {}, *lex.cues["ending_cooperation"]]:
        if r[0].type in rule.get("types", ()):
            return rule["entry"]
    return None


def _transfer_entry(tok, lex: Lexicon) -> Optional[Entry]:
    """A verb of giving or sending whose object is money or relief goods ("gave $5 million to
    Malawi", "sent medical equipment"): material aid (event_cues.yaml `material_transfers`)."""
    rule = lex.cues.get("material_transfers")
    if not rule or tok.lemma_.lower() not in rule["verbs"]:
        return None
    obj = _child(tok, OBJ)
    if obj is None:
        return None
    goods = rule["goods"]
    for t in list(obj.subtree)[:12]:
        if t.ent_type_ == "MONEY" or t.lemma_.lower() in goods:
            return rule["entry"]
    return None


def _population(entity: Optional[Entity], lex: Lexicon) -> bool:
    """Whether an actor is a population or civil group rather than a state or armed body."""
    if entity is None:
        return False
    return entity.type == "NORP" or (entity.sector or "").lower() in lex.cues["population_sectors"]


def _compatible(a: Optional[str], b: Optional[str]) -> bool:
    return a is None or b is None or a == b


def _same_time(a: Optional[EventTime], b: Optional[EventTime]) -> bool:
    if a is None or b is None or a.span is None or b.span is None:
        return True
    if not (a.start and a.end and b.start and b.end):
        return True
    return a.start <= b.end and b.start <= a.end


def _merge(events: list[Event], merged_into: dict) -> list[Event]:
    """One event per occurrence: later mentions of the same occurrence join the first."""
    out: list[Event] = []
    for ev in events:
        for kept in out:
            same_sentence = kept.sentence.start == ev.sentence.start
            shared = ((ev.source_actor and ev.source_actor == kept.source_actor)
                      or (ev.target_actor and ev.target_actor == kept.target_actor))
            if (kept.type == ev.type and _compatible(kept.mode, ev.mode)
                    and _compatible(kept.source_actor, ev.source_actor)
                    and _compatible(kept.target_actor, ev.target_actor)
                    and (same_sentence or shared)
                    and (kept.status in FACTUAL) == (ev.status in FACTUAL)
                    and _same_time(kept.time, ev.time)):
                kept.source_actor = kept.source_actor or ev.source_actor
                kept.target_actor = kept.target_actor or ev.target_actor
                kept.mode = kept.mode or ev.mode
                kept.location = kept.location or ev.location
                if kept.time is None or (kept.time.span is None and ev.time and ev.time.span):
                    kept.time = ev.time
                for c in ev.counts:
                    if all(c.span.start != k.span.start for k in kept.counts):
                        kept.counts.append(c)
                if not same_sentence and all(s.start != ev.sentence.start for s in kept.sentences):
                    kept.sentences.append(ev.sentence)
                kept.confidence = round(min(0.95, max(kept.confidence, ev.confidence) + 0.05), 2)
                merged_into[id(ev)] = kept
                break
        else:
            out.append(ev)
    return out


def find_events(doc, rec: Record) -> list[Event]:
    """PLOVER events of one parsed article, linked to the record's entities, dates and counts."""
    lex = lexicon()
    actors = Actors(doc, rec)
    events: list[Event] = []
    parents: dict = {}
    background = [(s.start, s.end) for s in rec.sections if s.kind == "background"]
    for sent in doc.sents:
        if not sent.text.strip():
            continue
        if any(a <= sent.start_char < b for a, b in background):
            continue                        # an encyclopedic appendix reports no news
        events.extend(_events_in(sent, actors, rec, lex, parents))
    merged_into: dict = {}
    events = _merge(events, merged_into)
    for n, ev in enumerate(events, 1):
        ev.id = f"v{n}"
    for ev in events:
        parent = parents.get(id(ev))
        parent = merged_into.get(id(parent), parent) if parent is not None else None
        ev.part_of = parent.id if parent is not None and parent is not ev else None
    return events
