"""Linking: each consolidated entity to its knowledge-base entry (newsgraph.kb), or to none.

The entities stage knows what the article says; the KB knows who is who. For each entity the
KB's candidates for every name the article uses are scored with what the article gives
around them: the article's date (who held an office then, who was alive, what existed), the
titles written before a name ("Syrian President Ahmed Sharaa", "Senator Marco Rubio"), the
entity's and the article's countries, the type the model gave, and relations between
candidates of different entities (HTS's leader beside HTS). The best candidate links when
it is good enough; then the KB repairs the type where the model is unsure, fills
description, country and sector, and entities the article names differently but that link
to one entry are merged ("Jolani" and "Ahmed Sharaa"). A bare office with a country ("the
Syrian president") becomes a mention of whoever held it on the article's date.

Nationality words ("Syrian", "Germans") link to their country, and regional or former states'
adjectives ("Chechen", "Soviet", "English") to that place, as entity-linking gold does;
they stay separate entities from the country itself (a people is not a place).
In a sports report (two of a sport's own words, or a linked club or league of it), a place or
bare name that is one club's ("Baltimore beat Seattle", "Liverpool drew") is that club; its
dateline and "in ..." mentions stay the place.
Lookups are cached per process; the KB is loaded once.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from .. import kb
from ..kb.embedded import _within, normalise
from ..record import Document, Entity, Span
from .entities import GOV_PREFIX, family, knowledge, text_of

DATA = Path(__file__).resolve().parent / "link.yaml"
LINK_MIN = 0.85          # a candidate scoring less is not good enough: kb_id stays None
FUZZY_MIN_CHARS = 8      # fuzzy name matching only for names at least this long
PLACES = ("GPE", "LOC", "FAC")
RELATIONS = ("leader_of", "member_of", "part_of", "successor_of", "backed_by", "stands_for")
POSSESSIVE = ("'s", "’s")


@lru_cache(maxsize=1)
def settings() -> dict:
    try:
        with open(DATA, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RuntimeError(f"{DATA}: cannot read linking data ({exc})") from None
    data["compatible_types"] = {k: set(v) for k, v in data["compatible_types"].items()}
    data["role_fillers"] = set(data.get("role_fillers") or [])
    data["role_breakers"] = set(data.get("role_breakers") or [])
    data["not_persons"] = set(data.get("not_persons") or [])
    data["norp_sectors"] = set(data.get("norp_sectors") or [])
    return data


@lru_cache(maxsize=1)
def _state_titles() -> dict[str, str]:
    """ISO alpha-2 -> the KB title of that state ("SY" -> "Syria")."""
    return {e["country"]: title for title, e in kb.load().entries.items()
            if e["source"] == "curated:states.yaml" and e.get("country")}


@lru_cache(maxsize=1)
def _office_phrases() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First word -> [(words of an office phrase, canonical office)], longest phrase first."""
    from ..kb.schema import vocabulary
    index: dict[str, list] = defaultdict(list)
    for office, words in vocabulary()["offices"].items():
        for phrase in words:
            tokens = tuple(re.findall(r"[\w']+|-", phrase.lower()))
            if tokens:
                index[tokens[0]].append((tokens, office))
    for entries in index.values():
        entries.sort(key=lambda x: -len(x[0]))
    return dict(index)


def _store() -> int:
    """Which imported KB store is in use (0: none), so that cached answers follow an import."""
    from ..kb import store
    con = store.reader()
    return id(con) if con is not None else 0


def _lookup(form: str, day: Optional[str], fuzzy: bool) -> tuple:
    """KB candidates for one name at one date; exact names only unless `fuzzy`."""
    return _cached_lookup(form, day, fuzzy, _store())


@lru_cache(maxsize=65536)
def _cached_lookup(form: str, day: Optional[str], fuzzy: bool, store: int) -> tuple:
    if not fuzzy and not store and normalise(form) not in kb.load().names:
        return ()    # only the embedded KB, which lacks the name: skip the fuzzy search
    return tuple(kb.lookup(form, date=day, limit=8))


