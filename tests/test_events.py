"""Events: PLOVER type, mode, actors, place, time, counts and status from the parse.

Runs the real spaCy model and the whole per-document pipeline (entities, places, dates,
counts, events).  The example article is read at test time (never copied); the short
sentences below are written for these tests.
"""
from __future__ import annotations

import pytest
import yaml

from conftest import assert_spans_match
from newsgraph.extract import events as ev
from newsgraph.nlp import parse
from newsgraph.pipeline import build_record
from newsgraph.record import Document


def record_of(text: str, published: str = "2025-03-10"):
    rec = build_record(Document(text=text, published=published), parse(text))
    assert_spans_match(rec)
    return rec


def entity(rec, eid):
    return next((e for e in rec.entities if e.id == eid), None) if eid else None


def named(rec, eid) -> str:
    e = entity(rec, eid)
    return e.name if e else ""


def find(rec, type_, trigger=None):
    out = [e for e in rec.events if e.type == type_
           and (trigger is None or e.trigger.text.lower().startswith(trigger))]
    assert out, [(e.type, e.trigger.text, e.status) for e in rec.events]
    return out[0]


# --- Data files ------------------------------------------------------------------------------

def test_all_sixteen_types_with_modes_and_cameo_roots():
    lex = ev.lexicon()
    assert len(lex.types) == 16
    assert set(lex.types["ASSAULT"]["modes"]) >= {"firearms", "explosives", "aerial", "beat",
                                                   "sexual", "targeted"}
    assert set(lex.types["COERCE"]["modes"]) >= {"arrest", "seize", "deport", "censor"}
    assert set(lex.types["PROTEST"]["modes"]) >= {"demo", "riot", "strike"}
    assert {"18", "19", "20"} <= set(lex.types["ASSAULT"]["cameo_roots"])
    assert "173" in lex.types["COERCE"]["cameo_codes"]      # CAMEO 173 arrest -> COERCE
    assert "04" in lex.types["CONSULT"]["cameo_roots"]


def test_every_dictionary_entry_names_type_mode_and_manual_line():
    with open(ev.HERE / "event_verbs.yaml", encoding="utf-8") as fh:
        verbs = yaml.safe_load(fh)["verbs"]
    with open(ev.HERE / "event_nouns.yaml", encoding="utf-8") as fh:
        nouns = yaml.safe_load(fh)["nouns"]
    types = ev.lexicon().types
    for key, entry in {**verbs, **nouns}.items():
        assert entry.get("manual"), key
        if entry.get("type"):
            assert entry["type"] in types, key
            if entry.get("mode"):
                assert entry["mode"] in types[entry["type"]]["modes"], key


# --- Sentences written for these tests -------------------------------------------------------

def test_active_verb_with_unnamed_actors_count_place_and_time():
    rec = record_of("Gunmen killed 12 villagers in Kabul on Monday.")
    e = find(rec, "ASSAULT", "killed")
    src, tgt = entity(rec, e.source_actor), entity(rec, e.target_actor)
    assert src.name == "Gunmen" and src.type == "ORG" and src.sector == "REB"
    assert tgt.name == "villagers" and tgt.type == "NORP" and tgt.sector == "CVL"
    assert named(rec, e.location) == "Kabul"
    assert [c.value for c in e.counts] == [12]
    assert e.time.span.text == "Monday" and e.time.precision == "day"
    assert e.status == "asserted"


def test_passive_agent_is_source():
    rec = record_of("Dozens of protesters were beaten by riot police in Nairobi.")
    e = find(rec, "ASSAULT", "beaten")
    assert e.mode == "beat"
    assert entity(rec, e.source_actor).sector == "COP"
    assert "protesters" in named(rec, e.target_actor)


def test_nominalisation_of_target_by_source():
    rec = record_of("The UN condemned the killing of 1,500 civilians by armed factions loyal "
                    "to the government.")
    e = find(rec, "ASSAULT", "killing")
    assert named(rec, e.source_actor) == "armed factions loyal to the government"
    assert entity(rec, e.source_actor).sector == "REB"
    assert named(rec, e.target_actor) == "civilians"
    assert [c.value for c in e.counts] == [1500]
    accuse = find(rec, "ACCUSE", "condemned")
    assert named(rec, accuse.source_actor) == "UN"


