"""Exports read back as a user's tools would read them: csv, json, pyarrow.

The store holds a hand-coded article (our own text; events built with Span.of from it, so
the export code is tested on known values whatever the event coder does) and an article
without events; one test runs the real pipeline on a few sentences and round-trips it.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from newsgraph import Store
from newsgraph.cli import app
from newsgraph.export import (GDELT_COLUMNS, acled_config, write_acled_csv, write_gdelt_tsv,
                              write_geojson, write_parquet, write_plover_jsonl)
from newsgraph.record import (Count, Entity, Event, EventTime, Geo, Record, Span)
from newsgraph.store import StoreError

TEXT = (
    "Militants shelled the town of Kadugli on Thursday, killing 12 civilians, local officials said.\n"
    "Soldiers clashed with rebels near Kadugli on Friday, and three soldiers were killed.\n"
    "Hundreds of teachers demonstrated in Khartoum on Saturday to demand unpaid wages.\n"
    "Police arrested 35 protesters in Khartoum on Saturday.\n"
    "The foreign minister met his Egyptian counterpart in Cairo on Sunday.\n"
    "The army denied bombing a market in Dilling on Thursday.\n"
)
PUBLISHED = "2025-06-14"
KADUGLI = Geo(lat=11.0106, lon=29.7183, country="SD", admin1="Southern Kordofan",
              feature="PPLA", precision="city", geonameid=373141)
KHARTOUM = Geo(lat=15.5518, lon=32.5324, country="SD", admin1="Khartoum", feature="PPLC",
               precision="city", geonameid=379252)
CAIRO = Geo(lat=30.0626, lon=31.2497, country="EG", admin1="Cairo", feature="PPLC",
            precision="city")


def span(phrase: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(phrase, start + 1)
    return Span.of(TEXT, start, start + len(phrase))


def sentence(n: int) -> Span:
    lines = TEXT.split("\n")
    start = sum(len(x) + 1 for x in lines[:n])
    return Span.of(TEXT, start, start + len(lines[n]))


def day(phrase: str, iso: str, nth: int = 0) -> EventTime:
    return EventTime(start=iso, end=iso, precision="day", span=span(phrase, nth))


def hand_coded() -> Record:
    ents = [
        Entity("e1", "Militants", "NORP", [span("Militants")], country="SD", sector="REB"),
        Entity("e2", "Kadugli", "GPE", [span("Kadugli"), span("Kadugli", 1)], geo=KADUGLI,
               country="SD"),
        Entity("e3", "civilians", "NORP", [span("civilians")], country="SD", sector="CVL"),
        Entity("e4", "local officials", "ORG", [span("local officials")], country="SD",
               sector="GOV"),
        Entity("e5", "Soldiers", "NORP", [span("Soldiers")], country="SD", sector="MIL"),
        Entity("e6", "rebels", "NORP", [span("rebels")], country="SD", sector="REB"),
        Entity("e7", "teachers", "NORP", [span("teachers")], country="SD", sector="EDU"),
        Entity("e8", "Khartoum", "GPE", [span("Khartoum"), span("Khartoum", 1)], geo=KHARTOUM,
               country="SD"),
        Entity("e9", "Police", "ORG", [span("Police")], country="SD", sector="COP"),
        Entity("e10", "protesters", "NORP", [span("protesters")], country="SD", sector="CVL"),
        Entity("e11", "foreign minister", "PERSON", [span("foreign minister")], country="SD",
               sector="GOV"),
        Entity("e12", "Egyptian counterpart", "PERSON", [span("Egyptian counterpart")],
               country="EG", sector="GOV"),
        Entity("e13", "Cairo", "GPE", [span("Cairo")], geo=CAIRO, country="EG"),
        Entity("e14", "army", "ORG", [span("army")], country="SD", sector="MIL"),
        Entity("e15", "Dilling", "GPE", [span("Dilling")], country="SD"),   # not geocoded
    ]
    events = [
        Event("v1", "ASSAULT", "heavy-weapons", span("shelled"), sentence(0),
              source_actor="e1", target_actor="e3", location="e2",
              time=day("Thursday", "2025-06-12"),
              counts=[Count(12, False, "civilian", span("12 civilians"), effect="kill")],
              status="reported", attributed_to="e4", confidence=0.9),
        Event("v2", "ASSAULT", "firearms", span("clashed"), sentence(1),
              source_actor="e5", target_actor="e6", location="e2",
              time=day("Friday", "2025-06-13"),
              counts=[Count(3, False, "soldier", span("three soldiers"), effect="kill")],
              confidence=0.8, context=["military"]),
        Event("v3", "PROTEST", "demo", span("demonstrated"), sentence(2), source_actor="e7",
              location="e8", time=day("Saturday", "2025-06-14"),
              counts=[Count(None, True, "teacher", span("Hundreds of teachers"), lower=200)]),
        Event("v4", "COERCE", "arrest", span("arrested"), sentence(3), source_actor="e9",
              target_actor="e10", location="e8", time=day("Saturday", "2025-06-14", 1),
              counts=[Count(35, False, "protester", span("35 protesters"), effect="arrest")],
              context=["rights_freedoms", "repression"]),
        Event("v5", "CONSULT", None, span("met"), sentence(4), source_actor="e11",
              target_actor="e12", location="e13",
              time=day("Sunday", "2025-06-15"), context=["diplomatic"]),
        Event("v6", "ASSAULT", "aerial", span("bombing"), sentence(5), source_actor="e14",
              location="e15", time=day("Thursday", "2025-06-12", 1), status="denied"),
    ]
    return Record(id="a1", text=TEXT, url="https://example.org/sudan", published=PUBLISHED,
                  title="Shelling in Kadugli", language="en", entities=ents, events=events)


def quiet() -> Record:
    text = "The weather in the capital stayed mild all week.\n"
    return Record(id="a2", text=text, published=PUBLISHED, language="en")


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "ng.db") as s:
        assert s.ingest(hand_coded()) == "stored"
        assert s.ingest(quiet()) == "stored"
        yield s


def by_event(rows: list[dict], key: str) -> dict:
    return {r[key].rsplit("-", 1)[-1].rsplit(":", 1)[-1]: r for r in rows}


def test_spans_of_the_hand_coded_record_match():
    from newsgraph.record import iter_spans
    d = hand_coded().to_dict()
    assert all(TEXT[s["start"]:s["end"]] == s["text"] for s in iter_spans(d))


def test_acled_csv_reads_back_with_acled_columns_and_values(store):
    buf = io.StringIO(newline="")
    summary = write_acled_csv(store.records(), buf, now=1750000000)
    reader = csv.DictReader(io.StringIO(buf.getvalue()))
    assert reader.fieldnames == acled_config()["columns"]
    rows = by_event(list(reader), "event_id_cnty")
    assert set(rows) == {"v1", "v2", "v3", "v4"}
    assert summary.written == 4 and summary.events == 6 and summary.records == 2
    assert summary.skipped == {"CONSULT (no ACLED type)": 1, "status denied": 1}

    shelling = rows["v1"]
    assert shelling["event_id_cnty"] == "SDN-a1-v1"
    assert (shelling["event_type"], shelling["sub_event_type"]) == (
        "Explosions/Remote violence", "Shelling/artillery/missile attack")
    assert shelling["disorder_type"] == "Political violence"
    assert shelling["fatalities"] == "12"
    assert (shelling["actor1"], shelling["inter1"]) == ("Militants", "Rebel group")
    assert (shelling["actor2"], shelling["inter2"]) == ("Civilians (Sudan)", "Civilians")
    assert shelling["interaction"] == "Rebel group-Civilians"
    assert shelling["civilian_targeting"] == "Civilians targeted"
    assert (shelling["country"], shelling["iso"], shelling["admin1"]) == (
        "Sudan", "729", "Southern Kordofan")
    assert shelling["region"] == "Northern Africa"
    assert (shelling["location"], shelling["latitude"], shelling["longitude"]) == (
        "Kadugli", "11.0106", "29.7183")
    assert (shelling["geo_precision"], shelling["time_precision"]) == ("1", "1")
    assert (shelling["event_date"], shelling["year"]) == ("2025-06-12", "2025")
    assert shelling["source"] == "local officials; example.org"
    assert shelling["notes"] == sentence(0).text
    assert shelling["timestamp"] == "1750000000"

    battle = rows["v2"]
    assert (battle["event_type"], battle["sub_event_type"]) == ("Battles", "Armed clash")
    assert battle["interaction"] == "State forces-Rebel group"
    assert battle["fatalities"] == "3" and battle["civilian_targeting"] == ""

    protest = rows["v3"]
    assert (protest["event_type"], protest["sub_event_type"]) == ("Protests", "Peaceful protest")
    assert (protest["actor1"], protest["assoc_actor_1"], protest["inter1"]) == (
        "Protesters (Sudan)", "teachers", "Protesters")
    assert protest["actor2"] == "" and protest["interaction"] == "Protesters only"
    assert protest["disorder_type"] == "Demonstrations" and protest["fatalities"] == "0"

    arrest = rows["v4"]
    assert (arrest["event_type"], arrest["sub_event_type"]) == ("Strategic developments",
                                                                "Arrests")
    assert arrest["interaction"] == "State forces-Civilians"
    assert arrest["latitude"] == "15.5518"


def test_acled_fatalities_follow_acled_conventions():
    from newsgraph.export import fatalities
    text = "Gunmen killed dozens of villagers.\nThe toll was at least 30 people."

    def kill(phrase, value, what, lower=None):
        start = text.index(phrase)
        return {"value": value, "approx": True, "what": what, "effect": "kill", "lower": lower,
                "span": {"start": start, "end": start + len(phrase), "text": phrase}}

    dozens = kill("dozens of villagers", None, "villager", lower=24)
    thirty = kill("at least 30 people", 30, "person")
    # "dozens" is 12 for ACLED; two sentences are two reports: the lowest is kept.
    assert fatalities([dozens]) == 12
    assert fatalities([dozens, thirty], text) == 12
    assert fatalities([]) == 0


def test_gdelt_tsv_reads_back_with_cameo_codes(store):
    buf = io.StringIO(newline="")
    summary = write_gdelt_tsv(store.records(), buf, now=1750000000)
    reader = csv.DictReader(io.StringIO(buf.getvalue()), delimiter="\t")
    assert reader.fieldnames == GDELT_COLUMNS and len(GDELT_COLUMNS) == 61
    rows = list(reader)
    assert len(rows) == summary.written == 6
    assert len({r["GLOBALEVENTID"] for r in rows}) == 6
    by_code = {r["EventCode"]: r for r in rows}
    shelling = by_code["194"]   # ASSAULT heavy-weapons: CAMEO 194 "Fight with artillery and tanks"
    assert (shelling["EventBaseCode"], shelling["EventRootCode"]) == ("194", "19")
    assert shelling["QuadClass"] == "4" and shelling["GoldsteinScale"] == "-9.5"
    assert (shelling["Actor1Code"], shelling["Actor1CountryCode"], shelling["Actor1Type1Code"]) \
        == ("SDNREB", "SDN", "REB")
    assert (shelling["Actor2Code"], shelling["Actor2Name"]) == ("SDNCVL", "civilians")
    assert shelling["SQLDATE"] == "20250612" and shelling["Year"] == "2025"
    assert (shelling["ActionGeo_Lat"], shelling["ActionGeo_Long"]) == ("11.0106", "29.7183")
    assert shelling["ActionGeo_CountryCode"] == "SU"      # GDELT uses FIPS 10-4: Sudan = SU
    assert shelling["ActionGeo_Type"] == "4"               # a world city
    assert shelling["SOURCEURL"] == "https://example.org/sudan"
    assert shelling["DATEADDED"] == "20250615150640"
    consult = by_code["04"]    # leading zero kept
    assert consult["EventRootCode"] == "04" and consult["QuadClass"] == "1"
    assert consult["ActionGeo_CountryCode"] == "EG"
    assert by_code["173"]["EventRootCode"] == "17"        # COERCE arrest
    assert by_code["141"]["Actor1Code"] == "SDNEDU"        # PROTEST demo by teachers


def test_plover_jsonl_uses_the_manual_field_names(store):
    buf = io.StringIO()
    summary = write_plover_jsonl(store.records(), buf, now=1750000000)
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert len(lines) == summary.written == 6
    ev = {x["id"].split(":")[1]: x for x in lines}
    shelling = ev["v1"]
    assert shelling["event"] == ["ASSAULT"] and shelling["mode"] == ["heavy-weapons"]
    assert shelling["date"] == "2025-06-12" and "enddate" not in shelling
    assert shelling["actor"] == [{"code": "SDN", "sector": "REB", "entity_text": "Militants",
                                  "newsgraph_entity": "e1"}]
    assert shelling["recipient"][0]["sector"] == "CVL"
    assert shelling["event_loc"]["lat"] == 11.0106 and shelling["event_loc"]["lon"] == 29.7183
    assert shelling["event_loc"]["country_code"] == "SDN"
    assert shelling["size"] == {"dead": 12}
    assert shelling["quad_code"] == 4 and shelling["event_scale"] == -9.5
    assert shelling["status"] == "reported"
    assert shelling["attributed_to"]["entity_text"] == "local officials"
    s = shelling["text_info"]
    assert TEXT[s["start"]:s["end"]] == shelling["event_text"][0] == sentence(0).text
    t = shelling["trigger"]
    assert TEXT[t["start"]:t["end"]] == t["text"] == "shelled"
    assert ev["v4"]["size"] == {"arrested": 35}
    assert ev["v6"]["status"] == "denied" and "event_loc" not in ev["v6"]
    assert "text" not in shelling   # the article text is not redistributed


def test_geojson_points_are_lon_lat(store):
    buf = io.StringIO()
    summary = write_geojson(store.records(), buf)
    data = json.loads(buf.getvalue())
    assert data["type"] == "FeatureCollection"
    features = data["features"]
    assert len(features) == summary.written == 5
    assert summary.skipped == {"no geocoded place": 1}       # Dilling has no coordinates
    for f in features:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    shelling = next(f for f in features if f["properties"]["event_id"] == "v1")
    assert shelling["geometry"]["coordinates"] == [29.7183, 11.0106]
    p = shelling["properties"]
    assert (p["type"], p["mode"], p["date"], p["status"]) == (
        "ASSAULT", "heavy-weapons", "2025-06-12", "reported")
    assert (p["source_actor"], p["target_actor"], p["trigger"]) == (
        "Militants", "civilians", "shelled")
    assert p["article_id"] == "a1" and p["fatalities"] == 12
    cairo = next(f for f in features if f["properties"]["type"] == "CONSULT")
    assert cairo["geometry"]["coordinates"] == [31.2497, 30.0626]


def test_parquet_tables_hold_the_whole_store(store, tmp_path):
    import pyarrow.parquet as pq

    folder = tmp_path / "pq"
    summary = write_parquet(store.records(), folder)
    tables = {p.stem: pq.read_table(p) for p in folder.glob("*.parquet")}
    assert set(tables) == {"articles", "entities", "mentions", "events", "event_counts",
                           "dates", "counts"}
    assert tables["articles"].num_rows == len(store) == 2
    stored = list(store.records())
    assert tables["events"].num_rows == sum(len(r["events"]) for r in stored) == 6
    assert tables["entities"].num_rows == sum(len(r["entities"]) for r in stored) == 15
    assert tables["mentions"].num_rows == sum(len(e["mentions"]) for r in stored
                                              for e in r["entities"])
    assert tables["event_counts"].num_rows == 4
    assert summary.tables["events"] == 6
    events = {r["event_id"]: r for r in tables["events"].to_pylist()}
    assert events["v1"]["fatalities"] == 12 and events["v1"]["cameo"] == "194"
    assert events["v1"]["trigger_text"] == "shelled"
    assert TEXT[events["v1"]["trigger_start"]:events["v1"]["trigger_end"]] == "shelled"
    ents = {r["entity_id"]: r for r in tables["entities"].to_pylist() if r["article_id"] == "a1"}
    assert ents["e2"]["lat"] == 11.0106 and ents["e1"]["actor_code"] == "SDNREB"
    article = {r["id"]: r for r in tables["articles"].to_pylist()}
    assert article["a2"]["n_events"] == 0 and article["a1"]["text"] == TEXT


def test_store_events_filters(store):
    assert [e["event_id"] for e in store.events(type="assault")] == ["v1", "v2", "v6"]
    assert [e["event_id"] for e in store.events(actor="Rebels")] == ["v2"]
    assert [e["event_id"] for e in store.events(actor="SDNREB")] == ["v1", "v2"]
    assert [e["event_id"] for e in store.events(place="Khartoum")] == ["v3", "v4"]
    assert [e["event_id"] for e in store.events(place="Egypt")] == ["v5"]
    assert [e["event_id"] for e in store.events(place="Southern Kordofan")] == ["v1", "v2"]
    assert [e["event_id"] for e in store.events(date_from="2025-06-13",
                                                date_to="2025-06-14")] == ["v2", "v3", "v4"]
    assert store.events(type="COERCE", place="Cairo") == []
    with pytest.raises(StoreError, match="unknown event type"):
        store.events(type="KILL")


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_cli_export_acled_and_events(store, tmp_path):
    db = store.path
    out = tmp_path / "acled.csv"
    result = run("export", "--format", "acled-csv", "--db", db, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "4 events from 6 events in 2 articles" in result.stderr
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["sub_event_type"] for r in rows} == {
        "Shelling/artillery/missile attack", "Armed clash", "Peaceful protest", "Arrests"}

    result = run("events", "--db", db, "--type", "ASSAULT", "--format", "json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert [(e["type"], e["source_actor"]) for e in found] == [
        ("ASSAULT", "Militants"), ("ASSAULT", "Soldiers"), ("ASSAULT", "army")]

    result = run("events", "--db", db, "--place", "Khartoum")
    assert result.exit_code == 0 and "PROTEST" in result.stdout and "COERCE" in result.stdout
    assert "2 events" in result.stdout

    result = run("export", "--format", "parquet", "--db", db)
    assert result.exit_code == 2 and result.stderr.startswith("newsgraph: error: parquet")
    result = run("events", "--db", db, "--type", "nonsense")
    assert result.exit_code == 2 and "unknown event type" in result.stderr
    result = run("export", "--format", "geojson", "--db", db)
    assert result.exit_code == 0 and json.loads(result.stdout)["type"] == "FeatureCollection"


def test_real_pipeline_round_trip(tmp_path):
    """The coder's own events go through every export and come back whole."""
    import pyarrow.parquet as pq

    import newsgraph
    text = ("date 2025-04-02 Clashes near Aleppo\n"
            "Government forces arrested 40 people in Aleppo on Monday.\n"
            "Gunmen killed five farmers near Idlib on Tuesday, a monitor said.\n")
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    rec = newsgraph.analyze(path)
    with Store(tmp_path / "ng.db") as s:
        s.ingest(rec)
        n_events = sum(len(r["events"]) for r in s.records())
        buf = io.StringIO()
        assert write_plover_jsonl(s.records(), buf).written == n_events
        for line in buf.getvalue().splitlines():
            x = json.loads(line)
            info = x["text_info"]
            assert rec.text[info["start"]:info["end"]].strip() == x["event_text"][0]
        buf = io.StringIO()
        geo = write_geojson(s.records(), buf)
        assert geo.written + sum(geo.skipped.values()) == n_events
        for f in json.loads(buf.getvalue())["features"]:
            lon, lat = f["geometry"]["coordinates"]
            assert 35 < lon < 38 and 35 < lat < 37.5      # northern Syria: lon first
        buf = io.StringIO(newline="")
        acled = write_acled_csv(s.records(), buf)
        assert acled.written + sum(acled.skipped.values()) == n_events
        write_parquet(s.records(), tmp_path / "pq")
        assert pq.read_table(tmp_path / "pq" / "events.parquet").num_rows == n_events


