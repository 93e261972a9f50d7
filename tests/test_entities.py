"""The entities stage on the real example article and on small sentences, one per rule."""
from __future__ import annotations

import re

import pytest

from newsgraph import nlp
from newsgraph.record import Credit, Document, Section, Span
from newsgraph.resolve.entities import resolve_entities


def entities_of(text: str, document: Document | None = None):
    document = document or Document(text=text)
    ents = resolve_entities(document, nlp.parse(text))
    for e in ents:
        for m in e.mentions:
            assert text[m.start:m.end] == m.text
    return ents


def holding(ents, surface: str):
    """The entities with a mention whose text is `surface`."""
    return [e for e in ents if any(m.text == surface for m in e.mentions)]


def the_one(ents, surface: str):
    found = holding(ents, surface)
    assert len(found) == 1, (surface, [(e.name, e.type, [m.text for m in e.mentions]) for e in found])
    return found[0]


# ------------------------------------------------------------------ the example article

@pytest.fixture(scope="module")
def example(example_path):
    """The example read and parsed as the pipeline does, and this stage's entities for it
    (later stages may add entities of their own to the record)."""
    from types import SimpleNamespace

    from newsgraph.read import read_path
    document = list(read_path(example_path))[0]
    entities = resolve_entities(document, nlp.parse(document.text))
    return SimpleNamespace(text=document.text, sections=document.sections,
                           credits=document.credits, entities=entities)


def test_example_record_keeps_the_stage_entities(example_record):
    names = {e.name for e in example_record.entities}
    assert {"Ahmed Sharaa", "Hay'at Tahrir al-Sham", "Bild", "Government of Russia"} <= names


def test_example_offsets_and_ids(example):
    text = example.text
    ids = [e.id for e in example.entities]
    assert ids == [f"e{i}" for i in range(1, len(ids) + 1)]
    firsts = [e.mentions[0].start for e in example.entities]
    assert firsts == sorted(firsts)
    for e in example.entities:
        assert e.mentions == sorted(e.mentions, key=lambda m: m.start)
        assert e.name not in e.aliases
        for m in e.mentions:
            assert text[m.start:m.end] == m.text
            assert not m.text.startswith("the ")
            assert not m.text.endswith(("'s", "’s"))


def test_example_sharaa_and_jolani_are_one_person(example):
    sharaa = the_one(example.entities, "Ahmed Sharaa")
    texts = {m.text for m in sharaa.mentions}
    assert {"Ahmed Sharaa", "Sharaa", "Jolani"} <= texts
    assert sharaa.type == "PERSON"
    assert sharaa.name == "Ahmed Sharaa"
    assert len(holding(example.entities, "Sharaa")) == 1
    assert len(holding(example.entities, "Jolani")) == 1


def test_example_hts_is_one_org(example):
    hts = the_one(example.entities, "Hay'at Tahrir al-Sham")
    assert hts.type == "ORG"
    assert "HTS" in {m.text for m in hts.mentions}
    assert len(holding(example.entities, "HTS")) == 1


def test_example_types_repaired(example):
    bild = the_one(example.entities, "Bild")
    assert (bild.type, bild.sector, bild.country) == ("MEDIA", "MED", "DE")
    assert the_one(example.entities, "Alawites").type == "NORP"


def test_example_moscow_acting_is_russian_government(example):
    text = example.text
    start = text.index("Moscow initially sought")
    gov = [e for e in example.entities if any(m.start == start for m in e.mentions)]
    assert len(gov) == 1
    assert (gov[0].type, gov[0].country, gov[0].sector) == ("ORG", "RU", "GOV")
    assert gov[0].mentions[0].text == "Moscow"


def test_example_transliterations_are_one_place(example):
    hmeimim = the_one(example.entities, "Hmeimim")
    assert "Khmeimim" in {m.text for m in hmeimim.mentions}