def test_coordinated_verbs_share_subject_and_reporting_frame_attributes():
    rec = record_of("Russia said Ukraine attacked its border posts and arrested two journalists.")
    attack = find(rec, "ASSAULT", "attacked")
    arrest = find(rec, "COERCE", "arrested")
    assert entity(rec, arrest.target_actor).sector == "MED"
    for e in (attack, arrest):
        assert named(rec, e.source_actor) == "Ukraine"
        assert named(rec, e.attributed_to) == "Russia"
        assert e.status == "reported"
    assert not any(e.trigger.text == "said" for e in rec.events)


def test_territory_taken_in_fighting_is_assault():
    rec = record_of("Rebels seized two villages near Goma on Friday.")
    e = find(rec, "ASSAULT", "seized")
    assert entity(rec, e.source_actor).sector == "REB"


def test_place_carries_over_within_a_paragraph_but_not_beyond():
    rec = record_of("Fighting broke out in Goma on Monday. Rebels later shelled two camps.\n\n"
                    "Soldiers arrested a journalist.")
    shelling = find(rec, "ASSAULT", "shelled")
    assert shelling.mode == "heavy-weapons" and named(rec, shelling.location) == "Goma"
    assert find(rec, "COERCE", "arrested").location is None


def article_of(text: str, published: str = "2025-01-28"):
    """A whole article read as a user's text is: sections (headline, lede, background) found."""
    from newsgraph.read import read_text
    rec = build_record(read_text(text, published=published), parse(text))
    assert_spans_match(rec)
    return rec


ARTICLE = ("Rebels seize airport in eastern Congo\n\n"
           "GOMA (Reuters) - Rebels seized the airport on Tuesday after heavy fighting, "
           "residents said.\n\n"
           "The army shelled rebel positions on Wednesday, a spokesman said.\n\n"
           "Details\n\n"
           "The rebel group was founded in 2012. Its leaders called on the government to "
           "negotiate with ethnic Tutsis.\n\n"
           "The region has seen repeated wars since the 1990s.\n")


def test_background_section_gives_no_event_and_dateline_places_the_story():
    rec = article_of(ARTICLE)
    assert [s.kind for s in rec.sections][-2:] == ["background", "background"]
    details = rec.text.index("Details")
    assert rec.events and all(e.sentence.start < details for e in rec.events)
    assert not any(e.type == "REQUEST" for e in rec.events)
    shelling = find(rec, "ASSAULT", "shelled")        # placed nowhere in its paragraph
    assert named(rec, shelling.location) == "GOMA"
    assert entity(rec, shelling.location).geo.country == "CD"


def test_dateline_with_country_places_events_but_named_places_win():
    rec = article_of("Russian strikes hit Kharkiv\n\n"
                     "KHARKIV, Ukraine — Russian forces shelled residential areas overnight, "
                     "officials said.\n\n"
                     "Police arrested two men in Kyiv on Monday.\n")
    assert named(rec, find(rec, "ASSAULT", "shelled").location).lower() == "kharkiv"
    assert named(rec, find(rec, "COERCE", "arrested").location) == "Kyiv"


def test_no_dateline_no_fallback_place():
    rec = record_of("Soldiers arrested a journalist on Monday.\n\nThe army shelled a village.")
    assert find(rec, "COERCE", "arrested").location is None


def test_reciprocal_events_make_every_party_an_actor_without_recipient():
    """PLOVER: in a reciprocal event all the entities are the actor, no recipient."""
    for text in ("Talks between Russia and Ukraine resumed in Istanbul on Monday.",
                 "Russia and Ukraine met in Istanbul on Monday."):
        rec = record_of(text)
        consult = [e for e in rec.events if e.type == "CONSULT"]
        assert {named(rec, e.source_actor) for e in consult} == {"Russia", "Ukraine"}, text
        assert all(e.target_actor is None for e in consult), text
        assert all(named(rec, e.location) == "Istanbul" for e in consult), text


def test_compound_actors_give_one_event_each():
    rec = record_of("Chile and Peru renewed negotiations on Tuesday.")
    sources = {named(rec, e.source_actor) for e in rec.events if e.type == "CONSULT"}
    assert sources == {"Chile", "Peru"}


