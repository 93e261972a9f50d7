"""The knowledge base shipped with newsgraph: curated actor files, countries, and (optionally)
the lead extracts of Wikipedia's vital articles.

Everything is loaded once per process and indexed by normalised name, so that a lookup is a
dictionary access and, only when that finds nothing, a guarded fuzzy match. The entry id is the
English Wikipedia title: it is what users, gold sets and dumps share.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date as _date
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import yaml

from newsgraph.kb import store as imported
from newsgraph.kb import wiki_leads
from newsgraph.kb.schema import DATA_DIR, as_date, check_entry, vocabulary

try:  # the C loader is ten times faster on the curated files
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

# Files in data/ that hold entries (every other YAML file there is vocabulary or allow-lists).
NON_ENTRY_FILES = {"schema.yaml", "ambiguous_aliases.yaml", "wiki_lead_types.yaml"}
SOURCE_RANK = {"curated": 2, "countries": 1, "vital": 0}


@dataclass
class Candidate:
    id: str
    title: str
    type: Optional[str]
    country: Optional[str]
    sector: Optional[str]
    description: Optional[str]
    score: float
    match: str                     # title | alias | surname | role | fuzzy
    source: str
    wikidata: Optional[str] = None


@dataclass
class KB:
    entries: dict[str, dict] = field(default_factory=dict)     # id (title) -> entry
    names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key -> [(id, kind)]
    by_qid: dict[str, str] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)     # normalised demonym -> ISO alpha-2
    country_names: dict[str, str] = field(default_factory=dict)  # normalised name -> ISO alpha-2
    case_sensitive: set[tuple[str, str]] = field(default_factory=set)  # (key, id) of short all-caps aliases
    demonym_titles: dict[str, str] = field(default_factory=dict)  # "chechen" -> Chechnya (not states)


class KBError(ValueError):
    """A data file that cannot be read; the message names the file and the reason."""


def normalise(name: str) -> str:
    """Casefold, fold diacritics, drop apostrophes, hyphens and a leading "the"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold()
    text = re.sub(r"[\u2018\u2019\u02bc\u02bb'`\u00b4]", "", text)
    text = re.sub(r"[^\w]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def read_entry_file(path: Path) -> list[dict]:
    """Entries of one YAML file, with the file's `defaults` applied and dates as ISO strings."""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise KBError(f"{path}: cannot read knowledge-base file ({exc.__class__.__name__}: "
                      f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise KBError(f"{path}: expected a mapping with an 'entries' list")
    defaults = data.get("defaults") or {}
    entries = []
    for raw in data["entries"]:
        if not isinstance(raw, dict):
            raise KBError(f"{path}: entry is not a mapping: {raw!r}")
        entry = {**defaults, **raw}
        for key in ("founded", "dissolved", "born", "died"):
            if key in entry:
                entry[key] = as_date(entry[key])
        entry["in_office"] = [parse_term(t) for t in entry.get("in_office", []) or []]
        for term in entry["in_office"]:
            if isinstance(term, dict):
                term["from"] = as_date(term.get("from"))
                term["to"] = as_date(term.get("to"))
                term.setdefault("country", entry.get("country"))
        entry["source"] = f"curated:{path.name}"
        entries.append(entry)
    return entries


_TERM = re.compile(r"^(?P<office>[a-z][a-z -]*?) (?:@(?P<country>[A-Z]{2}) )?"
                   r"(?P<start>\d{4}(?:-\d{2}){0,2})/(?P<end>\d{4}(?:-\d{2}){0,2})?$")


def parse_term(term):
    """A term in office written "president 2000-07-17/2024-12-08" as a mapping (others unchanged)."""
    if not isinstance(term, str):
        return term
    match = _TERM.match(term.strip())
    if not match:
        return {"unparsed": term}
    result = {"office": match["office"], "from": match["start"], "to": match["end"]}
    if match["country"]:
        result["country"] = match["country"]
    return result


def curated_files() -> list[Path]:
    return sorted(p for p in DATA_DIR.glob("*.yaml") if p.name not in NON_ENTRY_FILES)


def _add_name(kb: KB, name: str, entry_id: str, kind: str) -> None:
    key = normalise(name)
    if not key:
        return
    if kind == "alias" and len(name) <= 4 and name.isupper():
        if not any(e == entry_id for e, _ in kb.names.get(key, [])):
            kb.case_sensitive.add((key, entry_id))
    else:   # the entry also has this name in ordinary case ("Bild" beside "BILD")
        kb.case_sensitive.discard((key, entry_id))
    slot = kb.names.setdefault(key, [])
    if not any(e == entry_id for e, _ in slot):
        slot.append((entry_id, kind))


def _country_facts(code: str) -> dict:
    """Capital, area, population, borders, region and demonym of a country from countryinfo."""
    from countryinfo import CountryInfo
    try:
        info = CountryInfo(code).info()
    except Exception:  # countryinfo raises bare errors for codes it lacks (e.g. XK)
        return {}
    import pycountry
    borders = []
    for alpha3 in info.get("borders") or []:
        country = pycountry.countries.get(alpha_3=alpha3)
        if country:
            borders.append(country.alpha_2)
    facts = {"capital": info.get("capital"), "area_km2": info.get("area"),
             "population": info.get("population"), "borders": borders,
             "region": info.get("region"), "subregion": info.get("subregion"),
             "demonym": info.get("demonym"), "alt_names": info.get("altSpellings") or []}
    return {k: v for k, v in facts.items() if v not in (None, "", [])}


def _enrich_state(kb: KB, entry: dict) -> None:
    """Add the countries packages' facts and names to a state entry from states.yaml."""
    import pycountry
    code = entry.get("country")
    facts = _country_facts(code) if code else {}
    entry.update({k: v for k, v in facts.items() if k != "alt_names" and k not in entry})
    country = pycountry.countries.get(alpha_2=code) if code else None
    extra = [getattr(country, a, None) for a in ("name", "official_name", "common_name")] if country else []
    extra += [n for n in facts.get("alt_names", []) if len(n) > 3 and not n.isupper()]
    for name in [entry["title"], *entry.get("names", []), *[n for n in extra if n]]:
        kb.country_names.setdefault(normalise(name), code)
        _add_name(kb, name, entry["title"], "alias" if name != entry["title"] else "title")
    entry.setdefault("sources", []).append("countries")
    given = (facts.get("demonym") or "").split(",")   # countryinfo: "Bosnian,Herzegovinian"
    for demonym in [*given, *entry.get("demonyms", [])]:
        if demonym.strip():
            kb.demonyms.setdefault(normalise(demonym), code)


def _surname(title: str) -> Optional[str]:
    """The last word of a person's name, without an Arabic article ("al-Sharaa" -> "Sharaa")."""
    words = re.sub(r"\s*\(.*\)$", "", title).split()
    if len(words) < 2:
        return None
    last = re.sub(r"^(al|el|ad|as|ash|an|ar|at|az)-", "", words[-1], flags=re.I)
    return last if len(last) > 2 else None


@lru_cache(maxsize=1)
def load() -> KB:
    """Build the embedded KB once per process."""
    kb = KB()
    for path in curated_files():
        for entry in read_entry_file(path):
            problems = check_entry(entry)
            if problems:
                raise KBError(f"{path}: entry {entry.get('title')!r}: {'; '.join(problems)}")
            if entry["title"] in kb.entries:
                raise KBError(f"{path}: duplicate title {entry['title']!r}")
            entry["sources"] = ["curated"]
            kb.entries[entry["title"]] = entry
            if entry.get("wikidata"):
                kb.by_qid[entry["wikidata"]] = entry["title"]
    for entry in kb.entries.values():
        if not entry.get("in_office"):
            entry.pop("in_office", None)
        if entry["source"] == "curated:states.yaml":
            _enrich_state(kb, entry)
            continue
        _add_name(kb, entry["title"], entry["title"], "title")
        stripped = re.sub(r"\s*\(.*\)$", "", entry["title"])
        if stripped != entry["title"]:
            _add_name(kb, stripped, entry["title"], "title")
        for name in entry.get("names", []):
            _add_name(kb, name, entry["title"], "alias")
        for demonym in entry.get("demonyms", []) or []:
            kb.demonym_titles.setdefault(normalise(demonym), entry["title"])
        if entry["type"] == "PERSON":
            surname = _surname(entry["title"])
            if surname:
                _add_name(kb, surname, entry["title"], "surname")
    for lead in wiki_leads.load_leads():
        existing = kb.entries.get(lead["title"])
        if existing is not None:
            existing.setdefault("lead", lead)
            existing["sources"].append("vital")
            continue
        entry = {"title": lead["title"], "type": lead.get("type"), "sector": None,
                 "description": lead.get("description"), "lead": lead,
                 "source": "vital", "sources": ["vital"]}
        kb.entries[lead["title"]] = entry
        _add_name(kb, lead["title"], lead["title"], "title")
        stripped = re.sub(r"\s*\(.*\)$", "", lead["title"])
        if stripped != lead["title"]:
            _add_name(kb, stripped, lead["title"], "title")
    return kb


# --- queries -----------------------------------------------------------------------------

def _to_iso(value) -> Optional[str]:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, _date) else str(value)


def _within(day: str, start: Optional[str], end: Optional[str]) -> bool:
    """Whether an ISO day falls in [start, end]; partial dates compare by their prefix."""
    if start and day[:len(start)] < start:
        return False
    if end and day[:len(end)] > end:
        return False
    return True


def _date_adjustment(entry: dict, day: Optional[str]) -> float:
    """Prefer entries that existed, and people who held office, at the article's date."""
    if not day:
        return 0.0
    adjust = 0.0
    if entry.get("in_office"):
        adjust += 0.1 if any(_within(day, t["from"], t.get("to")) for t in entry["in_office"]) else -0.05
    start = entry.get("founded") or entry.get("born")
    if start and day[:len(start)] < start:
        adjust -= 0.4
    end = entry.get("dissolved") or entry.get("died")
    if end and day[:len(end)] > end:
        adjust -= 0.1
    return adjust


def _candidate(entry: dict, score: float, match: str) -> Candidate:
    return Candidate(id=entry["title"], title=entry["title"], type=entry.get("type"),
                     country=entry.get("country"), sector=entry.get("sector"),
                     description=entry.get("description"), score=round(score, 3), match=match,
                     source=entry["sources"][0], wikidata=entry.get("wikidata"))


BASE_SCORE = {"title": 1.0, "alias": 0.9, "surname": 0.7}


def _type_ok(entry: dict, types: Optional[set[str]]) -> bool:
    if not types:
        return True
    kind = entry.get("type")
    return kind in types or (kind == "MEDIA" and "ORG" in types)


def lookup(name: str, date=None, types: Optional[Iterable[str]] = None,
           country: Optional[str] = None, limit: int = 10) -> list[Candidate]:
    """Candidates for a name, best first: exact title or alias, then role, then fuzzy matches.

    `date` (ISO string or date) prefers office holders and entities that existed then;
    `types` keeps only those entity types; `country` favours entries of that country.
    """
    kb = load()
    day = _to_iso(date)
    wanted = set(types) if types else None
    key = normalise(name)
    if not key:
        return []
    found: dict[str, Candidate] = {}

    def offer(entry: dict, base: float, match: str) -> None:
        if not _type_ok(entry, wanted):
            return
        origin = entry["sources"][0]
        rank = SOURCE_RANK.get(origin, imported.ORIGIN_RANK.get(origin, 0))
        score = base + _date_adjustment(entry, day) + 0.06 * rank
        if country and entry.get("country") == country:
            score += 0.05
        previous = found.get(entry["title"])
        if previous is None or previous.score < score:
            found[entry["title"]] = _candidate(entry, score, match)

    hits = kb.names.get(key, [])
    if not name.strip().isupper():  # "Sadr" is not the acronym SADR
        hits = [(i, k) for i, k in hits if (key, i) not in kb.case_sensitive]
    for entry_id, kind in hits:
        offer(kb.entries[entry_id], BASE_SCORE[kind], kind)
    if not found:
        offices, role_country = _parse_role(name)
        if offices and role_country:
            for entry in _holder_entries(offices, role_country, day or _date.today().isoformat()):
                offer(entry, 0.9, "role")
    if not found and len(key) >= 5:
        from rapidfuzz import fuzz, process
        for other, similarity, _ in process.extract(key, kb.names.keys(), scorer=fuzz.ratio,
                                                    score_cutoff=88, limit=limit * 3):
            for entry_id, kind in kb.names[other]:
                if kind != "surname":
                    offer(kb.entries[entry_id], 0.8 * similarity / 100, "fuzzy")
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.title))
    return imported.with_imports(ranked, name, day, wanted, country, limit)[:limit]  # imports first