def test_acled_rules_that_depend_on_actors_and_fatalities():
    """Police firing on demonstrators, and an arrest by a rebel group (ACLED: an abduction)."""
    text = "Police shot dead two demonstrators in Kassala.\nRebels arrested four traders.\n"

    def sp(phrase):
        i = text.index(phrase)
        return Span.of(text, i, i + len(phrase))

    ents = [Entity("e1", "Police", "ORG", [sp("Police")], country="SD", sector="COP"),
            Entity("e2", "demonstrators", "NORP", [sp("demonstrators")], country="SD",
                   sector="CVL"),
            Entity("e3", "Rebels", "NORP", [sp("Rebels")], country="SD", sector="REB"),
            Entity("e4", "traders", "NORP", [sp("traders")], country="SD", sector="BUS")]
    first, second = text.split("\n")[:2]
    events = [
        Event("v1", "ASSAULT", "crowd-control", sp("shot"), Span.of(text, 0, len(first)),
              source_actor="e1", target_actor="e2",
              time=EventTime("2025-06-10", "2025-06-10", "day", None),
              counts=[Count(2, False, "demonstrator", sp("two demonstrators"), effect="kill")]),
        Event("v2", "COERCE", "arrest", sp("arrested"),
              Span.of(text, len(first) + 1, len(first) + 1 + len(second)),
              source_actor="e3", target_actor="e4",
              time=EventTime("2025-06-10", "2025-06-10", "day", None)),
    ]
    rec = Record(id="a3", text=text, published="2025-06-11", entities=ents, events=events)
    buf = io.StringIO(newline="")
    write_acled_csv([rec], buf, now=0)
    rows = by_event(list(csv.DictReader(io.StringIO(buf.getvalue()))), "event_id_cnty")
    assert (rows["v1"]["sub_event_type"], rows["v1"]["fatalities"]) == (
        "Excessive force against protesters", "2")
    assert rows["v1"]["disorder_type"] == "Political violence; Demonstrations"
    assert (rows["v1"]["actor2"], rows["v1"]["inter2"]) == ("Protesters (Sudan)", "Protesters")
    assert rows["v1"]["interaction"] == "State forces-Protesters"
    assert rows["v1"]["location"] == "" and "location: unknown" in rows["v1"]["tags"]
    assert (rows["v2"]["event_type"], rows["v2"]["sub_event_type"]) == (
        "Violence against civilians", "Abduction/forced disappearance")
    assert rows["v2"]["interaction"] == "Rebel group-Civilians"
    # no place: country and region come from the actors' country
    assert (rows["v2"]["country"], rows["v2"]["region"], rows["v2"]["admin1"]) == (
        "Sudan", "Northern Africa", "")