def _entry(entry_id: str) -> dict:
    return _cached_entry(entry_id, _store())


@lru_cache(maxsize=16384)
def _cached_entry(entry_id: str, store: int) -> dict:
    return kb.get(entry_id) or {}


def _holders(phrase: str, country: Optional[str], day: Optional[str]) -> tuple[str, ...]:
    return _cached_holders(phrase, country, day, _store())


@lru_cache(maxsize=16384)
def _cached_holders(phrase: str, country: Optional[str], day: Optional[str], store: int):
    return tuple(c.id for c in kb.office_holder(phrase, country=country, date=day))


def _country_of_words(words: str) -> Optional[str]:
    """ISO code of a country name or demonym, from the KB or the entities stage's data."""
    K = kb.load()
    key = normalise(words)
    return K.demonyms.get(key) or K.country_names.get(key) or knowledge().demonyms.get(
        " ".join(words.split()))


def _demonym_title(form: str) -> Optional[str]:
    """The KB place a regional or former state's adjective names ("Chechen", "English",
    "Soviet", "Chechens"): entry demonyms, which come before a state's own."""
    titles = kb.load().demonym_titles
    key = normalise(form)
    return titles.get(key) or (titles.get(key[:-1]) if key.endswith("s") else None)


@lru_cache(maxsize=1)
def _top_forces() -> dict[str, list[str]]:
    """ISO code -> the KB's armed forces of that state (military entries that are part of
    nothing else: "Iraqi Armed Forces", not the "British Army" inside the "British Armed Forces")."""
    out: dict[str, list[str]] = defaultdict(list)
    for title, entry in kb.load().entries.items():
        if entry.get("sector") == "MIL" and entry.get("type") == "ORG" and entry.get("country") \
                and not entry.get("part_of") and not re.match(r"(Ministry|Department)\b", title):
            out[entry["country"]].append(title)     # a defence ministry is not the forces
    return dict(out)


def _armed_forces(form: str) -> Optional[str]:
    """"Iraqi forces", "US military", "Indian army": a country word and a word for its armed
    forces (link.yaml force_words) name the state's armed forces when the KB has exactly one."""
    words = form.split()
    for width in (2, 1):
        if len(words) > width and " ".join(words[-width:]).lower() in settings()["force_words"]:
            code = _country_of_words(" ".join(words[:-width]))
            forces = _top_forces().get(code, []) if code else []
            whole = [t for t in forces if re.search(r"Armed Forces|Defen[cs]e Forces", t)]
            forces = whole if whole else forces
            return forces[0] if len(forces) == 1 else None
    return None


def _is_acronym(form: str) -> bool:
    return " " not in form and sum(c.isupper() for c in form) >= 2 and not any(c.islower() for c in form[1:])


def _without_particle(form: str) -> str:
    """"Al-Sadr" -> "Sadr": transliterations keep or drop the Arabic article."""
    low = form.lower()
    for particle in knowledge().particles:
        if low.startswith(particle) and len(form) > len(particle) + 2:
            return form[len(particle):]
    return form


def _fuzzy_ok(form: str, etype: str) -> bool:
    return etype in ("PERSON", "ORG", "MEDIA", "FAC") and len(form) >= FUZZY_MIN_CHARS \
        and not form.isupper() and form[:1].isupper()


# ---------------------------------------------------------------- roles