def test_denial_threat_plan_negation_and_advocacy():
    denied = find(record_of("Iran denied attacking the tanker."), "ASSAULT", "attacking")
    assert denied.status == "denied"

    rec = record_of("Hamas threatened to attack Israel.")
    threat = find(rec, "THREATEN")
    assert named(rec, threat.target_actor) == "Israel"
    attack = find(rec, "ASSAULT")
    assert attack.status == "threatened" and attack.part_of == threat.id

    rec = record_of("Turkey plans to send troops to Libya.")
    plan = find(rec, "MOBILIZE")
    assert plan.status == "planned" and named(rec, plan.target_actor) == "Libya"

    assert find(record_of("Israel did not attack Gaza."), "ASSAULT").status == "denied"

    rec = record_of("The opposition called for talks with the government.")
    request = find(rec, "REQUEST")
    assert request.status == "asserted" and request.part_of is None
    talks = find(rec, "CONSULT")
    assert talks.status == "advocated" and talks.part_of == request.id


def test_an_order_by_an_authority_is_the_ordered_act():
    rec = record_of("A court in Dhaka ordered the arrest of three opposition leaders.")
    arrest = find(rec, "COERCE", "arrest")
    assert arrest.status == "asserted" and "court" in named(rec, arrest.source_actor)
    assert not [e for e in rec.events if e.type == "REQUEST"]


def test_future_cooperation_is_agree_as_the_manual_says():
    rec = record_of("The two leaders will meet in Geneva next week.")
    assert find(rec, "AGREE").status == "planned"
    assert not [e for e in rec.events if e.type == "CONSULT"]


def test_according_to_attributes_and_reportedly_hedges():
    rec = record_of("According to Amnesty International, soldiers arrested 40 students in Minsk.")
    e = find(rec, "COERCE", "arrested")
    assert e.mode == "arrest" and e.status == "reported"
    assert named(rec, e.attributed_to) == "Amnesty International"


def test_repeated_mentions_of_one_occurrence_merge():
    rec = record_of("Police arrested 30 protesters in Minsk on Sunday. "
                    "The police arrested the protesters after a rally.")
    arrests = [e for e in rec.events if e.type == "COERCE"]
    assert len(arrests) == 1
    assert len(arrests[0].sentences) == 2


def test_subordinate_event_points_to_the_event_it_explains():
    rec = record_of("Police arrested the activist for collaborating with the rebels.")
    arrest, coop = find(rec, "COERCE", "arrested"), find(rec, "COOPERATE", "collaborating")
    assert coop.part_of == arrest.id and arrest.part_of is None
    assert named(rec, coop.source_actor) == "activist"        # object control of "for"
    assert named(rec, coop.target_actor) == "rebels"


def test_coordinated_events_stay_independent():
    rec = record_of("Gunmen killed two guards and freed the prisoners.")
    assert find(rec, "ASSAULT", "killed").part_of is None
    assert find(rec, "RETREAT", "freed").part_of is None


def test_recipient_behind_the_object_and_the_complement():
    rec = record_of("Canada lifted sanctions against Belarus on Monday.")
    assert named(rec, find(rec, "CONCEDE", "lifted").target_actor) == "Belarus"
    rec = record_of("Iran threatened to break relations with Egypt.")
    threat = find(rec, "THREATEN", "threatened")
    assert named(rec, threat.target_actor) == "Egypt"
    assert threat.mode == "relations"                       # what is threatened


@pytest.mark.parametrize("sentence, type_, trigger, mode", [
    # request and rejection modes come from their content
    ("The minister refused to meet the envoy.", "REJECT", "refused", "meet"),
    ("The rebels demanded the release of prisoners.", "REQUEST", "demanded", "yield"),
    # sentence words refine the mode
    ("A suicide bomber detonated explosives at a market in Kabul.", "ASSAULT", "detonated",
     "suicide-attack"),
    ("Hundreds of students staged a violent demonstration in Dhaka.", "PROTEST", "demonstration",
     "riot"),
    # blocking by protesters is PROTEST, by police COERCE
    ("Protesters blocked the main road to the airport.", "PROTEST", "blocked", "obstruct"),
    ("Police blocked the main road to the airport.", "COERCE", "blocked", "restrict"),
])
def test_mode(sentence, type_, trigger, mode):
    assert find(record_of(sentence), type_, trigger).mode == mode


