"""Counts: numbers of people or things affected, with what, approx, bounds and exact spans.

Runs the real spaCy model. The example article is read at test time (never copied); the
short sentences below are written for these tests.
"""
from __future__ import annotations

import re

import pytest

from newsgraph.extract.counts import find_counts
from newsgraph.nlp import parse


def counts_of(text: str):
    doc = parse(text)
    counts = find_counts(doc)
    for c in counts:
        assert text[c.span.start:c.span.end] == c.span.text, c
    return counts


def only(text: str):
    counts = counts_of(text)
    assert len(counts) == 1, [(c.span.text, c.value) for c in counts]
    return counts[0]


# --- The example article ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def example_counts(example_path):
    text = example_path.read_text(encoding="utf-8")
    counts = find_counts(parse(text))
    return text, counts


def test_example_counts_arrests_and_shelter(example_counts):
    text, counts = example_counts
    by_value = {c.value: c for c in counts}
    arrested = by_value[2000]
    assert arrested.what == "person" and not arrested.approx and arrested.effect == "arrest"
    assert arrested.span.text == "2,000 people"
    sheltering = by_value[7000]
    assert sheltering.approx and sheltering.qualifier == "around"
    assert sheltering.span.text.startswith("around 7,000")
    assert sheltering.effect == "shelter"
    for c in counts:
        assert text[c.span.start:c.span.end] == c.span.text


def test_example_has_no_year_or_date_counts(example_counts):
    text, counts = example_counts
    assert "2011" not in {c.span.text for c in counts}
    for c in counts:
        assert not re.search(r"\b(1[5-9]|20)\d\d\b", c.span.text), c     # no year
        assert "March" not in c.span.text
    # Background facts are not counts of people affected: governorates, population, area.
    assert not any(c.value in (14, 25_000_000, 185_180) for c in counts)


def test_example_record_carries_the_counts(example_record):
    from conftest import assert_spans_match
    assert {2000, 7000} <= {c.value for c in example_record.counts}
    assert_spans_match(example_record)


# --- Qualifiers ------------------------------------------------------------------------------

@pytest.mark.parametrize("qualifier,bound", [
    ("at least", "lower"), ("around", None), ("about", None), ("nearly", "upper"),
    ("almost", "upper"), ("more than", "lower"), ("over", "lower"), ("up to", "upper"),
    ("some", None), ("roughly", None), ("an estimated", None), ("as many as", "upper"),
    ("fewer than", "upper"),
])
def test_each_qualifier_makes_an_approximate_count(qualifier, bound):
    c = only(f"Officials said {qualifier} 40 civilians were killed in the shelling.")
    assert c.value == 40 and c.approx and c.qualifier == qualifier
    assert c.what == "civilian" and c.effect == "kill"
    assert c.span.text == f"{qualifier} 40 civilians"
    assert c.lower == (40 if bound == "lower" else None)
    assert c.upper == (40 if bound == "upper" else None)


def test_exact_count_is_not_approximate():
    c = only("Police arrested 2,000 protesters in the capital.")
    assert (c.value, c.approx, c.qualifier, c.what, c.effect) == (2000, False, None, "protester", "arrest")


# --- Vague quantities and ranges -----------------------------------------------------------

def test_dozens_wounded_is_vague_with_a_lower_bound():
    counts = counts_of("At least 40 people were killed and dozens wounded in the attack.")
    killed, wounded = counts
    assert (killed.value, killed.what, killed.effect, killed.span.text) == (
        40, "person", "kill", "At least 40 people")
    assert wounded.value is None and wounded.approx and wounded.lower == 24
    assert wounded.effect == "wound" and wounded.what == "person"


def test_hundreds_of_families():
    c = only("Hundreds of families fled the fighting overnight.")
    assert c.value is None and c.approx and c.lower == 200
    assert c.what == "family" and c.effect == "displace"
    assert c.span.text == "Hundreds of families"


def test_tens_of_thousands():
    c = only("Tens of thousands of people rallied in the capital.")
    assert c.value is None and c.lower == 20_000 and c.what == "person" and c.effect == "protest"


def test_range_gives_both_bounds():
    c = only("Between 10 and 15 soldiers died in the ambush.")
    assert c.value is None and c.approx and (c.lower, c.upper) == (10, 15)
    assert c.span.text == "Between 10 and 15 soldiers"


def test_number_words_and_millions():
    assert only("Twenty-five fighters surrendered.").value == 25
    assert only("A dozen homes were destroyed.").value == 12
    c = only("An estimated 1.5 million people were displaced by the war.")
    assert (c.value, c.approx, c.what, c.effect) == (1_500_000, True, "person", "displace")


# --- What happened to them -----------------------------------------------------------------

def test_passive_were_killed():
    c = only("Twelve villagers were killed when the convoy was hit.")
    assert (c.value, c.what, c.effect) == (12, "villager", "kill")


def test_nominalisation_arrest_of():
    c = only("The arrest of 2,000 people sparked the uprising.")
    assert (c.value, c.what, c.effect, c.span.text) == (2000, "person", "arrest", "2,000 people")


def test_bare_numbers_count_people():
    assert (only("Gunmen opened fire, killing 12.").value, "person") == (12, "person")
    c = only("2,000 were arrested on Friday.")
    assert (c.value, c.what, c.effect, c.span.text) == (2000, "person", "arrest", "2,000")


def test_death_toll():
    c = only("The death toll rose to 45 on Sunday.")
    assert (c.value, c.what, c.effect) == (45, "person", "kill")


def test_things_destroyed_and_taken_refuge():
    counts = counts_of("The strike destroyed 30 homes and 300 families took refuge in a school.")
    assert [(c.value, c.what, c.effect) for c in counts] == [
        (30, "home", "destroy"), (300, "family", "shelter")]


def test_generic_quantities_are_not_counts():
    assert counts_of("Three cities and two ministers signed the agreement.") == []
    assert counts_of("The country has 14 provinces and a population of 25 million.") == []


def test_sources_are_not_counted_as_victims():
    c = only("Two officials said 12 people were killed in the raid.")
    assert (c.value, c.effect) == (12, "kill")


def test_negated_effect_is_not_a_count():
    assert counts_of("Three men at the scene were not arrested.") == []


# --- Never counts --------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The uprising began in 2011 and people were killed.",          # year
    "Protests grew in 1990 when soldiers were killed.",             # year after "in"
    "A 34-year-old man was killed on the road.",                    # age
    "The victim, aged 34, was killed on the road.",                 # age
    "Unemployment among the displaced rose to 40 percent.",         # percentage
    "Unemployment among the displaced rose to 40%.",                # percentage
    "The militia paid $5 million to free the hostages.",            # money
    "The fund raised 5 million euros for the wounded.",             # money
    "The attack began at 5 pm and ended at 10:30.",                 # times of day
    "Two were killed on March 7 in the shelling.",                  # date (two is a count)
    "The fifth victim was killed on Friday.",                       # ordinal
    "Resolution 2254 calls for the release of detainees.",          # resolution number
    "Article 5 was invoked after soldiers were killed.",            # article number
    "Unit 8200 intercepted the calls.",                             # unit number
    "Route 6 was closed after civilians were killed.",              # route number
    "Flight 17 was shot down over Ukraine.",                        # flight number
    "Call 202-555-0100 to report missing people.",                  # phone number
    "The home team won 3-1 in front of the displaced fans.",        # score
])
def test_never_counts(text):
    counts = counts_of(text)
    if text.startswith("Two were killed"):
        assert [(c.value, c.span.text) for c in counts] == [(2, "Two")]
    else:
        assert counts == [], [(c.span.text, c.value) for c in counts]