def _mention_roles(ent: Entity, doc) -> list[str]:
    """Titles written before a mention or in apposition to it: "Syrian President", "Senator"."""
    K = knowledge()
    roles = []
    for m in ent.mentions:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        left = []
        for i in range(span.start - 1, max(-1, span.start - 7), -1):
            tok = doc[i]
            if tok.is_punct or tok.is_space or "\n" in tok.whitespace_ or tok.pos_ in (
                    "VERB", "AUX", "PRON", "SCONJ", "CCONJ", "DET", "NUM") or (
                    tok.pos_ == "ADP" and tok.lower_ != "of"):
                break
            left.insert(0, tok)
        while left and left[0].lower_ == "of":
            left = left[1:]
        phrases = []
        if left and any(t.lower_ in K.title_words for t in left):
            phrases.append(doc[left[0].i:left[-1].i + 1].text)
        root = span.root
        for c in root.children:
            if c.dep_ == "appos" and c.i >= span.end and c.lower_ in K.title_words:
                first = min(t.i for t in c.subtree if t.dep_ != "det" and not t.is_punct)
                phrases.append(doc[first:c.i + 1].text)
        roles += [p for p in phrases if p not in roles]
    return roles


def _role_sector(role: str) -> Optional[str]:
    words = knowledge().title_words
    low = role.lower().split()
    for pair in (" ".join(low[i:i + 2]) for i in range(len(low) - 1)):
        if words.get(pair):
            return words[pair]
    for w in reversed(low):
        if words.get(w):
            return words[w]
    return None


# ---------------------------------------------------------------- candidates

def _type_penalty(etype: str, cand, form: str, placed: bool = False) -> Optional[float]:
    """0 for a compatible KB type, a small penalty where the KB overrides an unsure model,
    None where the candidate cannot be this entity."""
    if cand.type is None:
        return 0.05
    if cand.type in settings()["compatible_types"].get(etype, {etype}):
        return 0.0
    exact = cand.match in ("title", "alias")
    several_words = len(form.split()) >= 2
    if exact and (several_words or _is_acronym(form)) and etype not in PLACES and cand.type not in PLACES:
        return 0.1
    if exact and several_words and cand.id in _state_set():
        return 0.1       # "Sri Lanka" typed PERSON or ORG is still the state: nobody else has its full name
    if exact and several_words and etype in PLACES and cand.type in ("ORG", "MEDIA"):
        return 0.1       # "UNITED NATIONS", "Manchester City" typed GPE: an organisation's full name
    if exact and etype == "NORP" and cand.type == "ORG" and cand.sector in settings()["norp_sectors"]:
        return 0.05      # OntoNotes types a party's members NORP: "Democrats", "Republicans"
    if placed and cand.match == "title" and cand.type in PLACES:
        return 0.1       # "fighting in Mosul" with Mosul typed PERSON: the place the KB names so
    return None


@lru_cache(maxsize=1)
def _state_set() -> frozenset[str]:
    return frozenset(_state_titles().values())


def _is_government(ent: Entity) -> bool:
    return ent.type == "ORG" and ent.sector == "GOV" and ent.name.startswith(GOV_PREFIX)


