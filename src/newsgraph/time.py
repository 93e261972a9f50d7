"""Dates: every time expression of an article, normalised against its published date.

`find_dates(doc, published)` finds time expressions with patterns built from the word lists
in time_words.yaml, checks doubtful ones (a bare year, a bare month name) against the spaCy
Doc's entities and tags, and normalises each to a TIMEX3 type and value plus the calendar
range it covers (start/end, ISO dates). Relative expressions count from the published date
("yesterday", "last week", "three days ago") or from the last date mentioned before them
("two days later", "the next day"). A weekday or a month without a year is placed by the
tense of the verb that governs it: in a past-tense clause never after publication, in a
future-tense clause never before it, otherwise on the nearest match, news being mostly about
the past. Three cases carry no tense for this purpose and take the nearest match: a deadline
("until Tuesday"), the complement of a scheduling verb ("was planned for late October") and a
noun's modifier ("the Feb. 9 deadline"). Without a published date absolute dates still resolve
and relative ones keep X's in their value (TIMEX3 style).

Values follow the TempEval-3 annotations the stage is scored on: "Friday night" is the day
(2025-03-07), "the 1990s" is 199, "early March" is 2025-03 with the first ten days as its range,
"for the fifth consecutive day" is P5D ending on the published day.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

import yaml

from .record import DateExpr, Span

WORDS_FILE = Path(__file__).with_name("time_words.yaml")


@lru_cache(maxsize=1)
def words() -> dict:
    with open(WORDS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# ---------------------------------------------------------------- regex building blocks

def _alt(items, capitalised: bool = False) -> str:
    """A regex matching any of `items` (as a prefix trie, which Python's re scans much faster
    than a flat alternation); spaces match any run of whitespace."""
    forms = set()
    for item in items:
        item = str(item)
        if capitalised:
            forms.update({item[:1].upper() + item[1:], item.upper()})
        else:
            forms.add(item)
    trie: dict = {}
    for form in forms:
        node = trie
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    ends = "" in node
    branches = []
    for ch in sorted(k for k in node if k):
        atom = r"\s+" if ch == " " else re.escape(ch)
        branches.append(atom + _trie_regex(node[ch]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        # Greedy optional: the longest form is tried first, as in a longest-first alternation.
        return "(?:" + body + ")?"
    return body if len(branches) == 1 else body


@lru_cache(maxsize=1)
def _blocks() -> dict:
    w = words()
    month_full = [m for m in w["months"] if len(m) > 4 or m in ("may", "june", "july")]
    month_abbr = [m for m in w["months"] if m not in month_full]
    wd_full = [d for d in w["weekdays"] if d.endswith("day")]
    wd_abbr = [d for d in w["weekdays"] if d not in wd_full and len(d) >= 3 and d not in ("sun", "sat", "mon")]
    units = list(w["units"]) + list(w["unit_plurals"])
    b = {}
    # Month names capitalised only ("may" the modal, "march" the verb never match).
    b["MONTH"] = ("(?-i:" + _alt(month_full, True) + r"\b|" + _alt(month_abbr, True) + r"\b\.?)")
    b["WD"] = ("(?-i:" + _alt(wd_full, True) + r"\b|" + _alt(wd_abbr, True) + r"\.)")
    b["DAY"] = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b"
    b["YEAR"] = r"(?:1[0-9]{3}|20[0-9]{2})\b"
    b["UNIT"] = "(?:" + _alt(units) + r"(?:s\b|\b))"
    numwords = [n for n in w["numbers"]]
    tens = [n for n, v in w["numbers"].items() if v in (20, 30, 40, 50, 60, 70, 80, 90)]
    ones = [n for n, v in w["numbers"].items() if 1 <= v <= 9 and n not in ("a", "an")]
    b["NUM"] = (r"(?:\d+\s+1/2\b|" + _alt(tens) + r"[\s-]+" + _alt(ones) + r"\b|\d+(?:\.\d+)?\b|"
                + _alt(numwords) + r"\b|" + _alt(w["vague_numbers"]) + r"\b)")
    b["ORD"] = ("(?:" + _alt(w["ordinals"]) + r"\b|\d+(?:st|nd|rd|th)\b)")
    b["APPROX"] = _alt(w["approximators"]) + r"\b"
    b["CONSEC"] = _alt(w["consecutive"]) + r"\b"
    b["SEASON"] = _alt(w["seasons"]) + r"\b"
    b["PART"] = _alt(w["day_parts"]) + r"\b"
    b["VAGUE"] = _alt(w["vague_parts"]) + r"\b"
    b["SHIFT"] = _alt(w["shifts"]) + r"\b"
    b["DIR"] = _alt(w["directions"]) + r"\b"
    b["RELDAY"] = _alt(w["relative_days"]) + r"\b"
    b["ANCHORED"] = _alt(w["anchored_days"]) + r"\b"
    b["REF"] = _alt(w["references"]) + r"\b"
    b["VDUR"] = _alt(w["vague_durations"]) + r"\b"
    b["SETW"] = _alt(w["sets"]) + r"\b"
    b["HOLIDAY"] = _alt(w["holidays"]) + r"\b"
    b["TZ"] = "(?-i:" + _alt([z.upper() for z in w["time_zones"]]) + r")\b"
    b["CLOCK"] = (r"(?:\d{1,2}(?::\d{2})?\s*(?:a\.m\.?|p\.m\.?|am\b|pm\b)|\d{1,2}:\d{2}\b"
                  r"|(?:[01]\d|2[0-3])[0-5]\d(?=\s*(?-i:GMT|UTC|Z)\b)|noon\b|midnight\b|midday\b)")
    return b


# Pattern name -> regex template. Longer matches win over shorter ones; on equal length the
# earlier pattern wins. Handlers with the same name normalise what the pattern matched.
PATTERNS = [
    ("clock", r"(?P<clock>{CLOCK})(?:\s*\(?(?P<tz>{TZ})(?:\s*[+-]\d+\))?)?"
              r"(?:\s+(?:(?:on\s+)?(?P<wd>{WD})|(?P<rel>today|tonight|yesterday|tomorrow)\b))?"),
    ("md", r"(?:(?P<shift>last|next|this)\s+)?(?:(?P<wd>{WD}),?\s+)?(?P<month>{MONTH})\s+(?P<day>{DAY})(?!\s*(?:{UNIT}\b|%|:\d))(?:,?\s+(?P<year>{YEAR}))?"),
    ("dm", r"(?:(?P<shift>last|next|this)\s+)?(?:(?P<wd>{WD}),?\s+)?(?:the\s+)?(?P<day>{DAY})\s+(?:of\s+)?(?P<month>{MONTH})(?:,?\s+(?P<year>{YEAR}))?"),
    ("iso", r"\b(?P<year>(?:1[89]|20)\d\d)-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])\b"),
    ("slash", r"\b(?P<month>0?[1-9]|1[0-2])/(?P<day>0?[1-9]|[12]\d|3[01])/(?P<year>(?:1[89]|20)\d\d|\d\d)\b"),
    ("month", r"(?:(?P<shift>{SHIFT})\s+|(?P<vague>{VAGUE})(?:\s+of)?[\s-]+|(?P<midd>mid-))?"
              r"(?P<month>{MONTH})(?:,?\s+(?:of\s+)?(?P<year>{YEAR})|\s+(?:of\s+)?(?P<yshift>this|last|next)\s+year\b)?"),
    ("decade", r"(?:the\s+)?(?:(?P<vague>{VAGUE})[\s-]+|mid-)?(?P<decade>(?:1[0-9]|20)?\d0|['’]\d0)s\b"),
    ("year", r"(?:(?P<vague>{VAGUE})[\s-]+(?:of\s+)?|(?P<midd>mid-))?(?P<year>{YEAR})(?![-/]\d|\s*%|,\d)"),
    ("century", r"(?:the\s+)?(?P<ord>{ORD})\s+century\b"),
    ("season", r"(?:(?P<shift>{SHIFT})\s+|(?P<vague>{VAGUE})[\s-]+|the\s+)?(?P<season>{SEASON})"
               r"(?:\s+(?:of\s+)?(?P<year>{YEAR}))?"),
    ("quarter", r"(?:the\s+)?(?P<ord>{ORD})[\s-]+quarter\b(?:\s+of\s+(?:(?P<shift>{SHIFT})\s+year\b|"
                r"(?P<year>{YEAR})|the\s+year\b)|\s+(?P<year2>{YEAR}))?"),
    ("qcode", r"\b(?-i:Q(?P<q>[1-4]))(?:\s+(?P<year>{YEAR}))?"),
    ("weekday", r"(?:(?P<shift>last|next|this|coming|past)\s+|(?P<vague>early|late)\s+)?(?P<wd>{WD})"
                r"(?:\s+(?P<part>{PART}))?"),
    ("relday", r"(?:(?P<vague>earlier|later|early|late)\s+)?(?P<rel>{RELDAY})(?:\s+(?P<part>{PART}))?"),
    ("daypart", r"(?P<shift>this|last|tomorrow|yesterday)\s+(?P<part>{PART})"),
    ("anchored", r"(?P<anch>{ANCHORED})"),
    ("week_of", r"(?:the\s+)?(?:(?P<ord>first|second|third|fourth|last|final)\s+)?week\s+of\s+(?P<month>{MONTH})"
                r"(?:\s+(?P<day>{DAY}))?(?:,?\s+(?P<year>{YEAR}))?"),
    ("that_unit", r"(?:(?P<vague>earlier|later)\s+)?(?P<that>that|the\s+same|the\s+following|the\s+previous|"
                  r"the\s+next|the\s+prior)\s+(?P<unit>week|month|year)\b"),
    ("offset", r"(?:(?P<approx>{APPROX})\s+)?(?P<num>{NUM})[\s-]+(?P<unit>{UNIT})\s+(?P<dir>{DIR})"),
    ("weekend", r"the\s+weekend\b"),
    ("shift_unit", r"(?:(?P<vague>earlier|later|early|late|mid)[\s-]+)?(?:the\s+)?(?P<shift>{SHIFT})\s+"
                   r"(?P<unit>week(?:end)?|month|quarter|year|decade|century)\b(?!\s*(?:old|-old))"),
    ("part_of", r"the\s+(?P<vague>{VAGUE})\s+of\s+(?:(?P<shift>{SHIFT})\s+|the\s+)(?P<unit>week|month|year|decade)\b"),
    ("duration", r"(?:(?P<span>the\s+(?:past|last|next|first|coming|previous|following)|past|last|next)\s+)?"
                 r"(?:(?P<approx>{APPROX})\s+)?(?P<num>{NUM})(?:\s+more)?(?:\s+(?P<consec>{CONSEC}))?"
                 r"[\s-]+(?P<unit>{UNIT})(?![\s-]+old)(?:[\s-]+long\b)?"),
    ("consecutive", r"(?:the\s+|a\s+)?(?P<ord>{ORD})\s+(?P<consec>{CONSEC})\s+(?P<unit>{UNIT})"),
    ("vague_dur", r"(?:the\s+)?(?P<vd>{VDUR})\s+(?P<unit>{UNIT})"),
    ("unit_long", r"(?P<unit>days|weeks|months|years|decades)-long\b"),
    ("bare_units", r"(?:(?<=\bfor )|(?<=\bover )|(?<=\bin )|(?<=\bwithin ))(?P<unit>hours|days|weeks|months|years|decades)\b(?!\s+(?:of|ago|later|earlier|before|after))"),
    ("ref", r"(?P<ref>{REF})"),
    ("set", r"(?P<setw>{SETW})|(?:every|each)\s+(?:(?P<num>{NUM})\s+)?(?P<unit>{UNIT})|(?:every|each)\s+(?P<wd>{WD})"),
    ("freq", r"(?:once|twice|(?P<num>{NUM})\s+times)\s+(?:a|an|per|each|every)\s+(?P<unit>{UNIT})"),
    ("holiday", r"(?:(?P<shift>last|next|this)\s+)?(?P<hol>{HOLIDAY})(?:\s+(?P<year>{YEAR}))?"),
]


@lru_cache(maxsize=1)
def _compiled():
    b = _blocks()
    out = []
    for name, template in PATTERNS:
        rx = template
        for key, val in b.items():
            rx = rx.replace("{" + key + "}", val)
        out.append((name, re.compile(r"(?<![\w-])(?:" + rx + r")(?![\w])" if name not in ("clock",) else
                                     r"(?<![\w:.])(?:" + rx + r")", re.I)))
    return out


# ---------------------------------------------------------------- calendar helpers

def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _iso(d: Optional[date]) -> Optional[str]:
    return d.isoformat() if d else None


def _easter(y: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return date(y, month, day)


def _nth_weekday(y: int, m: int, wd: int, n: int) -> date:
    """The n-th ISO weekday `wd` of a month (n = -1 for the last one)."""
    if n > 0:
        first = date(y, m, 1)
        return first + timedelta(days=(wd - first.isoweekday()) % 7 + 7 * (n - 1))
    last = _month_end(y, m)
    return last - timedelta(days=(last.isoweekday() - wd) % 7)


HOLIDAY_RULES: dict[str, Callable[[int], date]] = {
    "easter": _easter,
    "thanksgiving": lambda y: _nth_weekday(y, 11, 4, 4),
    "labor_day": lambda y: _nth_weekday(y, 9, 1, 1),
    "memorial_day": lambda y: _nth_weekday(y, 5, 1, -1),
    "us_election_day": lambda y: _nth_weekday(y, 11, 1, 1) + timedelta(days=1),
}


@dataclass
class Value:
    """A normalised expression before it becomes a DateExpr."""
    value: str
    type: str
    precision: str
    start: Optional[date] = None
    end: Optional[date] = None


def _day(d: date) -> Value:
    return Value(d.isoformat(), "DATE", "day", d, d)


def _week(d: date) -> Value:
    y, w, _ = d.isocalendar()
    monday = d - timedelta(days=d.isoweekday() - 1)
    return Value(f"{y}-W{w:02d}", "DATE", "week", monday, monday + timedelta(days=6))


def _month(y: int, m: int) -> Value:
    return Value(f"{y:04d}-{m:02d}", "DATE", "month", date(y, m, 1), _month_end(y, m))


def _quarter(y: int, q: int) -> Value:
    return Value(f"{y:04d}-Q{q}", "DATE", "quarter", date(y, 3 * q - 2, 1), _month_end(y, 3 * q))


def _year(y: int) -> Value:
    return Value(f"{y:04d}", "DATE", "year", date(y, 1, 1), date(y, 12, 31))


def _decade(y0: int) -> Value:
    return Value(f"{y0 // 10:03d}", "DATE", "decade", date(y0, 1, 1), date(y0 + 9, 12, 31))


def _season(y: int, name: str) -> Value:
    s = words()["seasons"][name]
    months = s["months"]
    start = date(y, months[0], 1)
    end_y = y + 1 if months[-1] < months[0] else y
    return Value(f"{y:04d}-{s['code']}", "DATE", "season", start, _month_end(end_y, months[-1]))


def _unit_value(unit: str, d: date) -> Value:
    """The calendar unit of kind `unit` that contains day d."""
    if unit in ("week", "fortnight"):
        return _week(d)
    if unit == "month":
        return _month(d.year, d.month)
    if unit == "quarter":
        return _quarter(d.year, (d.month - 1) // 3 + 1)
    if unit == "year":
        return _year(d.year)
    if unit == "decade":
        return _decade(d.year - d.year % 10)
    if unit == "century":
        c = d.year // 100
        return Value(f"{c:02d}", "DATE", "range", date(c * 100, 1, 1), date(c * 100 + 99, 12, 31))
    return _day(d)


def _shift(d: date, unit: str, n: int) -> date:
    u = words()["units"].get(unit, {})
    if "months" in u:
        return _add_months(d, n * u["months"])
    return d + timedelta(days=n * u.get("days", 1))


def _unit_name(text: str) -> str:
    t = re.sub(r"\s+", " ", text.lower()).rstrip("s") if text else ""
    plurals = words()["unit_plurals"]
    if text and text.lower() in plurals:
        return plurals[text.lower()]
    return t


def _number(text: Optional[str]) -> Optional[float]:
    """A cardinal as a number; None for vague quantities ("several")."""
    if text is None:
        return 1
    t = re.sub(r"\s+", " ", text.lower().strip())
    nums = words()["numbers"]
    if t in nums:
        return nums[t]
    try:
        return float(t.replace(",", ""))
    except ValueError:
        pass
    if t.endswith(" 1/2") and t[:-4].isdigit():
        return int(t[:-4]) + 0.5
    parts = re.split(r"[\s-]+", t)
    if len(parts) == 2 and all(p in nums for p in parts):
        return nums[parts[0]] + nums[parts[1]]
    return None


def _ordinal(text: str) -> Optional[int]:
    t = text.lower()
    ords = words()["ordinals"]
    if t in ords:
        return ords[t]
    m = re.match(r"(\d+)", t)
    return int(m.group(1)) if m else None


def _duration_value(n: Optional[float], unit: str) -> str:
    u = words()["units"][unit]
    code = u["code"]
    if n is None:
        return f"P{'T' if u.get('time') else ''}X{'DE' if unit == 'decade' else code}"
    n = n * u.get("factor", 1)
    if n != int(n):
        if u.get("time") and code == "H":
            return f"PT{int(n)}H{int(round((n - int(n)) * 60))}M"
        return f"P{'T' if u.get('time') else ''}{n:g}{code}"
    return f"P{'T' if u.get('time') else ''}{int(n)}{code}"


# ---------------------------------------------------------------- tense from the parse

def _tense(doc, start: int, end: int) -> Optional[str]:
    """'past', 'future' or None for the clause governing the characters start..end."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    if any(t.lower_ == "ago" for t in span):
        return "past"
    if span.start > 0 and doc[span.start - 1].lower_ in words()["deadline_words"]:
        return None         # "extended the deadline until Tuesday": a deadline, not a report
    tok = span.root
    for _ in range(10):
        if tok.pos_ in ("VERB", "AUX") and not (tok.dep_ in ("aux", "auxpass")):
            break
        if tok.head is tok:
            break
        if tok.dep_ in ("compound", "nmod", "poss", "amod", "nummod") and tok.head.pos_ in ("NOUN", "PROPN"):
            return None     # "the Feb. 9 deadline": a noun's modifier, not the verb's time
        tok = tok.head
    if tok.pos_ not in ("VERB", "AUX"):
        return None
    if tok.lemma_.lower() in words()["forward_verbs"]:
        return None         # "was planned for late October" points forward from a past verb
    auxes = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    low = {a.lower_ for a in auxes}
    if low & {"will", "'ll", "shall", "wo"} or any(a.lower_ == "going" for a in auxes):
        return "future"
    if tok.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes):
        return "past"
    if tok.tag_ == "VBN" and any(a.lemma_ == "have" for a in auxes):
        return "past"
    if tok.tag_ == "VB" and "to" in low:
        return "infinitive"  # "plans to meet on Monday": no report of the past; nearest day
    return None


