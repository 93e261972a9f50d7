"""The optional learned events layer: training, calibration, loading, and how it sits beside
the rules.

Training data here are sentences written for this test (never gold text); one test trains
on a small slice of the shared gold at test time and is skipped when the gold is absent.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsgraph import nlp
from newsgraph.extract.events_model import (ADD_AT, CONFIDENCE_SCALE, ENV, MIN_GAIN,
                                            EventsModelError, VETO_BELOW, apply_events_model,
                                            calibrate, features, fold_of, gold_cats, holdout_key,
                                            load_model, plover_types, rule_view, sentence_scores,
                                            thresholds, train)
from newsgraph.pipeline import build_record
from newsgraph.record import Document, Event, Span

# Our own sentences: peaceful gatherings (PROTEST) and sentences with no event at all.
PROTESTS = [f"{who} {verb} outside the {where} on {day}."
            for who, verb, where, day in [
                ("Hundreds of nurses", "rallied", "ministry", "Monday"),
                ("Thousands of students", "marched", "parliament", "Tuesday"),
                ("Farmers", "picketed", "town hall", "Friday"),
                ("Dockworkers", "demonstrated", "port authority", "Sunday"),
                ("Teachers", "rallied", "education office", "Wednesday"),
                ("Miners", "marched", "company headquarters", "Thursday"),
                ("Taxi drivers", "picketed", "city hall", "Saturday"),
                ("Pensioners", "demonstrated", "finance ministry", "Monday"),
                ("Doctors", "rallied", "health ministry", "Friday"),
                ("Residents", "marched", "governor's office", "Sunday")]]
QUIET = [f"The {thing} {state} {when}." for thing, state, when in [
    ("weather", "stayed mild", "all week"), ("river", "rose slowly", "after the rain"),
    ("orchestra", "played Mozart", "on Friday evening"), ("museum", "reopened", "in spring"),
    ("harvest", "was larger than usual", "this year"), ("library", "extended its hours", "in May"),
    ("bakery", "sold out of bread", "by noon"), ("football season", "began", "in August"),
    ("garden", "bloomed", "early this spring"), ("train", "arrived on time", "every day")]]


def write_gold(path: Path, rows: list[tuple[str, list[str]]]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for n, (text, types) in enumerate(rows):
            events = [{"plover": t, "mode": None, "cameo": None,
                       "source_actor": {"text": None, "code": None},
                       "target_actor": {"text": None, "code": None}, "trigger": None}
                      for t in types]
            fh.write(json.dumps({"id": f"own-{n}", "source": path.stem, "text": text,
                                 "published": None, "events": events}) + "\n")
    return path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A tiny model trained on our own sentences (seconds); uncalibrated (folds=0: fixed
    thresholds for every type), as 20 sentences are too few to calibrate on."""
    root = tmp_path_factory.mktemp("evm")
    gold = write_gold(root / "own.jsonl", [(t, ["PROTEST"]) for t in PROTESTS]
                      + [(t, []) for t in QUIET])
    summary = train(gold, root / "model", epochs=12, holdout=0.2, folds=0)
    assert summary["thresholds"]["PROTEST"] == {"add": ADD_AT, "veto": VETO_BELOW}
    assert summary["train_records"] + summary["heldout_records"] == 20
    return root / "model"


def test_gold_labels_keep_yield_undecided():
    types = plover_types()
    assert len(types) == 16
    cats = gold_cats({"events": [{"plover": None, "cameo": "081"},
                                 {"plover": "ACCUSE", "cameo": None}]}, types)
    assert cats["ACCUSE"] == 1.0 and cats["ASSAULT"] == 0.0
    assert "CONCEDE" not in cats and "RETREAT" not in cats     # missing, not negative
    assert set(gold_cats({"events": []}, types).values()) == {0.0}


def test_holdout_rule_is_deterministic_and_text_only():
    a = holdout_key("Police arrested 35 protesters.")
    assert a == holdout_key("  police ARRESTED 35 protesters!") and 0 <= a < 1
    share = sum(holdout_key(t) < 0.5 for t in PROTESTS + QUIET) / 20
    assert 0.2 <= share <= 0.8