def test_failed_agreement_is_a_refusal_and_ending_a_strike_is_a_concession():
    rec = record_of("The two sides failed to reach an agreement.")
    assert find(rec, "REJECT", "reach").status == "asserted"      # refusal, REJECT l.452
    assert not [e for e in rec.events if e.type in ("AGREE", "SUPPORT") and e.status == "asserted"]
    rec = record_of("The union suspended the strike on Monday.")
    assert find(rec, "CONCEDE", "suspended").status == "asserted"
    assert not [e for e in rec.events if e.type == "PROTEST" and e.part_of is None]


def test_press_release_is_no_release():
    rec = record_of("According to a press release, the army is holding the refugees.")
    assert not [e for e in rec.events if e.type == "RETREAT"]


def test_subject_through_adjective_control_and_participle():
    rec = record_of("Norway is willing to provide aid to Somali refugees.")
    aid = find(rec, "AGREE", "provide")                   # future AID is AGREE (l.216)
    assert named(rec, aid.source_actor) == "Norway"
    assert "refugees" in named(rec, aid.target_actor)
    rec = record_of("Protesters demanding higher wages marched to the ministry in Paris.")
    assert named(rec, find(rec, "REQUEST", "demanding").source_actor) == "Protesters"


# --- The example article ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def example(example_record):
    assert_spans_match(example_record)
    return example_record


def test_example_killing_of_civilians_is_assault_on_civilians(example):
    hits = [e for e in example.events if e.type == "ASSAULT"
            and (entity(example, e.target_actor) or None) is not None
            and entity(example, e.target_actor).sector == "CVL"]
    assert hits, [(e.type, e.trigger.text, named(example, e.target_actor)) for e in example.events]


def test_example_arrest_of_2000_is_coerce_with_count_and_time(example):
    e = next(e for e in example.events if e.type == "COERCE" and e.mode == "arrest")
    assert [c.value for c in e.counts] == [2000]
    assert e.time is not None and e.time.span is not None and e.time.span.text == "early March"
    assert e.status == "asserted"


def test_example_rubio_call_is_request_not_asserted(example):
    rubio = [x for x in example.entities if x.name.endswith("Rubio")]
    assert rubio
    mine = [e for e in example.events if e.attributed_to == rubio[0].id
            and e.sentence.text.find("accountable") >= 0]
    assert any(e.type == "REQUEST" for e in mine) or any(e.status == "advocated" for e in mine)
    assert not any(e.status == "asserted" and e.trigger.text == "hold" for e in mine)


def test_example_security_council_session_requested(example):
    hits = [e for e in example.events if "Security Council" in e.sentence.text
            and e.type in ("CONSULT", "REQUEST")]
    assert {"CONSULT", "REQUEST"} <= {e.type for e in hits}
    consult = next(e for e in hits if e.type == "CONSULT")
    assert consult.status == "advocated"
    assert consult.time.span.text == "March 10"
    src = entity(example, consult.source_actor)
    assert src is not None and "ambassadors" in src.name and src.sector == "GOV"


def test_example_events_have_ids_sentences_and_confidence(example):
    assert len({e.id for e in example.events}) == len(example.events) > 10
    for e in example.events:
        assert 0 <= e.confidence <= 1
        assert e.sentence.start <= e.trigger.start < e.sentence.end
        assert e.sentences and e.sentences[0] == e.sentence
        ids = {x.id for x in example.entities}
        for ref in (e.source_actor, e.target_actor, e.location, e.attributed_to):
            assert ref is None or ref in ids


def test_what_an_actor_will_not_do_is_a_refusal():
    rec = record_of("Spain will not lift the ban on Italian cheese.")
    refusal = find(rec, "REJECT", "lift")
    assert refusal.mode == "yield" and named(rec, refusal.source_actor) == "Spain"
    assert not [e for e in rec.events if e.type == "CONCEDE"]
    rec = record_of("The nurses said the union will not end the walkout before Friday.")
    assert find(rec, "REJECT", "end").status == "reported"


