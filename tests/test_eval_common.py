"""Every `eval` area reports bad or missing gold the same way: one clear error naming it."""
from importlib import import_module

import pytest

AREAS = ["dates", "geo", "entities", "linking", "events"]


@pytest.mark.parametrize("area", AREAS)
def test_bad_gold_gives_a_clear_error(area, tmp_path):
    evaluate = import_module(f"newsgraph.evaluate.{area}").evaluate
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        evaluate(bad, limit=1)
    with pytest.raises(FileNotFoundError, match="no such gold"):
        evaluate(tmp_path / "missing", limit=1)
