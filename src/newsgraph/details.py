"""Details: background on an article's main entities, and what an article's own background teaches.

`write_details(rec)` picks the main entities by salience (mentions weighted by section, an early
first mention, the headline's subject; background mentions count nothing) and writes one
Detail each: the entity's Wikipedia lead when the KB has one (vital-articles package or an
imported dump), attributed; else a text written from the KB's facts as they stood at the
article's date (an office held later is never stated; one that ended is stated as ended).
Every fact names where it was read. `learn(record)` turns the sentences of an article's
`background` sections into facts with provenance (article id, offsets) in the KB store, which
later articles' Details use. Templates and patterns are data: details_templates.yaml and
details_learn.yaml beside this module.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Optional, Union
from urllib.parse import quote

import yaml

from .record import Detail, Fact, Record

HERE = Path(__file__).parent
COUNTRYINFO_FIELDS = ("capital", "area_km2", "population", "borders", "region", "subregion",
                      "demonym")
RELATIONS = ("leader_of", "member_of", "part_of", "successor_of", "backed_by")


@lru_cache(maxsize=1)
def templates() -> dict:
    with open(HERE / "details_templates.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


@lru_cache(maxsize=1)
def learn_rules() -> dict:
    """The kb-learn patterns: subject regex, pronouns, subject-bound fields, fact regexes."""
    with open(HERE / "details_learn.yaml", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    subject = data["subject"].strip()
    inner = subject.lstrip("^")
    facts = {name: [re.compile(p.replace("{subject}", f"(?:{inner})")) for p in patterns]
             for name, patterns in data["facts"].items()}
    return {"subject": re.compile(subject), "pronouns": set(data["pronouns"]),
            "about_subject": set(data["about_subject"]), "facts": facts}


# --- the record, as a record or a stored dict ----------------------------------------------

@dataclass
class _Entity:
    id: str
    name: str
    type: str
    kb_id: Optional[str]
    aliases: list[str]
    mentions: list[tuple[int, int]]
    geo: Optional[dict] = None


@dataclass
class _Article:
    id: str
    text: str
    published: Optional[str]
    sections: list[tuple[str, int, int]]
    entities: list[_Entity]


def _article(rec: Union[Record, dict]) -> _Article:
    """The parts of a record Details need, from a Record or a stored record dict."""
    def get(x, key):
        return x.get(key) if isinstance(x, dict) else getattr(x, key)
    sections = [(get(s, "kind"), get(s, "start"), get(s, "end")) for s in get(rec, "sections") or []]
    entities = [_Entity(get(e, "id"), get(e, "name"), get(e, "type"), get(e, "kb_id"),
                        list(get(e, "aliases") or []),
                        [(get(m, "start"), get(m, "end")) for m in get(e, "mentions") or []],
                        _as_dict(get(e, "geo")))
                for e in get(rec, "entities") or []]
    return _Article(get(rec, "id"), get(rec, "text"), get(rec, "published"), sections, entities)


def _as_dict(geo) -> Optional[dict]:
    if geo is None or isinstance(geo, dict):
        return geo
    return {k: getattr(geo, k, None) for k in ("lat", "lon", "country", "admin1", "feature",
                                               "precision", "geonameid", "population")}


def _section_of(article: _Article, offset: int) -> str:
    for kind, start, end in article.sections:
        if start <= offset < end:
            return kind
    return "body"


# --- salience ----------------------------------------------------------------------------

def main_entities(article: _Article) -> list[tuple[_Entity, float, list[_Entity]]]:
    """(representative entity, score, every entity of the group) for the main entities, best
    first. Entities linked to one KB id ("Syria", "Syrian") are scored as one."""
    rules = templates()["salience"]
    news_end = min([s for k, s, _ in article.sections if k == "background"] or [len(article.text)])
    headline = [(s, e) for k, s, e in article.sections if k == "headline"]
    first_in_headline = None
    if headline:
        hs, he = headline[0]
        starts = [(m[0], ent.id) for ent in article.entities for m in ent.mentions
                  if hs <= m[0] < he and rules["types"].get(ent.type)]
        first_in_headline = min(starts)[1] if starts else None
    groups: dict[str, list[_Entity]] = {}
    for ent in article.entities:
        groups.setdefault(ent.kb_id or ent.id, []).append(ent)
    ranked = []
    for members in groups.values():
        score, first, weights = 0.0, None, {}
        for ent in members:
            weight = rules["types"].get(ent.type, 0.0)
            w = sum(rules["sections"].get(_section_of(article, s), 1.0) for s, _ in ent.mentions)
            weights[ent.id] = w
            score += weight * w
            news = [s for s, _ in ent.mentions if s < news_end]
            if news:
                first = min(first, min(news)) if first is not None else min(news)
            if ent.id == first_in_headline:
                score += rules["headline_first"]
        if first is None:
            continue            # named only in the background part
        score += rules["early_bonus"] * (1 - first / max(news_end, 1))
        if score < rules["min_score"]:
            continue
        # The representative: the member with most weight, preferring names over demonyms.
        rep = max(members, key=lambda e: (e.type != "NORP" or len(members) == 1, weights[e.id]))
        ranked.append((rep, round(score, 2), members))
    ranked.sort(key=lambda r: (-r[1], r[0].mentions[0][0] if r[0].mentions else 0))
    return ranked


# --- the KB entry of an entity -------------------------------------------------------------

def _entry_of(ent: _Entity, day: Optional[str]) -> Optional[dict]:
    """The KB entry: by kb_id; else an exact title/alias match of compatible type; else a lead
    imported under the entity's name."""
    from newsgraph import kb
    if ent.kb_id:
        return kb.get(ent.kb_id)
    types = templates()["lookup_types"].get(ent.type)
    for cand in kb.lookup(ent.name, date=day, types=types, limit=3):
        if cand.match in ("title", "alias"):
            return kb.get(cand.id)
    entry = kb.get(ent.name)
    return entry if entry and entry.get("lead") else None


