"""KB dump imports: the suite writes small files in each dump's real format (Wikidata JSON in gz
and bz2, GeoNames txt and zip, a Wikipedia abstract XML and a CirrusSearch dump, YAML and CSV
actor lists), imports them into a temporary KB store, and checks what a user would: lookups
find the imported entities, imports override the embedded KB, importing again changes nothing,
and an interrupted import resumes to the same final state."""

import bz2
import gzip
import json
import sqlite3
import zipfile

import pytest
from typer.testing import CliRunner

from newsgraph import kb
from newsgraph.kb import store
from newsgraph.kb.actors import ActorListError, import_actors
from newsgraph.kb.cli import kb_app
from newsgraph.kb.geonames import import_geonames
from newsgraph.kb.wikidata import import_wikidata
from newsgraph.kb.wikipedia import import_wikipedia
from newsgraph.resolve import gazetteer


# --- dump writers -------------------------------------------------------------------------

def item_claim(prop, qid, rank="normal", qualifiers=None):
    claim = {"mainsnak": {"snaktype": "value", "property": prop, "datavalue": {
        "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
        "type": "wikibase-entityid"}}, "type": "statement", "rank": rank}
    if qualifiers:
        claim["qualifiers"] = qualifiers
    return claim


def time_value(text, precision=11):
    return {"time": text, "timezone": 0, "before": 0, "after": 0, "precision": precision,
            "calendarmodel": "http://www.wikidata.org/entity/Q1985727"}


def time_claim(prop, text, precision=11):
    return {"mainsnak": {"snaktype": "value", "property": prop, "datavalue": {
        "value": time_value(text, precision), "type": "time"}}, "type": "statement", "rank": "normal"}


def time_qualifier(prop, text):
    return {prop: [{"snaktype": "value", "property": prop,
                    "datavalue": {"value": time_value(text), "type": "time"}}]}


def string_claim(prop, text):
    return {"mainsnak": {"snaktype": "value", "property": prop,
                         "datavalue": {"value": text, "type": "string"}}, "type": "statement",
            "rank": "normal"}


def coord_claim(lat, lon):
    return {"mainsnak": {"snaktype": "value", "property": "P625", "datavalue": {
        "value": {"latitude": lat, "longitude": lon, "precision": 0.0001, "globe":
                  "http://www.wikidata.org/entity/Q2"}, "type": "globecoordinate"}},
            "type": "statement", "rank": "normal"}


def entity(qid, label, claims, description=None, aliases=(), wikis=6, enwiki=None):
    sitelinks = {f"wiki{i}": {"site": f"x{i}wiki", "title": label, "badges": []} for i in range(wikis)}
    if enwiki:
        sitelinks["enwiki"] = {"site": "enwiki", "title": enwiki, "badges": []}
    e = {"type": "item", "id": qid, "labels": {"en": {"language": "en", "value": label}},
         "descriptions": {"en": {"language": "en", "value": description}} if description else {},
         "aliases": {"en": [{"language": "en", "value": a} for a in aliases]},
         "claims": claims, "sitelinks": sitelinks}
    return e