def test_acled_regions_cover_each_country_once_with_acled_names():
    import pycountry
    from newsgraph.export import acled_region
    regions = acled_config()["regions"]
    codes = [str(c) for cs in regions.values() for c in cs]
    assert len(codes) == len(set(codes))
    assert all(c == "XK" or pycountry.countries.get(alpha_2=c) for c in codes)  # XK: Kosovo
    assert {"Western Africa", "Middle East", "Europe", "South Asia",
            "Caucasus and Central Asia"} <= set(regions)
    assert (acled_region("ua"), acled_region("NG"), acled_region("NO"), acled_region("SY"),
            acled_region("AF"), acled_region(None)) == (
        "Europe", "Western Africa", "Europe", "Middle East", "South Asia", "")


# --- places in ACLED and GDELT terms; PLOVER contexts in every export ---------------------

def placed(geo: Geo, name: str) -> Record:
    """One ASSAULT in a one-line article, at a place with these coordinates."""
    text = f"Gunmen attacked a market in {name} on Monday.\n"
    place = Span.of(text, text.index(name), text.index(name) + len(name))
    ents = [Entity("e1", "Gunmen", "NORP", [Span.of(text, 0, 6)], sector="REB"),
            Entity("e2", name, "GPE", [place], geo=geo, country=geo.country)]
    ev = Event("v1", "ASSAULT", "firearms", Span.of(text, 7, 15), Span.of(text, 0, len(text) - 1),
               source_actor="e1", location="e2",
               time=EventTime("2025-06-09", "2025-06-09", "day", None))
    return Record(id=f"p-{name.lower()}", text=text, published="2025-06-10", language="en",
                  entities=ents, events=[ev])