def _kb_source(entry: dict) -> str:
    origin = entry.get("source") or "kb"
    origin = origin.split(":", 1)[1] if origin.startswith("curated:") else origin
    return f"kb:{origin}#{entry['title']}"


def _is_before(day: Optional[str], value: Optional[str]) -> bool:
    """Whether the article's day is before a (possibly partial) ISO date."""
    return bool(day and value and day[:len(value)] < value)


def _latest_date(entry: dict) -> Optional[str]:
    dates = [entry.get(k) for k in ("founded", "dissolved", "born", "died")]
    for term in entry.get("in_office") or []:
        if isinstance(term, dict):
            dates += [term.get("from"), term.get("to")]
    # A description or lead naming a later year was written after the article's time.
    for text in (entry.get("description"), (entry.get("lead") or {}).get("extract")):
        dates += re.findall(r"\b(?:1[89]|20)\d\d\b", text or "")
    dates = [d for d in dates if d]
    return max(dates) if dates else None


@lru_cache(maxsize=1)
def _country_titles() -> dict[str, str]:
    from newsgraph.kb import load
    return {e["country"]: t for t, e in load().entries.items()
            if e.get("source") == "curated:states.yaml" and e.get("country")}


def _country_name(code: Optional[str]) -> Optional[str]:
    if not code:
        return None
    if code in _country_titles():
        return re.sub(r"\s*\(.*\)$", "", _country_titles()[code])
    import pycountry
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or getattr(country, "name", None) if country else code


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _fill(key: str, **values) -> Optional[str]:
    """A template sentence, or None when one of its placeholders has no value."""
    template = templates()["sentences"][key]
    names = re.findall(r"{(\w+)}", template)
    if any(values.get(n) in (None, "", []) for n in names):
        return None
    sentence = template.format(**{n: values[n] for n in names})
    return re.sub(r"\.\.$", ".", sentence)     # "Washington D.C." ends the sentence


# --- generated text ------------------------------------------------------------------------

@lru_cache(maxsize=512)
def _countryinfo(code: str) -> dict:
    """What countryinfo says of a country (the KB's own enrichment), to tell its facts apart."""
    from newsgraph.kb.embedded import _country_facts as countryinfo_facts
    return countryinfo_facts(code)


