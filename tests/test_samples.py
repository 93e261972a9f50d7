"""The bundled samples: every file reads, in every format, with what the other stages need."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from newsgraph.read import ARTICLE_SUFFIXES, read_path
from newsgraph.samples import SAMPLES_DIR, sample_paths

# The one sample without a date line: a user passes --published for it.
PLAIN = "przemysl_sports_hall_shelter.txt"
PLAIN_PUBLISHED = "2025-02-14"


def read_sample(path):
    errors: list = []
    docs = list(read_path(path, published=PLAIN_PUBLISHED if path.name == PLAIN else None,
                          errors=errors))
    assert errors == []
    return docs


@pytest.fixture(scope="module")
def documents():
    return {p.name: read_sample(p) for p in sample_paths()}


def test_samples_cover_every_format(documents):
    suffixes = {name.rsplit(".", 1)[1] for name in documents}
    assert suffixes == {"txt", "html", "jsonl", "xml", "parquet"}
    assert sum(len(d) for d in documents.values()) >= 12
    assert "README.md" not in documents and "__init__.py" not in documents


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.name)
def test_every_sample_reads_with_date_language_and_sound_sections(path):
    docs = read_sample(path)
    assert docs
    for doc in docs:
        assert re.fullmatch(r"202[45]-\d\d-\d\d", doc.published or ""), doc.source
        assert doc.language == "en"
        assert doc.title
        assert doc.sections[0].kind == "headline"
        assert "lede" in [s.kind for s in doc.sections]
        last_end = 0
        for s in doc.sections:
            assert last_end <= s.start < s.end <= len(doc.text)
            assert doc.text[s.start:s.end].strip() == doc.text[s.start:s.end]
            last_end = s.end
        for c in doc.credits:
            assert doc.text[c.span.start:c.span.end] == c.span.text


def test_plain_sample_has_no_date_of_its_own():
    doc = read_path(SAMPLES_DIR / PLAIN).__next__()
    assert doc.published is None
    assert "no publication date: pass --published" in doc.warnings


def test_multi_article_samples_name_each_record(documents):
    assert [d.source.rsplit("#", 1)[1] for d in documents["world_corpus.jsonl"]] == ["1", "2", "3"]
    assert [d.source.rsplit("#", 1)[1] for d in documents["world_feed.xml"]] == ["item-1", "item-2"]
    assert [d.source.rsplit("#", 1)[1] for d in documents["world_corpus.parquet"]] == ["row-1", "row-2"]
    assert all(d.url and d.url.startswith("https://") for n in ("world_corpus.jsonl", "world_feed.xml",
               "world_corpus.parquet") for d in documents[n])


def test_samples_carry_credits_headings_and_background(documents):
    docs = [d for ds in documents.values() for d in ds]
    licences = Counter(c.license for d in docs for c in d.credits if c.license)
    assert {"CC BY-SA 4.0", "CC BY 4.0", "CC BY 2.0"} <= set(licences)
    assert all(c.license_url.startswith("https://creativecommons.org/")
               for d in docs for c in d.credits if c.license)
    assert all(c.author for d in docs for c in d.credits)
    kinds = Counter(s.kind for d in docs for s in d.sections)
    assert kinds["heading"] >= 10 and kinds["background"] >= 4 and kinds["caption"] >= 3
    latakia = documents["2025-03-12_latakia_coast_clashes.txt"][0]
    assert latakia.credits[0].author == "Amal Haddad"
    background = [latakia.text[s.start:s.end] for s in latakia.sections if s.kind == "background"]
    assert background and all("Latakia" in b or "Jableh" in b for b in background)


def test_samples_hold_the_phenomena_other_stages_are_tested_on(documents):
    text = "\n".join(d.text for ds in documents.values() for d in ds)
    for phrase in ("Latakia", "Lattakia", "ceasefire", "Moscow warned", "the Kremlin said",
                   "Beijing urged", "Riyadh declared", "The Kingdom", "Reuters reported",
                   "also known as", "known as", "on Friday", "two days earlier", "last week",
                   "early December", "At least 40 people were killed", "around 3,000",
                   "dozens were arrested", "the White House", "Moscow denied"):
        assert phrase in text, phrase


def test_readme_lists_every_sample():
    readme = (SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    assert "original writing" in readme
    for path in sample_paths():
        assert f"`{path.name}`" in readme
    shipped = [p for p in SAMPLES_DIR.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES and p.name != "README.md"]
    assert sorted(shipped) == sample_paths()