def test_example_kingdom_after_riyadh(example):
    gov = the_one(example.entities, "Riyadh")
    assert gov.country == "SA" and gov.sector == "GOV"
    assert "Kingdom" in {m.text for m in gov.mentions}


def test_example_no_entity_in_credit_or_url(example):
    text = example.text
    credits = [(s.start, s.end) for s in example.sections if s.kind == "credit"]
    credits += [(c.span.start, c.span.end) for c in example.credits]
    urls = [(m.start(), m.end()) for m in re.finditer(r"https?://\S+|\b\S+\.(org|com)\S*", text)]
    for e in example.entities:
        for m in e.mentions:
            for a, b in credits + urls:
                assert m.end <= a or m.start >= b, (m, text[a:b])


# ------------------------------------------------------------------ one sentence per rule

def test_acronym_after_long_form_in_parentheses():
    text = ("The Kurdistan Democratic Union Party (KDUP) met on Monday. "
            "Later the KDUP said it would boycott the vote.")
    ents = entities_of(text)
    org = the_one(ents, "KDUP")
    assert {m.text for m in org.mentions} >= {"Kurdistan Democratic Union Party", "KDUP"}
    assert len([m for m in org.mentions if m.text == "KDUP"]) == 2
    assert org.name == "Kurdistan Democratic Union Party"


@pytest.mark.parametrize("text, acronym, long_form", [
    # the acronym first, its long form in parentheses
    ("Officials of the NCRB (National Crime Records Bureau) published the figures on Tuesday.",
     "NCRB", "National Crime Records Bureau"),
    # the acronym inferred from the initials, without parentheses
    ("The Sudan Liberation Movement attacked a convoy near El Fasher. "
     "A spokesman for the SLM denied that civilians were hurt.", "SLM", "Sudan Liberation Movement"),
])
def test_acronym_and_long_form_are_one_entity(text, acronym, long_form):
    org = the_one(entities_of(text), acronym)
    assert long_form in {m.text for m in org.mentions}


def test_also_known_as():
    text = ("The militia leader Ibrahim Khalil Mansour, also known as Abu Hamza, was arrested "
            "in Tripoli on Sunday. Abu Hamza had been in hiding since May.")
    ents = entities_of(text)
    person = the_one(ents, "Ibrahim Khalil Mansour")
    assert "Abu Hamza" in person.aliases
    assert person.name == "Ibrahim Khalil Mansour"
    assert len([m for m in person.mentions if m.text == "Abu Hamza"]) == 2


def test_possessives_and_articles_stripped():
    text = "Assad's forces withdrew, and Russia’s navy left the port while the United Nations watched."
    ents = entities_of(text)
    surfaces = {m.text for e in ents for m in e.mentions}
    assert "Assad" in surfaces and "Russia" in surfaces and "United Nations" in surfaces
    assert not any(s.endswith(("'s", "’s")) or s.startswith("the ") for s in surfaces)


def test_false_friends_not_merged():
    text = ("Iran and Iraq signed a border deal on Monday. Officials in Iraq welcomed it, "
            "and Iran said the deal would help trade. Austria and Australia were observers.")
    ents = entities_of(text)
    for a, b in (("Iran", "Iraq"), ("Austria", "Australia")):
        ea, eb = the_one(ents, a), the_one(ents, b)
        assert ea is not eb


def test_surname_after_full_name():
    text = ("Prime Minister Keir Starmer spoke to reporters in London on Friday. "
            "Starmer said talks would continue.")
    ents = entities_of(text)
    person = the_one(ents, "Keir Starmer")
    assert "Starmer" in {m.text for m in person.mentions}
    assert person.type == "PERSON" and person.sector == "GOV"


def test_kremlin_said_is_russian_government():
    text = "The Kremlin said on Tuesday that it had no plans to withdraw its troops."
    ents = entities_of(text)
    gov = the_one(ents, "Kremlin")
    assert (gov.name, gov.type, gov.country, gov.sector) == ("Government of Russia", "ORG", "RU", "GOV")


