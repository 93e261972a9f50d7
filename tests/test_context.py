"""PLOVER contexts: the manual's list, the CAMEO table's pairs, and what a user would check on
the example article, the samples and short texts of our own (real spaCy parse throughout)."""
from __future__ import annotations

import csv
import re

import pytest

from newsgraph import nlp
from newsgraph.extract.context import (assign_contexts, context_evidence, cues, find_cues)
from newsgraph.record import Entity, Event, Record, Section, Span


def manual_contexts(gold_dir) -> dict[str, str]:
    """The manual's table of general contexts: name -> its line (markup removed)."""
    text = (gold_dir / "events" / "codebook" / "PLOVER_MANUAL.md").read_text(encoding="utf-8")
    block = text[text.index("*General contexts"):text.index("How these contexts are used")]
    rows = {}
    for line in block.splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if len(parts) == 2 and re.fullmatch(r"[a-z_]+", parts[0]):
            rows[parts[0]] = parts[1].replace("*", "")
    return rows


def test_the_contexts_are_the_manuals_with_its_lines(gold_dir):
    import yaml

    from newsgraph.extract.context import DATA

    manual = manual_contexts(gold_dir)
    assert len(manual) == 37
    assert cues().order == list(manual)            # the manual's names, in its order
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))["contexts"]
    for name, line in manual.items():
        assert data[name]["manual"] == line, name
        assert data[name].get("lemmas") or data[name].get("phrases"), name


def test_type_mode_pairs_are_unanimous_in_the_cameo_table(gold_dir):
    path = gold_dir / "events" / "codebook" / "cameo_to_plover.tsv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for pair, rule in cues().type_modes.items():
        type_, mode = pair.split(":")
        mapped = [r for r in rows if r["plover_type"] == type_ and r["plover_mode"] == mode]
        assert sorted(r["cameo_code"] for r in mapped) == sorted(rule["cameo"]), pair
        assert {r["plover_context_2021"] for r in mapped} == {rule["context"]}, pair


def one_event(text: str, trigger: str, etype: str, mode=None, entities=(), source=None,
              target=None, sections=()) -> tuple[Record, Event]:
    """A record of `text` with one hand-placed event on `trigger`, contexts assigned from the
    real parse (the coder's own detection is tested elsewhere)."""
    start = text.index(trigger)
    sent_start = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    ends = [i for i in (text.find(". ", start), text.find("\n", start)) if i >= 0]
    sent_end = min(ends) + 1 if ends else len(text)
    ev = Event("v1", etype, mode, Span.of(text, start, start + len(trigger)),
               Span.of(text, sent_start, sent_end), source_actor=source, target_actor=target)
    rec = Record(id="t", text=text, entities=list(entities), events=[ev],
                 sections=list(sections))
    assign_contexts(nlp.parse(text), rec)
    return rec, ev


def entity(text: str, eid: str, phrase: str, sector: str, type_: str = "NORP") -> Entity:
    start = text.index(phrase)
    return Entity(eid, phrase, type_, [Span.of(text, start, start + len(phrase))],
                  sector=sector)


def test_cues_in_the_sentence_give_contexts_and_say_which():
    text = "Police fired tear gas at students and arrested dozens of them on Monday."
    ents = [entity(text, "e1", "Police", "COP", "ORG"), entity(text, "e2", "students", "EDU")]
    rec, ev = one_event(text, "arrested", "COERCE", "arrest", ents, "e1", "e2")
    assert "repression" in ev.context
    why = context_evidence(ev, rec, find_cues(nlp.parse(text)))
    assert why["repression"] in ("COP COERCE against EDU", "sentence: tear gas")
    assert "legal" not in ev.context               # an arrest alone is not a court matter


def test_war_crimes_are_human_rights_not_crime_and_soldiers_military():
    text = "Soldiers killed 20 villagers, and rights monitors called it a war crime."
    ents = [entity(text, "e1", "Soldiers", "MIL"), entity(text, "e2", "villagers", "CVL")]
    _, ev = one_event(text, "killed", "ASSAULT", None, ents, "e1", "e2")
    assert {"military", "human_rights", "repression"} <= set(ev.context)
    assert "crime" not in ev.context


def test_the_more_specific_crime_context_replaces_crime():
    text = "Police arrested three men suspected of drug trafficking, a crime that carries life."
    _, ev = one_event(text, "arrested", "COERCE", "arrest")
    assert {"illegal_drugs", "trafficking"} <= set(ev.context)
    assert "crime" not in ev.context