def _place(candidates: list[Value], dct: date, tense: Optional[str]) -> Value:
    """Pick among occurrences of a year-less expression by tense (see module doc)."""
    if tense == "past":
        ok = [c for c in candidates if c.start <= dct]
        return max(ok, key=lambda c: c.start) if ok else candidates[0]
    if tense == "future":
        ok = [c for c in candidates if c.end >= dct]
        return min(ok, key=lambda c: c.start) if ok else candidates[-1]

    def distance(c: Value) -> float:
        # News reports mostly look back: a future occurrence must be clearly nearer to win.
        if c.start <= dct <= c.end:
            return 0
        if c.start > dct:
            return (c.start - dct).days * 1.5
        return (dct - c.end).days
    return min(candidates, key=distance)


def _weekday(dct: date, wd: int, tense: Optional[str], shift: Optional[str]) -> date:
    back = (dct.isoweekday() - wd) % 7
    fwd = (wd - dct.isoweekday()) % 7
    if shift == "last" or shift == "past":
        return dct - timedelta(days=back or 7)
    if shift in ("next", "coming"):
        return dct + timedelta(days=fwd or 7)
    if shift == "this":
        return dct - timedelta(days=dct.isoweekday() - wd)
    if tense == "past":
        return dct - timedelta(days=back)
    if tense == "future":
        return dct + timedelta(days=fwd)
    if tense == "infinitive":
        return dct + timedelta(days=fwd) if fwd < back else dct - timedelta(days=back)
    # No tense to go by: news mostly reports the past, so only "tomorrow's" weekday is ahead.
    return dct + timedelta(days=1) if fwd == 1 else dct - timedelta(days=back)


