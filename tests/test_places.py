"""Places: the embedded gazetteer (built once, cached) and geocoding in context."""
from __future__ import annotations

import pytest

import newsgraph
from newsgraph.record import Document
from newsgraph.resolve import gazetteer
from newsgraph.resolve.gazetteer import distance_km


@pytest.fixture(scope="module")
def index():
    return gazetteer.build()


def test_build_is_cached(index):
    assert index.exists() and index.name == "gazetteer-v1.sqlite"
    before = index.stat().st_mtime_ns
    assert gazetteer.build() == index
    assert index.stat().st_mtime_ns == before      # the second call did not rebuild


def test_lookup_real_places(index):
    latakia = [c for c in gazetteer.lookup("Latakia") if c.feature_class == "P"]
    assert any(distance_km(c.lat, c.lon, 35.52, 35.79) < 20 for c in latakia)
    syria = [c for c in gazetteer.lookup("Syria") if c.feature_code == "PCLI"]
    assert syria and syria[0].country_code == "SY"
    # diacritics, case and a leading article do not matter
    assert {c.id for c in gazetteer.lookup("the UNITED STATES")} == {c.id for c in gazetteer.lookup("United States")}
    assert any(c.country_code == "US" and c.feature_code == "PCLI" for c in gazetteer.lookup("U.S."))
    zurich = gazetteer.lookup("Zurich")
    assert any(c.country_code == "CH" and c.population > 300_000 for c in zurich)
    texas = [c for c in gazetteer.lookup("Texas") if c.feature_code == "ADM1"]
    assert texas and texas[0].admin1_code == "US-TX"
    assert gazetteer.lookup("Qwertzuiopland") == []


def _place(rec, name):
    found = [e for e in rec.entities if e.name == name and e.type in ("GPE", "LOC", "FAC")]
    assert found, f"no place entity {name!r} in {[(e.name, e.type) for e in rec.entities]}"
    return found[0]


def test_example_article(example_record):
    rec = example_record
    latakia = _place(rec, "Latakia")
    assert latakia.geo is not None
    assert distance_km(latakia.geo.lat, latakia.geo.lon, 35.52, 35.79) < 20
    assert latakia.geo.country == "SY" and latakia.geo.precision == "city"
    syria = _place(rec, "Syria")
    assert syria.geo.country == "SY" and syria.geo.precision == "country" and syria.country == "SY"
    # A capital is a place, or (as the actor of a verb) its country's government: either way
    # it has the right country, and as a place it is the capital city itself.
    for name, cc in (("Damascus", "SY"), ("Riyadh", "SA")):
        found = [e for e in rec.entities if any(m.text == name for m in e.mentions)]
        assert found and all(e.country == cc for e in found), name
        for e in found:
            if e.geo is not None:
                assert e.geo.country == cc and e.geo.feature == "PPLC", name
    # the airbase is not in the gazetteer: no point rather than a guess
    for e in rec.entities:
        if any(m.text in ("Hmeimim", "Khmeimim") for m in e.mentions):
            assert e.geo is None
    for e in rec.entities:
        if e.geo is not None:
            assert e.geo.precision in ("country", "admin1", "city", "point", "region")
            assert -90 <= e.geo.lat <= 90 and -180 <= e.geo.lon <= 180


def test_context_decides_an_ambiguous_name(index):
    texas = newsgraph.analyze(
        "Storms hit small towns across northeast Texas on Sunday. In Paris, the county seat of "
        "Lamar County, crews cleared roads, and Sulphur Springs and Clarksville reported power "
        "cuts. The National Weather Service in Fort Worth said more rain was due in Texas.",
        published="2024-05-06")
    paris = _place(texas, "Paris")
    assert paris.geo.country == "US" and paris.geo.admin1 == "Texas"
    france = newsgraph.analyze(
        "France's president met union leaders in Paris on Monday as strikes spread from Lyon "
        "to Marseille. Paris transport workers walked out, and French ministers said talks "
        "would continue.", published="2024-05-06")
    paris = _place(france, "Paris")
    assert paris.geo.country == "FR" and distance_km(paris.geo.lat, paris.geo.lon, 48.85, 2.35) < 20