def wikidata_entities():
    """A person (Q5, positions held with dates), an organisation he chairs, a country item with
    its P297 code listed AFTER the person (as dumps do), a place, and an obscure item that the
    sitelink filter drops."""
    person = entity("Q900001", "Zorvan Teklit", {
        "P31": [item_claim("P31", "Q5")],
        "P27": [item_claim("P27", "Q900003")],
        "P569": [time_claim("P569", "+1971-04-02T00:00:00Z")],
        "P39": [item_claim("P39", "Q900004", qualifiers={
            **time_qualifier("P580", "+2019-05-01T00:00:00Z"),
            **time_qualifier("P582", "+2024-06-30T00:00:00Z")})],
    }, description="politician of Veloria", aliases=["Z. Teklit", "Abu Zorvan"],
        enwiki="Zorvan Teklit")
    org = entity("Q900002", "Veloria Liberation Front", {
        "P31": [item_claim("P31", "Q7278")],
        "P17": [item_claim("P17", "Q900003")],
        "P488": [item_claim("P488", "Q900001")],
        "P571": [time_claim("P571", "+1998-00-00T00:00:00Z", 9)],
    }, description="political party in Veloria", aliases=["VLF"], enwiki="Veloria Liberation Front")
    country = entity("Q900003", "Veloria", {
        "P31": [item_claim("P31", "Q6256")], "P297": [string_claim("P297", "SY")],
        "P625": [coord_claim(35.0, 38.0)]}, enwiki="Veloria")
    office = entity("Q900004", "President of Veloria", {
        "P31": [item_claim("P31", "Q4164871")], "P1001": [item_claim("P1001", "Q900003")]}, wikis=1)
    place = entity("Q900005", "Qarnet Hisar", {
        "P31": [item_claim("P31", "Q1248784")], "P17": [item_claim("P17", "Q858")],
        "P625": [coord_claim(35.41, 35.95)]}, description="airport", enwiki="Qarnet Hisar Airport")
    obscure = entity("Q900006", "Zorvan Teklit", {"P31": [item_claim("P31", "Q5")]}, wikis=1)
    return [person, org, country, office, place, obscure]


def write_wikidata(path, entities, opener):
    with opener(path, "wt", encoding="utf-8") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(e) for e in entities))
        f.write("\n]\n")
    return path


GEONAMES_ROWS = [
    ["9990001", "Tell Zabrina", "Tell Zabrina", "Tall Zabrina,Tel Zabrina,TZB", "35.3601", "35.9277",
     "P", "PPL", "SY", "", "02", "", "", "", "1840", "", "12", "Asia/Damascus", "2024-01-01"],
    ["9990002", "Wadi Qarnet", "Wadi Qarnet", "", "35.40", "36.01", "H", "WAD", "SY", "", "02", "",
     "", "", "0", "", "40", "Asia/Damascus", "2024-01-01"],
]


def geonames_text(rows=GEONAMES_ROWS):
    return "".join("\t".join(r) + "\n" for r in rows)


@pytest.fixture
def kb_path(tmp_path, monkeypatch):
    """A fresh KB store for each test, which lookups read through $NEWSGRAPH_KB."""
    path = tmp_path / "kb.sqlite"
    monkeypatch.setenv(store.ENV_PATH, str(path))
    return path


def dump_state(path):
    """Every row of the store except checkpoints and rowids, for comparing final states."""
    con = sqlite3.connect(path)
    state = {}
    for table, order in (("entries", "id, origin"), ("relations", "qid"), ("qid_iso", "qid"),
                         ("positions", "qid"), ("places", "geonameid"), ("place_names", "key, geonameid"),
                         ("leads", "title"), ("terms", "entry, origin, position")):
        state[table] = con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
    state["names"] = con.execute("SELECT key, entry, origin, kind FROM names ORDER BY 1, 2, 3").fetchall()
    state["fts"] = con.execute("SELECT n.entry FROM names_fts f JOIN names n ON n.id = f.rowid "
                               "WHERE names_fts MATCH 'zorvan' ORDER BY 1").fetchall()
    con.close()
    return state


