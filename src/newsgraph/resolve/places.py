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
  division or country), same admin1 as a division named, the share of the article's other
  places that lie in the candidate's first-level division (local news names one state's towns),
  within 50 / 200 km of a place resolved in the first pass or of a plausible reading of another
  name (within `PLAUSIBLE_MARGIN` of that name's best: "Springfield" and "Sangamon County" pull
  each other to Illinois, the reading in which they lie together);
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
("in Lethbridge", "a Zanesville man", "Bismarck, N.D.") becomes GPE; capitalised words outside
every entity become a new GPE entity (appended, next free id) when the same cues, a dateline
("ELYRIA --", "DENVER (AP)") or a containing division after a comma support them; the cues and
the population a town needs are in `places_cues.yaml`. A place's bare name the model merged into
a person or organisation ("Mankato" with "Mankato Station") is split off the same way, and names
listed before "counties" ("Clarke, Oconee and Oglethorpe counties") are those counties.

Toponyms inside names: the place an organisation, facility or (mistyped) person name is named
after ("Lorain County" in "Lorain County Sheriff's Office", "Toledo" in "University of
Toledo", "Russian" in the state organ "Russian Foreign Ministry") becomes its own place (or
nationality) entity whose mention lies inside the organisation's; the organisation keeps its
whole mention. A town so found must be in the division of, or near, a place the article names
elsewhere, or it is dropped. News outlets (MEDIA) are not searched: "The Washington Post" says
nothing about where a story is. Regional adjectives ("European", "Asian", `places_adjectives.yaml`)
get their continent's or region's point at precision "region", as country adjectives get theirs;
so does a union of states named by its region (the EU, an IGO entity).
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
ADJECTIVES_FILE = Path(__file__).resolve().parent / "places_adjectives.yaml"
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
ADMIN1_FOCUS_POINTS = 2.0          # times the share of the article's other places in that division
NEAR_KM, NEAR_POINTS = 50.0, 2.5
AROUND_KM, AROUND_POINTS = 200.0, 0.75

PLAUSIBLE_MARGIN = 3.0             # a candidate this close to a name's best may be what it means
LOCAL_CAP_POINTS = 3.0             # all local support together (division, nearness): never more,
                                   # so a village of a state the story names does not take a
                                   # country's name ("China" in a Texas story about tariffs)
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
    for _ in range(2):          # "far west Texas": at most two words of position
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
    their name ("Georgia Peanut Commission"), the very ambiguity resolved here.
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
           inner_cands: tuple = (), admin1_focus: Optional[Counter] = None) -> float:
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
        s += CONTAINED_POINTS      # "Erie County, N.Y.": the name after the comma is the division
    local = 0.0
    if c.admin1_code and c.admin1_code in admin1_named and c.feature_code != "ADM1":
        local += SAME_ADMIN1_POINTS
    if admin1_focus and c.admin1_code and c.feature_code != "PCLI":
        local += ADMIN1_FOCUS_POINTS * admin1_focus.get(c.admin1_code, 0) / sum(admin1_focus.values())
    if anchors and (c.feature_class == "P" or c.feature_code == "ADM2"):     # a town or county
        d = min(gazetteer.distance_km(c.lat, c.lon, a.lat, a.lon) for a in anchors)
        local += NEAR_POINTS if d < NEAR_KM else AROUND_POINTS if d < AROUND_KM else 0.0
    return s + min(local, LOCAL_CAP_POINTS)


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


def _ranked(entity, found, votes, containers, anchors, admin1_named, inner=(),
            admin1_focus=None) -> list[tuple[float, Candidate]]:
    """(score, candidate), best first."""
    focus = _focus_without(votes, entity.id)
    top = focus.most_common(1)[0][0] if focus else None
    return sorted(((_score(entity, c, focus, top, containers, anchors, admin1_named, inner, admin1_focus), c)
                   for c in found), key=lambda sc: (-sc[0], -sc[1].population))


def _best(scored: list[tuple[float, Candidate]], found, inner=()) -> Optional[Candidate]:
    """The best-scoring candidate, or None when even the best has too little support."""
    if not scored or scored[0][0] < MIN_SCORE:
        return None
    best = scored[0][1]
    if any(_contains(best, k) for k in inner):      # a division after a comma stays the division
        return best
    return _prefer_city(best, found)


