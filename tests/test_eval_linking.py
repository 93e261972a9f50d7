"""`eval linking` on small slices of the shared entity-linking gold (skipped when absent)."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from newsgraph.cli import app
from newsgraph.evaluate.linking import evaluate, is_correct, title_key

SHARES = ("accuracy", "kb_coverage", "in_kb_accuracy", "found_share")


def in_unit(x) -> bool:
    return x is not None and 0.0 <= x <= 1.0


def test_evaluate_aida_slice(gold_dir):
    result = evaluate(gold_dir / "entities" / "aida_conll.jsonl", limit=3)
    assert result["limit"] == 3 and result["inkb_mentions"] > 0
    assert all(in_unit(result[k]) for k in SHARES + ("F1", "P", "R", "nil_unlinked_share"))
    # What the linker gets right is at most what the KB holds and what was found.
    assert result["accuracy"] <= min(result["found_share"], 1.0)
    assert result["correct"] <= result["inkb_mentions"]
    assert result["in_kb_accuracy"] >= result["accuracy"]
    per_file = result["by_file"]["aida_conll.jsonl"]
    assert per_file["documents"] == 3 and in_unit(per_file["accuracy"])


def test_non_exhaustive_sets_give_no_f1_and_ner_only_files_are_skipped(gold_dir):
    result = evaluate(gold_dir / "entities" / "msnbc.jsonl", limit=2)
    assert result["F1"] is None and in_unit(result["accuracy"])
    skipped = evaluate(gold_dir / "entities" / "conll2003.jsonl", limit=2)
    assert [s["file"] for s in skipped["skipped"]] == ["conll2003.jsonl"]


def test_ids_compare_as_the_readme_says():
    assert title_key("Hay'at_Tahrir_al-Sham") == "Hay'at Tahrir al-Sham"
    assert title_key("iPhone") == "IPhone"
    assert is_correct("Syria", {"wikipedia": "Syria", "wikidata": None}, None)
    # Both sides have a QID: the QIDs decide.
    assert is_correct("Syria", {"wikipedia": "Syria", "wikidata": "Q858"}, "Syria")
    assert not is_correct("United Kingdom", {"wikipedia": "Great Britain", "wikidata": "Q23666"},
                          "United Kingdom")
    assert not is_correct(None, {"wikipedia": "Syria", "wikidata": None}, "Syria")


def test_cli_eval_linking_json(gold_dir):
    out = CliRunner().invoke(app, ["eval", "linking", "--gold",
                                   str(gold_dir / "entities" / "kore50.jsonl"),
                                   "--limit", "2", "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert all(k in result for k in SHARES + ("F1", "by_file", "nil_unlinked_share"))