# --- Wikidata ------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix,opener", [(".json.gz", gzip.open), (".json.bz2", bz2.open)])
def test_wikidata_dump_import_is_found_by_lookup(tmp_path, kb_path, suffix, opener):
    dump = write_wikidata(tmp_path / f"latest-all{suffix}", wikidata_entities(), opener)
    result = import_wikidata(dump, min_sitelinks=5, kb_path=kb_path)
    assert result["status"] == "done"
    assert result["kept"] == 4            # person, party, country, airport; not the obscure one
    found = kb.lookup("Zorvan Teklit")
    assert [c.id for c in found][:1] == ["Zorvan Teklit"]
    assert found[0].wikidata == "Q900001" and found[0].type == "PERSON"
    assert found[0].country == "SY"       # P27 -> country item read later in the dump -> P297
    # An alias, a token of a longer name and an acronym find their entries too.
    assert kb.lookup("Abu Zorvan")[0].id == "Zorvan Teklit"
    assert kb.lookup("Teklit")[0].id == "Zorvan Teklit"
    assert kb.lookup("VLF")[0].id == "Veloria Liberation Front"
    token = kb.lookup("Veloria Front")[0]                  # words of a name, not the name
    assert (token.id, token.match) == ("Veloria Liberation Front", "token")
    assert kb.lookup("Qarnet Hisar")[0].type == "FAC"

    person = kb.get("Zorvan Teklit")
    assert person["born"] == "1971-04-02"
    assert person["leader_of"] == ["Veloria Liberation Front"]      # from the party's P488
    assert person["in_office"] == [{"office": "president", "from": "2019-05-01", "to": "2024-06-30",
                                    "country": "SY", "position": "President of Veloria"}]
    party = kb.get("Q900002")
    assert party["founded"] == "1998" and party["sector"] == "PTY" and party["country"] == "SY"
    assert party["led_by"] == ["Zorvan Teklit"]
    assert kb.get("Qarnet Hisar Airport")["coordinates"] == [35.41, 35.95]
    # The date prefers the entry that held office then (same name, same scores otherwise).
    assert kb.lookup("Zorvan Teklit", date="2020-01-01")[0].score > \
        kb.lookup("Zorvan Teklit", date="2025-01-01")[0].score


def test_wikidata_filters_by_type_and_sitelinks(tmp_path, kb_path):
    dump = write_wikidata(tmp_path / "part.json.gz", wikidata_entities(), gzip.open)
    result = import_wikidata(dump, types="orgs", min_sitelinks=0, kb_path=kb_path)
    assert result["kept"] == 1
    assert [c.id for c in kb.lookup("Veloria Liberation Front")] == ["Veloria Liberation Front"]
    assert kb.lookup("Zorvan Teklit") == []
    with pytest.raises(ValueError, match="unknown type"):
        import_wikidata(dump, types="animals", kb_path=kb_path)


def test_reimport_changes_nothing_and_interrupted_import_resumes(tmp_path):
    dump = write_wikidata(tmp_path / "latest-all.json.gz", wikidata_entities(), gzip.open)
    whole, parts = tmp_path / "whole.sqlite", tmp_path / "parts.sqlite"
    import_wikidata(dump, min_sitelinks=5, kb_path=whole)
    before = dump_state(whole)
    again = import_wikidata(dump, min_sitelinks=5, kb_path=whole, restart=True)
    assert again["added"] == again["updated"] == 0 and again["unchanged"] == 4
    assert dump_state(whole) == before
    assert import_wikidata(dump, min_sitelinks=5, kb_path=whole)["status"] == "already imported"

    first = import_wikidata(dump, min_sitelinks=5, kb_path=parts, limit=3)   # stops after 3 lines
    assert first["status"] == "stopped" and first["position"] == 3
    second = import_wikidata(dump, min_sitelinks=5, kb_path=parts, limit=2)
    assert second["status"] == "stopped" and second["position"] == 5
    rest = import_wikidata(dump, min_sitelinks=5, kb_path=parts)
    assert rest["status"] == "resumed" and rest["kept"] == 4
    assert dump_state(parts) == before