def _choose(entity, found, votes, containers, anchors, admin1_named, inner=(),
            admin1_focus=None) -> Optional[Candidate]:
    return _best(_ranked(entity, found, votes, containers, anchors, admin1_named, inner, admin1_focus),
                 found, inner)


def _plausible(scored: list[tuple[float, Candidate]]) -> list[Candidate]:
    """The towns and counties a name may well denote: within `PLAUSIBLE_MARGIN` of its best."""
    if not scored or scored[0][0] < MIN_SCORE:
        return []
    floor = scored[0][0] - PLAUSIBLE_MARGIN
    return [c for sc, c in scored if sc >= max(floor, MIN_SCORE) and (c.feature_class == "P" or c.feature_code == "ADM2")]


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
        "institution": {w.lower() for w in data.get("institution_words", [])},
        "min_population_embedded": int(data.get("min_population_embedded", 100000)),
        "adjective_endings": tuple(data.get("adjective_endings", [])),
    }


def _well_known(name: str, small: bool = False) -> bool:
    """A country, a division or a sizeable town (`small`: any town of some size) by its own or
    official name."""
    floor = _cues()["min_population_small" if small else "min_population"]
    return any(c.name_kind != ALTERNATE and (c.feature_code in ("PCLI", "ADM1", "ADM2") or c.population >= floor)
               for c in gazetteer.lookup(name))


_NEXT_NAME = re.compile(r"\s*,\s*((?:[A-Z][\w.]*\.?)(?:\s+[A-Z][\w.]*){0,2})")


def _container_after(name: str, text: str, end: int) -> Optional[tuple[int, int]]:
    """"Oberlin, Ohio": the span of the division or country right after the name, when it holds a
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
    """"ELYRIA -- ...", "KOKOMO, Ind. (AP) — ...": a name opening a line, then a dash; or a name
    in capitals, then a dash, anywhere (feeds run the headline, credits and dateline together:
    "Gannett June 3, 2011 LIMA -- ..."); or a name
    in capitals opening a line before a news agency, a comma or ordinary text ("DENVER (AP)",
    "NORTH KIVU, May 12", "SALT LAKE CITY The Latest"), not a headline in capitals."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    name = text[start:end]
    if _DATELINE_END.match(text, end) is None:
        return (not before.strip() and name.isupper() and len(name) > 2
                and _CAPS_DATELINE_NEXT.match(text, end) is not None)
    return not before.strip() or (name.isupper() and len(name) > 2)


