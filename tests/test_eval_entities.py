"""`eval entities` on a small slice of the shared NER gold (skipped when the gold is absent)."""
from __future__ import annotations

from newsgraph.evaluate.entities import LABELS, evaluate


def in_unit(x: float) -> bool:
    return 0.0 <= x <= 1.0


def test_evaluate_small_slice(gold_dir):
    gold = gold_dir / "entities" / "conll2020_liu_ritter.jsonl"
    result = evaluate(gold, limit=3)
    for key in ("P", "R", "F1", "tp", "pred", "gold", "by_label", "by_file", "files", "limit"):
        assert key in result
    assert result["limit"] == 3
    assert result["files"] == ["conll2020_liu_ritter.jsonl"]
    assert result["gold"] > 0 and result["pred"] > 0 and 0 < result["tp"] <= result["gold"]
    assert all(in_unit(result[k]) for k in ("P", "R", "F1"))
    assert set(result["by_label"]) == set(LABELS)
    for lab in LABELS:
        assert all(in_unit(result["by_label"][lab][k]) for k in ("P", "R", "F1"))
    per_file = result["by_file"]["conll2020_liu_ritter.jsonl"]
    assert all(in_unit(per_file[k]) for k in ("P", "R", "F1"))
    assert set(per_file["by_label"]) == set(LABELS)
    assert all(in_unit(result["raw_spacy"][k]) for k in ("P", "R", "F1"))


def test_linking_only_files_are_skipped(gold_dir):
    result = evaluate(gold_dir / "entities" / "kore50.jsonl", limit=2)
    assert result["files"] == []
    assert [s["file"] for s in result["skipped"]] == ["kore50.jsonl"]
    assert result["F1"] == 0.0
