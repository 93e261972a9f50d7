"""A GeoNames import reaches the record: a small town the embedded gazetteer lacks is found by
the real pipeline once a GeoNames dump holding it is imported, with the dump's point, its
country and its first-level division's name, and not before. The dump is written here in
GeoNames' own format (one row of GeoNames' cities500, CC BY 4.0, geonames.org)."""

import pytest

from newsgraph.kb import store
from newsgraph.kb.geonames import import_geonames
from newsgraph.pipeline import analyze
from newsgraph.resolve import gazetteer

# Wiluna, Western Australia (GeoNames 2058225): admin1 code 08 is Western Australia.
WILUNA = ["2058225", "Wiluna", "Wiluna", "Uiluna,WUN,Wiluna,Уилуна", "-26.5921", "120.22402",
          "P", "PPL", "AU", "", "08", "59250", "", "", "1432", "", "518", "Australia/Perth",
          "2019-07-18"]

ARTICLE = ("Protesters blocked the only sealed road into Wiluna on Tuesday, police said.\n"
           "The shire council in Wiluna, a remote town in Western Australia, asked the state "
           "government for help.")


def write_dump(path, rows):
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def kb_path(tmp_path, monkeypatch):
    """A fresh KB store, which the pipeline reads through $NEWSGRAPH_KB."""
    path = tmp_path / "kb.sqlite"
    monkeypatch.setenv(store.ENV_PATH, str(path))
    return path


def entity_named(record, name):
    return next((e for e in record.entities if any(m.text == name for m in e.mentions)), None)


def test_town_absent_from_embedded_gazetteer_resolves_after_import(tmp_path, kb_path):
    assert gazetteer.lookup("Wiluna") == []
    before = analyze(ARTICLE, published="2025-03-10")
    town = entity_named(before, "Wiluna")
    assert town is None or town.geo is None

    result = import_geonames(write_dump(tmp_path / "AU.txt", [WILUNA]), kb_path=kb_path)
    assert result["added"] == 1
    record = analyze(ARTICLE, published="2025-03-10")
    town = entity_named(record, "Wiluna")
    assert town is not None and town.type == "GPE"
    assert len(town.mentions) == 2
    for m in town.mentions:
        assert record.text[m.start:m.end] == m.text == "Wiluna"
    assert (town.geo.lat, town.geo.lon) == (-26.5921, 120.22402)
    assert town.geo.geonameid == 2058225 and town.geo.population == 1432
    assert town.country == town.geo.country == "AU"
    assert town.geo.admin1 == "Western Australia"
    assert town.geo.precision == "city"
    for e in record.entities:
        for m in e.mentions:
            assert record.text[m.start:m.end] == m.text


def test_imported_place_the_index_holds_is_not_a_second_candidate(tmp_path, kb_path):
    """A dump row for a town the index already has (same geonameid) adds its new names to that
    town, with the index's admin1; its known names still find one town."""
    latakia = next(c for c in gazetteer.lookup("Latakia") if c.feature_class == "P")
    before = gazetteer.lookup("Latakia")
    assert gazetteer.lookup("Latakiyah") == []
    row = [str(latakia.geonameid), "Latakia", "Latakia", "Latakiyah,Lattakia", str(latakia.lat),
           str(latakia.lon), "P", "PPLA", "SY", "", "02", "", "", "", str(latakia.population), "",
           "10", "Asia/Damascus", "2024-01-01"]
    import_geonames(write_dump(tmp_path / "SY.txt", [row]), kb_path=kb_path)

    found = gazetteer.lookup("Latakiyah")
    assert [c.id for c in found] == [latakia.id]
    assert found[0].admin1 == "Latakia" and found[0].name_kind == gazetteer.ALTERNATE
    assert sorted(c.id for c in gazetteer.lookup("Latakia")) == sorted(c.id for c in before)