_CAPS_DATELINE_NEXT = re.compile(r"\s*(?:\(|,|&|:|[A-Z][a-z]|$)")


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
    """"Elyria, Lorain and Oberlin": listed right after or before a place the model found."""
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
    role at least once ("in Lethbridge", "Huntsville-based", "Bismarck, N.D."), is that place.
    Linked or sector-typed organisations (a government, a police force, a team) stay as they are."""
    places = _place_edges(entities)
    for e in entities:
        if e.type not in RETYPABLE or e.kb_id or e.sector or not e.mentions:
            continue
        names = {m.text for m in e.mentions}
        strong_only = e.type == "PERSON"
        if len(names) <= 2 and all(_well_known(n, small=True) for n in names):
            if any(_supported(m.text, text, m.start, m.end, strong_only, places) and text[m.end:m.end + 1] not in "'’"
                   for m in e.mentions):
                e.type = "GPE"
            continue
        _split_place_mentions(e, entities, text, strong_only, places)


def _retype_named_places(entities: list[Entity]) -> None:
    """A NORP the model gave a place's own name ("Indiana", "Punjab", "Lahore"), not a nationality
    or regional word: a country, a first-level division or a city by its own name is that place."""
    floor = _cues()["min_population"]
    for e in entities:
        if e.type != "NORP" or e.kb_id or not e.mentions:
            continue
        names = {m.text for m in e.mentions}
        if any(gazetteer.demonym_country(n) or gazetteer.normalize(n) in _region_adjectives()
               or gazetteer.normalize(n) in _features()["prefixes"]
               or n.lower().endswith(_cues()["adjective_endings"]) for n in names):
            continue
        if all(any(c.name_kind != ALTERNATE and (c.feature_code in ("PCLI", "ADM1") or
                                                (c.feature_class == "P" and c.population >= floor))
                   for c in gazetteer.lookup(n)) for n in names):
            e.type = "GPE"


def _split_place_mentions(e: Entity, entities: list[Entity], text: str, strong_only: bool, places: tuple) -> None:
    """A person or organisation the model merged with a place's bare name ("Danville" with
    "Danville Commonwealth's Attorney", "Mankato" with "Mankato Station"): the mentions that are a
    single well-known place name, said in a place role at least once ("in Danville",
    "Mankato, Minnesota"), move to a place entity of that name (new, appended)."""
    longer = {m.text for m in e.mentions if " " in m.text}
    bare = {m.text for m in e.mentions if " " not in m.text and any(m.text in t for t in longer)}
    for name in bare:
        mine = [m for m in e.mentions if m.text == name]
        if not _well_known(name, small=True) or not any(
                _supported(m.text, text, m.start, m.end, strong_only, places) and text[m.end:m.end + 1] not in "'’"
                for m in mine):
            continue
        next_id = 1 + max((int(x.id[1:]) for x in entities if re.fullmatch(r"e\d+", x.id)), default=0)
        entities.append(Entity(id=f"e{next_id}", name=name, type="GPE", mentions=mine))
        e.mentions = [m for m in e.mentions if m.text != name]
        if e.name == name:
            e.name = max((m.text for m in e.mentions), key=len)


def _capitalised(tok) -> bool:
    t = tok.text
    return t[:1].isupper() and (tok.is_alpha or re.fullmatch(r"[A-Z][a-z]{0,3}\.", t) is not None)


def _recover_places(entities: list[Entity], text: str, doc) -> None:
    """Capitalised words outside every entity that a place cue introduces, or a division follows
    ("near Oberlin", "Bismarck, N.D."), and that name a well-known place, become GPE entities
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
        if container is not None and free(*container):        # "Oberlin, Ohio": both are places
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


EMBEDDING_TYPES = ("ORG", "FAC", "PERSON")     # names that may hold a place name ("Toledo Police")
STATE_SECTORS = ("GOV", "MIL", "COP", "JUD")     # organs of a state, named by its nationality
_WORD = re.compile(r"[^\W\d_][\w.'’&-]*")


def _embedded_kind(name: str, institution: bool) -> Optional[str]:
    """"place" or "demonym" when a name inside an organisation's name is a toponym: a country,
    a first-level division or a county ("Lorain County") by its own name, a nationality word,
    or a town (of some size with an institution word after it, `institution`; a city
    otherwise); else None. A position word alone ("North", "Metro") names nothing."""
    cues = _cues()
    key = gazetteer.normalize(name)
    if key in _features()["prefixes"] or name.lower().startswith("the ") or re.search(r"['’]s?$", name):
        return None
    if len(key) < 4 and "." not in name and not name.isupper():
        return None                       # "La Niña", "Mon": an abbreviation is written as one
    if _demonym_word(name):
        return "demonym"
    floor = cues["min_population_small" if institution else "min_population_embedded"]
    county = re.search(r"\b(?:county|parish|borough)$", key) is not None
    for c in gazetteer.lookup(name):
        if c.name_kind == ALTERNATE:
            continue
        if c.feature_code in ("PCLI", "ADM1") or (c.feature_code == "ADM2" and county) \
                or (c.feature_class == "P" and c.population >= floor):
            return "place"
    return None


def _demonym_word(name: str) -> bool:
    """A capitalised nationality word of one country ("Russian", "Nigerian")."""
    return name[:1].isupper() and " " not in name and gazetteer.demonym_country(name) is not None \
        and not gazetteer.lookup(name)