# ---------------------------------------------------------------- normalisation

@dataclass
class Context:
    dct: Optional[date]
    anchor: Optional[date]      # start of the last date mentioned (day precision or coarser)
    tense: Optional[str]
    anchor_any: Optional[date] = None   # start of the last date of any precision


def _vague_range(v: Value, vague: Optional[str]) -> Value:
    """'early March' -> the first ten days of March; the value stays March (TIMEX3 mod)."""
    if not vague or v.start is None:
        return v
    key = vague.lower().rstrip("-")
    part = words()["vague_parts"].get(key)
    if part is None:
        return v
    if v.precision == "month":
        a, b = part["month_days"]
        end = v.end if b == "end" else date(v.start.year, v.start.month, b)
        return Value(v.value, v.type, "range", date(v.start.year, v.start.month, a), end)
    if v.precision == "year":
        a, b = part["year_months"]
        return Value(v.value, v.type, "range", date(v.start.year, a, 1), _month_end(v.start.year, b))
    if v.precision == "decade":
        a, b = part["decade_years"]
        y0 = v.start.year
        return Value(v.value, v.type, "range", date(y0 + a, 1, 1), date(y0 + b, 12, 31))
    return v


def _month_num(text: str) -> int:
    return words()["months"][text.lower().rstrip(".")]