def test_city_comma_state(index):
    rec = newsgraph.analyze("The plant in Springfield, Illinois, will close next year, the "
                            "company said.", published="2024-05-06")
    springfield = _place(rec, "Springfield")
    assert springfield.geo.country == "US" and springfield.geo.admin1 == "Illinois"


def test_unknown_place_gets_no_point(index):
    from newsgraph.record import Entity, Span
    from newsgraph.resolve.places import geocode_entities
    text = "Fighting was reported near Zqorvintakh on Tuesday."
    start = text.index("Zqorvintakh")
    e = Entity(id="e1", name="Zqorvintakh", type="GPE",
               mentions=[Span.of(text, start, start + len("Zqorvintakh"))])
    geocode_entities([e], Document(text=text), None)
    assert e.geo is None and e.country is None


def test_nationality_gets_its_country(index):
    from newsgraph.record import Entity, Span
    from newsgraph.resolve.places import geocode_entities
    text = "Syrian officials met Turkish diplomats."
    e = Entity(id="e1", name="Turkish", type="NORP", mentions=[Span.of(text, 21, 28)])
    geocode_entities([e], Document(text=text), None)
    assert e.country == "TR"
    # a country adjective is located at its country, at country precision
    turkey = gazetteer.country_place("TR")
    assert e.geo is not None and e.geo.precision == "country" and e.geo.country == "TR"
    assert (e.geo.lat, e.geo.lon) == (round(turkey.lat, 5), round(turkey.lon, 5))


def test_country_adjectives_get_country_geo_peoples_none(index):
    rec = newsgraph.analyze(
        "Turkish troops and Russian diplomats arrived in Ankara on Monday, while Kurds, Druze and "
        "Arabs in the border towns waited. Christians and Islamists clashed in the north, and "
        "Iranian officials met American envoys. Turkey said talks would go on.",
        published="2024-05-06")
    norps = {m.text: e for e in rec.entities if e.type == "NORP" for m in e.mentions}
    for word, cc in (("Turkish", "TR"), ("Russian", "RU"), ("Iranian", "IR"), ("American", "US")):
        e = norps.get(word)
        assert e is not None, (word, sorted(norps))
        assert e.geo is not None and e.geo.country == cc and e.geo.precision == "country", word
    for word in ("Kurds", "Druze", "Arabs", "Christians", "Islamists"):
        for e in rec.entities:
            if any(m.text == word for m in e.mentions):
                assert e.geo is None, word
    # the adjective gets the very point the country's own GPE entity gets
    turkey = _place(rec, "Turkey")
    assert (norps["Turkish"].geo.lat, norps["Turkish"].geo.lon) == (turkey.geo.lat, turkey.geo.lon)
    # and a nationality word is never an event's location: locations are places only
    by_id = {e.id: e for e in rec.entities}
    for ev in rec.events:
        if ev.location:
            assert by_id[ev.location].type in ("GPE", "LOC", "FAC")


def test_example_nationality_and_peoples(example_record):
    rec = example_record
    syrian = [e for e in rec.entities if e.type == "NORP" and any(m.text == "Syrian" for m in e.mentions)]
    assert syrian and all(e.geo is not None and e.geo.country == "SY" and e.geo.precision == "country"
                          for e in syrian)
    for word in ("Alawites", "Kurds", "Druze"):
        found = [e for e in rec.entities if any(m.text == word for m in e.mentions)]
        assert found, word
        assert all(e.geo is None for e in found), word
    by_id = {e.id: e for e in rec.entities}
    assert all(by_id[ev.location].type in ("GPE", "LOC", "FAC") for ev in rec.events if ev.location)


def test_precision_follows_the_feature(index):
    rec = newsgraph.analyze(
        "Floods cut roads across Queensland on Monday, and warships sailed through the Red Sea "
        "as Kenya and Ethiopia met in Nairobi.", published="2024-05-06")
    assert _place(rec, "Queensland").geo.precision == "admin1"
    assert _place(rec, "Queensland").geo.country == "AU"
    assert _place(rec, "Red Sea").geo.precision == "region"
    assert _place(rec, "Kenya").geo.precision == "country"
    nairobi = _place(rec, "Nairobi").geo
    assert nairobi.precision == "city" and nairobi.feature == "PPLC" and nairobi.country == "KE"