def test_trained_model_loads_and_scores_every_type(model_dir):
    assert (model_dir / "config.cfg").is_file()
    held = [json.loads(x) for x in (model_dir / "heldout" / "own.jsonl").read_text().splitlines()]
    assert all(holdout_key(r["text"]) < 0.2 for r in held)
    meta = load_model(str(model_dir)).meta["newsgraph"]
    assert meta["epochs"] == 12 and meta["label_support"]["PROTEST"] >= 6
    protest, quiet = sentence_scores([features("Hundreds of cleaners rallied outside the "
                                               "hospital on Tuesday.", ["PROTEST"]),
                                      features("The museum stayed quiet in winter.", [])],
                                     str(model_dir))
    assert set(protest) == set(plover_types())
    assert protest["PROTEST"] > 0.5 > quiet["PROTEST"]


def record_of(text: str):
    doc = nlp.parse(text)
    return build_record(Document(text=text), doc), doc


def test_without_a_model_the_rules_are_untouched(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    text = "Police arrested 35 protesters in the capital on Saturday."
    rec, doc = record_of(text)
    before = [(e.type, e.trigger.start) for e in rec.events]
    apply_events_model(doc, rec)
    assert [(e.type, e.trigger.start) for e in rec.events] == before


def test_model_adds_a_type_the_rules_missed_and_keeps_rule_events(model_dir, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    text = ("The Kenya National Union of Teachers rallied outside the hospital on Tuesday.\n"
            "Police arrested 35 protesters in the capital on Saturday.")
    rec, doc = record_of(text)
    rules = {(e.type, e.trigger.start, e.trigger.text) for e in rec.events}
    # Take the rules' PROTEST out of the first sentence to stand for a missed one.
    rec.events = [e for e in rec.events if not (e.type == "PROTEST" and e.trigger.start < 70)]
    kept = {(e.type, e.trigger.start, e.trigger.text) for e in rec.events}
    apply_events_model(doc, rec, str(model_dir))
    after = {(e.type, e.trigger.start, e.trigger.text) for e in rec.events}
    assert kept <= after <= rules | after                  # rule events all still there
    added = [e for e in rec.events if (e.type, e.trigger.start, e.trigger.text) not in kept]
    assert all(e.confidence <= CONFIDENCE_SCALE for e in added)
    first_sentence = [e for e in added if e.sentence.start == 0]
    assert [e.type for e in first_sentence] == ["PROTEST"]
    ev = first_sentence[0]
    assert ev.trigger.text == "rallied" == text[ev.trigger.start:ev.trigger.end]
    assert ev.sentence.text == text[ev.sentence.start:ev.sentence.end]
    assert ev.status == "asserted" and ev.confidence <= CONFIDENCE_SCALE and ev.mode is None
    assert ev.source_actor and "union of teachers" in next(
        e.name for e in rec.entities if e.id == ev.source_actor).lower()
    assert len({e.id for e in rec.events}) == len(rec.events)
    # The rules' own PROTEST (when they find it) keeps the model from adding a second one.
    rec2, doc2 = record_of(text)
    apply_events_model(doc2, rec2, str(model_dir))
    first = [e for e in rec2.events if e.type == "PROTEST" and e.trigger.start < 70]
    assert len(first) == 1


def test_model_vetoes_only_weak_rule_events(model_dir):
    text = "The weather stayed mild all week."
    rec, doc = record_of(text)
    assert sentence_scores([features(text, ["ASSAULT"])], str(model_dir))[0]["ASSAULT"] \
        < VETO_BELOW
    sent = Span.of(text, 0, len(text))
    trig = Span.of(text, 12, 18)
    rec.events = [Event("v1", "ASSAULT", None, trig, sent, confidence=0.45),
                  Event("v2", "ASSAULT", "firearms", trig, sent, confidence=0.9),
                  Event("v3", "ASSAULT", None, trig, sent, confidence=0.45, part_of="v2")]
    apply_events_model(doc, rec, str(model_dir))
    assert [e.id for e in rec.events] == ["v2", "v3"]


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "newsgraph.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300)


def test_cli_train_and_use(model_dir, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Hundreds of cleaners rallied outside the hospital on Tuesday.\n")
    result = run("analyze", str(article), "--events-model", str(model_dir))
    assert result.returncode == 0, result.stderr
    rec = json.loads(result.stdout)
    assert "PROTEST" in {e["type"] for e in rec["events"]}
    bad = run("analyze", str(article), "--events-model", str(tmp_path))
    assert bad.returncode == 3 and bad.stderr.count("\n") == 1
    assert "not an events model" in bad.stderr and "Traceback" not in bad.stderr
    junk = write_gold(tmp_path / "junk.jsonl", [])
    junk.write_text("not json\n")
    result = run("train", "events", "--gold", str(junk), "-o", str(tmp_path / "m"))
    assert result.returncode == 3 and "junk.jsonl" in result.stderr
    assert "Traceback" not in result.stderr
    result = run("train", "events", "--gold", str(junk), "--folds", "1")
    assert result.returncode == 3 and "--folds 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_rule_view_and_features():
    text = "Police arrested 35 protesters in the capital on Saturday."
    rec, _ = record_of(text)
    claimed, present = rule_view(rec.events, 0, len(text))
    assert "COERCE" in claimed and set(claimed) <= present
    assert rule_view(rec.events, len(text), len(text) + 10) == ({}, set())
    assert features(text, claimed).startswith(text + " ")
    assert features(text, ["PROTEST", "ASSAULT"]).split()[-2:] == ["newsgraphruleassault",
                                                                   "newsgraphruleprotest"]
    assert features(text, []).split()[-1] == "newsgraphrulenone"
    folds = [fold_of(t, 4) for t in PROTESTS + QUIET]
    assert set(folds) <= {0, 1, 2, 3} and len(set(folds)) > 1
    assert folds == [fold_of(t.upper(), 4) for t in PROTESTS + QUIET]


def test_calibration_switches_on_only_actions_that_remove_errors():
    types = ["PROTEST", "ASSAULT", "AID"]
    cats, views, probs = [], [], []

    def row(gold, claimed, p, weak=True):
        cats.append({t: float(t in gold) for t in types})
        views.append(({t: weak for t in claimed}, set(claimed)))
        probs.append({t: p.get(t, 0.01) for t in types})

    for _ in range(6):     # PROTEST the rules miss, the classifier is sure of
        row({"PROTEST"}, [], {"PROTEST": 0.85})
    for _ in range(6):     # weak ASSAULT the rules claim wrongly, the classifier doubts
        row(set(), ["ASSAULT"], {"ASSAULT": 0.01})
    for _ in range(10):    # the rules right on ASSAULT and AID
        row({"ASSAULT", "AID"}, ["ASSAULT", "AID"], {"ASSAULT": 0.9, "AID": 0.9})
    for _ in range(2):     # two AID misses: too few to switch AID's add on
        row({"AID"}, [], {"AID": 0.95})
    gates = calibrate(types, cats, views, probs)
    assert gates["PROTEST"]["add"] is not None and gates["PROTEST"]["add"] <= 0.8
    assert gates["PROTEST"]["gain"] >= MIN_GAIN and gates["PROTEST"]["f1"] == 1.0
    assert gates["ASSAULT"]["veto"] is not None and gates["ASSAULT"]["add"] is None
    assert gates["AID"] == {**gates["AID"], "add": None, "veto": None, "gain": 0}
    assert gates["AID"]["f1"] == gates["AID"]["rules_f1"]


def test_calibrated_training_on_a_gold_slice(gold_dir, tmp_path):
    gold = gold_dir / "events" / "zsp_plv.jsonl"
    if not gold.exists():
        pytest.skip("zsp_plv gold absent")
    summary = train(gold, tmp_path / "m", epochs=1, limit=80, folds=2)
    assert summary["train_records"] == 80 and summary["calibration"]["records"] == 80
    assert summary["rule_features"] and set(summary["thresholds"]) == set(plover_types())
    gates = thresholds(str(tmp_path / "m"))
    assert gates == summary["thresholds"]
    for t, g in summary["calibration"]["per_type"].items():
        on = g["add"] is not None or g["veto"] is not None
        assert g["gain"] >= MIN_GAIN if on else g["gain"] == 0
    scores = sentence_scores([features("A sentence the model has never seen.", [])],
                             str(tmp_path / "m"))[0]
    assert set(scores) == set(plover_types()) and all(0 <= p <= 1 for p in scores.values())
    # A type whose gates are off is left to the rules: nothing added, nothing vetoed.
    text = "Police arrested 35 protesters in the capital on Saturday.\nTalks broke down."
    rec, doc = record_of(text)
    before = {(e.type, e.trigger.start) for e in rec.events}
    apply_events_model(doc, rec, str(tmp_path / "m"))
    after = {(e.type, e.trigger.start) for e in rec.events}
    off = {t for t, g in gates.items() if g["add"] is None and g["veto"] is None}
    assert {x for x in before ^ after if x[0] in off} == set()
    with pytest.raises(EventsModelError, match="not an events model"):
        load_model(str(tmp_path))
    assert ADD_AT == 0.5