def _wd_num(text: str) -> int:
    return words()["weekdays"][text.lower().rstrip(".")]


def _full_year(y: str) -> int:
    if len(y) == 2:
        n = int(y)
        return 2000 + n if n < 50 else 1900 + n
    return int(y)


def _h_md(m, ctx: Context) -> Optional[Value]:
    month, day = _month_num(m["month"]), int(re.match(r"\d+", m["day"]).group())
    shift = (m.groupdict().get("shift") or "").lower()
    if shift in ("last", "next"):
        ctx = Context(ctx.dct, ctx.anchor, "past" if shift == "last" else "future",
                      ctx.anchor_any)
    if m["year"]:
        y = _full_year(m["year"])
        try:
            return _day(date(y, month, day))
        except ValueError:
            return None
    if m.groupdict().get("wd") and ctx.dct:
        # "Friday, March 7": the year in which March 7 is a Friday, nearest the document date.
        wd = _wd_num(m["wd"])
        for y in (ctx.dct.year, ctx.dct.year - 1, ctx.dct.year + 1):
            try:
                d = date(y, month, day)
            except ValueError:
                continue
            if d.isoweekday() == wd:
                return _day(d)
    if ctx.dct is None:
        return Value(f"XXXX-{month:02d}-{day:02d}", "DATE", "day")
    cands = []
    for y in (ctx.dct.year - 1, ctx.dct.year, ctx.dct.year + 1):
        try:
            cands.append(_day(date(y, month, day)))
        except ValueError:
            pass
    return _place(cands, ctx.dct, ctx.tense) if cands else None


_h_dm = _h_md


def _h_iso(m, ctx):
    try:
        return _day(date(int(m["year"]), int(m["month"]), int(m["day"])))
    except ValueError:
        return None


def _h_slash(m, ctx):
    try:
        return _day(date(_full_year(m["year"]), int(m["month"]), int(m["day"])))
    except ValueError:
        return None