def _candidates(ent: Entity, day: Optional[str],
                placed: bool = False) -> dict[str, tuple[float, object]]:
    """KB id -> (score, candidate) from every name of the entity; `placed`: the text puts a
    mention after a place preposition ("in Grozny")."""
    if _is_government(ent):
        return {c.id: (c.score, c) for c in _lookup(ent.name, day, False)
                if c.match == "title" and c.type == "ORG"}
    forms = Counter(m.text for m in ent.mentions)
    forms.setdefault(ent.name, 1)
    forms = dict(sorted(forms.items(), key=lambda f: -len(f[0].split())))   # full names first
    multiword = ent.type == "PERSON" and any(len(f.split()) >= 2 for f in forms)
    found: dict[str, tuple[float, object]] = {}
    support: Counter = Counter()
    for form, n in forms.items():
        if ent.type == "NORP":
            title = _demonym_title(form)
            code = None if title else (_country_of_words(form) or (
                form.endswith("s") and _country_of_words(form[:-1])))
            title = title or (_state_titles().get(code) if code else None)
            if title:
                cand = next((c for c in _lookup(title, day, False) if c.id == title), None)
                if cand is not None:
                    found[title] = max(found.get(title, (0, None)), (1.0, cand), key=lambda x: x[0])
                    support[title] += 1
                continue
        for cand in _lookup(form, day, _fuzzy_ok(form, ent.type)) or _lookup(
                _without_particle(form), day, False):
            if cand.match == "fuzzy" and cand.score < 0.8:
                continue
            if multiword and len(form.split()) < 2 and cand.id not in support:
                continue     # "Johnson" alone must not make "Michael Johnson" Boris Johnson
            penalty = _type_penalty(ent.type, cand, form, placed)
            if penalty is None:
                continue
            score = cand.score - penalty + 0.02 * min(n - 1, 3)
            if cand.id not in found or found[cand.id][0] < score:
                found[cand.id] = (score, cand)
            support[cand.id] += 1
    if not found and ent.type == "ORG":
        for form in forms:                      # "Iraqi forces", "Indian army"
            title = _armed_forces(form)
            cand = next((c for c in _lookup(title, day, False) if c.id == title), None) if title else None
            if cand is not None:
                found[title] = (cand.score - 0.05, cand)
                support[title] += 1
    country = ent.country
    if not found and ent.type == "ORG" and country:
        # "Foreign Ministry" of an article's Russia: the KB names it "Russian Foreign Ministry".
        state = _entry(_state_titles().get(country, ""))
        for qualifier in (state.get("demonym"), state.get("title")):
            for form in forms if qualifier else ():
                for cand in _lookup(f"{qualifier} {form}", day, False):
                    if cand.country == country and cand.type == "ORG":
                        found.setdefault(cand.id, (cand.score - 0.05, cand))
                        support[cand.id] += 1
    return {i: (s + 0.04 * (support[i] - 1), c) for i, (s, c) in found.items()}


def _context_score(ent: Entity, cand, roles: list[str], day: Optional[str],
                   article_countries: Counter, linked: set[str]) -> float:
    """What the article adds to a candidate: roles held at its date, countries, relations."""
    bonus = 0.0
    entry = _entry(cand.id)
    if day and entry.get("in_office"):
        terms = entry["in_office"]
        if any(_within(day, t.get("from"), t.get("to")) for t in terms):
            bonus += 0.1
        elif all(t.get("from") and day < t["from"] for t in terms):
            bonus -= 0.1     # not yet in office: in 1996 "Assad" is Hafez, not Bashar
    for role in roles:
        if cand.id in _holders(role, None, day) or (
                cand.country and cand.id in _holders(role, cand.country, day)):
            bonus += 0.25
            break
    if cand.country and ent.type not in PLACES + ("NORP",):
        if ent.country == cand.country:
            bonus += 0.05
        elif ent.country and not _is_government(ent):
            bonus -= 0.05
        total = sum(article_countries.values())
        if total and article_countries.get(cand.country):
            bonus += 0.05 * article_countries[cand.country] / total
    related = 0
    for key in RELATIONS:
        for target in entry.get(key) or []:
            title = target.get("title") if isinstance(target, dict) else target
            if title in linked and title != cand.id:
                related += 1
    return bonus + min(related, 2) * 0.05


# ---------------------------------------------------------------- offices named without a name