HOUSTON = Geo(lat=29.7633, lon=-95.3633, country="US", admin1="Texas", feature="PPLA2",
              precision="city", geonameid=4699066)
LATAKIA = Geo(lat=35.5317, lon=35.7901, country="SY", admin1="Latakia", feature="PPLA",
              precision="city", geonameid=173576)
BERN = Geo(lat=46.948, lon=7.4474, country="CH", admin1="Bern", feature="PPLC",
           precision="city", geonameid=2661552)
TEXAS = Geo(lat=31.25, lon=-99.25, country="US", admin1="Texas", feature="ADM1",
            precision="admin1", geonameid=4736286)
SYRIA = Geo(lat=35.0, lon=38.0, country="SY", admin1=None, feature="PCLI", precision="country",
            geonameid=163843)


def test_acled_admin2_is_the_nearest_towns_division_for_towns_only():
    records = [placed(HOUSTON, "Houston"), placed(TEXAS, "Texas"), placed(KADUGLI, "Kadugli"),
               placed(Geo(lat=35.0, lon=-40.0, country="US", admin1=None, feature=None,
                          precision="point"), "Atlantic")]
    buf = io.StringIO(newline="")
    write_acled_csv(records, buf, now=1750000000)
    rows = {r["location"]: r for r in csv.DictReader(io.StringIO(buf.getvalue()))}
    assert rows["Houston"]["admin2"] == "Harris County"       # GeoNames: Houston, Harris County
    assert rows["Houston"]["admin1"] == "Texas"
    assert rows["Texas"]["admin2"] == ""                      # a region has no one county
    assert rows["Kadugli"]["admin2"] == ""                    # GeoNames names none there
    assert rows["Atlantic"]["admin2"] == ""                   # nearest town far off: no guess
    assert all(r["admin3"] == "" and r["source_scale"] == "" for r in rows.values())