def _country_facts(entry: dict, facts: list[Fact], src: str) -> list[str]:
    """Sentences and facts of a country entry; each value sourced to the package it came from."""
    code = entry.get("country")
    enriched = _countryinfo(code) if code else {}
    import pycountry
    pc = pycountry.countries.get(alpha_2=code) if code else None
    official = (getattr(pc, "official_name", None) or pc.name) if pc else None
    if official:
        facts.append(Fact("official_name", official, "pycountry"))
    if code:
        facts.append(Fact("iso_code", code, "pycountry" if pc else src))
    for key in COUNTRYINFO_FIELDS:
        if entry.get(key) not in (None, "", []):
            origin = "countryinfo" if enriched.get(key) == entry[key] else src
            facts.append(Fact(key, entry[key], origin))
    name = entry["title"]
    borders = _join([_country_name(c) for c in entry.get("borders") or []]) if entry.get("borders") else None
    sentences = [_fill("country", name=name, subregion=entry.get("subregion") or entry.get("region"),
                       official_name=official if official and official != name else None)
                 or _fill("country_plain", name=name,
                          subregion=entry.get("subregion") or entry.get("region")),
                 _fill("capital", capital=entry.get("capital")),
                 _fill("borders", borders=borders),
                 _fill("population", population=f"{entry['population']:,}" if isinstance(
                     entry.get("population"), int) else None,
                       area=f"{entry['area_km2']:,}" if entry.get("area_km2") else None)]
    return [s for s in sentences if s]


def _office(term: dict) -> str:
    country = _country_name(term.get("country"))
    return f"{term['office']} of {country}" if country else term["office"]


def _generated(entry: dict, day: Optional[str], facts: list[Fact]) -> list[str]:
    """Sentences from the entry's facts, each true at the article's date."""
    t = templates()
    src = _kb_source(entry)
    name = entry["title"]
    kind = entry.get("type") or "ORG"
    sentences: list[Optional[str]] = []
    if entry.get("type") == "GPE" and entry.get("capital") is not None:
        sentences += _country_facts(entry, facts, src)
    else:
        for key in ("type", "sector"):
            if entry.get(key):
                facts.append(Fact(key, entry[key], src))
        if entry.get("country"):
            facts.append(Fact("country", entry["country"], src))
    latest = _latest_date(entry)
    description_fits = entry.get("description") and not _is_before(day, latest)
    if description_fits:    # a description naming later events is neither stated nor listed
        facts.append(Fact("description", entry["description"], src))
        sentences.insert(0, _fill("description", name=name, description=entry["description"]))
    elif not sentences:
        what = t["what"].get(kind, t["what"]["ORG"])
        country = _country_name(entry.get("country")) if kind != "GPE" else None
        template = t["sentences"]["what"].replace(
            "{of_country}", t["sentences"]["of_country"][kind == "PERSON"] if country else "")
        sector = entry.get("sector") if not _is_before(day, latest) else None  # sectors change
        sentences.append(template.format(name=name, country=country,
                                         what=what.get(sector, what["default"])))
    for key in ("born", "founded", "died", "dissolved"):
        value = entry.get(key)
        if value and not _is_before(day, value):
            facts.append(Fact(key, value, src))
            sentences.append(_fill(key, **{key: value}))
    for term in entry.get("in_office") or []:
        if not isinstance(term, dict) or not term.get("from") or _is_before(day, term["from"]):
            continue    # an office taken after the article's date is not stated
        ended = term.get("to") and not _is_before(day, term["to"])
        facts.append(Fact("in_office", {"office": term["office"], "country": term.get("country"),
                                        "from": term["from"], "to": term.get("to") if ended else None},
                          src))
        sentences.append(_fill("office_past", name=name, office=_office(term), start=term["from"],
                               end=term["to"]) if ended else
                         _fill("office_current", name=name, office=_office(term), start=term["from"]))
    from newsgraph import kb
    for relation in RELATIONS:
        targets = [x for x in entry.get(relation) or [] if isinstance(x, str)
                   and not _is_before(day, (kb.get(x) or {}).get("founded"))]
        if not targets:
            continue
        for target in targets:
            facts.append(Fact(relation, target, src))
        key = relation
        if relation == "leader_of":
            dissolved = [(kb.get(x) or {}).get("dissolved") for x in targets]
            if all(d and not _is_before(day, d) for d in dissolved):
                key = "leader_of_past"
        sentences.append(_fill(key, name=name, targets=_join(targets)))
    leaders = [x for x in _leaders().get(name, []) if not _is_before(day, _born(x))]
    for leader in leaders:
        facts.append(Fact("led_by", leader, _kb_source(kb.get(leader) or {"title": leader})))
    if leaders:
        sentences.append(_fill("led_by", targets=_join(leaders)))
    designations = [_designation_at(d, day) for d in entry.get("designations") or []
                    if isinstance(d, str) and not _designated_after(d, day)]
    if designations:
        for d in designations:
            facts.append(Fact("designation", d, src))
        sentences.append(_fill("designations", designations="; ".join(designations)))
    return [s for s in sentences if s]