def test_bad_dump_line_is_one_line_error(tmp_path, kb_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n{"type": "item", "id": "Q1", "sitelinks": {"a": {"site": "a"}}, \n]\n')
    with pytest.raises(ValueError, match=r"broken.json: line 2: not a JSON entity"):
        import_wikidata(path, min_sitelinks=0, kb_path=kb_path)


# --- GeoNames ------------------------------------------------------------------------------

def test_geonames_txt_and_zip_feed_kb_and_gazetteer(tmp_path, kb_path):
    assert gazetteer.lookup("Tell Zabrina") == []          # a town the embedded index lacks
    txt = tmp_path / "SY.txt"
    txt.write_text(geonames_text(), encoding="utf-8")
    assert import_geonames(txt, kb_path=kb_path)["kept"] == 2
    town = gazetteer.lookup("Tall Zabrina")                # an alternate name
    assert len(town) == 1 and town[0].geonameid == 9990001 and town[0].country_code == "SY"
    assert (town[0].lat, town[0].lon, town[0].population) == (35.3601, 35.9277, 1840)
    assert gazetteer.lookup("TZB") == []                   # short all-caps codes are not names

    archive = tmp_path / "cities500.zip"
    rows = [r[:] for r in GEONAMES_ROWS]
    rows[0][14] = "1900"                                   # a newer population
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("readme.txt", "GeoNames readme\n")
        z.writestr("cities500.txt", geonames_text(rows))
    result = import_geonames(archive, kb_path=kb_path)
    assert result["updated"] == 2                          # new population, new source file
    assert gazetteer.lookup("Tell Zabrina")[0].population == 1900
    again = import_geonames(archive, kb_path=kb_path, restart=True)
    assert (again["updated"], again["unchanged"]) == (0, 2)


def test_geonames_bad_line_names_file_and_line(tmp_path, kb_path):
    path = tmp_path / "XX.txt"
    path.write_text(geonames_text() + "123\tonly three\tcolumns\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"XX.txt: line 3: expected GeoNames"):
        import_geonames(path, kb_path=kb_path)


# --- Wikipedia -----------------------------------------------------------------------------

def test_wikipedia_abstracts_and_cirrus_give_leads(tmp_path, kb_path):
    xml = tmp_path / "enwiki-20250601-abstract.xml.gz"
    with gzip.open(xml, "wt", encoding="utf-8") as f:
        f.write("<feed>\n<doc>\n<title>Wikipedia: Zorvan Teklit</title>\n<url>https://x</url>\n"
                "<abstract>Zorvan Teklit is a politician   who led Veloria.</abstract>\n<links/>\n</doc>\n"
                "<doc>\n<title>Wikipedia: Empty</title>\n<abstract></abstract>\n</doc>\n</feed>\n")
    assert import_wikipedia(xml, kb_path=kb_path)["kept"] == 1
    entry = kb.get("Zorvan Teklit")
    assert entry["lead"]["extract"] == "Zorvan Teklit is a politician who led Veloria."
    assert entry["lead"]["licence"].startswith("CC BY-SA 4.0")
    assert entry["lead"]["dump_date"] == "2025-06-01"

    cirrus = tmp_path / "enwiki-20250603-cirrussearch-content.json.gz"
    with gzip.open(cirrus, "wt", encoding="utf-8") as f:
        for doc in ({"title": "Syria", "opening_text": "Syria is a test country.", "namespace": 0},
                    {"title": "Talk:Syria", "opening_text": "A talk page.", "namespace": 1}):
            f.write(json.dumps({"index": {"_type": "page", "_id": "1"}}) + "\n" + json.dumps(doc) + "\n")
    assert import_wikipedia(cirrus, kb_path=kb_path)["kept"] == 1
    # An embedded entry keeps its facts and gains the imported lead, which wins over any other.
    syria = kb.get("Syria")
    assert syria["country"] == "SY" and syria["wikidata"] == "Q858"
    assert syria["lead"]["extract"] == "Syria is a test country."
    assert syria["lead"]["dump_date"] == "2025-06-03"


# --- actor lists ---------------------------------------------------------------------------

def test_yaml_actor_list_overrides_embedded_entry(tmp_path, kb_path):
    embedded = kb.get("Ahmed al-Sharaa")
    assert embedded is not None and "actors" not in embedded["sources"]
    path = tmp_path / "my_actors.yaml"
    path.write_text("defaults: {type: PERSON, sector: GOV}\nentries:\n"
                    "- {title: Ahmed al-Sharaa, country: SY, names: [Abu Test Alias],\n"
                    "   description: \"Monitor's own description of Syria's president\"}\n"
                    "- {title: Salma Rukan, country: SY, sector: CVL, names: [Umm Rukan],\n"
                    "   description: Local council head in a monitored district}\n", encoding="utf-8")
    result = import_actors(path, kb_path=kb_path)
    assert result["added"] == 2
    entry = kb.get("Ahmed al-Sharaa")
    assert entry["description"] == "Monitor's own description of Syria's president"
    assert entry["sources"][0] == "actors"
    assert entry["in_office"] == embedded["in_office"]     # fields the list leaves out are kept
    top = kb.lookup("Jolani", date="2025-03-10")[0]
    assert top.id == "Ahmed al-Sharaa" and top.source == "actors"
    assert top.description.startswith("Monitor's own")
    assert kb.lookup("Abu Test Alias")[0].id == "Ahmed al-Sharaa"
    assert kb.lookup("Umm Rukan")[0].id == "Salma Rukan"
    assert import_actors(path, kb_path=kb_path)["unchanged"] == 2
    # Re-importing an edited list removes what it no longer lists.
    path.write_text("entries:\n- {title: Salma Rukan, type: PERSON, sector: CVL, country: SY,\n"
                    "   description: Local council head in a monitored district, names: [Umm Rukan]}\n",
                    encoding="utf-8")
    assert import_actors(path, kb_path=kb_path)["removed"] == 1
    assert kb.get("Ahmed al-Sharaa")["description"] == embedded["description"]


def test_csv_actor_list_and_validation_errors_name_file_and_line(tmp_path, kb_path):
    good = tmp_path / "actors.csv"
    good.write_text("title,type,country,sector,aliases,description\n"
                    "Harun Dessal,PERSON,so,MIL,General Dessal;H. Dessal,Army commander in Gedo\n",
                    encoding="utf-8")
    assert import_actors(good, kb_path=kb_path)["added"] == 1
    found = kb.lookup("General Dessal")[0]
    assert (found.id, found.country, found.sector) == ("Harun Dessal", "SO", "MIL")

    bad = tmp_path / "bad.csv"
    bad.write_text("title,type,country,sector,aliases,description\n"
                   "Ok Person,PERSON,SY,GOV,,Fine\n"
                   "Bad Person,ROBOT,SY,GOV,,Wrong type\n", encoding="utf-8")
    with pytest.raises(ActorListError) as err:
        import_actors(bad, kb_path=kb_path)
    assert err.value.problems == [f"{bad}:3: entry 'Bad Person': unknown type ROBOT"]
    assert kb.lookup("Ok Person") == []                   # nothing is written from a bad file

    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("entries:\n- {title: A One, type: PERSON, sector: GOV, description: x}\n"
                        "- {title: B Two, type: PERSON, sector: XYZ, description: y, country: QQ}\n",
                        encoding="utf-8")
    with pytest.raises(ActorListError) as err:
        import_actors(bad_yaml, kb_path=kb_path)
    assert err.value.problems == [f"{bad_yaml}:3: entry 'B Two': unknown sector XYZ; "
                                  "bad country code 'QQ'"]


# --- CLI -----------------------------------------------------------------------------------

def test_cli_imports_looks_up_and_reports(tmp_path, kb_path):
    runner = CliRunner()
    dump = write_wikidata(tmp_path / "latest-all.json.bz2", wikidata_entities(), bz2.open)
    other = tmp_path / "other.sqlite"
    result = runner.invoke(kb_app, ["import", "wikidata", str(dump), "--types", "people,orgs",
                                    "--min-sitelinks", "5", "--kb", str(other), "--json"])
    assert result.exit_code == 0, result.output
    tallies = json.loads(result.stdout.strip().splitlines()[-1])
    assert tallies["kept"] == 2 and tallies["status"] == "done"

    result = runner.invoke(kb_app, ["lookup", "Abu Zorvan", "--kb", str(other), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["id"] == "Zorvan Teklit"
    result = runner.invoke(kb_app, ["lookup", "Jolani", "--date", "2025-03-10", "--type", "PERSON",
                                    "--country", "SY", "--format", "table"], env={"COLUMNS": "240"})
    assert result.exit_code == 0 and "Ahmed al-Sharaa" in result.stdout

    result = runner.invoke(kb_app, ["stats", "--kb", str(other), "--format", "json"])
    stats = json.loads(result.stdout)
    assert stats["imported"]["by_type"] == {"ORG": 1, "PERSON": 1}
    assert stats["by_source"]["curated"] >= 1000
    result = runner.invoke(kb_app, ["stats", "--kb", str(other)])
    assert result.exit_code == 0 and "imported" in result.stdout

    result = runner.invoke(kb_app, ["import", "geonames", str(tmp_path / "missing.zip")])
    assert result.exit_code == 3
    assert result.stderr.strip() == f"newsgraph: error: {tmp_path / 'missing.zip'}: no such file"
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n- {title: X, type: ROBOT, sector: GOV, description: y}\n")
    result = runner.invoke(kb_app, ["import", "yaml", str(bad)])
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == [
        f"newsgraph: error: {bad}:2: entry 'X': unknown type ROBOT"]
    articles = tmp_path / "articles.db"
    sqlite3.connect(articles).execute("CREATE TABLE documents (id TEXT)")
    good = tmp_path / "good.csv"
    good.write_text("title,type,country,sector,aliases,description\nA B,PERSON,SY,GOV,,x\n")
    result = runner.invoke(kb_app, ["import", "csv", str(good), "--kb", str(articles)])
    assert result.exit_code != 0 and "not a KB store" in result.stderr
    result = runner.invoke(kb_app, ["lookup", "x", "--date", "10/03/2025"])
    assert result.exit_code == 2


# --- offices held, from a dump ---------------------------------------------------------------

def office_entities():
    """A prime minister of Syria (the real country item, Q858) in years the embedded KB has no
    prime minister for, and a successor whose term has no end yet."""
    office = entity("Q900010", "Prime Minister of Syria", {
        "P31": [item_claim("P31", "Q4164871")], "P1001": [item_claim("P1001", "Q858")]}, wikis=1)
    first = entity("Q900011", "Halvar Memnek", {
        "P31": [item_claim("P31", "Q5")], "P27": [item_claim("P27", "Q858")],
        "P39": [item_claim("P39", "Q900010", qualifiers={
            **time_qualifier("P580", "+1993-03-01T00:00:00Z"),
            **time_qualifier("P582", "+1997-02-28T00:00:00Z")})],
    }, description="Syrian politician", enwiki="Halvar Memnek")
    second = entity("Q900012", "Oresta Vindalen", {
        "P31": [item_claim("P31", "Q5")], "P27": [item_claim("P27", "Q858")],
        "P39": [item_claim("P39", "Q900010", qualifiers=time_qualifier("P580", "+1997-03-01T00:00:00Z"))],
    }, description="Syrian politician", enwiki="Oresta Vindalen")
    return [first, second, office]        # the position item after its holders, as dumps may


def test_imported_positions_held_answer_office_holder(tmp_path, kb_path):
    assert kb.office_holder("Syrian prime minister", date="1995-06-01") == []
    dump = write_wikidata(tmp_path / "offices.json.gz", office_entities(), gzip.open)
    assert import_wikidata(dump, min_sitelinks=5, kb_path=kb_path)["kept"] == 2
    assert [c.id for c in kb.office_holder("Syrian prime minister", date="1995-06-01")] == ["Halvar Memnek"]
    assert [c.id for c in kb.office_holder("prime minister", "SY", "1998-01-01")] == ["Oresta Vindalen"]
    assert kb.office_holder("prime minister of Syria", date="1992-01-01") == []
    # The embedded KB's own holders still answer where it has them.
    assert [c.id for c in kb.office_holder("president of Syria", date="1995-06-01")] == ["Hafez al-Assad"]
    # A role phrase as a name finds the holder at the date.
    found = kb.lookup("Syrian prime minister", date="1995-06-01")
    assert found[0].id == "Halvar Memnek" and found[0].match == "role"


def test_actor_list_terms_answer_office_holder(tmp_path, kb_path):
    path = tmp_path / "my_actors.yaml"
    path.write_text("entries:\n- {title: Corin Vask, type: PERSON, sector: GOV, country: SY,\n"
                    "   description: Syrian prime minister in a monitor's list,\n"
                    "   in_office: [prime minister 1988-01-01/1990-12-31]}\n", encoding="utf-8")
    import_actors(path, kb_path=kb_path)
    assert [c.id for c in kb.office_holder("Syrian prime minister", date="1989-05-05")] == ["Corin Vask"]


def test_linking_names_the_imported_office_holder(tmp_path, kb_path):
    from newsgraph import analyze
    from newsgraph.record import Document
    dump = write_wikidata(tmp_path / "offices.json.gz", office_entities(), gzip.open)
    import_wikidata(dump, min_sitelinks=5, kb_path=kb_path)
    text = "The Syrian prime minister opened a new hospital in Homs on Sunday."
    rec = analyze(Document(text=text, published="1995-06-01", language="en"))
    holder = [e for e in rec.entities if e.kb_id == "Halvar Memnek"]
    assert holder and [m.text for m in holder[0].mentions] == ["Syrian prime minister"]
    assert text[holder[0].mentions[0].start:holder[0].mentions[0].end] == "Syrian prime minister"


def test_store_from_before_terms_gets_them_when_reopened(tmp_path, kb_path):
    dump = write_wikidata(tmp_path / "offices.json.gz", office_entities(), gzip.open)
    import_wikidata(dump, min_sitelinks=5, kb_path=kb_path)
    con = sqlite3.connect(kb_path)
    con.execute("DROP TABLE terms")
    con.execute("DELETE FROM meta WHERE k = 'terms'")
    con.commit()
    con.close()
    store.connect(kb_path).close()
    assert [c.id for c in kb.office_holder("Syrian prime minister", date="1995-06-01")] == ["Halvar Memnek"]


def write_cirrus(path, pages):
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for number, doc in enumerate(pages):
            f.write(json.dumps({"index": {"_type": "page", "_id": str(number)}}) + "\n"
                    + json.dumps(doc) + "\n")
    return path


def test_cirrus_redirects_become_aliases_and_map_gold_titles(tmp_path, kb_path):
    from newsgraph.evaluate.linking import gold_kb_id
    assert kb.get("Zyria Testland") is None and kb.lookup("Zyria Testland") == []
    pages = [{"title": "Syria", "namespace": 0, "opening_text": "Syria is a test country.",
              "redirect": [{"namespace": 0, "title": "Zyria Testland"},
                           {"namespace": 1, "title": "Talk redirect to Syria"}]},
             {"title": "Qorvel Basin", "namespace": 0, "opening_text": "",     # redirects only
              "redirect": [{"namespace": 0, "title": "Qorvel Depression"}]}]
    cirrus = write_cirrus(tmp_path / "enwiki-20250603-cirrussearch-content.json.gz", pages)
    assert import_wikipedia(cirrus, kb_path=kb_path)["kept"] == 2
    assert kb.get("Zyria Testland")["title"] == "Syria"           # kb.get follows the redirect
    assert kb.lookup("Zyria Testland")[0].id == "Syria"            # and lookups find it by name
    assert kb.lookup("Talk redirect to Syria") == []               # other namespaces are not names
    assert gold_kb_id({"wikipedia": "Zyria_Testland", "wikidata": None}) == "Syria"
    assert kb.get("Qorvel Depression") is None                     # no lead, no entry: nothing to get
    assert import_wikipedia(cirrus, kb_path=kb_path, restart=True)["unchanged"] == 2
    # A newer dump whose page lost a redirect drops that alias.
    pages[0]["redirect"] = [{"namespace": 0, "title": "Zyria Newland"}]
    newer = write_cirrus(tmp_path / "enwiki-20250703-cirrussearch-content.json.gz", pages)
    assert import_wikipedia(newer, kb_path=kb_path)["updated"] == 1
    assert kb.lookup("Zyria Testland") == [] and kb.lookup("Zyria Newland")[0].id == "Syria"
