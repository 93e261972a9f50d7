"""The output contract: every record of every sample, and of the example, fits record-v1.json
and every span in it cuts exactly its text from the article."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, ValidationError

from conftest import assert_spans_match
from newsgraph import SCHEMA_VERSION
from newsgraph.batch import analyze_paths
from newsgraph.read import expand_paths
from newsgraph.record import SECTION_KINDS
from newsgraph.schema import errors, load, validate

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "newsgraph" / "samples"


@pytest.fixture(scope="module")
def sample_records() -> list[tuple[str, dict]]:
    """(source, record) for every article of every sample file, analysed once."""
    failures: list[str] = []
    out = [(doc.source, rec.to_dict()) for doc, rec in analyze_paths(
        [str(SAMPLES)], on_event=lambda e: e["event"] == "failed" and failures.append(e["reason"]))]
    assert not failures, failures
    return out


def test_schema_is_valid_draft_2020_12():
    schema = load()
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
    assert schema["$defs"]["section"]["properties"]["kind"]["enum"] == list(SECTION_KINDS)


def test_every_sample_file_yields_records(sample_records):
    files = {str(p) for p in expand_paths([str(SAMPLES)])}
    assert len(files) >= 10
    sources = {src for src, _ in sample_records}
    for f in files:   # each file gives at least one record (multi-article files give several)
        assert any(s == f or s.startswith(f) for s in sources), f
    assert len(sample_records) >= 12


def test_every_sample_record_fits_the_contract(sample_records):
    for source, rec in sample_records:
        assert errors(rec) == [], source
        validate(rec)


def test_every_span_matches_its_text(sample_records):
    total = 0
    for source, rec in sample_records:
        total += assert_spans_match(rec)
        n = len(rec["text"])
        for s in rec["sections"]:                       # sections carry offsets, not text
            assert 0 <= s["start"] < s["end"] <= n, (source, s)
        for e in rec["entities"]:
            assert e["mentions"], (source, e["name"])
            for m in e["mentions"]:
                assert m["start"] < m["end"] <= n, (source, m)
    assert total > 100


def test_example_fits_the_contract(example_record):
    rec = example_record.to_dict()
    validate(rec)
    assert assert_spans_match(rec) > 50
    assert rec["published"] == "2025-03-10"


def test_schema_rejects_broken_records(sample_records):
    rec = max((r for _, r in sample_records), key=lambda r: len(r["entities"]))
    assert rec["entities"]

    def broken(change) -> dict:
        r = copy.deepcopy(rec)
        change(r)
        return r

    cases = [
        broken(lambda r: r.pop("entities")),
        broken(lambda r: r.update(schema_version="2")),
        broken(lambda r: r.update(published="10 March 2025")),
        broken(lambda r: r["entities"][0].update(type="PERSONS")),
        broken(lambda r: r["entities"][0].update(country="Syria")),
        broken(lambda r: r["entities"][0]["mentions"][0].pop("text")),
        broken(lambda r: r["entities"][0]["mentions"][0].update(start=-1)),
        broken(lambda r: r["sections"].append({"kind": "footer", "start": 0, "end": 1})),
        broken(lambda r: r.update(warnings=[{"message": "x"}])),
    ]
    for case in cases:
        with pytest.raises(ValidationError):
            validate(case)
    # New fields are allowed: later issues add them without a version bump.
    validate(broken(lambda r: r.update(new_layer=[{"anything": 1}])))