@lru_cache(maxsize=1)
def _leaders() -> dict[str, list[str]]:
    """Organisation title -> the embedded entries that name it in their `leader_of`."""
    from newsgraph.kb import load
    index: dict[str, list[str]] = {}
    for title, entry in load().entries.items():
        for org in entry.get("leader_of") or []:
            if isinstance(org, str):
                index.setdefault(org, []).append(title)
    return index


def _born(title: str) -> Optional[str]:
    """A leader's birth date, so that no one born after the article is named as a leader."""
    from newsgraph import kb
    return (kb.get(title) or {}).get("born")


def _designation_at(designation: str, day: Optional[str]) -> str:
    """"US FTO (2018-2025)" as an article of 2023 could know it: "US FTO (since 2018)"."""
    match = re.search(r"\((\d{4})\s*[-–]\s*(\d{4})\)", designation)
    if day and match and day[:4] < match[2]:
        return designation[:match.start()] + f"(since {match[1]})" + designation[match.end():]
    return designation


def _designated_after(designation: str, day: Optional[str]) -> bool:
    """A designation dated "(2018-2025)" starts after an article of 2017."""
    years = re.findall(r"\b(1[89]\d\d|20\d\d)\b", designation)
    return bool(day and years and day[:4] < years[0])


# --- learned facts -------------------------------------------------------------------------

LEARNED_SCHEMA = """
CREATE TABLE IF NOT EXISTS learned (
    subject TEXT NOT NULL, subject_key TEXT NOT NULL, kb_id TEXT, field TEXT NOT NULL,
    value TEXT NOT NULL, verb TEXT, article_id TEXT NOT NULL, published TEXT,
    start INTEGER NOT NULL, end INTEGER NOT NULL, sentence_start INTEGER NOT NULL,
    sentence_end INTEGER NOT NULL, learned_at TEXT NOT NULL,
    PRIMARY KEY (article_id, field, start));
CREATE INDEX IF NOT EXISTS learned_subject ON learned(subject_key);
CREATE INDEX IF NOT EXISTS learned_kb ON learned(kb_id);
"""


def _learned_rows(keys: set[str], kb_id: Optional[str], exclude: str,
                  day: Optional[str]) -> list[dict]:
    """Facts learned from other articles (published on or before `day`) about these names."""
    from newsgraph.kb import store
    con = store.reader()
    if con is None or not keys:
        return []
    marks = ",".join("?" * len(keys))
    try:
        rows = con.execute(
            f"SELECT field, value, verb, article_id, published, start, end FROM learned "
            f"WHERE (subject_key IN ({marks}) OR kb_id = ?) AND article_id != ? "
            f"ORDER BY published, article_id, start", (*keys, kb_id or "", exclude)).fetchall()
    except sqlite3.OperationalError:    # a store without learned facts
        return []
    return [{"field": f, "value": v, "verb": verb, "article": a, "start": s, "end": e}
            for f, v, verb, a, p, s, e in rows if not (day and p and p > day)]


def _learned_sentences(name: str, rows: list[dict], facts: list[Fact]) -> list[str]:
    sentences, seen = [], set()
    for row in rows:
        facts.append(Fact(row["field"], row["value"],
                          f"article:{row['article']}#{row['start']}-{row['end']}"))
        if row["field"] in seen:
            continue
        seen.add(row["field"])
        sentences.append(_fill(f"learned_{row['field']}", name=name, value=row["value"],
                               verb=row.get("verb") or "is"))
    return [s for s in sentences if s]


# --- the stage -----------------------------------------------------------------------------