def get(entry_id: str) -> Optional[dict]:
    """The entry with this Wikipedia title (or Wikidata id, or a title that redirects to it
    after a CirrusSearch import), or None."""
    kb = load()
    title = entry_id if entry_id in kb.entries else kb.by_qid.get(entry_id)
    found = imported.overlay(title or entry_id, kb.entries.get(title) if title else None)
    if found is None and title is None:     # a redirect title, after a CirrusSearch import
        target = imported.redirect(entry_id)
        if target and target != entry_id:
            return imported.overlay(target, kb.entries.get(target))
    return found


@lru_cache(maxsize=1)
def _office_words() -> list[tuple[str, str]]:
    """(normalised synonym, canonical office), longest synonym first."""
    pairs = [(normalise(word), office) for office, words in vocabulary()["offices"].items()
             for word in words]
    return sorted(pairs, key=lambda p: -len(p[0]))


def _parse_role(phrase: str) -> tuple[set[str], Optional[str]]:
    """("Syrian president") -> ({"president"}, "SY"); the country part may be a name or demonym."""
    kb = load()
    key = normalise(phrase)
    for word, _ in _office_words():
        match = re.search(rf"(^| ){re.escape(word)}( |$)", key)
        if not match:
            continue
        offices = {office for w, office in _office_words() if w == word}
        rest = (key[:match.start()] + " " + key[match.end():]).split()
        rest = [w for w in rest if w not in {"of", "s", "the"}]
        place = " ".join(rest)
        code = kb.demonyms.get(place) or kb.country_names.get(place)
        return offices, code
    return set(), None


