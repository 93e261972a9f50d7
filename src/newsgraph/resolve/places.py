"""Places: geocode the GPE / LOC / FAC entities of one article against the embedded gazetteer.

Each place entity gets `geo` (point, country, admin1, feature, precision) and, when resolved,
`country` = the place's country (replacing a guess the entities stage made from the name alone,
e.g. "Georgia" -> GE in an article about the US state). Every name and alias of the entity is looked up (`gazetteer.lookup`); among the
candidates the one with the best score wins, where the score adds up, in log-odds-like points:

- how the name matched: the place's own name, an official/curated form, or only an alternate;
- prominence: log population, and the feature (a country, a first-level division, a capital,
  a continent or sea is what a bare name usually means);
- the article's country focus: countries named in it, weighted by mentions, the countries
  of its unambiguous places and of its other entities (governments, nationalities), and, less,
  the countries bordering those;
- the other places named: "Paris, Texas" (a place followed by a comma and a containing
  division or country), same admin1 as a division named, within 50 / 200 km of a place
  resolved with confidence;
- the entity type: LOC favours areas and water, GPE populated and administrative places, and
  a facility (FAC) is rarely the town it is named like; a country the entity already has (set
  by the entities stage) is a hint for the candidates in it.

A name whose best score stays under `MIN_SCORE` (an obscure namesake with no support from the
article) gets `geo = None`: never a guess. Precision is "country" (PCLI), "admin1" (ADM1, and
ADM2 areas, whose feature code says so), "city" (PPL*), "region" (continents, seas and the
regions of `places_regions.yaml`: a representative point, not a location) or "point".
Non-places (people, organisations, including governments named by their capital) keep
geo None; nationality words (NORP, "Syrian") get the country they name when they have none.

Product decision: a NORP that is the nationality adjective or demonym of one country ("Syrian",
"Turkish officials", "Russian diplomats") also gets `geo` = that country's point at precision
"country", exactly what the country's own GPE entity gets. News readers and the gold corpora
(LGL, TR-News, GeoWebNews' Non_Literal_Modifier) treat such words as naming the place. It is a
country adjective when the linking stage linked it to the country's own entry (its `kb_id` is a
name of the country in the gazetteer) or when the gazetteer's demonym table names exactly that
country for it. Peoples and groups that are no one country's nationality (Kurds, Alawites,
Druze, Arabs, Christians, Islamists) get neither a country nor geo. Such a NORP is never a
place entity: events still pick their locations among GPE / LOC / FAC only.

Before geocoding, place names the entity model missed or mislabelled are recovered: an ORG or
PERSON (unlinked, no sector) whose every mention is a gazetteer place said in a place role
("in Edmonton", "a Gainesville man", "Sioux Falls, S.D.") becomes GPE; capitalised words outside
every entity become a new GPE entity (appended, next free id) when the same cues, a dateline
("NEWARK --") or a containing division after a comma support them; the cues and the population
a town needs are in `places_cues.yaml`.
"""
from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from ..record import Document, Entity, Geo, Span
from . import gazetteer
from .gazetteer import ALTERNATE, OFFICIAL, PRIMARY, Candidate

PLACE_TYPES = ("GPE", "LOC", "FAC")
FEATURES_FILE = Path(__file__).resolve().parent / "places_features.yaml"
CUES_FILE = Path(__file__).resolve().parent / "places_cues.yaml"
RETYPABLE = ("ORG", "PERSON")      # model labels a bare place name often gets in local news
MAX_RECOVERED_TOKENS = 4
NOT_PLACE_ENT_TYPES = ("DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY")

MIN_SCORE = 2.0            # below it, no candidate is supported enough to be named
NAME_POINTS = {PRIMARY: 0.0, OFFICIAL: 0.0, ALTERNATE: -1.5}   # an alternate may be old or foreign
FEATURE_POINTS = {"PCLI": 3.0, "CONT": 4.0, "ADM1": 2.0, "ADM2": 0.5, "PPLC": 3.0}
CURATED_REGION_POINTS = 6.0        # seas and regions of places_regions.yaml
AREA_CLASSES = ("H", "L")          # water bodies, areas: what a LOC usually is
PRECISION = {"PCLI": "country", "ADM1": "admin1", "ADM2": "admin1", "CONT": "region"}
FOCUS_POINTS = 3.0                 # times the country's share of the article's country mentions
TOP_FOCUS_POINTS = 1.0
KNOWN_COUNTRY_POINTS = 1.5         # the entity already has this country (entities stage): a hint
NEIGHBOUR_FOCUS_POINTS = 1.5       # times the share of the countries bordering the candidate's
CONTAINED_POINTS = 4.0             # "Paris, Texas": the next name contains this candidate
SAME_ADMIN1_POINTS = 1.5
NEAR_KM, NEAR_POINTS = 50.0, 1.5
AROUND_KM, AROUND_POINTS = 200.0, 0.75
CITY_OVER_ADMIN_SHARE = 0.25       # a same-name city this large is what the division's name means
FAC_AS_TOWN_POINTS = -2.0          # a building or airport named like a town