def _role_mentions(doc, day: str, taken: list[tuple[int, int]]):
    """(start, end, holder id) for "the Syrian president", "Russia's foreign minister",
    "the president of France": an office with a country and no name after it."""
    fillers, breakers = settings()["role_fillers"], settings()["role_breakers"]
    index = _office_phrases()
    out = []
    n = len(doc)
    for i, tok in enumerate(doc):
        for words, office in index.get(tok.lower_, ()):
            if " ".join(words) in settings()["not_persons"]:
                break
            j = i + len(words)
            if j > n or tuple(t.lower_ for t in doc[i:j]) != words:
                continue
            country, start, end = None, None, doc[j - 1].idx + len(doc[j - 1])
            k = i - 1
            while k >= 0 and doc[k].lower_ in fillers:
                k -= 1
            if k >= 0 and doc[k].text in POSSESSIVE:
                k -= 1
            for width in (3, 2, 1):
                if k - width + 1 < 0:
                    continue
                words_left = doc[k - width + 1:k + 1]
                code = _country_of_words(words_left.text)
                if code and words_left[0].text[:1].isupper() and words_left[0].pos_ != "DET":
                    country, start, k = code, words_left[0].idx, k - width
                    break
            if country is None and j + 1 < n and doc[j].lower_ == "of":
                after = j + 2 if doc[j + 1].lower_ == "the" else j + 1    # "of the United States"
                for width in (3, 2, 1):
                    if after + width <= n:
                        words_right = doc[after:after + width]
                        code = kb.load().country_names.get(normalise(words_right.text))
                        if code and words_right[0].text[:1].isupper():
                            country, start, j = code, tok.idx, after + width
                            end = doc[j - 1].idx + len(doc[j - 1])
                            break
            if country is None or (k >= 0 and doc[k].lower_ in breakers):
                break
            if j < n and doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper():
                break    # a title before a name: the name's own entity carries it
            if any(s < end and start < e for s, e in taken):
                break
            holders = _holders(office, country, day)
            if len(holders) == 1:
                out.append((start, end, holders[0]))
            break
    return out


# ---------------------------------------------------------------- sports reports

@lru_cache(maxsize=1)
def _club_forms() -> dict[str, tuple[dict[str, set[str]], dict[str, set[str]]]]:
    """sport -> (full forms, short forms), each normalised form -> KB clubs. Full forms: a
    club's names without club words ("Liverpool F.C." -> "Liverpool", "AC Milan" -> "Milan").
    Short forms: their first words ("Baltimore" of "Baltimore Orioles", "Real" of "Real
    Madrid") and their last words ("Orioles", "Dortmund") unless those are a KB place
    ("Madrid", "Munich": the city, not a club)."""
    K = kb.load()
    club_words = {normalise(w) for w in settings()["club_words"]}
    places = {key for key, owners in K.names.items()
              if any(K.entries[i].get("type") in PLACES for i, _ in owners)}
    out: dict = defaultdict(lambda: (defaultdict(set), defaultdict(set)))
    for title, entry in K.entries.items():
        sport = entry.get("sport")
        if not sport:
            continue
        full, short = out[sport]
        for name in [re.sub(r"\s*\(.*\)$", "", title), *(entry.get("names") or [])]:
            words = [w for w in name.split() if normalise(w) not in club_words]
            if not words:
                continue
            full[normalise(" ".join(words))].add(title)
            for k in range(1, len(words)):
                head, tail = normalise(" ".join(words[:k])), normalise(" ".join(words[k:]))
                if len(head) >= 4:                      # not "St" of "St. Louis Cardinals"
                    short[head].add(title)
                if tail not in places and len(tail) >= 4:
                    short[tail].add(title)
    return out


def _sports_of(doc, linked: set[str]) -> set[str]:
    """The sports a text reports on: its cue words ("innings", "midfielder") at least twice,
    or an entity linked to a club or league of that sport."""
    cues = settings()["sport_words"]
    hits: Counter = Counter()
    for tok in doc:
        for sport, words in cues.items():
            if tok.lower_ in words:
                hits[sport] += 1
    found = {sport for sport, n in hits.items() if n >= 2}
    for entry_id in linked:
        sport = _entry(entry_id).get("sport")
        if sport:
            found.add(sport)
    return found


_DATELINE = re.compile(r"[ \t]+(\d{4}-\d\d-\d\d|\d{1,2} [A-Z][a-z]+ \d{4}|[A-Z][a-z]{2,8}\.? \d{1,2}\b)|[ \t]*\((Reuters|AP|AFP)\)")