def office_holder(office: str, country: Optional[str] = None, date=None) -> list[Candidate]:
    """Who held an office in a country on a date (today when no date is given).

    `office` is a canonical office ("president") or a role phrase ("Syrian president",
    "prime minister of Israel"), in which case the country may come from the phrase.
    """
    day = _to_iso(date) or _date.today().isoformat()
    offices, parsed_country = _parse_role(office)
    country = country or parsed_country
    if not offices or not country:
        return []
    return [_candidate(entry, 1.0, "role") for entry in _holder_entries(offices, country, day)]


def _holder_entries(offices: set[str], country: str, day: str) -> list[dict]:
    """Entries whose terms cover the day, latest start first: the embedded KB's, then those
    an import adds (Wikidata positions held, actor lists), each id once."""
    kb = load()
    holders = []
    for entry in kb.entries.values():
        for term in entry.get("in_office", []) or []:
            if term["office"] in offices and term.get("country") == country \
                    and _within(day, term["from"], term.get("to")):
                holders.append((term["from"], entry))
                break
    seen = {entry["title"] for _, entry in holders}
    for start, entry in imported.office_terms(offices, country, day):
        if entry["title"] in seen:
            continue
        seen.add(entry["title"])
        holders.append((start, entry))
    holders.sort(key=lambda h: h[0], reverse=True)
    return [entry for _, entry in holders]


def stats() -> dict:
    """Counts of entries by type, source, sector and world region."""
    kb = load()
    from newsgraph.kb.regions import region_of
    result: dict[str, dict[str, int]] = {"by_type": {}, "by_source": {}, "by_sector": {},
                                         "by_region": {}, "by_file": {}}
    for entry in kb.entries.values():
        for key, value in (("by_type", entry.get("type") or "unknown"),
                           ("by_sector", entry.get("sector") or "none"),
                           ("by_file", entry["source"])):
            result[key][value] = result[key].get(value, 0) + 1
        for source in entry["sources"]:
            result["by_source"][source] = result["by_source"].get(source, 0) + 1
        if entry["sources"][0] == "curated":
            region = region_of(entry.get("country")) if entry.get("country") else "international"
            result["by_region"][region] = result["by_region"].get(region, 0) + 1
    result["total"] = len(kb.entries)
    return imported.add_stats(result)
