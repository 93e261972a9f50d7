"""eval geo on a small slice of the geoparsing gold (skipped when ../shared/gold is absent)."""
from __future__ import annotations

from newsgraph.evaluate import geo


def test_evaluate_small_slice(gold_dir):
    folder = gold_dir / "geo"
    if not folder.exists():
        import pytest
        pytest.skip("../shared/gold/geo is absent")
    result = geo.evaluate(folder, limit=3)
    for key in ("acc_at_161", "matched_acc_at_161", "auc", "toponym_P", "toponym_R",
                "toponym_F1", "coverage"):
        assert 0.0 <= result[key] <= 1.0, key
    assert 0.0 <= result["median_km"] <= geo.MAX_KM and 0.0 <= result["mean_km"] <= geo.MAX_KM
    assert result["matched_acc_at_161"] >= result["acc_at_161"]
    assert set(result["by_file"]) == {"geowebnews.jsonl", "lgl.jsonl", "trnews.jsonl"}
    assert all(f["documents"] == 3 for f in result["by_file"].values())
    # both scopes are reported: the headline counts country adjectives, without_demonyms does not
    bare = result["without_demonyms"]
    assert 0.0 <= bare["acc_at_161"] <= 1.0 and 0.0 <= bare["toponym_R"] <= result["toponym_R"]
    assert all("without_demonyms" in f for f in result["by_file"].values())
    # a system that finds places at all gets most of the ones it finds right
    assert result["toponym_R"] > 0.2 and result["matched_acc_at_161"] > 0.5


def test_scoring_arithmetic():
    gold = [{"start": 0, "end": 5, "lat": 0.0, "lon": 0.0},
            {"start": 10, "end": 15, "lat": 10.0, "lon": 10.0}]
    pred = [(0, 5, (0.0, 0.0)), (9, 12, None)]
    tally = geo._Tally()
    tally.add(gold, pred)
    fig = tally.figures()
    assert fig["toponym_P"] == 0.5 and fig["toponym_overlap_R"] == 1.0
    # both matched; the second has no point: wrong in both protocols, and not covered
    assert fig["acc_at_161"] == 0.5 and fig["matched_acc_at_161"] == 0.5 and fig["coverage"] == 0.5
    assert fig["median_km"] == (0.0 + geo.MAX_KM) / 2
    tally.add([{"start": 0, "end": 3, "lat": 0.0, "lon": 0.0}], [])     # a miss
    fig = tally.figures()
    assert fig["acc_at_161"] == round(1 / 3, 4) and fig["matched_acc_at_161"] == 0.5
    assert geo.auc([0.0, 0.0]) == 0.0 and geo.auc([geo.MAX_KM - 1, geo.MAX_KM - 1]) > 0.99


def test_country_adjectives_are_toponyms_peoples_are_not():
    import newsgraph
    text = ("Turkish officials met Kurds and Arabs from the border towns on Monday, and Turkey "
            "said the talks would go on.")
    rec = newsgraph.analyze(text, published="2024-05-06")
    spans = {text[s:e]: point for s, e, point in geo.predictions(rec)}
    bare = {text[s:e] for s, e, _ in geo.predictions(rec, demonyms=False)}
    assert "Turkish" in spans and "Turkish" not in bare
    assert geo.distance_km(spans["Turkish"], spans["Turkey"]) < 1      # the country's point
    assert "Turkey" in bare
    assert "Kurds" not in spans and "Arabs" not in spans


def test_regional_words_and_the_eu_are_toponyms_at_their_region():
    import newsgraph
    text = ("The European Union said on Monday that European farmers would get more aid, and the "
            "EU will review it in June.")
    rec = newsgraph.analyze(text, published="2024-05-06")
    spans = {text[s:e]: point for s, e, point in geo.predictions(rec)}
    assert "European" in spans and spans["European"] is not None
    eu = [p for name, p in spans.items() if name in ("European Union", "EU")]
    assert eu and all(geo.distance_km(p, spans["European"]) < 1 for p in eu)    # Europe's point
