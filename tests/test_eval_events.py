"""`eval events`: sentence-level PLOVER type sets, modes and actors, on slices of the gold."""
from __future__ import annotations

import json

import pytest

from newsgraph.evaluate.common import read_gold
from newsgraph.evaluate.events import evaluate, score_file


def gold_as_prediction(rec: dict) -> list[dict]:
    return [{"type": e["plover"], "mode": e["mode"],
             "source": [(e["source_actor"] or {}).get("text") or ""],
             "target": [(e["target_actor"] or {}).get("text") or ""]}
            for e in rec["events"] if e["plover"]]


def test_scoring_counts_type_sets_per_sentence():
    records = [{"text": "a", "events": [{"plover": "ASSAULT", "mode": "firearms", "cameo": None,
                                         "source_actor": {"text": "The gunmen", "code": None},
                                         "target_actor": {"text": "villagers", "code": None}}]},
               {"text": "b", "events": []}]
    predicted = [[{"type": "ASSAULT", "mode": "firearms", "source": ["gunmen"],
                   "target": ["Alawite villagers"]},
                  {"type": "PROTEST", "mode": None, "source": [], "target": []}],
                 [{"type": "PROTEST", "mode": None, "source": [], "target": []}]]
    s = score_file(records, predicted, "petr2_validation")
    assert s["per_type"]["ASSAULT"] == {"P": 1.0, "R": 1.0, "F1": 1.0, "tp": 1, "pred": 1, "gold": 1}
    assert s["per_type"]["PROTEST"]["pred"] == 2 and s["per_type"]["PROTEST"]["tp"] == 0
    assert s["macro_F1"] == 1.0            # macro over types with gold support only
    assert s["micro_F1"] == round(2 * (1 / 3) * 1 / (1 / 3 + 1), 4)
    assert s["mode_accuracy"] == 1.0
    assert s["actor_accuracy"] == {"source": 1.0, "target": 1.0, "both": 1.0}


def test_zsp_merges_concede_and_retreat_into_yield():
    records = [{"text": "a", "events": [{"plover": None, "mode": None, "cameo": "08",
                                         "source_actor": {"text": "X"}, "target_actor": {"text": "Y"}}]}]
    s = score_file(records, [[{"type": "YIELD", "mode": None, "source": ["X"], "target": ["Y"]}]],
                   "zsp_plv")
    assert s["per_type"]["YIELD"]["F1"] == 1.0


def test_gold_against_itself_scores_100(gold_dir):
    file = gold_dir / "events" / "plover_gsr.jsonl"
    if not file.exists():
        pytest.skip("events gold absent")
    records = list(read_gold(file, 30))
    s = score_file(records, [gold_as_prediction(r) for r in records], "plover_gsr")
    assert s["macro_F1"] == 1.0 and s["micro_F1"] == 1.0
    assert s["actor_accuracy"]["source"] == 1.0


def test_evaluate_small_slice_every_dataset_apart(gold_dir):
    if not (gold_dir / "events").exists():
        pytest.skip("events gold absent")
    result = evaluate(gold_dir / "events", limit=15)
    assert result["primary"] == "plover_gsr"
    assert 0.0 <= result["macro_F1"] <= 1.0 and 0.0 <= result["micro_F1"] <= 1.0
    assert set(result["by_file"]) >= {"plover_gsr.jsonl", "zsp_plv.jsonl", "case2021_task2.jsonl"}
    case = result["by_file"]["case2021_task2.jsonl"]
    assert "macro_F1" not in case and 0.0 <= case["main_type_recall"] <= 1.0
    # The coder finds events, not noise: on these slices it finds most gold types.
    assert result["by_file"]["plover_gsr.jsonl"]["micro_R"] > 0.4
    assert case["main_type_recall"] > 0.5
    json.dumps(result)


def test_actor_head_match_is_by_whole_words():
    from newsgraph.evaluate.events import _actor_match
    assert _actor_match("the US", ["US forces"])
    assert _actor_match("The gunmen", ["gunmen"])
    assert not _actor_match("US", ["Russia"])          # no match inside a word