def test_imposed_sanctions_are_coerce_and_withdrawn_peacekeepers_sanction():
    rec = record_of("The European Union imposed sanctions on Russia on Monday.")
    coerce = find(rec, "COERCE", "imposed")                 # CAMEO 163 in the 2021 table
    assert coerce.mode == "restrict" and named(rec, coerce.target_actor) == "Russia"
    rec = record_of("The United Nations withdrew its peacekeepers from Sinai.")
    assert find(rec, "SANCTION", "withdrew").mode == "withdraw"   # SANCTION/withdraw l.565


def test_announced_release_is_agree_and_sent_relief_is_aid():
    rec = record_of("The rebels said they will release three hostages.")
    assert find(rec, "AGREE", "release")                    # CAMEO 0353 intent to release
    rec = record_of("Japan sent medical supplies and drugs to Nepal.")
    aid = find(rec, "AID", "sent")
    assert named(rec, aid.source_actor) == "Japan" and named(rec, aid.target_actor) == "Nepal"


def test_circumstance_events_are_part_of_the_main_event():
    rec = record_of("The United Nations suspended aid deliveries after a convoy was attacked.")
    main = find(rec, "SANCTION", "suspended")
    assert main.part_of is None
    assert find(rec, "ASSAULT", "attacked").part_of == main.id


# --- arguments: recipients that are places, things and parties named inside the object ---

@pytest.mark.parametrize("sentence, type_, trigger, source, target", [
    # a restriction in a place: the place is the recipient
    ("The army imposed a curfew in Kosovo on Monday.", "COERCE", "imposed", "army", "Kosovo"),
    # "to" names the recipient, not the thing handed over
    ("Japan sent its troops to Nepal.", None, "sent", "Japan", "Nepal"),
    # a protest's recipient is named in its grievance
    ("Thousands of workers held a strike over a law passed by the government.", "PROTEST",
     "strike", "workers", "government"),
    # human shields: the user and the people used
    ("Rebels used villagers as human shields.", "ASSAULT", None, "Rebels", "villagers"),
])
def test_source_and_recipient(sentence, type_, trigger, source, target):
    rec = record_of(sentence)
    event = (find(rec, type_, trigger) if type_ else
             next(e for e in rec.events if e.trigger.text == trigger))
    assert (named(rec, event.source_actor), named(rec, event.target_actor)) == (source, target)


def test_place_is_no_recipient_of_a_reciprocal_meeting():
    rec = record_of("Russia and Ukraine met in Istanbul on Monday.")
    assert all(e.target_actor is None for e in rec.events if e.type == "CONSULT")


def test_recipient_inside_a_passive_subject():
    rec = record_of("Sanctions against Peru were lifted on Monday.")
    assert named(rec, find(rec, "CONCEDE", "lifted").target_actor) == "Peru"


def test_plain_noun_phrase_recipient_becomes_a_generic_actor():
    rec = record_of("Soldiers attacked the mosque.")
    attack = find(rec, "ASSAULT", "attacked")
    target = entity(rec, attack.target_actor)
    assert target is not None and target.name == "mosque"
    assert_spans_match(rec)


def test_investigation_recipient_is_the_party_of_the_matter():
    rec = record_of("Prosecutors opened an investigation into allegations against John Smith.")
    inquiry = find(rec, "ACCUSE", "investigation")
    assert named(rec, inquiry.target_actor) == "John Smith"


def test_possessive_pronoun_defers_to_the_light_verb_subject():
    rec = record_of("Rebel fighters resumed their attacks on the port.")
    attack = find(rec, "ASSAULT", "attacks")
    assert named(rec, attack.source_actor) == "Rebel fighters"
    assert entity(rec, attack.source_actor).sector == "REB"


def test_pronoun_resolves_to_a_generic_speaker():
    rec = record_of("The regime said it would release the prisoners.")
    release = next(e for e in rec.events if e.trigger.text == "release")
    assert named(rec, release.source_actor) == "regime"


def test_international_body_code_has_no_country():
    from newsgraph.record import Entity
    body = Entity(id="x", name="UN", type="ORG", mentions=[], sector="IGO")
    assert ev.actor_code(body) == "IGO"
    assert ev.actor_code(Entity(id="y", name="Syrian army", type="ORG", mentions=[],
                                country="SY", sector="MIL")) == "SYRMIL"