def _h_month(m, ctx):
    month = _month_num(m["month"])
    vague = m["vague"] or ("mid" if m["midd"] else None)
    if m["year"]:
        return _vague_range(_month(int(m["year"]), month), vague)
    if ctx.dct is None:
        return Value(f"XXXX-{month:02d}", "DATE", "month")
    if m["yshift"]:
        # "June next year", "October of last year"
        year = ctx.dct.year + words()["shifts"][m["yshift"].lower()]
        return _vague_range(_month(year, month), vague)
    cands = [_month(y, month) for y in (ctx.dct.year - 1, ctx.dct.year, ctx.dct.year + 1)]
    shift = (m["shift"] or "").lower()
    tense = ctx.tense
    if shift in ("last", "past", "previous"):
        ok = [c for c in cands if c.end < ctx.dct]
        v = max(ok, key=lambda c: c.start)
    elif shift in ("next", "coming", "following"):
        ok = [c for c in cands if c.start > ctx.dct]
        v = min(ok, key=lambda c: c.start)
    elif shift in ("this", "current"):
        v = cands[1]
    else:
        v = _place(cands, ctx.dct, tense)
    return _vague_range(v, vague)


def _h_decade(m, ctx):
    d = m["decade"].lstrip("'’")
    if len(d) == 2:
        # "the '80s" / "the 90s": the decade of the last century unless it is still to come.
        y0 = 1900 + int(d)
        if ctx.dct and 2000 + int(d) <= ctx.dct.year:
            y0 = 2000 + int(d)
    else:
        y0 = int(d)
    if y0 % 10:
        return None
    vague = m["vague"] or ("mid" if "mid-" in m.group(0).lower() else None)
    return _vague_range(_decade(y0), vague)


def _h_year(m, ctx):
    vague = m["vague"] or ("mid" if m["midd"] else None)
    return _vague_range(_year(int(m["year"])), vague)


def _h_century(m, ctx):
    n = _ordinal(m["ord"])
    if not n or n > 21:
        return None
    c = n - 1
    return Value(f"{c:02d}", "DATE", "range", date(max(c * 100, 1), 1, 1), date(c * 100 + 99, 12, 31))


def _h_season(m, ctx):
    name = m["season"].lower()
    if m["year"]:
        return _vague_range(_season(int(m["year"]), name), None)
    code = words()["seasons"][name]["code"]
    if ctx.dct is None:
        return Value(f"XXXX-{code}", "DATE", "season")
    y = ctx.dct.year
    cands = [_season(yy, name) for yy in (y - 2, y - 1, y, y + 1)]
    shift = (m["shift"] or "").lower()
    if shift in ("last", "past", "previous"):
        return max((c for c in cands if c.end < ctx.dct), key=lambda c: c.start)
    if shift in ("next", "coming", "following"):
        return min((c for c in cands if c.start > ctx.dct), key=lambda c: c.start)
    if shift in ("this", "current"):
        cur = [c for c in cands if c.start <= ctx.dct <= c.end]
        return cur[0] if cur else _season(y, name)
    return _place(cands, ctx.dct, ctx.tense)


def _h_quarter(m, ctx):
    word = m["ord"].lower()
    year = m["year"] or m["year2"]
    shift = (m["shift"] or "").lower()
    if word in ("last", "final") and not year and not shift and "of the year" not in m.group(0).lower():
        if ctx.dct is None:
            return Value("XXXX-QX", "DATE", "quarter")
        prev = _add_months(date(ctx.dct.year, ctx.dct.month, 1), -3)
        return _unit_value("quarter", prev)
    q = _ordinal(word)
    if not q or q > 4:
        return None
    if year:
        return _quarter(int(year), q)
    if ctx.dct is None:
        return Value(f"XXXX-Q{q}", "DATE", "quarter")
    y = ctx.dct.year + words()["shifts"].get(shift, 0) if shift else ctx.dct.year
    if not shift and ctx.tense == "past" and _quarter(y, q).start > ctx.dct:
        y -= 1
    return _quarter(y, q)


def _h_qcode(m, ctx):
    q = int(m["q"])
    if m["year"]:
        return _quarter(int(m["year"]), q)
    if ctx.dct is None:
        return Value(f"XXXX-Q{q}", "DATE", "quarter")
    return _quarter(ctx.dct.year, q)


def _h_weekday(m, ctx):
    wd = _wd_num(m["wd"])
    shift = (m["shift"] or "").lower() or None
    if ctx.dct is None:
        return Value(f"XXXX-WXX-{wd}", "DATE", "day")
    return _day(_weekday(ctx.dct, wd, ctx.tense, shift))


def _h_relday(m, ctx):
    rel = re.sub(r"\s+", " ", m["rel"].lower())
    if ctx.dct is None:
        return Value("XXXX-XX-XX", "DATE", "day")
    return _day(ctx.dct + timedelta(days=words()["relative_days"][rel]))


def _h_daypart(m, ctx):
    shift = m["shift"].lower()
    offset = {"this": 0, "last": -1 if m["part"].lower() in ("night", "overnight") else 0,
              "yesterday": -1, "tomorrow": 1}[shift]
    if shift == "last" and m["part"].lower() not in ("night", "overnight"):
        return None
    if ctx.dct is None:
        return Value("XXXX-XX-XX", "DATE", "day")
    return _day(ctx.dct + timedelta(days=offset))


def _h_anchored(m, ctx):
    key = re.sub(r"\s+", " ", m["anch"].lower())
    if ctx.anchor is None:
        return Value("XXXX-XX-XX", "DATE", "day")
    return _day(ctx.anchor + timedelta(days=words()["anchored_days"][key]))


def _h_week_of(m, ctx):
    """'the last week of March' / 'the week of March 6': an ISO week inside that month."""
    month_match = {"month": m["month"], "year": m["year"], "vague": None, "midd": None, "shift": None,
                   "yshift": None}
    month = _h_month(month_match, ctx)
    if month is None or month.start is None:
        return Value("XXXX-WXX", "DATE", "week")
    if m["day"]:
        return _week(date(month.start.year, month.start.month, int(re.match(r"\d+", m["day"]).group())))
    if not m["ord"]:
        return None
    n = _ordinal(m["ord"])
    if m["ord"].lower() in ("last", "final"):
        return _week(month.end - timedelta(days=3))     # the week holding the month's last Thursday
    first_thursday = month.start + timedelta(days=(4 - month.start.isoweekday()) % 7)
    return _week(first_thursday + timedelta(days=7 * (n - 1)))


