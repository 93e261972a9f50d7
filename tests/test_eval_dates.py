"""`eval dates`: TempEval-3 Task A scoring, on a small slice of the shared gold."""
from __future__ import annotations

import json

import pytest

from newsgraph.evaluate.common import read_gold
from newsgraph.evaluate.dates import FIGURES, count_doc, evaluate, score_file


def test_scoring_alignment_by_character_overlap():
    gold = [{"start": 0, "end": 6, "type": "DATE", "value": "2013-03-22"},
            {"start": 10, "end": 23, "type": "DATE", "value": "2013-W11"}]
    system = [{"start": 0, "end": 6, "type": "DATE", "value": "2013-03-22"},     # strict, right
              {"start": 14, "end": 23, "type": "DURATION", "value": "P1W"},     # relaxed, wrong
              {"start": 30, "end": 33, "type": "DATE", "value": "2013"}]        # spurious
    c = count_doc(system, gold)
    assert c == {"system": 3, "gold": 2, "relaxed": 2, "strict": 1, "type_ok": 1, "value_ok": 1}


def test_gold_against_itself_scores_100(gold_dir):
    file = gold_dir / "dates" / "te3_aquaint.jsonl"
    if not file.exists():
        pytest.skip("dates gold absent")
    records = list(read_gold(file, 10))
    scored = score_file(records, [r["timexes"] for r in records])
    for key in FIGURES:
        assert scored[key] == 1.0


def test_evaluate_small_slice(gold_dir):
    if not (gold_dir / "dates").exists():
        pytest.skip("dates gold absent")
    result = evaluate(gold_dir / "dates", limit=3)
    for key in FIGURES + ("strict_P", "strict_R", "relaxed_P", "relaxed_R", "type_F1"):
        assert 0.0 <= result[key] <= 1.0, key
    assert result["counts"]["gold"] > 0 and result["counts"]["system"] > 0
    assert set(result["by_file"]) == {"meantime_en.jsonl", "te3_aquaint.jsonl"}
    # Dates are found and normalised, not merely spotted: most matched values are right.
    # (MEANTIME annotates only its first sentences, so recall, not precision, is checked.)
    assert result["relaxed_R"] > 0.6 and result["value_accuracy"] > 0.6
    json.dumps(result)