def _link_clubs(entities: list[Entity], doc) -> None:
    """In a sports report, a place or bare name that is one club's ("Baltimore", "Liverpool",
    "Sporting") names the club: "Baltimore beat Seattle 5-3". Mentions that are a dateline
    ("LONDON 1996-08-30") or follow "in" ("in Baltimore") stay places; a name several clubs
    of the sport share ("Manchester", "Chicago") stays as it is. "At Minnesota, Hill allowed two
    runs" opens a sentence with the venue; "CINCINNATI AT FLORIDA" in a schedule names clubs."""
    linked = {e.kb_id for e in entities if e.kb_id}
    sports = _sports_of(doc, linked)
    if not sports:
        return
    forms = _club_forms()
    text = text_of(doc)
    for ent in entities:
        if ent.type not in ("GPE", "LOC", "ORG", "PERSON", "NORP") or (
                ent.kb_id and _entry(ent.kb_id).get("sport")):
            continue
        names = {m.text for m in ent.mentions} | {ent.name}
        if ent.type == "PERSON" and any(len(n.split()) > 1 for n in names):
            continue
        keys = {normalise(name) for name in names}
        clubs = {c for sport in sports for key in keys for c in forms[sport][0].get(key, ())}
        if not clubs:
            clubs = {c for sport in sports for key in keys for c in forms[sport][1].get(key, ())}
        if len(clubs) != 1:
            continue
        title = clubs.pop()
        cand = next((c for c in _lookup(title, None, False) if c.id == title), None)
        places = [m for m in ent.mentions if _DATELINE.match(text, m.end)
                  or text[max(0, m.start - 3):m.start] in ("in ", "In ", "At ")]
        teams = [m for m in ent.mentions if m not in places]
        if cand is None or not teams:
            continue
        if places:      # the place keeps its dateline and "in ..." mentions; the club gets the rest
            ent.mentions = places
            ent = Entity(id=_next_id(entities), name=teams[0].text, type=ent.type, mentions=teams)
            entities.append(ent)
        _fill(ent, cand)
    entities.sort(key=_first_offset)


def _placed(ent: Entity, text: str) -> bool:
    """A one-word person or organisation the text puts after a place preposition ("fighting
    in Mosul", "talks in Colombo"): the model's type is then the unsure side."""
    if ent.type not in ("PERSON", "ORG") or any(" " in m.text for m in ent.mentions):
        return False
    words = settings()["place_prepositions"]
    return any(text[max(0, m.start - 8):m.start].lower().split()[-1:] in ([w] for w in words)
               for m in ent.mentions if text[m.start - 1:m.start] == " ")


def _next_id(entities: list[Entity]) -> str:
    return f"e{max((int(e.id[1:]) for e in entities if e.id[1:].isdigit()), default=0) + 1}"


# ---------------------------------------------------------------- the stage

def _fill(ent: Entity, cand) -> None:
    """The KB entry's type, description, country and sector on a linked entity."""
    entry = _entry(cand.id)
    ktype = entry.get("type")
    demonym = ent.type == "NORP" and ktype in PLACES   # "Syrian" links to Syria, stays a people
    if ktype and (family(ktype) != family(ent.type) or ktype == "MEDIA") \
            and not _is_government(ent) and not demonym:
        ent.type = ktype
    ent.kb_id = cand.id
    if entry.get("description") and not ent.description:
        ent.description = entry["description"]
    if entry.get("country") and ent.type != "NORP":
        ent.country = entry["country"]
    if entry.get("sector") and ent.type not in PLACES + ("NORP",):
        ent.sector = entry["sector"]


def _first_offset(ent: Entity) -> int:
    return ent.mentions[0].start if ent.mentions else 0


def _fullest(names: list[str]) -> str:
    return max(names, key=lambda s: (len(s.split()), len(s)))