def test_riyadh_declared_then_the_kingdom():
    text = ("Riyadh declared its support for the ceasefire on Sunday. "
            "The Kingdom will also send aid to the region, officials said.")
    ents = entities_of(text)
    gov = the_one(ents, "Riyadh")
    assert gov.country == "SA" and gov.type == "ORG" and gov.sector == "GOV"
    assert "Kingdom" in {m.text for m in gov.mentions}


def test_capital_as_place_stays_a_place():
    text = "Thousands gathered in Moscow on Saturday. Moscow warned the West against escalation."
    ents = entities_of(text)
    moscow = [e for e in holding(ents, "Moscow")]
    assert {e.type for e in moscow} == {"GPE", "ORG"}
    place = next(e for e in moscow if e.type == "GPE")
    assert place.mentions[0].start == text.index("Moscow")


def test_outlets_are_media_with_country():
    text = "Reuters and Al Jazeera reported the strike, citing the state news agency Xinhua."
    ents = entities_of(text)
    for name, country in (("Reuters", "GB"), ("Al Jazeera", "QA"), ("Xinhua", "CN")):
        e = the_one(ents, name)
        assert (e.type, e.sector, e.country) == ("MEDIA", "MED", country)


def test_credit_section_and_urls_are_never_entities():
    text = ("Photo: Jane Doe via example.org, https://example.org/licence\n"
            "Jane Doe met the mayor of Lyon on Monday.")
    credit_end = text.index("\n")
    document = Document(text=text, sections=[Section("credit", 0, credit_end),
                                            Section("body", credit_end + 1, len(text))],
                        credits=[Credit("Jane Doe", None, None, Span.of(text, 0, credit_end))])
    ents = entities_of(text, document)
    for e in ents:
        for m in e.mentions:
            assert m.start > credit_end
    assert holding(ents, "Lyon")


def test_norp_plural_and_country():
    text = "Syrian officials said that Alawites and Druze had fled to the coast."
    ents = entities_of(text)
    assert the_one(ents, "Alawites").type == "NORP"
    syrian = the_one(ents, "Syrian")
    assert syrian.type == "NORP" and syrian.country == "SY"


def test_nom_de_guerre():
    text = ("The group is led by Mahmoud Salem Karimi, whose nom de guerre is Abu Yasir. "
            "Abu Yasir appeared in a video on Friday.")
    ents = entities_of(text)
    person = the_one(ents, "Mahmoud Salem Karimi")
    assert "Abu Yasir" in person.aliases


def test_phone_call_is_not_an_alias():
    text = "Vladimir Putin called Recep Tayyip Erdogan on Monday to discuss the talks."
    ents = entities_of(text)
    assert the_one(ents, "Vladimir Putin") is not the_one(ents, "Recep Tayyip Erdogan")


def test_family_name_first():
    text = "Xi Jinping arrived in Moscow on Monday. Xi was greeted by officials at the airport."
    ents = entities_of(text)
    xi = the_one(ents, "Xi Jinping")
    assert "Xi" in {m.text for m in xi.mentions}


def test_known_name_wins_over_model_fragment():
    text = "Fighters of the Islamic State attacked the town, and the Islamic State later claimed it."
    ents = entities_of(text)
    org = the_one(ents, "Islamic State")
    assert org.type == "ORG" and len(org.mentions) == 2
    assert not holding(ents, "Islamic")


def test_possessor_gives_country_and_keeps_ministries_apart():
    text = ("Russia's Foreign Ministry criticised the plan. "
            "Israel's Foreign Ministry welcomed it on Tuesday.")
    ents = entities_of(text)
    ministries = [e for e in ents if e.name == "Foreign Ministry"]
    assert sorted(e.country for e in ministries) == ["IL", "RU"]
    assert all(e.type == "ORG" and e.sector == "GOV" for e in ministries)
