"""Shared fixtures: the real example article (skipped when ../shared is absent) and the gold."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLE = SHARED / "examples" / "000_7858cea97ce4f018.txt"
GOLD = SHARED / "gold"
SAMPLES = ROOT / "src" / "newsgraph" / "samples"


@pytest.fixture(scope="session")
def example_path() -> Path:
    if not EXAMPLE.exists():
        pytest.skip("../shared/examples is absent")
    return EXAMPLE


@pytest.fixture(scope="session")
def example_record(example_path):
    import newsgraph
    return newsgraph.analyze(example_path)


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    if not GOLD.exists():
        pytest.skip("../shared/gold is absent")
    return GOLD


def assert_spans_match(rec) -> int:
    """Every span in a record cuts exactly its text from the record's text; returns how many."""
    from newsgraph.record import iter_spans
    d = rec.to_dict() if hasattr(rec, "to_dict") else rec
    n = 0
    for span in iter_spans(d):
        assert d["text"][span["start"]:span["end"]] == span["text"], span
        n += 1
    return n