def test_gdelt_geo_ids_are_geonames_ids_and_fips_adm1_codes():
    records = [placed(LATAKIA, "Latakia"), placed(HOUSTON, "Houston"), placed(BERN, "Bern"),
               placed(SYRIA, "Syria"), placed(TEXAS, "Texas")]
    buf = io.StringIO(newline="")
    write_gdelt_tsv(records, buf, now=1750000000)
    rows = {r["ActionGeo_FullName"].split(",")[0]: r
            for r in csv.DictReader(io.StringIO(buf.getvalue()), delimiter="\t")}
    latakia = rows["Latakia"]
    assert latakia["ActionGeo_FeatureID"] == "173576"         # GeoNames id of Latakia
    assert latakia["ActionGeo_ADM1Code"] == "SY02"            # FIPS 10-4: Al Ladhiqiyah
    assert latakia["ActionGeo_CountryCode"] == "SY"
    assert rows["Houston"]["ActionGeo_ADM1Code"] == "USTX"    # GDELT's own US form
    assert rows["Houston"]["ActionGeo_FeatureID"] == "4699066"
    assert rows["Bern"]["ActionGeo_ADM1Code"] == ""           # GeoNames uses ISO codes there
    assert rows["Bern"]["ActionGeo_FeatureID"] == "2661552"
    assert (rows["Syria"]["ActionGeo_ADM1Code"], rows["Syria"]["ActionGeo_FeatureID"]) == (
        "SY", "SY")                                           # a country: its FIPS code
    assert rows["Texas"]["ActionGeo_FeatureID"] == "4736286"
    assert rows["Texas"]["ActionGeo_ADM1Code"] == ""          # no admin1 code table installed
    assert all(r["AvgTone"] == "" and r["ActionGeo_ADM2Code"] == "" for r in rows.values())