def test_us_county_is_a_place(index):
    rec = newsgraph.analyze("Sheriff's deputies in Lorain County, Ohio, arrested two men on Tuesday.",
                            published="2024-05-06")
    county = _place(rec, "Lorain County").geo
    assert county.feature == "ADM2" and county.admin1 == "Ohio" and county.precision == "admin1"
    assert distance_km(county.lat, county.lon, 41.37, -82.11) < 40     # around Elyria, Ohio


def _stage(text, entities):
    """Run the places stage alone on a real parse, with the entities given."""
    from newsgraph import nlp
    from newsgraph.resolve.places import geocode_entities
    geocode_entities(entities, Document(text=text), nlp.parse(text))
    return entities


def test_missed_place_after_a_cue_is_recovered(index):
    text = "The family drove from Chillicothe to the coast in March, and later moved near Zanesville."
    found = {e.name: e for e in _stage(text, [])}
    assert set(found) == {"Chillicothe", "Zanesville"}       # not "March": a date, not a place
    for e in found.values():
        assert e.type == "GPE" and e.geo.admin1 == "Ohio" and e.id.startswith("e")
        assert all(text[m.start:m.end] == m.text for m in e.mentions)


def test_dateline_and_division_after_recover_a_small_town(index):
    text = "PATASKALA -- The council met on Monday. Officials said Hillsboro, Texas, had no damage."
    found = {e.name: e for e in _stage(text, [])}
    assert found["PATASKALA"].geo.admin1 == "Ohio"
    assert found["Hillsboro"].geo.admin1 == "Texas"     # one of many: the division after it says which


def test_place_typed_as_organisation_or_person_is_retyped_in_place_context(index):
    from newsgraph.record import Entity, Span
    text = "A Zanesville man was charged on Friday. Reporters talked to Jackson about the case."
    z = Entity(id="e1", name="Zanesville", type="ORG", mentions=[Span.of(text, 2, 12)])
    j0 = text.index("Jackson")
    j = Entity(id="e2", name="Jackson", type="PERSON", mentions=[Span.of(text, j0, j0 + 7)])
    _stage(text, [z, j])
    assert z.type == "GPE" and z.geo.admin1 == "Ohio"
    assert j.type == "PERSON" and j.geo is None         # "to Jackson" also takes people


def test_name_listed_with_a_place_is_a_place(index):
    from newsgraph.record import Entity, Span
    text = "Elyria and Oberlin reported lower sales this spring."
    elyria = Entity(id="e1", name="Elyria", type="GPE", mentions=[Span.of(text, 0, 6)])
    found = {e.name: e for e in _stage(text, [elyria])}
    assert found["Oberlin"].type == "GPE" and found["Oberlin"].id == "e2"
    assert found["Oberlin"].geo.admin1 == "Ohio"


def _nested(rec, name, types=("GPE",)):
    """The entity of that name whose mention lies inside another entity's mention."""
    for e in rec.entities:
        if e.name == name and e.type in types:
            for m in e.mentions:
                assert rec.text[m.start:m.end] == m.text
                if any(o is not e and om.start <= m.start and m.end <= om.end and (om.start, om.end) != (m.start, m.end)
                       for o in rec.entities for om in o.mentions):
                    return e
    return None


def test_place_inside_an_organisation_name_is_a_toponym(index):
    text = ("The Lorain County Sheriff's Office arrested two men near Elyria, Ohio, on Tuesday. "
            "A spokesman for the University of Toledo said the men were students there.")
    rec = newsgraph.analyze(text, published="2024-05-07")
    county = _nested(rec, "Lorain County")
    assert county is not None and county.geo is not None
    assert county.geo.admin1 == "Ohio" and county.geo.feature == "ADM2"
    toledo = _nested(rec, "Toledo")
    assert toledo is not None and toledo.geo.admin1 == "Ohio"
    assert distance_km(toledo.geo.lat, toledo.geo.lon, 41.66, -83.56) < 20
    # the organisations keep their whole names
    assert any(e.type == "ORG" and any(m.text.startswith("Lorain County Sheriff") for m in e.mentions)
               for e in rec.entities)


def test_state_organ_named_by_nationality_gets_its_country(index):
    rec = newsgraph.analyze("The Russian Foreign Ministry summoned the ambassador on Friday.",
                            published="2024-05-10")
    russian = _nested(rec, "Russian", types=("NORP",))
    assert russian is not None and russian.geo is not None
    assert russian.geo.country == "RU" and russian.geo.precision == "country"