def test_modes_and_cameo_pairs_imply_their_context():
    text = "Hackers shut down the ministry's website on Friday."
    _, ev = one_event(text, "shut", "COERCE", "cyber")
    assert "cyber" in ev.context
    text = "The envoy requested talks with the rebels."
    _, ev = one_event(text, "requested", "REQUEST", "meet")
    assert "diplomatic" in ev.context              # CAMEO 106-108: all diplomatic
    text = "Gunmen opened fire on a bus near the border town."
    ents = [entity(text, "e1", "Gunmen", "REB")]
    _, ev = one_event(text, "opened fire", "ASSAULT", "firearms", ents, "e1")
    assert "military" not in ev.context            # not a state military: the manual's rule


def test_a_paragraph_about_a_topic_gives_its_events_the_context_a_single_line_does_not():
    text = ("Gunmen attacked a market in the town on Monday. Aid workers said food is running "
            "out. Families have no shelter left.\n\n"
            "The governor visited the town on Tuesday. He said food and shelter would come.")
    _, attack = one_event(text, "attacked", "ASSAULT")
    assert "human_security" in attack.context     # two other sentences of its paragraph
    _, visit = one_event(text, "visited", "CONSULT", "visit")
    assert "human_security" not in visit.context   # one sentence of it, not the paragraph


def test_an_election_story_puts_its_events_in_the_election_context():
    text = ("Violence mars election campaign\n\n"
            "Gunmen shot dead two party workers in the north on Sunday.\n")
    headline = Section("headline", 0, text.index("\n"))
    _, ev = one_event(text, "shot dead", "ASSAULT", "firearms", sections=[headline])
    assert "election" in ev.context                # the manual: coded from the article


def test_example_article_killings_arrests_and_diplomacy(example_record):
    """The user's questions on the example: in what context are the arrests and killings on
    the coast, and the Security Council session?"""
    rec = example_record
    names = set(cues().order)
    for ev in rec.events:
        assert set(ev.context) <= names and len(set(ev.context)) == len(ev.context)
        assert ev.context == [c for c in cues().order if c in ev.context]
    sectors = {e.id: e.sector for e in rec.entities}
    arrest = next(e for e in rec.events if e.type == "COERCE" and e.mode == "arrest"
                  and any(c.value == 2000 for c in e.counts))
    assert "human_rights" in arrest.context and "religion_ethnicity" in arrest.context
    killings = [e for e in rec.events if e.type == "ASSAULT"
                and sectors.get(e.target_actor) == "CVL"
                and sectors.get(e.source_actor) in ("COP", "MIL", "GOV")]
    assert killings
    assert all({"human_rights", "repression"} <= set(e.context) for e in killings)
    session = [e for e in rec.events if e.type == "CONSULT" and e.target_actor
               and sectors.get(e.target_actor) == "IGO"]
    assert session and all("diplomatic" in e.context for e in session)
    assert sum(bool(e.context) for e in rec.events) >= len(rec.events) // 2
    # Every context can be explained by words that are in the article.
    hits = find_cues(nlp.parse(rec.text))
    for why in context_evidence(arrest, rec, hits).values():
        if why.startswith(("sentence: ", "paragraph: ")):
            for word in why.split(": ", 1)[1].split(", "):
                assert word in rec.text


def test_samples_give_the_coast_clashes_their_contexts():
    import newsgraph
    from newsgraph.samples import SAMPLES_DIR

    rec = newsgraph.analyze(SAMPLES_DIR / "2025-03-12_latakia_coast_clashes.txt")
    sectors = {e.id: e.sector for e in rec.entities}
    troops = [e for e in rec.events if e.type == "ASSAULT"
              and "MIL" in (sectors.get(e.source_actor), sectors.get(e.target_actor))]
    assert troops and all("military" in e.context for e in troops)
    d = rec.to_dict()
    assert all(isinstance(e["context"], list) for e in d["events"])


def test_no_events_no_work_and_bad_data_file_is_one_line(tmp_path, monkeypatch):
    rec = Record(id="q", text="Nothing happened.")
    assign_contexts(nlp.parse(rec.text), rec)
    assert rec.events == []
    import newsgraph.extract.context as context
    bad = tmp_path / "bad.yaml"
    bad.write_text("contexts: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(context, "DATA", bad)
    context.cues.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"bad\.yaml: cannot read the context cues"):
            context.cues()
    finally:
        monkeypatch.undo()
        context.cues.cache_clear()


def test_cues_keep_to_their_part_of_speech_and_skip_names():
    def found(text):
        return {(h.context, h.cue) for h in find_cues(nlp.parse(text))}

    assert found("The two sides traded fire near the border.") == set()
    assert ("economic", "trade") in found("Both sides signed a trade pact.")
    assert found("The Syrian Democratic Forces held the dam.") == set()   # a name, not a cue
    assert ("pro_democracy", "democracy") in found("Protesters demanded democracy.")