def test_gdelt_actor_geo_comes_from_the_actors_place():
    rec = placed(LATAKIA, "Latakia")
    rec.events[0].source_actor = "e2"          # the city itself acts ("Latakia declared ...")
    buf = io.StringIO(newline="")
    write_gdelt_tsv([rec], buf, now=1750000000)
    row = next(csv.DictReader(io.StringIO(buf.getvalue()), delimiter="\t"))
    assert (row["Actor1Geo_FeatureID"], row["Actor1Geo_ADM1Code"]) == ("173576", "SY02")
    assert row["Actor2Geo_FeatureID"] == ""


def test_contexts_in_every_export_and_the_events_filter(store, tmp_path):
    import pyarrow.parquet as pq

    buf = io.StringIO()
    write_plover_jsonl(store.records(), buf, now=1750000000)
    ev = {x["id"].split(":")[1]: x for x in map(json.loads, buf.getvalue().splitlines())}
    assert ev["v4"]["context"] == ["rights_freedoms", "repression"]   # the manual's field name
    assert ev["v5"]["context"] == ["diplomatic"]
    assert "context" not in ev["v1"]           # none coded: left out, as the manual says
    buf = io.StringIO(newline="")
    write_acled_csv(store.records(), buf, now=1750000000)
    rows = by_event(list(csv.DictReader(io.StringIO(buf.getvalue()))), "event_id_cnty")
    assert "plover context: rights_freedoms, repression" in rows["v4"]["tags"]
    write_parquet(store.records(), tmp_path / "pq")
    events = {r["event_id"]: r for r in pq.read_table(tmp_path / "pq" / "events.parquet")
              .to_pylist()}
    assert events["v2"]["context"] == ["military"] and events["v1"]["context"] == []

    assert [e["event_id"] for e in store.events(context="repression")] == ["v4"]
    assert [e["event_id"] for e in store.events(context="Human Rights")] == []
    assert store.events(context="military")[0]["context"] == ["military"]
    with pytest.raises(StoreError, match="unknown context"):
        store.events(context="warfare")
    result = run("events", "--db", store.path, "--context", "diplomatic")
    assert result.exit_code == 0 and "CONSULT" in result.stdout and "1 events" in result.stdout
    result = run("events", "--db", store.path, "--context", "repression", "--format", "json")
    assert [(e["type"], e["context"]) for e in json.loads(result.stdout)] == [
        ("COERCE", ["rights_freedoms", "repression"])]
    result = run("events", "--db", store.path, "--context", "nonsense")
    assert result.exit_code == 2 and "unknown context" in result.stderr