def _embedded_spans(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """The toponyms inside one name ("Harlan County" in "Harlan County Historical Society",
    "Toledo" in "University of Toledo", "Russian" in "Russian Foreign Ministry"):
    (start, end, kind), at most one before the name's head and one after its "of" or "in"."""
    words = [(m.start() + start, m.end() + start, m.group()) for m in _WORD.finditer(text[start:end])]
    if len(words) < 2:
        return []
    cues = _cues()
    lowered = [w[2].lower().strip(".").replace("’", "'") for w in words]
    institution = any(w in cues["institution"] for w in lowered)
    out = []
    # Leading: the longest run of capitalised words that names a place, with words left after it.
    first = 1 if lowered[0] == "the" else 0
    lead = first
    while lead < len(words) - 1 and words[lead][2][:1].isupper() and lead - first < MAX_RECOVERED_TOKENS:
        lead += 1
    for n in range(lead, first, -1):
        s, e = words[first][0], words[n - 1][1]
        if lowered[n] in ("of", "and", "&") or text[e:e + 1] in "'’":
            continue                                  # "Bank of ...", a possessive: not a modifier
        kind = _embedded_kind(text[s:e], institution and any(w in cues["institution"] for w in lowered[n:]))
        if kind:
            out.append((s, e, kind))
            break
    # After "of" or "in": "University of Toledo", "Council of Northern Michigan",
    # "Academy in Oberlin".
    link = next((w for w in lowered[1:] if w in ("of", "in")), None)
    if link:
        k = lowered.index(link, 1) + 1
        if k < len(words) and lowered[k] == "the":
            k += 1
        run = []
        while k + len(run) < len(words) and words[k + len(run)][2][:1].isupper():
            run.append(words[k + len(run)])
        for i in range(len(run)):              # drop leading position words one at a time
            for j in range(len(run), i, -1):
                s, e = run[i][0], run[j - 1][1]
                kind = _embedded_kind(text[s:e], institution and any(
                    w in cues["institution"] for w in lowered[:lowered.index(link, 1)]))
                if kind:
                    out.append((s, e, kind))
                    break
            else:
                if gazetteer.normalize(run[i][2]) in _features()["prefixes"]:
                    continue
            break
    return out


def _institution_after(text: str, start: int, end: int) -> bool:
    return any(w.lower().replace("’", "'") in _cues()["institution"] for w in _WORD.findall(text[start:end]))


def _embedded_places(entities: list[Entity], text: str) -> set[str]:
    """Toponyms inside organisation, facility and mistyped person names become their own place
    (or nationality) entities, nested in the name ("Toledo" in "Toledo Police Department"): the
    organisation keeps its whole mention; the place gets the part that names it, and merges with
    a place entity of the same name when the article has one (one sense per article).
    Returns the ids of the entities it created, which must earn their place (`_prune_embedded`)."""
    created: set[str] = set()
    by_name: dict[tuple[str, str], Entity] = {}
    for e in entities:
        key = "NORP" if e.type == "NORP" else "GPE" if e.type in PLACE_TYPES else None
        if key:
            for m in e.mentions:
                by_name.setdefault((key, m.text.lower()), e)
    next_id = 1 + max((int(e.id[1:]) for e in entities if re.fullmatch(r"e\d+", e.id)), default=0)
    hosts = [e for e in entities if e.type in EMBEDDING_TYPES and not (e.type == "ORG" and e.sector == "GOV"
                                                                       and _named_by_place(e))]
    hosts += [e for e in entities if e.type in PLACE_TYPES and not candidates(e)]
    for host in hosts:
        for m in host.mentions:
            for s, e_, kind in _embedded_spans(text, m.start, m.end):
                if kind == "demonym" and host.sector not in STATE_SECTORS:
                    continue                # "Russian Foreign Ministry", not "American Airlines"
                if host.type == "PERSON" and not _institution_after(text, e_, m.end):
                    continue                # "Brazos County Sheriff", not "Virginia Holloway"
                span = Span.of(text, s, e_)
                key = ("NORP" if kind == "demonym" else "GPE", span.text.lower())
                ent = by_name.get(key)
                if ent is None:
                    ent = Entity(id=f"e{next_id}", name=span.text, type=key[0], mentions=[])
                    next_id += 1
                    entities.append(ent)
                    by_name[key] = ent
                    created.add(ent.id)
                if all((x.start, x.end) != (s, e_) for x in ent.mentions):
                    ent.mentions.append(span)
                    ent.mentions.sort(key=lambda x: x.start)
    return created


def _prune_embedded(entities: list[Entity], created: set[str], final: dict[str, Candidate]) -> None:
    """Drop the places found only inside organisation names that the article does not support:
    those left without a point, and towns (below `min_population_embedded`) that are neither in
    the first-level division of a place the article names (outside such names, or a county or
    state named inside one) nor within 200 km of one ("Tilden Center" is no town Tilden unless the
    story is near it)."""
    floor = _cues()["min_population_embedded"]
    own = [c for eid, c in final.items() if c.feature_code != "PCLI"
           and (eid not in created or c.feature_code in ("ADM1", "ADM2"))]
    keep = []
    for e in entities:
        if e.id in created and e.type != "NORP":
            c = final.get(e.id)
            if c is None:
                continue
            if c.feature_class == "P" and c.population < floor and not any(
                    (o.admin1_code and o.admin1_code == c.admin1_code)
                    or gazetteer.distance_km(c.lat, c.lon, o.lat, o.lon) < AROUND_KM for o in own):
                continue
        keep.append(e)
    entities[:] = keep


_COUNTY_NAME = r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)?"
_COUNTY_LIST = re.compile(r"\b(%s(?:(?:,\s+|,?\s+and\s+)%s)*)\s+(?:counties|parishes)\b" % (_COUNTY_NAME, _COUNTY_NAME))