@lru_cache(maxsize=1)
def _features() -> dict:
    with open(FEATURES_FILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    prefixes = sorted((gazetteer.normalize(p) for p in data.get("prefixes", [])), key=len, reverse=True)
    suffixes = sorted((gazetteer.normalize(p) for p in data.get("suffixes", [])), key=len, reverse=True)
    return {"prefixes": prefixes, "suffixes": suffixes}


def _name_variants(name: str) -> list[str]:
    """The name as written, then without a possessive, then without position words or unit words."""
    out = [name]
    stripped = re.sub(r"['’]s?$", "", name.strip())
    if stripped != name:
        out.append(stripped)
    key = gazetteer.normalize(stripped)
    feats = _features()
    for _ in range(2):          # "far north Queensland": at most two words of position
        p = next((p for p in feats["prefixes"] if key.startswith(p + " ")), None)
        if p is None:
            break
        key = key[len(p) + 1:]
        out.append(key)
    for s in feats["suffixes"]:
        if key.endswith(" " + s):
            out.append(key[: -len(s) - 1])
            break
    return out


def candidates(entity: Entity) -> list[Candidate]:
    """Every gazetteer candidate for the entity's names; variants only when the names find nothing."""
    names = [entity.name] + [a for a in entity.aliases if a != entity.name]
    names += [m.text for m in entity.mentions if m.text not in names]
    best: dict[int, Candidate] = {}

    def add(found):
        for c in found:
            if c.id not in best or best[c.id].name_kind > c.name_kind:
                best[c.id] = c

    bare = set(_features()["prefixes"])
    names = [n for n in names if gazetteer.normalize(n) not in bare]     # "the West" is no place
    for n in names:
        add(gazetteer.lookup(n))
    if not best:
        for n in names:
            for v in _name_variants(n)[1:]:
                add(gazetteer.lookup(v))
    return list(best.values())


def _precision(c: Candidate) -> str:
    if c.feature_code in PRECISION:
        return PRECISION[c.feature_code]
    if c.feature_class == "P":
        return "city"
    if c.feature_class in AREA_CLASSES or c.geonameid is None:
        return "region"
    return "point"


def _prominence(c: Candidate) -> float:
    pop = c.population
    if c.feature_code in ("ADM1", "ADM2") and not pop:
        pop = 100_000
    points = 0.5 * math.log10(max(pop, 1))
    if c.name_kind != ALTERNATE:    # a country or division only by an old or foreign name is not one
        points += FEATURE_POINTS.get(c.feature_code, 0.0)
    if c.geonameid is None and c.feature_class in AREA_CLASSES:      # a curated sea or region
        points += CURATED_REGION_POINTS
    return points


def _type_points(entity_type: str, c: Candidate) -> float:
    if entity_type == "LOC":
        return 1.0 if c.feature_class in AREA_CLASSES else 0.0
    if entity_type == "GPE":
        return 0.5 if c.feature_class in ("A", "P") else -0.5
    if entity_type == "FAC":
        return FAC_AS_TOWN_POINTS if c.feature_class == "P" else 0.0
    return 0.0


def _country_votes(entities: list[Entity], cands: dict[str, list[Candidate]],
                   chosen: Optional[dict[str, Candidate]] = None) -> dict[str, tuple[str, float]]:
    """entity id -> (country, weight): what each entity says about the article's country focus.

    A place votes for its country (its chosen candidate's, or the one country its name can
    denote), with its mentions as weight, halved below country level; a government named by a
    place ("Moscow said") votes like that place, a nationality word for its country, halved.
    Other organisations do not vote: their country is often a guess from a place word in
    their name ("Georgia Municipal Association"), the very ambiguity resolved here.
    """
    votes = {}
    for e in entities:
        weight = len(e.mentions) or 1
        if e.id in cands:
            if chosen is not None:
                c = chosen.get(e.id)
                if c is not None and c.country_code:
                    votes[e.id] = (c.country_code, weight if c.feature_code == "PCLI" else 0.5 * weight)
                continue
            found = [c for c in cands[e.id] if c.name_kind != ALTERNATE]
            countries = {c.country_code for c in found}
            if len(countries) == 1 and None not in countries:
                named = any(c.feature_code == "PCLI" for c in found)
                votes[e.id] = (countries.pop(), weight if named else 0.5 * weight)
        elif e.country and e.type == "NORP":          # "Syrian officials"
            votes[e.id] = (e.country, 0.5 * weight)
        elif e.country and e.sector == "GOV" and _named_by_place(e):   # "Moscow said"
            votes[e.id] = (e.country, weight)
    return votes


def _named_by_place(e: Entity) -> bool:
    """A government named by its country or a place in it (metonymy), not an organisation whose
    country was guessed from a place word in its name."""
    return any(c.country_code == e.country and c.name_kind != ALTERNATE
               for m in e.mentions for c in gazetteer.lookup(m.text))


def _focus_without(votes: dict[str, tuple[str, float]], entity_id: str) -> Counter:
    """The article's country focus as the other entities see it (a name does not vote for itself)."""
    focus: Counter = Counter()
    for eid, (cc, w) in votes.items():
        if eid != entity_id:
            focus[cc] += w
    return focus


def _containers(entities: list[Entity], text: str) -> dict[str, list[str]]:
    """entity id -> ids of the places written right after it with a comma ("Paris, Texas")."""
    starts = {}
    for e in entities:
        for m in e.mentions:
            starts[m.start] = e.id
    out: dict[str, list[str]] = defaultdict(list)
    for e in entities:
        for m in e.mentions:
            gap = re.match(r"\s*,\s*", text[m.end:m.end + 4])
            if gap and (m.end + gap.end()) in starts:
                other = starts[m.end + gap.end()]
                if other != e.id and other not in out[e.id]:
                    out[e.id].append(other)
    return out


def _contains(container: Candidate, c: Candidate) -> bool:
    if container.feature_code == "PCLI":
        return container.country_code == c.country_code and c.feature_code != "PCLI"
    if container.feature_code in ("ADM1", "ADM2"):
        return bool(container.admin1_code) and container.admin1_code == c.admin1_code and container.id != c.id
    return False


def _score(entity: Entity, c: Candidate, focus: Counter, top_country: Optional[str],
           container_cands: list[Candidate], anchors: list[Candidate], admin1_named: set,
           inner_cands: tuple = ()) -> float:
    s = NAME_POINTS[c.name_kind] + _prominence(c) + _type_points(entity.type, c)
    total = sum(focus.values())
    if total and c.country_code:
        s += FOCUS_POINTS * focus.get(c.country_code, 0) / total
        if c.country_code == top_country:
            s += TOP_FOCUS_POINTS
        nearby = sum(focus.get(n, 0) for n in gazetteer.neighbours(c.country_code)) / total
        s += NEIGHBOUR_FOCUS_POINTS * min(1.0, nearby)
    if entity.country and c.country_code == entity.country:    # the entities stage knew it
        s += KNOWN_COUNTRY_POINTS
    if any(_contains(k, c) for k in container_cands):
        s += CONTAINED_POINTS
    if c.feature_code in ("PCLI", "ADM1") and any(_contains(c, k) for k in inner_cands):
        s += CONTAINED_POINTS      # "Bronx County, N.Y.": the name after the comma is the division
    if c.admin1_code and c.admin1_code in admin1_named and c.feature_code != "ADM1":
        s += SAME_ADMIN1_POINTS
    if anchors and (c.feature_class == "P" or c.feature_code == "ADM2"):     # a town or county
        d = min(gazetteer.distance_km(c.lat, c.lon, a.lat, a.lon) for a in anchors)
        s += NEAR_POINTS if d < NEAR_KM else AROUND_POINTS if d < AROUND_KM else 0.0
    return s


def _prefer_city(best: Candidate, found: list[Candidate]) -> Candidate:
    """A division named like its main city ("Damascus", "Latakia") means the city: a town of the
    same name (as looked up) inside it, holding a good share of its people."""
    if best.feature_code not in ("ADM1", "ADM2"):
        return best
    cities = [c for c in found if c.feature_class == "P" and c.admin1_code == best.admin1_code]
    if cities:
        city = max(cities, key=lambda c: c.population)
        if city.population >= CITY_OVER_ADMIN_SHARE * max(best.population, 1):
            return city
    return best


def _choose(entity, found, votes, containers, anchors, admin1_named, inner=()) -> Optional[Candidate]:
    """The best-scoring candidate, or None when even the best has too little support."""
    focus = _focus_without(votes, entity.id)
    top = focus.most_common(1)[0][0] if focus else None
    scored = sorted(((_score(entity, c, focus, top, containers, anchors, admin1_named, inner), c) for c in found),
                    key=lambda sc: (-sc[0], -sc[1].population))
    if not scored or scored[0][0] < MIN_SCORE:
        return None
    best = scored[0][1]
    if any(_contains(best, k) for k in inner):      # a division after a comma stays the division
        return best
    return _prefer_city(best, found)


# ---------------------------------------------------------------------------------------------
# Recovered and retyped toponyms: place names the entity model missed or mislabelled.

@lru_cache(maxsize=1)
def _cues() -> dict:
    with open(CUES_FILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}

    def words(key):
        alts = "|".join(re.escape(w) for w in sorted(data.get(key, []), key=len, reverse=True))
        return alts or r"(?!x)x"

    return {
        "inside": re.compile(r"(?:^|\b|\s)(?:%s)\s+(?:the\s+)?$" % words("inside"), re.I),
        "toward": re.compile(r"(?:^|\b|\s)(?:%s)\s+(?:the\s+)?$" % words("toward"), re.I),
        "after": re.compile(r"[-\s](?:%s)\b" % words("after"), re.I),
        "words": {w.lower() for k in ("inside", "toward") for w in data.get(k, []) if " " not in w},
        "min_population": int(data.get("min_population", 20000)),
        "min_population_small": int(data.get("min_population_small", 1000)),
    }


def _well_known(name: str, small: bool = False) -> bool:
    """A country, a division or a sizeable town (`small`: any town of some size) by its own or
    official name."""
    floor = _cues()["min_population_small" if small else "min_population"]
    return any(c.name_kind != ALTERNATE and (c.feature_code in ("PCLI", "ADM1", "ADM2") or c.population >= floor)
               for c in gazetteer.lookup(name))


_NEXT_NAME = re.compile(r"\s*,\s*((?:[A-Z][\w.]*\.?)(?:\s+[A-Z][\w.]*){0,2})")


def _container_after(name: str, text: str, end: int) -> Optional[tuple[int, int]]:
    """"Lanexa, Va.": the span of the division or country right after the name, when it holds a
    place so named; else None."""
    m = _NEXT_NAME.match(text, end)
    if not m:
        return None
    words = m.group(1).split()
    found = gazetteer.lookup(name)
    for n in range(len(words), 0, -1):
        written = " ".join(words[:n])
        containers = [c for c in gazetteer.lookup(written)
                      if c.name_kind != ALTERNATE and c.feature_code in ("PCLI", "ADM1")]
        if containers:
            if any(_contains(k, c) for k in containers for c in found if c.name_kind != ALTERNATE):
                return m.start(1), m.start(1) + len(written)
            return None
    return None


def _placed_by_next(name: str, text: str, end: int) -> bool:
    return _container_after(name, text, end) is not None


_DATELINE_END = re.compile(r"(?:,\s*[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?\s*(?:\([A-Z][\w ]{0,20}\))?\s*(?:--|[-–—])\s")


def _dateline(text: str, start: int, end: int) -> bool:
    """"NEWARK -- ...", "HAMMOND, Ind. (AP) — ...": a name opening a line, then a dash; or a name
    in capitals opening a sentence (feeds run the headline and the dateline together)."""
    if _DATELINE_END.match(text, end) is None:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    return not before.strip() or (text[start:end].isupper() and re.search(r"[.!?]\s+$", before) is not None)


def _place_context(text: str, start: int, end: int, strong_only: bool) -> str:
    """"strong" (a place preposition, a place-modifier word after, a dateline), "weak" (a
    preposition of motion, when allowed), or "" (none)."""
    cues = _cues()
    before = text[max(0, start - 40):start]
    if cues["inside"].search(before) or cues["after"].match(text, end) or _dateline(text, start, end):
        return "strong"
    if not strong_only and cues["toward"].search(before):
        return "weak"
    return ""


_LIST_BEFORE = re.compile(r"(?:,|\band|\bor)\s+$")
_LIST_AFTER = re.compile(r"\s*(?:,|and\b|or\b)\s*")


def _listed_with_place(text: str, start: int, end: int, places: tuple) -> bool:
    """"Newark, Heath and Pataskala": listed right after or before a place the model found."""
    ends, starts = places
    before = _LIST_BEFORE.search(text, max(0, start - 6), start)
    if before and text[:before.start()].rstrip() and len(text[:before.start()].rstrip()) in ends:
        return True
    after = _LIST_AFTER.match(text, end)
    return bool(after and after.end() > end and after.end() in starts)


def _supported(name: str, text: str, start: int, end: int, strong_only: bool,
               places: tuple = (frozenset(), frozenset())) -> bool:
    """A place by its context: a division after it, or a cue and a place that size warrants."""
    if _placed_by_next(name, text, end):
        return True
    ctx = _place_context(text, start, end, strong_only)
    if not ctx and _listed_with_place(text, start, end, places):
        ctx = "strong"
    if not ctx:
        return False
    return _well_known(name, small=(ctx == "strong"))


def _place_edges(entities: list[Entity]) -> tuple:
    """(ends, starts) of the mentions of the place entities the model found."""
    spans = [m for e in entities if e.type in ("GPE", "LOC") for m in e.mentions]
    return frozenset(m.end for m in spans), frozenset(m.start for m in spans)


def _retype_places(entities: list[Entity], text: str) -> None:
    """An organisation or person whose every mention is a well-known place name, said in a place
    role at least once ("in Edmonton", "Huntsville-based", "Sioux Falls, S.D."), is that place.
    Linked or sector-typed organisations (a government, a police force, a team) stay as they are."""
    places = _place_edges(entities)
    for e in entities:
        if e.type not in RETYPABLE or e.kb_id or e.sector or not e.mentions:
            continue
        names = {m.text for m in e.mentions}
        if len(names) > 2 or not all(_well_known(n, small=True) for n in names):
            continue
        strong_only = e.type == "PERSON"
        if any(_supported(m.text, text, m.start, m.end, strong_only, places) and text[m.end:m.end + 1] not in "'’"
               for m in e.mentions):
            e.type = "GPE"


def _capitalised(tok) -> bool:
    t = tok.text
    return t[:1].isupper() and (tok.is_alpha or re.fullmatch(r"[A-Z][a-z]{0,3}\.", t) is not None)


def _recover_places(entities: list[Entity], text: str, doc) -> None:
    """Capitalised words outside every entity that a place cue introduces, or a division follows
    ("near Lanexa", "Sioux Falls, S.D."), and that name a well-known place, become GPE entities
    (appended with new ids: later stages refer to entities by id)."""
    if doc is None:
        return
    covered = sorted((m.start, m.end) for e in entities for m in e.mentions)
    starts = [s for s, _ in covered]

    def free(s, e):
        i = bisect.bisect_left(starts, e)
        return not any(cs < e and s < ce for cs, ce in covered[max(0, i - 30):i])

    cue_words = _cues()["words"]
    places = _place_edges(entities)
    by_name: dict[str, Entity] = {e.name.lower(): e for e in entities if e.type in PLACE_TYPES}
    recovered: list[Entity] = []
    next_id = 1 + max((int(e.id[1:]) for e in entities if re.fullmatch(r"e\d+", e.id)), default=0)
    i, n = 0, len(doc)
    while i < n:
        tok = doc[i]
        if not _capitalised(tok) or tok.text.lower() in cue_words or tok.lower_ == "the" \
                or tok.ent_type_ in NOT_PLACE_ENT_TYPES:
            i += 1
            continue
        j = i
        while j + 1 < n and _capitalised(doc[j + 1]) and doc[j].whitespace_ and \
                doc[j + 1].ent_type_ not in NOT_PLACE_ENT_TYPES and j + 1 - i < MAX_RECOVERED_TOKENS:
            j += 1
        s, e_ = doc[i].idx, doc[j].idx + len(doc[j].text)
        i = j + 1
        if (i < n and _capitalised(doc[i]) and doc[j].whitespace_) or not free(s, e_):
            continue            # part of a longer name, or of an entity
        name = text[s:e_].rstrip(".") if not re.search(r"\b[A-Z][a-z]{0,3}\.$", text[s:e_]) else text[s:e_]
        e_ = s + len(name)
        if not _supported(name, text, s, e_, False, places):
            continue
        found = [(s, e_)]
        container = _container_after(name, text, e_)
        if container is not None and free(*container):        # "Lanexa, Va.": both are places
            found.append(container)
        for s, e_ in found:
            span = Span.of(text, s, e_)
            ent = by_name.get(span.text.lower())
            if ent is None:
                ent = Entity(id=f"e{next_id}", name=span.text, type="GPE", mentions=[])
                next_id += 1
                entities.append(ent)
                recovered.append(ent)
                by_name[span.text.lower()] = ent
            ent.mentions.append(span)
            covered.append((s, e_))
        covered.sort()
        starts[:] = [c[0] for c in covered]
    # One sense per article: the other free occurrences of a recovered name are that place too.
    for ent in recovered:
        name = ent.mentions[0].text
        forms = {name, name.title()} if name.isupper() else {name, name.upper()}
        for form in forms:
            for m in re.finditer(r"(?<![\w-])%s(?![\w-])" % re.escape(form), text):
                if free(m.start(), m.end()):
                    ent.mentions.append(Span.of(text, m.start(), m.end()))
                    covered.append((m.start(), m.end()))
                    covered.sort()
                    starts[:] = [c[0] for c in covered]
    for ent in by_name.values():
        ent.mentions.sort(key=lambda m: m.start)


def geocode_entities(entities: list[Entity], document: Document, doc=None) -> None:
    """Fill `geo` and `country` of the article's place entities in place (see module doc)."""
    _retype_places(entities, document.text)
    _recover_places(entities, document.text, doc)
    places = [e for e in entities if e.type in PLACE_TYPES]
    cands = {e.id: candidates(e) for e in places}
    for e in entities:
        if e.type == "NORP" and e.country is None:
            e.country = gazetteer.demonym_country(e.name)
    votes = _country_votes(entities, cands)
    containers = _containers(places, document.text)

    inside_of: dict[str, list[str]] = defaultdict(list)      # the reverse: what precedes it
    for eid, after in containers.items():
        for other in after:
            inside_of[other].append(eid)

    def inner_cands(e):
        return tuple(c for other in inside_of.get(e.id, ()) for c in cands.get(other, ())
                     if c.name_kind != ALTERNATE)

    def container_cands(e):
        return [c for other in containers.get(e.id, ()) for c in cands.get(other, ())
                if c.name_kind != ALTERNATE]

    # Pass 1: each place on its own names and the country focus.
    chosen: dict[str, Candidate] = {}
    for e in places:
        c = _choose(e, cands[e.id], votes, container_cands(e), [], set(), inner_cands(e))
        if c is not None:
            chosen[e.id] = c
    # Pass 2: again, with the focus of pass 1's choices and near the other places resolved.
    votes = {**votes, **_country_votes(entities, cands, chosen)}
    admin1_named = {c.admin1_code for c in chosen.values() if c.feature_code == "ADM1"}
    for e in places:
        anchors = [c for eid, c in chosen.items() if eid != e.id and c.feature_class == "P"]
        c = _choose(e, cands[e.id], votes, container_cands(e), anchors, admin1_named, inner_cands(e))
        if c is None:
            e.geo = None
            continue
        e.geo = Geo(lat=round(c.lat, 5), lon=round(c.lon, 5), country=c.country_code,
                    admin1=c.admin1, feature=c.feature_code, precision=_precision(c),
                    geonameid=c.geonameid, population=c.population or None)
        if c.country_code:      # the place decides its country, over an earlier guess from its name
            e.country = c.country_code
    for e in entities:
        if e.type == "NORP" and _country_adjective(e):
            e.geo = _country_geo(e.country)


def _country_adjective(e: Entity) -> bool:
    """A nationality word of one country ("Syrian", "Israelis"): linked to that country's own
    entry, or a demonym the gazetteer gives that country; not a people or a faith."""
    if not e.country:
        return False
    if e.kb_id and any(c.feature_code == "PCLI" and c.country_code == e.country and c.name_kind != ALTERNATE
                       for c in gazetteer.lookup(e.kb_id)):
        return True
    names = {e.name, *(m.text for m in e.mentions)}
    return any(gazetteer.demonym_country(n) == e.country for n in names)


def _country_geo(iso: str) -> Optional[Geo]:
    """The country's own point, as its GPE entity would get it."""
    c = gazetteer.country_place(iso)
    if c is None:
        return None
    return Geo(lat=round(c.lat, 5), lon=round(c.lon, 5), country=c.country_code, admin1=c.admin1,
               feature=c.feature_code, precision=_precision(c), geonameid=c.geonameid,
               population=c.population or None)