def _lead_detail(ent: _Entity, entry: dict, score: float) -> Detail:
    t = templates()
    lead = entry["lead"]
    dump = lead.get("source") or ""
    if dump.startswith("wikipedia:"):
        source = t["sources"]["lead_dump"].format(dump=dump.split(":", 1)[1]
                                                  + (f" of {lead['dump_date']}" if lead.get("dump_date") else ""))
    else:
        source = t["sources"]["lead_vital"]
    title = lead.get("title") or entry["title"]
    text = lead["extract"].strip().split("\n")[0].strip()
    return Detail(entity=ent.id, text=text, facts=[], kb_id=entry.get("title"), kind="lead",
                  source=source, licence=t["licences"]["wikipedia"],
                  url=t["wikipedia_url"].format(title=quote(title.replace(" ", "_"))),
                  dump_date=lead.get("dump_date"), salience=score)


def detail_for(ent: _Entity, members: list[_Entity], score: float, day: Optional[str],
               article_id: str) -> Optional[Detail]:
    """One entity's Detail, or None when neither the KB nor learned facts know it."""
    from newsgraph.kb.embedded import normalise
    t = templates()
    entry = _entry_of(ent, day)
    names = {ent.name, *ent.aliases, *(m.name for m in members)}
    if entry:
        names.add(entry["title"])
    keys = {normalise(n) for n in names if n} - {""}
    learned = _learned_rows(keys, entry["title"] if entry else None, article_id, day)
    if entry is None and not learned:
        return _place_detail(ent, score)
    facts: list[Fact] = []
    sentences: list[str] = []
    if entry is not None:
        sentences = _generated(entry, day, facts)
        if entry.get("lead") and not _is_before(day, _latest_date(entry)):
            detail = _lead_detail(ent, entry, score)
            detail.facts = facts + _learned_facts_only(learned)
            return detail
    if sentences:
        facts += _learned_facts_only(learned)
        source, licence, kind = t["sources"]["generated"], t["licences"]["generated"], "generated"
    else:
        sentences = _learned_sentences(entry["title"] if entry else ent.name, learned, facts)
        if not sentences:
            return None
        articles = ", ".join(sorted({r["article"] for r in learned}))
        source = t["sources"]["learned"].format(articles=articles)
        licence, kind = t["licences"]["learned"], "learned"
    return Detail(entity=ent.id, text=" ".join(sentences), facts=facts,
                  kb_id=entry["title"] if entry else None, kind=kind, source=source,
                  licence=licence, salience=score)


def _place_detail(ent: _Entity, score: float) -> Optional[Detail]:
    """A place the KB lacks, described from its geocoding: kind, region, country, population."""
    t = templates()
    geo = ent.geo or {}
    code = geo.get("feature") or ""
    if not geo.get("geonameid") or geo.get("precision") not in ("city", "point", "admin1"):
        return None
    features = t["place_features"]
    feature = features.get(code) or features.get(code[:3]) or features["default"]
    where = ", ".join(x for x in (geo.get("admin1") if geo.get("admin1") != ent.name else None,
                                  _country_name(geo.get("country"))) if x)
    source = t["place_source"].format(geonameid=geo["geonameid"])
    facts = [Fact("feature", code, source), Fact("coordinates", [geo["lat"], geo["lon"]], source)]
    facts += [Fact(k, geo[k], source) for k in ("admin1", "country", "population") if geo.get(k)]
    population = f"{geo['population']:,}" if geo.get("population") else None
    sentences = [t["place_sentences"]["place"].format(name=ent.name, feature=feature, where=where)
                 if where else None,
                 t["place_sentences"]["population"].format(population=population)
                 if population else None]
    sentences = [x for x in sentences if x]
    if not sentences:
        return None
    return Detail(entity=ent.id, text=" ".join(sentences), facts=facts, kind="generated",
                  source=t["sources"]["place"], licence=t["licences"]["place"], salience=score)


def _learned_facts_only(rows: list[dict]) -> list[Fact]:
    return [Fact(r["field"], r["value"], f"article:{r['article']}#{r['start']}-{r['end']}")
            for r in rows]


def write_details(rec: Union[Record, dict], document=None, limit: Optional[int] = None) -> list[Detail]:
    """Details for the article's main entities, most salient first (at most `limit`)."""
    article = _article(rec)
    limit = limit or templates()["salience"]["limit"]
    per_type = templates()["salience"]["max_per_type"]
    out: list[Detail] = []
    kinds: dict[str, int] = {}
    for ent, score, members in main_entities(article):
        if kinds.get(ent.type, 0) >= per_type.get(ent.type, limit):
            continue
        detail = detail_for(ent, members, score, article.published, article.id)
        if detail is not None:
            out.append(detail)
            kinds[ent.type] = kinds.get(ent.type, 0) + 1
        if len(out) >= limit:
            break
    return out