def _listed_counties(entities: list[Entity], text: str) -> set[str]:
    """"Boone, Story and Polk counties": each name listed before "counties" is that US
    county (written without the word). Such a name becomes a GPE entity named "X County" (a new
    one, or the entity the model gave that name when this is its only use); returns their ids,
    whose candidates are counties only."""
    at = {(m.start, m.end): e for e in entities for m in e.mentions}
    covered = sorted((m.start, m.end) for e in entities for m in e.mentions)
    next_id = 1 + max((int(e.id[1:]) for e in entities if re.fullmatch(r"e\d+", e.id)), default=0)
    spans: dict[tuple[int, int], str] = {}
    for m in _COUNTY_LIST.finditer(text):
        word = "Parish" if text[m.end() - 8:m.end()].lower() == "parishes" else "County"
        for n in re.finditer(_COUNTY_NAME, m.group(1)):
            s, e_ = m.start(1) + n.start(), m.start(1) + n.end()
            for cut in (s, text.find(" ", s, e_) + 1 or e_):      # "In Clarke": the name alone
                name = f"{text[cut:e_]} {word}"
                if cut < e_ and any(c.feature_code == "ADM2" and c.name_kind != ALTERNATE
                                    for c in gazetteer.lookup(name)):
                    spans[(cut, e_)] = name
                    break
    forced: set[str] = set()
    by_name: dict[str, Entity] = {}
    for (s, e_), name in spans.items():
        ent = at.get((s, e_))
        if ent is not None:
            if ent.id in forced or all((x.start, x.end) in spans for x in ent.mentions):
                ent.type, ent.name = "GPE", name
                forced.add(ent.id)
            continue
        if any(cs < e_ and s < ce for cs, ce in covered):
            continue
        ent = by_name.get(name)
        if ent is None:
            ent = Entity(id=f"e{next_id}", name=name, type="GPE", mentions=[])
            next_id += 1
            entities.append(ent)
            by_name[name] = ent
            forced.add(ent.id)
        ent.mentions.append(Span.of(text, s, e_))
    return forced