def _h_that_unit(m, ctx):
    unit = m["unit"].lower()
    that = re.sub(r"\s+", " ", m["that"].lower())
    step = {"that": 0, "the same": 0, "the following": 1, "the next": 1, "the previous": -1,
            "the prior": -1}[that]
    if ctx.anchor_any is None:
        return Value({"week": "XXXX-WXX", "month": "XXXX-XX"}.get(unit, "XXXX"), "DATE", unit)
    return _unit_value(unit, _shift(ctx.anchor_any, unit, step))


def _h_offset(m, ctx):
    unit = _unit_name(m["unit"])
    n = _number(m["num"])
    direction = words()["directions"][re.sub(r"\s+", " ", m["dir"].lower())]
    base = ctx.dct if direction["from"] == "dct" else ctx.anchor
    if unit in words()["units"] and words()["units"][unit].get("time") and n is not None:
        return Value(_duration_value(n, unit), "DURATION", "duration")
    if n is None or n != int(n) or base is None or unit not in words()["units"]:
        kind = {"day": "XXXX-XX-XX", "week": "XXXX-WXX", "month": "XXXX-XX"}.get(unit, "XXXX")
        return Value(kind, "DATE", "day" if unit == "day" else unit if unit in ("week", "month", "year") else "year")
    u = words()["units"][unit]
    if u.get("time"):
        # "an hour later": TimeML marks the quantity, a duration.
        return Value(_duration_value(n, unit), "DURATION", "duration")
    d = _shift(base, unit, direction["sign"] * int(n))
    if unit in ("decade", "century"):
        return _year(d.year)
    if unit in ("day", "night", "weekend"):
        return _day(d)
    return _unit_value(unit, d)


def _h_shift_unit(m, ctx):
    unit = m["unit"].lower()
    shift = m["shift"].lower()
    step = words()["shifts"][shift]
    the_past = shift == "past" and m.group(0).lower().lstrip().startswith(("the", "past"))
    if the_past and unit not in ("weekend",):
        # "the past year": a duration that ends at publication.
        end = ctx.dct
        start = _shift(end, unit, -1) + timedelta(days=1) if end else None
        return Value(_duration_value(1, unit), "DURATION", "duration", start, end)
    if ctx.dct is None:
        return Value({"week": "XXXX-WXX", "month": "XXXX-XX", "quarter": "XXXX-QX"}.get(unit, "XXXX"),
                     "DATE", "week" if unit == "weekend" else unit if unit in ("week", "month", "quarter", "year") else "year")
    if unit == "weekend":
        sat = ctx.dct - timedelta(days=(ctx.dct.isoweekday() - 6) % 7)   # last Saturday on/before
        if step > 0 or (step == 0 and ctx.tense == "future"):
            sat = ctx.dct + timedelta(days=(6 - ctx.dct.isoweekday()) % 7 or 7)
        y, w, _ = sat.isocalendar()
        return Value(f"{y}-W{w:02d}-WE", "DATE", "week", sat, sat + timedelta(days=1))
    v = _unit_value(unit, _shift(ctx.dct, unit, step))
    vague = m["vague"]
    if vague:
        key = vague.lower()
        if key in ("earlier", "later"):
            # "earlier this year": the part of the unit before / after publication.
            if step == 0:
                if key == "earlier":
                    return Value(v.value, v.type, "range", v.start, ctx.dct)
                return Value(v.value, v.type, "range", ctx.dct, v.end)
            return v
        if v.precision == "week":
            third = {"early": (0, 2), "mid": (2, 4), "late": (4, 6)}[key]
            return Value(v.value, v.type, "range", v.start + timedelta(days=third[0]),
                         v.start + timedelta(days=third[1]))
        return _vague_range(v, key)
    return v


def _h_weekend(m, ctx):
    """'the weekend': the one before publication, or the next one in a future-tense clause."""
    if ctx.dct is None:
        return Value("XXXX-WXX-WE", "DATE", "week")
    if ctx.tense == "future":
        sat = ctx.dct + timedelta(days=(6 - ctx.dct.isoweekday()) % 7 or 7)
    else:
        sat = ctx.dct - timedelta(days=(ctx.dct.isoweekday() - 6) % 7)
    y, w, _ = sat.isocalendar()
    return Value(f"{y}-W{w:02d}-WE", "DATE", "week", sat, sat + timedelta(days=1))


def _h_part_of(m, ctx):
    unit = m["unit"].lower()
    shift = (m["shift"] or "this").lower()
    base = ctx.dct if shift != "this" or ctx.anchor is None or not m.group(0).lower().count(" the ") else ctx.anchor
    if base is None:
        return Value({"week": "XXXX-WXX", "month": "XXXX-XX"}.get(unit, "XXXX"), "DATE", "range")
    v = _unit_value(unit, _shift(base, unit, words()["shifts"].get(shift, 0)))
    return _vague_range(v, m["vague"])


def _anchored_duration(value: str, n: int, unit: str, end: Optional[date]) -> Value:
    if end is None:
        return Value(value, "DURATION", "duration")
    start = _shift(end, unit, -n) + timedelta(days=1)
    return Value(value, "DURATION", "duration", start, end)


def _h_duration(m, ctx):
    unit = _unit_name(m["unit"])
    if unit not in words()["units"]:
        return None
    n = _number(m["num"])
    if n is not None and n > 10000:
        return None
    value = _duration_value(n, unit)
    lead = (m["span"] or "").lower()
    anchored = (m["consec"] or any(w in lead for w in ("past", "last"))) and n is not None and n == int(n)
    if anchored and not words()["units"][unit].get("time"):
        return _anchored_duration(value, int(n), unit, ctx.dct)
    return Value(value, "DURATION", "duration")


def _h_consecutive(m, ctx):
    unit = _unit_name(m["unit"])
    n = _ordinal(m["ord"])
    if not n or unit not in words()["units"] or words()["units"][unit].get("time"):
        return None
    return _anchored_duration(_duration_value(n, unit), n, unit, ctx.dct)