def test_person_and_company_names_hold_no_towns(index):
    rec = newsgraph.analyze("Virginia Holloway, a teacher, said American Airlines had cancelled her "
                            "flight.", published="2024-05-10")
    assert _nested(rec, "Virginia") is None
    assert _nested(rec, "American", types=("NORP",)) is None


def test_same_name_town_follows_the_county_named_with_it(index):
    rec = newsgraph.analyze("Sangamon County deputies closed two roads on Monday. Traffic in "
                            "Springfield was slow for hours, and Sangamon County officials asked "
                            "drivers to be patient.", published="2024-05-06")
    springfield = _place(rec, "Springfield")
    assert springfield.geo.admin1 == "Illinois"


def test_capitalised_dateline_without_a_dash(index):
    text = "DENVER (AP) Firefighters contained a grass fire on the city's edge on Sunday."
    rec = newsgraph.analyze(text, published="2024-05-05")
    denver = [e for e in rec.entities if e.type == "GPE" and any(m.start == 0 for m in e.mentions)]
    assert denver and denver[0].geo is not None and denver[0].geo.admin1 == "Colorado"


def test_regional_adjective_gets_the_region(index):
    rec = newsgraph.analyze("European leaders and Asian investors met in Geneva on Monday.",
                            published="2024-05-06")
    european = [e for e in rec.entities if e.type == "NORP" and e.name == "European"]
    assert european and european[0].geo is not None
    assert european[0].geo.precision == "region" and european[0].country is None
    assert distance_km(european[0].geo.lat, european[0].geo.lon, 48.7, 9.1) < 500


def test_names_listed_before_counties_are_counties(index):
    text = ("Jobless rates rose in Georgia last month. In Clarke, Oconee and Oglethorpe counties "
            "the rate stayed below the state's.")
    rec = newsgraph.analyze(text, published="2024-05-06")
    for name in ("Clarke County", "Oconee County", "Oglethorpe County"):
        county = _place(rec, name)
        assert county.geo is not None and county.geo.feature == "ADM2" and county.geo.admin1 == "Georgia", name
        assert all(text[m.start:m.end] == m.text and m.text == name.split()[0] for m in county.mentions)


def test_place_named_like_an_organisation_is_split_off(index):
    from newsgraph.record import Entity, Span
    from newsgraph.resolve.places import _retype_places
    text = ("Mankato Station Partners bought the old mill. The company has offices in Mankato, and "
            "Mankato Station Partners plans more.")
    first = text.index("Mankato Station Partners")
    second = text.index("Mankato Station Partners", first + 1)
    bare = text.index("Mankato,")
    org = Entity(id="e1", name="Mankato Station Partners", type="ORG",
                 mentions=[Span.of(text, first, first + 24), Span.of(text, bare, bare + 7),
                           Span.of(text, second, second + 24)])
    entities = [org]
    _retype_places(entities, text)
    assert [m.text for m in org.mentions] == ["Mankato Station Partners", "Mankato Station Partners"]
    mankato = [e for e in entities if e.name == "Mankato"]
    assert mankato and mankato[0].type == "GPE" and [m.start for m in mankato[0].mentions] == [bare]


def test_country_name_outweighs_a_village_of_the_state_in_focus(index):
    rec = newsgraph.analyze("Houston exporters in Texas fear the new tariffs on goods from China. "
                            "Texas farmers sell soybeans to China, and Houston ships them.",
                            published="2024-05-06")
    china = _place(rec, "China")
    assert china.geo.country == "CN" and china.geo.precision == "country"
    houston = _place(rec, "Houston")
    assert houston.geo.admin1 == "Texas"


def test_nationality_label_on_a_place_name_is_retyped(index):
    from newsgraph.record import Entity, Span
    from newsgraph.resolve.places import _retype_named_places
    text = "Farmers in Punjab and Jewish groups met Syrian officials."
    def norp(word):
        i = text.index(word)
        return Entity(id=word, name=word, type="NORP", mentions=[Span.of(text, i, i + len(word))])
    entities = [norp("Punjab"), norp("Jewish"), norp("Syrian")]
    _retype_named_places(entities)
    assert [e.type for e in entities] == ["GPE", "NORP", "NORP"]