def geocode_entities(entities: list[Entity], document: Document, doc=None) -> None:
    """Fill `geo` and `country` of the article's place entities in place (see module doc)."""
    _retype_places(entities, document.text)
    _retype_named_places(entities)
    _recover_places(entities, document.text, doc)
    created = _embedded_places(entities, document.text)
    counties = _listed_counties(entities, document.text)
    places = [e for e in entities if e.type in PLACE_TYPES]
    cands = {e.id: [c for c in gazetteer.lookup(e.name) if c.feature_code == "ADM2"] if e.id in counties
             else candidates(e) for e in places}
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
    plausible: dict[str, list[Candidate]] = {}
    for e in places:
        scored = _ranked(e, cands[e.id], votes, container_cands(e), [], set(), inner_cands(e))
        plausible[e.id] = _plausible(scored)
        c = _best(scored, cands[e.id], inner_cands(e))
        if c is not None:
            chosen[e.id] = c
    # Pass 2: again, with the focus of pass 1's choices and near the other places resolved.
    # A town found only inside an organisation's name is resolved by the other places; it does
    # not pull them (it may yet be dropped, `_prune_embedded`).
    floor = _cues()["min_population_embedded"]
    doubtful = {eid for eid, c in chosen.items()
                if eid in created and c.feature_class == "P" and c.population < floor}
    votes = {**votes, **_country_votes(entities, cands, chosen)}
    votes = {k: v for k, v in votes.items() if k not in doubtful}
    support = {eid: c for eid, c in chosen.items() if eid not in doubtful}
    admin1_named = {c.admin1_code for c in support.values() if c.feature_code == "ADM1"}
    mentions = {e.id: len(e.mentions) or 1 for e in places}
    names = {e.id: e.name for e in places}
    final: dict[str, Candidate] = {}
    for e in places:
        anchors = [c for eid, c in support.items() if eid != e.id and c.feature_class == "P"]
        anchors += [c for eid, found in plausible.items()
                    if eid != e.id and eid not in doubtful and e.name != names[eid] for c in found]
        local = Counter()
        for eid, k in support.items():
            if eid != e.id and k.admin1_code and k.feature_code != "PCLI":
                local[k.admin1_code] += mentions[eid]
        c = _choose(e, cands[e.id], votes, container_cands(e), anchors, admin1_named, inner_cands(e), local)
        if c is None:
            e.geo = None
            continue
        final[e.id] = c
        e.geo = Geo(lat=round(c.lat, 5), lon=round(c.lon, 5), country=c.country_code,
                    admin1=c.admin1, feature=c.feature_code, precision=_precision(c),
                    geonameid=c.geonameid, population=c.population or None)
        if c.country_code:      # the place decides its country, over an earlier guess from its name
            e.country = c.country_code
    _prune_embedded(entities, created, final)
    for e in entities:
        if e.type == "NORP" and _country_adjective(e):
            e.geo = _country_geo(e.country)
        elif (e.type == "NORP" or (e.type == "ORG" and e.sector == "IGO")) and e.geo is None:
            e.geo = _region_geo(e)


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


@lru_cache(maxsize=1)
def _region_adjectives() -> dict[str, str]:
    with open(ADJECTIVES_FILE, encoding="utf-8") as fh:
        return {gazetteer.normalize(k): v for k, v in (yaml.safe_load(fh) or {}).items()}


def _region_geo(e: Entity) -> Optional[Geo]:
    """The point of the continent or region a regional adjective ("European", "Asians") or a
    union of states ("EU") names, precision "region"; None for any other NORP or organisation.
    An organisation gets it only when every name it is mentioned by is such a union."""
    table = _region_adjectives()
    names = {e.name, *(m.text for m in e.mentions)}
    if e.type == "ORG" and not all(gazetteer.normalize(n) in table for n in names):
        return None
    for n in names:
        key = gazetteer.normalize(n)
        region = table.get(key) or (table.get(key[:-1]) if key.endswith("s") else None)
        if region:
            found = [c for c in gazetteer.lookup(region) if c.name_kind != ALTERNATE
                     and (c.feature_code == "CONT" or c.geonameid is None)]
            if found:
                c = max(found, key=lambda c: c.population)
                return Geo(lat=round(c.lat, 5), lon=round(c.lon, 5), country=None, admin1=None,
                           feature=c.feature_code, precision="region", geonameid=c.geonameid,
                           population=c.population or None)
    return None


def _country_geo(iso: str) -> Optional[Geo]:
    """The country's own point, as its GPE entity would get it."""
    c = gazetteer.country_place(iso)
    if c is None:
        return None
    return Geo(lat=round(c.lat, 5), lon=round(c.lon, 5), country=c.country_code, admin1=c.admin1,
               feature=c.feature_code, precision=_precision(c), geonameid=c.geonameid,
               population=c.population or None)