def _h_vague_dur(m, ctx):
    unit = _unit_name(m["unit"])
    if unit not in words()["units"] or not m["unit"].lower().endswith("s"):
        return None
    v = _duration_value(None, unit)
    vd = m["vd"].lower()
    if vd in ("recent", "past few", "last few"):
        return Value(v, "DURATION", "ref", None, ctx.dct)
    return Value(v, "DURATION", "ref", ctx.dct, None)


def _h_unit_long(m, ctx):
    return Value(_duration_value(None, _unit_name(m["unit"])), "DURATION", "duration")


_h_bare_units = _h_unit_long


def _h_ref(m, ctx):
    key = re.sub(r"\s+", " ", m["ref"].lower())
    return Value(words()["references"][key], "DATE", "ref")


def _h_set(m, ctx):
    if m["setw"]:
        return Value(words()["sets"][m["setw"].lower()], "SET", "set")
    if m["wd"]:
        return Value(f"XXXX-WXX-{_wd_num(m['wd'])}", "SET", "set")
    unit = _unit_name(m["unit"])
    if unit not in words()["units"]:
        return None
    n = _number(m["num"]) if m["num"] else 1
    return Value(_duration_value(n, unit), "SET", "set")


def _h_freq(m, ctx):
    """'twice a year' -> SET P1Y (TIMEX3 keeps the count in `freq`, which the record does not carry)."""
    unit = _unit_name(m["unit"])
    if unit not in words()["units"]:
        return None
    return Value(_duration_value(1, unit), "SET", "set")


def _h_holiday(m, ctx):
    key = re.sub(r"\s+", " ", m["hol"].lower())
    rule = words()["holidays"][key]

    def on(y: int) -> date:
        if "rule" in rule:
            return HOLIDAY_RULES[rule["rule"]](y) + timedelta(days=rule.get("offset", 0))
        return date(y, rule["month"], rule["day"])
    if m["year"]:
        return _day(on(int(m["year"])))
    if ctx.dct is None:
        fixed = "rule" not in rule
        return Value(f"XXXX-{rule['month']:02d}-{rule['day']:02d}" if fixed else "XXXX-XX-XX", "DATE", "day")
    cands = [_day(on(y)) for y in (ctx.dct.year - 1, ctx.dct.year, ctx.dct.year + 1)]
    shift = (m["shift"] or "").lower()
    if shift == "last":
        return max((c for c in cands if c.start < ctx.dct), key=lambda c: c.start)
    if shift == "next":
        return min((c for c in cands if c.start > ctx.dct), key=lambda c: c.start)
    return _place(cands, ctx.dct, ctx.tense)


def _h_clock(m, ctx):
    clock = m["clock"].lower().replace(" ", "")
    if clock in ("noon", "midday"):
        hh, mm = 12, 0
    elif clock == "midnight":
        hh, mm = 24, 0
    else:
        mt = re.match(r"(\d{1,2}):?(\d{2})?", clock)
        hh, mm = int(mt.group(1)), int(mt.group(2) or 0)
        if len(mt.group(1)) == 2 and mt.group(2) is None and len(clock) >= 4 and clock[:4].isdigit():
            hh, mm = int(clock[:2]), int(clock[2:4])
        if "p" in clock and hh < 12:
            hh += 12
        if "a" in clock and hh == 12:
            hh = 0
        if hh > 24 or mm > 59:
            return None
    zone = "Z" if (m["tz"] or "").upper() in ("GMT", "UTC") else ""
    day = None
    if m["wd"] and ctx.dct:
        day = _weekday(ctx.dct, _wd_num(m["wd"]), ctx.tense, None)
    elif m["rel"] and ctx.dct:
        day = ctx.dct + timedelta(days=words()["relative_days"][m["rel"].lower()])
    elif ctx.anchor is not None:
        day = ctx.anchor
    if day is None:
        return Value(f"XXXX-XX-XXT{hh:02d}:{mm:02d}{zone}", "TIME", "time")
    return Value(f"{day.isoformat()}T{hh:02d}:{mm:02d}{zone}", "TIME", "time", day, day)


HANDLERS = {name: globals()["_h_" + name] for name, _ in PATTERNS}


# ---------------------------------------------------------------- checks against the parse

_NOT_YEAR_ENTS = {"CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORDINAL"}
# Names that contain calendar words but are not dates ("60 Minutes", "March for Peace").
_NAME_ENTS = {"WORK_OF_ART", "ORG", "PERSON", "FAC", "PRODUCT", "LAW", "NORP", "GPE", "LOC", "EVENT"}
_UNIT_PATTERNS = {"duration", "offset", "vague_dur", "consecutive", "set", "bare_units", "freq"}