# --- kb learn --------------------------------------------------------------------------------

def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of one background paragraph, from the spaCy parse of that paragraph."""
    from . import nlp
    doc = nlp.parse(text[start:end])
    spans = []
    for sent in doc.sents:
        s = start + sent.start_char
        e = start + sent.end_char
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for match in re.finditer(r"\n\s*\n", text[start:end]):
        out.append((pos, start + match.start()))
        pos = start + match.end()
    out.append((pos, end))
    return [(s, e) for s, e in out if text[s:e].strip()]


def background_facts(rec: Union[Record, dict]) -> list[dict]:
    """Facts stated by the record's background sections, each with the offsets of its value
    and of its sentence: {subject, field, value, verb, start, end, sentence_start, sentence_end}."""
    article = _article(rec)
    rules = learn_rules()
    subject_re, patterns = rules["subject"], rules["facts"]
    text = article.text
    found = []
    for kind, s_start, s_end in article.sections:
        if kind != "background":
            continue
        for p_start, p_end in _paragraphs(text, s_start, s_end):
            subject = None
            for start, end in _sentences(text, p_start, p_end):
                sentence = text[start:end]
                opening = subject_re.match(sentence)
                if subject is None:
                    if not opening:
                        break       # a paragraph whose topic we cannot name teaches nothing
                    subject = opening["subject"]
                first_word = sentence.split(maxsplit=1)[0] if sentence.split() else ""
                on_topic = (first_word in rules["pronouns"] or sentence.startswith(subject + " ")
                            or bool(opening and opening["subject"] == subject))
                for field, regexes in patterns.items():
                    if field in rules["about_subject"] and not on_topic:
                        continue
                    for regex in regexes:
                        m = regex.search(sentence)
                        if not m or not m["value"].strip():
                            continue
                        value = m["value"].rstrip(" ,")
                        if value == subject:    # "Sinjar is the capital" of a paragraph on Sinjar
                            continue
                        v_start = start + m.start("value")
                        found.append({"subject": subject, "field": field, "value": value,
                                      "verb": m.groupdict().get("verb"),
                                      "start": v_start, "end": v_start + len(value),
                                      "sentence_start": start, "sentence_end": end})
                        break
    return found


def learn(rec: dict, kb_path: Optional[Path] = None) -> list[dict]:
    """Store the background facts of a stored record in the KB store; returns them."""
    from newsgraph import kb
    from newsgraph.kb import store
    from newsgraph.kb.embedded import normalise
    facts = background_facts(rec)
    con = store.connect(kb_path)
    try:
        con.executescript(LEARNED_SCHEMA)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with con:
            for f in facts:
                hits = [c for c in kb.lookup(f["subject"], limit=3) if c.match in ("title", "alias")]
                f["kb_id"] = hits[0].id if hits else None
                f["article"] = rec["id"]
                con.execute("INSERT OR REPLACE INTO learned VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            (f["subject"], normalise(f["subject"]), f["kb_id"], f["field"],
                             f["value"], f["verb"], rec["id"], rec.get("published"), f["start"],
                             f["end"], f["sentence_start"], f["sentence_end"], now))
    finally:
        con.close()
    return facts


# --- output ----------------------------------------------------------------------------------

def as_dicts(details: list) -> list[dict]:
    from dataclasses import asdict, is_dataclass
    return [asdict(d) if is_dataclass(d) else d for d in details]


def details_markdown(details: list, entities: Optional[list] = None) -> str:
    """A `## Details` section: one paragraph per entity, then its source line."""
    names = {}
    for e in entities or []:
        names[e["id"] if isinstance(e, dict) else e.id] = e["name"] if isinstance(e, dict) else e.name
    parts = ["## Details"]
    for d in as_dicts(details):
        head = d.get("kb_id") or names.get(d["entity"], d["entity"])
        source = f"Source: {d['source']}; licence: {d['licence']}"
        if d.get("url"):
            source += f"; {d['url']}"
        parts.append(f"**{head}** — {d['text']}\n\n*{source}*")
    if len(parts) == 1:
        parts.append("No background: the knowledge base knows none of the main entities.")
    return "\n\n".join(parts) + "\n"
