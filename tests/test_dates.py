"""The dates stage on the real example article and on short sentences, one per rule."""
from __future__ import annotations

import pytest

from newsgraph import nlp
from newsgraph.time import find_dates

PUBLISHED = "2025-03-10"    # a Monday


def dates(text: str, published: str | None = PUBLISHED):
    found = find_dates(nlp.parse(text), published)
    for d in found:
        assert text[d.span.start:d.span.end] == d.span.text
    return found


def one(text: str, surface: str, published: str | None = PUBLISHED):
    hits = [d for d in dates(text, published) if d.span.text == surface]
    assert hits, f"{surface!r} not found in {[d.span.text for d in dates(text, published)]}"
    return hits[0]


# ---------------------------------------------------------------- the example article

@pytest.fixture(scope="module")
def example(example_path):
    text = example_path.read_text(encoding="utf-8")
    doc = nlp.parse(text)
    return text, doc, find_dates(doc, PUBLISHED)


def by_text(found, needle):
    hits = [d for d in found if needle in d.span.text]
    assert hits, f"no date containing {needle!r} in {[d.span.text for d in found]}"
    return hits[0]


def test_example_friday_march_7(example):
    d = by_text(example[2], "Friday, March 7")
    assert (d.start, d.end, d.precision, d.value) == ("2025-03-07", "2025-03-07", "day", "2025-03-07")


def test_example_early_march_is_a_range_in_march(example):
    d = by_text(example[2], "early March")
    assert d.precision == "range"
    assert d.start == "2025-03-01"
    assert "2025-03-01" <= d.end <= "2025-03-31"


def test_example_consecutive_day_is_a_duration_anchored_at_publication(example):
    d = by_text(example[2], "fifth consecutive day")
    assert (d.type, d.value, d.precision) == ("DURATION", "P5D", "duration")
    assert (d.start, d.end) == ("2025-03-06", PUBLISHED)


def test_example_march_10(example):
    d = by_text(example[2], "March 10")
    assert d.start == d.end == "2025-03-10"


def _past_tense(span) -> bool:
    """The verb governing a span is in the past tense (VBD, or had + VBN)."""
    tok = span.root
    while tok.pos_ not in ("VERB", "AUX") and tok.head is not tok:
        tok = tok.head
    auxes = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    if any(a.lower_ in ("will", "would", "'ll") for a in auxes):
        return False
    return tok.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes)


def test_example_nothing_in_past_tense_lies_after_publication(example):
    text, doc, found = example
    checked = 0
    for d in found:
        span = doc.char_span(d.span.start, d.span.end, alignment_mode="expand")
        if d.end and _past_tense(span):
            assert d.end <= PUBLISHED, d
            checked += 1
    assert checked >= 1


def test_example_spans_sorted_non_overlapping_and_exact(example):
    text, _, found = example
    assert len(found) >= 4
    for a, b in zip(found, found[1:]):
        assert a.span.end <= b.span.start
    for d in found:
        assert text[d.span.start:d.span.end] == d.span.text


# ---------------------------------------------------------------- one sentence per rule

def test_absolute_dates():
    assert one("The ceasefire began on March 6, 2025.", "March 6, 2025").start == "2025-03-06"
    assert one("Elections were held on 6 March.", "6 March").start == "2025-03-06"
    assert one("The file is dated 2024-11-02.", "2024-11-02").value == "2024-11-02"
    m = one("Prices rose in May 2024, officials said.", "May 2024")
    assert (m.value, m.start, m.end, m.precision) == ("2024-05", "2024-05-01", "2024-05-31", "month")
    y = one("The war began in 2011.", "2011")
    assert (y.value, y.start, y.end, y.precision) == ("2011", "2011-01-01", "2011-12-31", "year")


def test_modal_may_and_counted_numbers_are_not_dates():
    assert dates("Officials say talks may resume.") == []
    assert [d.span.text for d in dates("Police arrested 2,000 people and 1500 troops.")] == []


def test_yesterday_today_tomorrow():
    found = dates("The minister resigned yesterday and his deputy will take over tomorrow.")
    assert [(d.span.text, d.start) for d in found] == [("yesterday", "2025-03-09"), ("tomorrow", "2025-03-11")]


def test_last_week_is_an_iso_week():
    d = one("Prices rose sharply last week.", "last week")
    assert (d.value, d.start, d.end, d.precision) == ("2025-W10", "2025-03-03", "2025-03-09", "week")


def test_last_month_and_next_year():
    assert one("Exports fell last month.", "last month").value == "2025-02"
    assert one("The plant will open next year.", "next year").value == "2026"


def test_days_ago():
    assert one("The army said three days ago that it had withdrawn.", "three days ago").start == "2025-03-07"


def test_days_earlier_counts_from_the_last_date_mentioned():
    d = one("Troops entered the town on March 3. Two days earlier, the mayor had fled.", "Two days earlier")
    assert d.start == "2025-03-01"
    d = one("The talks opened on March 3. The next day, both sides walked out.", "The next day")
    assert d.start == "2025-03-04"


def test_weekday_follows_tense():
    assert one("The rebels attacked the convoy on Friday.", "Friday").start == "2025-03-07"
    assert one("The council will meet again on Friday.", "Friday").start == "2025-03-14"


def test_decade():
    d = one("Unemployment was high in the 1990s.", "the 1990s")
    assert (d.value, d.start, d.end, d.precision) == ("199", "1990-01-01", "1999-12-31", "decade")


def test_vague_parts_of_a_month():
    assert (one("Protests started in late March.", "late March").start,
            one("Protests started in late March.", "late March").end) == ("2025-03-21", "2025-03-31")
    d = one("The vote is planned for mid-April.", "mid-April")
    assert (d.start, d.end, d.value) == ("2025-04-11", "2025-04-20", "2025-04")


def test_quarter_season_and_durations():
    assert one("Profits fell in the third quarter of 2009.", "the third quarter of 2009").value == "2009-Q3"
    s = one("The heat wave is expected this summer.", "this summer")
    assert (s.value, s.precision, s.start) == ("2025-SU", "season", "2025-06-01")
    d = one("The strike lasted two weeks.", "two weeks")
    assert (d.type, d.value, d.start, d.end) == ("DURATION", "P2W", None, None)


def test_references_without_a_calendar_range():
    assert one("The border is now closed.", "now").value == "PRESENT_REF"
    assert one("Fighting has recently intensified.", "recently").value == "PAST_REF"
    d = one("Shelling has increased in recent days.", "recent days")
    assert (d.value, d.type) == ("PXD", "DURATION")


def test_without_published_date():
    found = dates("Talks ended on March 6, 2025, and resume tomorrow on Friday.", published=None)
    got = {d.span.text: d for d in found}
    assert got["March 6, 2025"].start == "2025-03-06"
    assert got["tomorrow"].start is None and "X" in got["tomorrow"].value
    assert got["Friday"].start is None and got["Friday"].value == "XXXX-WXX-5"


def test_bare_words_give_no_dates():
    assert dates("") == []
    assert dates("The fall in prices was steep.") == []