def _plausible(name: str, m, doc, text: str) -> bool:
    """Reject matches the parse says are not time expressions (a count, a modal 'May')."""
    s, e = m.span()
    span = doc.char_span(s, e, alignment_mode="expand")
    if span is None or len(span) == 0:
        return True
    first, last = span[0], span[-1]
    prev = doc[first.i - 1] if first.i > 0 else None
    if name not in ("holiday", "clock") and all(t.ent_type_ in _NAME_ENTS for t in span if t.is_alpha):
        if any(t.is_alpha for t in span):
            return False
    if name == "year" and not m["vague"] and not m["midd"]:
        if last.ent_type_ == "DATE":
            return True
        if last.ent_type_ in _NOT_YEAR_ENTS or last.ent_type_ in _NAME_ENTS:
            return False
        if not (1900 <= int(m["year"]) <= 2049):
            return False
        if prev is not None and prev.text in ("$", "#", "No.", "no."):
            return False
        return last.dep_ != "nummod"
    if name == "month" and not (m["year"] or m["vague"] or m["shift"] or m["midd"]):
        if first.tag_ == "MD" or first.pos_ in ("VERB", "AUX"):
            return False
        if prev is not None and prev.pos_ in ("DET", "ADJ") and prev.lower_ not in words()["vague_parts"]:
            return False    # "the annual March for Peace"
    if name == "ref" and m["ref"].lower() == "future":
        return first.pos_ == "NOUN" and first.dep_ not in ("compound", "amod")  # not "future talks"
    if name == "decade" and prev is not None and prev.tag_ == "PRP$":
        return False        # "in his 30s" is an age
    if name == "season" and not m["year"]:
        tok = next(t for t in span if t.lower_ in words()["seasons"])
        if tok.pos_ not in ("NOUN", "PROPN"):
            return False    # "might soon fall"
        if tok.lower_ == "fall" and not m["shift"]:
            # "a fall in prices", "the fall of the city": the season needs a temporal preposition.
            nxt = doc[tok.i + 1].lower_ if tok.i + 1 < len(doc) else ""
            if (prev is None or prev.lower_ not in words()["season_cues"]) or nxt in ("in", "of"):
                return False
    if name == "set" and m["setw"] and first.pos_ in ("NOUN", "PROPN"):
        return False        # "the Socialist Party daily"
    if name in _UNIT_PATTERNS and m.groupdict().get("unit"):
        unit_tok = doc.char_span(m.start("unit"), m.end("unit"), alignment_mode="expand")
        if unit_tok is not None and unit_tok[-1].pos_ not in ("NOUN", "PROPN"):
            return False    # "a second helping"
        if unit_tok is not None and unit_tok[-1].text[:1].isupper() and not unit_tok[-1].is_sent_start:
            return False    # "the Six-Day War", "60 Minutes": a name
    if name == "offset" and m["dir"].lower() in ("before", "after", "prior"):
        # "eight days before the vote" counts from an event, not from a date we know.
        rest = text[e:e + 3]
        if rest[:1].isspace() and rest[1:2].isalnum():
            return False
    if name == "duration":
        # "1,500 jobs a year" is not a duration; a number that counts another noun is not ours.
        if m["num"] and m["num"].lower() in ("a", "an") and not m["span"] and not m["approx"]:
            if prev is not None and (prev.like_num or prev.lower_ in ("once", "twice", "times", "per")):
                return False
    return True


# Words a pattern may start with besides those of time_words.yaml.
_STARTERS = ["the", "a", "an", "that", "every", "each", "once", "twice", "early", "late", "earlier",
             "later", "mid", "noon", "midnight", "midday", "q1", "q2", "q3", "q4", "week"]


@lru_cache(maxsize=1)
def _starts() -> re.Pattern:
    """Where a time expression can begin: a digit or a word that starts some pattern.

    Trying the patterns only there, instead of scanning the whole text with each of them,
    makes this stage several times faster.
    """
    w = words()
    first = set(_STARTERS)
    for key in ("months", "weekdays", "day_parts", "seasons", "units", "unit_plurals", "numbers",
                "vague_numbers", "ordinals", "approximators", "relative_days", "shifts",
                "anchored_days", "vague_parts", "references", "vague_durations", "sets", "holidays"):
        for entry in w[key]:
            first.add(str(entry).split()[0].lower())
    first |= {u + "s" for u in w["units"]}
    return re.compile(r"(?<![\w-])(?:\d|['’]\d|" + _alt(first) + r"\b)", re.I)


def _matches(doc, text: str) -> list[tuple[int, int, int, str, re.Match]]:
    found = []
    patterns = list(enumerate(_compiled()))
    for start in _starts().finditer(text):
        pos = start.start()
        for prio, (name, rx) in patterns:
            m = rx.match(text, pos)
            if m is None:
                continue
            s, e = m.span()
            if e > s and _plausible(name, m, doc, text):
                found.append((s, e, prio, name, m))
    # Longest first, then pattern priority; keep the ones that do not overlap a kept one.
    found.sort(key=lambda f: (-(f[1] - f[0]), f[2], f[0]))
    kept: list = []
    taken = bytearray(len(text) + 1)      # characters already inside a kept match
    for f in found:
        if any(taken[f[0]:f[1]]):
            continue
        kept.append(f)
        taken[f[0]:f[1]] = b"\x01" * (f[1] - f[0])
    kept.sort(key=lambda f: f[0])
    return kept


def _parse_published(published: Optional[str]) -> Optional[date]:
    if not published:
        return None
    try:
        return date.fromisoformat(str(published)[:10])
    except ValueError:
        return None


def find_dates(doc, published: Optional[str]) -> list[DateExpr]:
    """Time expressions of a parsed article, normalised against `published` (ISO date or None)."""
    text = doc.text
    dct = _parse_published(published)
    out: list[DateExpr] = []
    anchor = anchor_any = dct
    pending_clock = []
    for s, e, _, name, m in _matches(doc, text):
        ctx = Context(dct=dct, anchor=anchor, tense=_tense(doc, s, e), anchor_any=anchor_any)
        try:
            v = HANDLERS[name](m, ctx)
        except (ValueError, KeyError, OverflowError):
            v = None
        if v is None:
            continue
        if name == "clock" and not (m["wd"] or m["rel"]):
            pending_clock.append(len(out))      # dated from its sentence once all days are known
        out.append(DateExpr(span=Span.of(text, s, e), start=_iso(v.start), end=_iso(v.end),
                            precision=v.precision, value=v.value, type=v.type))
        if v.start is not None and v.type in ("DATE", "TIME"):
            anchor_any = v.start
            if v.precision in ("day", "time"):
                anchor = v.start
    _date_clocks(doc, out, pending_clock, dct)
    return out


def _date_clocks(doc, out: list[DateExpr], indexes: list[int], dct: Optional[date]) -> None:
    """A bare clock time takes the day named in its own sentence, else the document date."""
    for i in indexes:
        c = out[i]
        sent = doc.char_span(c.span.start, c.span.end, alignment_mode="expand")
        if sent is None:
            continue
        sent = sent.sent
        day = None
        for d in out:
            if d is c or d.precision not in ("day", "time") or d.start is None:
                continue
            if sent.start_char <= d.span.start < sent.end_char:
                day = d.start
                break
        if day is None:
            day = dct.isoformat() if dct else None
        hhmm = c.value.split("T", 1)[1]
        if day is None:
            c.value, c.start, c.end = f"XXXX-XX-XXT{hhmm}", None, None
        else:
            c.value, c.start, c.end = f"{day}T{hhmm}", day, day
