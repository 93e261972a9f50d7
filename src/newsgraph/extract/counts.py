"""Counts: how many people or things a report says were affected, and how many actors.

A conflict monitor reads "at least 40 people were killed", "the arrest of 2,000 people",
"around 7,000 ... have taken refuge", "dozens wounded", "the death toll rose to 45" and records
a number, whether it is approximate, what it counts and what happened to them.  This stage
finds those numbers in the spaCy parse it is given (it never parses again).

The rule (what counts and what does not):

* A number phrase is a run of numerals ("2,000", "1.5 million", "two dozen", "twenty-five"),
  a range ("10-15", "between 10 and 15", "two or three") or a vague quantity ("dozens",
  "hundreds of", "tens of thousands", "scores", "a handful", "several").
* It is a count when what it counts is an actor or victim whose name says so (fighters,
  troops, civilians, refugees, detainees, hostages, casualties, deaths, arrests…: `actors` in
  counts.yaml), or when the sentence says what happened to what it counts: the number or its
  noun is the object of a verb like "killed" / "arrested" / "destroyed" (or the subject of its
  passive), the subject of "died" / "fled" / "protested", the "of" phrase of "the arrest of",
  the subject of "took refuge" / "remain missing", or carries a participle ("homes destroyed",
  "displaced families").  That is recorded as `effect` (kill, wound, arrest, shelter…).
* So generic quantities are NOT counts: "three cities", "two ministers met", "14 governorates",
  "a population of 25 million" — nothing was done to them and they are not armed actors.
  "two ministers were killed" and "three villages were shelled" are counts.
* A bare number counts people when a people-affecting verb governs it ("killing 12",
  "2,000 were arrested", "the death toll rose to 45"): `what` is "person".
* Never counts: years ("2011", "in 1990"), ages, percentages, money, times of day, dates,
  ordinals (the parser's DATE/TIME/MONEY/PERCENT/ORDINAL/QUANTITY entities, and unit nouns
  such as "%", "euros", "km", "pm"), labels after a designator ("Resolution 2254",
  "Article 5", "Unit 8200", "Route 6", "Flight 17"), phone numbers and scores (no counted
  noun and no effect, or not a well-formed number).

Fields: `value` is an int, or None for vague quantities and ranges; `approx` is true with any
qualifier, vague quantity or range; `qualifier` is the qualifier as written ("at least");
`lower` / `upper` are the bounds the text states ("at least 40" → lower 40, "up to 50" →
upper 50, "dozens" → lower 24, "10-15" → 10 and 15); `what` is the lemma of the counted noun
("people" → "person", "Alawites" → "Alawite").

The span covers the qualifier, the number and the counted noun with the words between them:
"at least 40 people", "hundreds of families", "around 7,000 Alawites", "2,000 people" — the
verb is left out (it is in `effect`), so spans stay short and never cross clauses.  For a
bare number the span is the qualifier and the number ("2,000").
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, Optional

import numpy
import yaml
from spacy.tokens import Doc, Token

from ..record import Count, Span

DATA_FILE = Path(__file__).with_name("counts.yaml")

# Parser entities whose numbers are never counts.
NOT_COUNT_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "QUANTITY"}
DIGITS = re.compile(r"\d{1,3}(,\d{3})+|\d+(\.\d+)?")
YEAR = re.compile(r"1\d{3}|20\d{2}")
RANGE_WORDS = {"-", "–", "—", "to", "or"}
SUBJECTS = {"nsubj", "csubj", "expl"}
COMPLEMENTS = {"acomp", "oprd", "xcomp", "attr"}   # not ccomp: "two officials said 12 died"
# A counted noun further than this from its number is left out of the span.
MAX_SPAN_GAP = 6


class Words(NamedTuple):
    units: dict
    multipliers: dict
    vague: list            # (token sequence, lower), longest first
    candidate_pattern: re.Pattern   # digits and number words: where phrases may be
    vague_words: frozenset          # the words of the vague sequences but "a", "an", "of"
    qualifiers: list       # (token sequence, bound), longest first
    trailing: list
    actors: frozenset
    what_lemmas: dict
    never_nouns: frozenset
    designators: frozenset
    year_prepositions: frozenset
    never_before: frozenset
    done_to: dict
    undergone: dict
    states: dict
    light_verbs: frozenset
    tolls: frozenset
    weak_effects: frozenset
    intransitive_only: frozenset
    thing_effects: frozenset
    inclusion_verbs: frozenset
    needs_noun: frozenset


def _sequences(mapping: dict) -> list:
    seqs = [(tuple(str(k).lower().split()), v) for k, v in mapping.items()]
    return sorted(seqs, key=lambda kv: -len(kv[0]))


def _vague_words(data: dict) -> set:
    return {x for k in data["vague"] for x in str(k).lower().split()} - {"a", "an", "of"}


def _candidate_pattern(data: dict) -> re.Pattern:
    names = sorted({*map(str, data["units"]), *map(str, data["multipliers"]), *_vague_words(data)},
                   key=len, reverse=True)
    return re.compile(r"\d+|\b(?:" + "|".join(map(re.escape, names)) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def words() -> Words:
    """The word lists of counts.yaml, loaded once."""
    try:
        data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuntimeError(f"{DATA_FILE}: cannot read the counts word lists ({exc})") from exc

    try:
        return _words(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RuntimeError(f"{DATA_FILE}: malformed counts word lists ({exc!r})") from exc


def _words(data: dict) -> Words:
    def low(key):
        return frozenset(str(w).lower() for w in data[key])

    return Words(
        units={str(k): int(v) for k, v in data["units"].items()},
        multipliers={str(k): int(v) for k, v in data["multipliers"].items()},
        vague=_sequences(data["vague"]),
        candidate_pattern=_candidate_pattern(data),
        vague_words=frozenset(_vague_words(data)),
        qualifiers=_sequences(data["qualifiers"]),
        trailing=_sequences(data["trailing_qualifiers"]),
        actors=low("actors"),
        what_lemmas={str(k): str(v) for k, v in data["what_lemmas"].items()},
        never_nouns=low("never_nouns"),
        designators=low("designators"),
        year_prepositions=low("year_prepositions"),
        never_before=low("never_before"),
        done_to={str(k): str(v) for k, v in data["done_to"].items()},
        undergone={str(k): str(v) for k, v in data["undergone"].items()},
        states={str(k): str(v) for k, v in data["states"].items()},
        light_verbs=low("light_verbs"),
        tolls=low("tolls"),
        weak_effects=low("weak_effects"),
        intransitive_only=low("intransitive_only"),
        thing_effects=low("thing_effects"),
        inclusion_verbs=low("inclusion_verbs"),
        needs_noun=low("needs_noun"),
    )


# --- Number phrases ------------------------------------------------------------------------

class Phrase(NamedTuple):
    start: int                 # token index of the first numeral / vague word
    end: int                   # token index after the last one (including a range's end)
    root: Token                # the token that attaches the phrase to the sentence
    value: Optional[int]
    lower: Optional[int]
    upper: Optional[int]
    vague: bool
    range_start: Optional[int] = None   # token index of "between" when the range has one


def _is_numeral(tok: Token, w: Words) -> bool:
    low = tok.lower_
    if low in w.units or low in w.multipliers:
        # "one" as a pronoun ("no one", "the one who") is not a numeral.
        return tok.pos_ == "NUM" or low != "one"
    return low[:1].isdigit() and bool(DIGITS.fullmatch(low)) and (tok.like_num or tok.tag_ == "CD")


def _numeral_end(doc: Doc, i: int, w: Words) -> int:
    """End of the run of numerals starting at i ("1.5 million", "twenty - five", "a dozen")."""
    j = i
    if doc[j].lower_ in ("a", "an"):
        j += 1
    while j < len(doc):
        tok = doc[j]
        if _is_numeral(tok, w):
            j += 1
        elif (tok.text == "-" and j + 1 < len(doc) and j > i
              and doc[j - 1].lower_ in w.units and doc[j + 1].lower_ in w.units
              and not tok.whitespace_ and not doc[j - 1].whitespace_):
            j += 1          # "twenty-five"
        elif tok.lower_ == "and" and j > i and j + 1 < len(doc) and doc[j - 1].lower_ in w.multipliers \
                and doc[j + 1].lower_ in w.units:
            j += 1          # "three hundred and fifty"
        else:
            break
    return j


def _value(tokens, w: Words) -> Optional[int]:
    """The integer a run of numerals states, or None when it is not a well-formed count."""
    total, current = 0.0, None
    if "." in tokens[-1].text:
        return None     # "3.5", "2.0 update": measures and versions; "1.5 million" is fine
    for tok in tokens:
        low = tok.lower_
        if low in ("-", "and"):
            continue
        if low in ("a", "an"):
            current = (current or 0) + 1
        elif DIGITS.fullmatch(low):
            current = (current or 0) + float(low.replace(",", ""))
        elif low in w.units:
            current = (current or 0) + w.units[low]
        elif low in w.multipliers:
            current = (current or 1) * w.multipliers[low]
            if w.multipliers[low] >= 1000:
                total, current = total + current, None
        else:
            return None
    value = total + (current or 0)
    if value != int(value):
        return None     # "3.5" alone is a measure, not a count of people
    return int(value)


def _root(doc: Doc, start: int, end: int) -> Token:
    """The token of doc[start:end] whose head lies outside it (the last one if several)."""
    roots = [t for t in doc[start:end] if not (start <= t.head.i < end) or t.head.i == t.i]
    return roots[-1] if roots else doc[end - 1]


def _match_vague(doc: Doc, i: int, w: Words):
    for seq, lower in w.vague:
        if tuple(t.lower_ for t in doc[i:i + len(seq)]) == seq:
            return len(seq), int(lower)
    return None


def _candidates(doc: Doc, text: str, w: Words) -> list[int]:
    """Indices of the tokens that may belong to a number phrase, found on the raw text.

    Most tokens are not numbers; finding the few that might be with one regular expression
    over the text keeps this stage a small fraction of the parse time.
    """
    positions = [m.start() for m in w.candidate_pattern.finditer(text)]
    if not positions:
        return []
    starts = doc.to_array("IDX")
    return sorted(set(numpy.searchsorted(starts, positions, side="right") - 1))


def _phrases(doc: Doc, text: str, w: Words):
    """Every number phrase of the doc, left to right, none overlapping."""
    n = len(doc)
    done = 0                            # tokens before this index are used already
    longest_vague = max(len(seq) for seq, _ in w.vague)
    for c in _candidates(doc, text, w):
        if c < done:
            continue
        # A vague phrase may begin a word or two before the candidate: "a few thousand".
        vague = None
        starts = range(max(done, c - longest_vague + 1), c + 1) \
            if doc[c].lower_ in w.vague_words else ()
        for i in starts:
            vague = _match_vague(doc, i, w)
            if vague and i + vague[0] > c:
                break
            vague = None
        if vague:
            k, lower = vague
            yield Phrase(i, i + k, _root(doc, i, i + k), None, lower, None, True)
            done = i + k
            continue
        i = c
        if i > done and doc[i - 1].lower_ in ("a", "an") and doc[i].lower_ in w.multipliers:
            i -= 1                      # "a hundred", "a dozen"
        elif not _is_numeral(doc[i], w):
            continue
        end = _numeral_end(doc, i, w)
        value = _value(doc[i:end], w)
        root = _root(doc, i, end)
        done = end
        # A range: "10-15", "10 to 15", "two or three", "between 10 and 15".
        between = i > 0 and doc[i - 1].lower_ == "between"
        joiners = {"and"} if between else RANGE_WORDS
        if value is not None and end + 1 < n and doc[end].lower_ in joiners \
                and _is_numeral(doc[end + 1], w):
            end2 = _numeral_end(doc, end + 1, w)
            upper = _value(doc[end + 1:end2], w)
            if upper is not None and upper > value:
                yield Phrase(i, end2, root, None, value, upper, False,
                             i - 1 if between else None)
                done = end2
                continue
        yield Phrase(i, end, root, value, None, None, False)


# --- Is it a count? --------------------------------------------------------------------------

def _never(doc: Doc, ph: Phrase, w: Words) -> bool:
    """Years, ages, money, percentages, times, dates, ordinals, labels and units."""
    tokens = doc[ph.start:ph.end]
    if any(t.ent_type_ in NOT_COUNT_ENTS for t in tokens) and not _mislabelled_count(doc, ph, w):
        return True
    if any(t.ent_type_ and t.ent_type_ not in NOT_COUNT_ENTS | {"CARDINAL"} for t in tokens):
        return True     # part of a name: "Mega Millions", "Ocean's Eleven"
    prev = doc[ph.start - 1] if ph.start > 0 else None
    first = tokens[0]
    if prev is not None and first.is_title and first.is_alpha and not first.is_sent_start \
            and prev.is_title and prev.pos_ == "PROPN":
        return True     # a name the model did not tag: "Mega Millions", "Ocean's Eleven"
    if prev is not None and (prev.lower_ in w.never_before or _in(w.designators, prev)):
        return True
    if prev is not None and prev.text == "-" and not prev.whitespace_ and ph.start > 1 \
            and doc[ph.start - 2].is_alpha and not doc[ph.start - 2].whitespace_:
        return True     # a model name: "F-16", "Su-24", "COVID-19"
    if prev is not None and prev.text == "," and ph.start > 1 \
            and doc[ph.start - 2].ent_type_ == "PERSON":
        return True     # an age after a name: "Marta Quiroga, 31"
    nxt = doc[ph.end] if ph.end < len(doc) else None
    if nxt is not None:
        if _in(w.never_nouns, nxt):
            return True
        if nxt.text in ("-", ":", "/") and not tokens[-1].whitespace_ \
                and not _trailing(doc, ph.end, w):
            return True     # "10:30", "3/4", "34-year-old", "eight-officer force"
    return False


def _mislabelled_count(doc: Doc, ph: Phrase, w: Words) -> bool:
    """A DATE entity that is nothing but this phrase, right before a countable noun.

    The small model tags "between 10 and 15 people" as a DATE; a date entity that covers the
    numbers only (no month, weekday or "year" in it) and is followed by a noun is a count.
    """
    first = ph.range_start if ph.range_start is not None else ph.start
    if ph.end >= len(doc) or {t.ent_type_ for t in doc[first:ph.end]} != {"DATE"}:
        return False
    starts_here = doc[first].ent_iob_ == "B" or (
        first > 0 and doc[first - 1].ent_iob_ == "B" and _qualifier(doc, first, w))
    nxt = doc[ph.end]
    return (starts_here and nxt.ent_iob_ != "I" and nxt.pos_ in ("NOUN", "PROPN")
            and not _in(w.never_nouns, nxt))


def _in(words_set, tok: Token) -> bool:
    return tok.lower_ in words_set or tok.lemma_.lower() in words_set


def _get(mapping: dict, tok: Token) -> Optional[str]:
    return mapping.get(tok.lemma_.lower()) or mapping.get(tok.lower_)


def _is_year(doc: Doc, ph: Phrase, noun: Optional[Token], w: Words) -> bool:
    tokens = doc[ph.start:ph.end]
    if len(tokens) != 1 or not YEAR.fullmatch(tokens[0].text):
        return False
    prev = doc[ph.start - 1] if ph.start > 0 else None
    if prev is not None and prev.lower_ in w.year_prepositions:
        return True
    return noun is None or noun.i != ph.end     # "1500 people" only when the noun follows


def _counted_noun(doc: Doc, ph: Phrase, w: Words) -> Optional[Token]:
    """The noun whose number this is: "40 people", "hundreds of families", "12 of the victims"."""
    root = ph.root
    if root.dep_ in ("nummod", "quantmod", "amod", "compound", "det") and root.head.i >= ph.end \
            and root.head.pos_ in ("NOUN", "PROPN", "ADJ"):
        return root.head
    for child in root.children:
        if child.dep_ == "prep" and child.lower_ == "of" and child.i >= ph.end:
            objs = [c for c in child.children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")]
            if objs:
                return objs[0]
    if ph.end < len(doc):
        nxt = doc[ph.end]
        if nxt.pos_ in ("NOUN", "ADJ", "PROPN") and _in(w.actors, nxt):
            return nxt      # "45 dead", "12 wounded"
    return None


def _passive(verb: Token) -> bool:
    """A passive verb, or a bare past participle ("and dozens wounded")."""
    deps = {c.dep_ for c in verb.children}
    if "auxpass" in deps:
        return True
    has_perfect = any(c.dep_ == "aux" and c.lemma_ == "have" for c in verb.children)
    return verb.tag_ == "VBN" and not has_perfect


def _verb_effect(verb: Token, role: str, w: Words, depth: int = 0) -> Optional[str]:
    """What `verb` does to its object (role "object") or says of its subject (role "subject")."""
    lemma = verb.lemma_.lower()
    children = list(verb.children)
    if any(c.dep_ == "neg" for c in children):
        return None         # "were not detained"
    if role == "object":
        effect = _get(w.done_to, verb)
    else:                   # "the two firms are demonstrating a commitment" is no protest
        has_object = any(c.dep_ == "dobj" for c in children)
        effect = None if has_object and _in(w.intransitive_only, verb) else _get(w.undergone, verb)
    if effect:
        return effect
    if depth > 2:
        return None
    for c in children:
        if c.dep_ in COMPLEMENTS or (c.dep_ == "dobj" and role == "subject" and lemma in w.light_verbs):
            # "remain missing", "were found dead", "took refuge", "were forced to flee",
            # "left 12 people dead"
            effect = _get(w.states, c)
            if not effect and c.pos_ == "VERB" and c.dep_ in ("xcomp", "oprd"):
                effect = _verb_effect(c, "object" if _passive(c) else "subject", w, depth + 1)
            if effect:
                return effect
    return None


def _effect(tok: Token, w: Words, depth: int = 0) -> Optional[str]:
    """What the sentence says happened to `tok` (a counted noun or a bare number)."""
    if depth > 3:
        return None
    for c in tok.children:
        if c.dep_ == "amod" or (c.dep_ in ("acl", "relcl") and c.i > tok.i):
            if c.dep_ == "relcl" or c.tag_ == "VBG":     # "people who fled", "families fleeing"
                role = "object" if _passive(c) else "subject"
            else:
                role = "object"          # "homes destroyed", "displaced families"
            effect = _get(w.states, c) or _verb_effect(c, role, w)
            if effect:
                return effect
    dep, head = tok.dep_, tok.head
    if dep == "nsubjpass" or (dep in SUBJECTS and _passive(head)):
        return _verb_effect(head, "object", w)
    if dep in SUBJECTS or (dep == "nummod" and head.pos_ == "VERB" and head.i > tok.i):
        return _verb_effect(head, "subject", w)     # (a headline's "Thousands flee" parses so)
    if dep in ("dobj", "oprd"):
        if _in(w.inclusion_verbs, head):    # "the dead included 11 civilians"
            for subj in (c for c in head.children if c.dep_ in SUBJECTS):
                return _get(w.states, subj) or _effect(subj, w, depth + 1)
        return _verb_effect(head, "object", w)
    if dep == "pobj":
        prep = head.lower_
        if prep == "of" and head.head.pos_ == "NOUN":
            effect = _get(w.done_to, head.head) or _get(w.states, head.head)
            if effect:
                return effect           # "the arrest of 2,000 people", "the deaths of 12"
        if prep in ("including", "among") or (prep == "of" and tok.pos_ in ("NOUN", "PROPN")):
            return _effect(head.head, w, depth + 1)     # "12 people, including five children"
        return None
    if dep in ("conj", "appos") and head.i != tok.i:
        return _effect(head, w, depth + 1)
    return None


def _toll(root: Token, w: Words) -> Optional[str]:
    """The effect when the number is a toll: "the death toll rose to 45", "a toll of 45"."""
    head = root.head.head if root.dep_ == "pobj" else root.head
    tolls = [head] if _in(w.tolls, head) else \
        [c for c in head.children if c.dep_ in SUBJECTS and _in(w.tolls, c)]
    if not tolls:
        return None
    for c in tolls[0].children:
        effect = _get(w.states, c)
        if c.dep_ in ("compound", "amod") and effect:
            return effect
    return "kill"


def _what(noun: Token, w: Words) -> str:
    low = noun.lower_
    lemma = noun.lemma_
    what = w.what_lemmas.get(low) or w.what_lemmas.get(lemma.lower())
    if what:
        return what
    if noun.tag_ in ("NNS", "NNPS") and lemma.lower() == low and low.endswith("s") \
            and not low.endswith("ss"):
        lemma = noun.text[:-1]          # the model leaves "Alawites", "Kurds" unlemmatised
    if noun.text[:1].isupper() and (not noun.is_sent_start or noun.pos_ == "PROPN"
                                    or noun.ent_type_ in ("NORP", "GPE")):
        return lemma[:1].upper() + lemma[1:].lower()     # "Alawite", "Palestinian"
    return lemma.lower()


def _qualifier(doc: Doc, start: int, w: Words):
    """(first token index, qualifier text, bound) of a qualifier ending right before `start`."""
    for seq, bound in w.qualifiers:
        k = len(seq)
        if start - k >= 0 and tuple(t.lower_ for t in doc[start - k:start]) == seq:
            return start - k, doc[start - k:start].text, bound
    return None


def _trailing(doc: Doc, end: int, w: Words):
    for seq, bound in w.trailing:
        k = len(seq)
        if tuple(t.lower_ for t in doc[end:end + k]) == seq:
            return end + k, doc[end:end + k].text, bound
    return None


def _count(doc: Doc, text: str, ph: Phrase, w: Words) -> Optional[Count]:
    if ph.value is None and not ph.vague and ph.lower is None:
        return None
    if _never(doc, ph, w):
        return None
    noun = _counted_noun(doc, ph, w)
    if noun is not None and (_in(w.never_nouns, noun) or noun.ent_type_ in NOT_COUNT_ENTS):
        return None
    if _is_year(doc, ph, noun, w):
        return None

    carrier = noun if noun is not None and ph.root.head == noun else ph.root
    effect = _effect(carrier, w)
    if effect is None and noun is not None and carrier is not noun:
        effect = _effect(noun, w)
    if effect is None and noun is not None and _in(w.actors, noun):
        effect = _get(w.states, noun)       # "refugees", "detainees", "deaths"
    if noun is None:
        effect = effect or _toll(ph.root, w)
        if effect is None or effect in w.thing_effects or _in(w.needs_noun, ph.root.head):
            return None
        if ph.root.lower_ == "one" and ph.root.dep_ not in ("nsubj", "nsubjpass", "dobj"):
            return None     # "one" alone is mostly a pronoun: "a process that is one that..."
        what = "person"
    else:
        if not _in(w.actors, noun) and (effect is None or effect in w.weak_effects):
            return None
        what = _what(noun, w)

    start, end = ph.range_start if ph.range_start is not None else ph.start, ph.end
    qualifier, lower, upper = None, ph.lower, ph.upper
    q = _qualifier(doc, start, w)
    if q:
        start, qualifier, bound = q
    else:
        q = _trailing(doc, ph.end, w)
        if q:
            end, qualifier, bound = q
    if q and ph.value is not None:
        if bound == "lower":
            lower = ph.value
        elif bound == "upper":
            upper = ph.value
    if noun is not None and noun.i >= end and noun.i - end <= MAX_SPAN_GAP \
            and not any(doc[k].is_sent_start for k in range(start + 1, noun.i + 1)):
        end = noun.i + 1
    span = doc[start:end]
    return Count(
        value=ph.value,
        approx=bool(qualifier) or ph.value is None,
        what=what,
        span=Span.of(text, span.start_char, span.end_char),
        qualifier=qualifier.lower() if qualifier else None,
        lower=lower,
        upper=upper,
        effect=effect,
    )


def find_counts(doc: Doc) -> list[Count]:
    """Every count of people or things affected, or of actors, in the parsed article."""
    w = words()
    text = doc.text         # spaCy joins every token to build it: once per article
    counts = []
    for phrase in _phrases(doc, text, w):
        count = _count(doc, text, phrase, w)
        if count is not None:
            counts.append(count)
    return counts