def _merge(keep: Entity, gone: Entity) -> None:
    """`gone`'s mentions and names into `keep`; the fuller or more used name becomes the name."""
    names = [keep.name, gone.name, *keep.aliases, *gone.aliases]
    title = normalise(re.sub(r"\s*\(.*\)$", "", keep.kb_id or ""))
    as_titled = [n for n in (keep.name, gone.name) if normalise(n) == title]
    if as_titled:
        keep.name = as_titled[0]                         # the name the KB knows it by
    elif keep.type == "PERSON":
        keep.name = _fullest([keep.name, gone.name])     # "Ahmed Sharaa" over "Jolani"
    elif len(gone.mentions) > len(keep.mentions):
        keep.name = gone.name                            # "Syria" over "Syrian Arab Republic"
    seen = {(m.start, m.end) for m in keep.mentions}
    keep.mentions = sorted(keep.mentions + [m for m in gone.mentions if (m.start, m.end) not in seen],
                           key=lambda m: (m.start, m.end))
    keep.aliases = []
    for n in names:
        if n != keep.name and n not in keep.aliases:
            keep.aliases.append(n)
    keep.role = keep.role or gone.role
    keep.description = keep.description or gone.description


def link_entities(entities: list[Entity], document: Document, doc) -> None:
    """Set kb_id (or leave None) on every entity, in place; merge entities linked to one entry."""
    if not entities:
        return
    day = document.published
    article_countries = Counter()
    for ent in entities:
        if ent.country:
            article_countries[ent.country] += len(ent.mentions)
    text = text_of(doc)
    pools, roles = {}, {}
    for ent in entities:
        pools[ent.id] = _candidates(ent, day, _placed(ent, text))
        roles[ent.id] = _mention_roles(ent, doc) if ent.type == "PERSON" else []
    first = {eid: max(pool.values(), key=lambda x: x[0])[1].id
             for eid, pool in pools.items() if pool}
    for ent in entities:
        pool = pools[ent.id]
        if roles[ent.id]:
            ent.role = max(roles[ent.id], key=len)
            ent.sector = ent.sector or _role_sector(ent.role)
        if not pool:
            continue
        others = {i for eid, i in first.items() if eid != ent.id}
        scored = [(s + _context_score(ent, c, roles[ent.id], day, article_countries, others), c)
                  for s, c in pool.values()]
        best = max(scored, key=lambda x: (x[0], x[1].id))
        if best[0] >= LINK_MIN:
            _fill(ent, best[1])
    _link_clubs(entities, doc)
    if day:
        _add_role_mentions(entities, document, doc, day)
    # One entity per KB entry (within one kind of thing: a people is not its country).
    keep: dict[tuple[str, str], Entity] = {}
    merged = set()
    for ent in sorted(entities, key=_first_offset):
        if ent.kb_id is None:
            continue
        key = (ent.kb_id, family(ent.type))
        if key in keep:
            _merge(keep[key], ent)
            merged.add(id(ent))
        else:
            keep[key] = ent
    if merged:
        entities[:] = [e for e in entities if id(e) not in merged]


def _add_role_mentions(entities: list[Entity], document: Document, doc, day: str) -> None:
    """"The Syrian president" as a mention of whoever held the office on the article's date."""
    taken = [(m.start, m.end) for e in entities if e.type == "PERSON" for m in e.mentions]
    found = _role_mentions(doc, day, taken)
    if not found:
        return
    text = text_of(doc)
    by_id = {e.kb_id: e for e in entities if e.kb_id and e.type == "PERSON"}
    next_id = max((int(e.id[1:]) for e in entities if e.id[1:].isdigit()), default=0) + 1
    for start, end, holder in found:
        span = Span.of(text, start, end)
        phrase = span.text
        ent = by_id.get(holder)
        if ent is None:
            entry = _entry(holder)
            ent = Entity(id=f"e{next_id}", name=holder, type="PERSON", mentions=[])
            next_id += 1
            cand = next((c for c in _lookup(holder, day, False) if c.id == holder), None)
            if cand is None:
                continue
            _fill(ent, cand)
            ent.description = ent.description or entry.get("description")
            entities.append(ent)
            by_id[holder] = ent
        ent.mentions = sorted(ent.mentions + [span], key=lambda m: (m.start, m.end))
        if span.text not in ent.aliases and span.text != ent.name:
            ent.aliases.append(span.text)
        ent.role = ent.role or phrase
        ent.sector = ent.sector or _role_sector(phrase)
    entities.sort(key=_first_offset)
