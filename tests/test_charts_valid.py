"""Every chart the Business case page draws is valid Vega-Lite. The page itself skips Altair's schema
check (it costs a third of a rerun), so the check happens here instead."""

import pytest

from logic import EXAMPLES, charts, evaluate, load_scenario, views


@pytest.fixture(params=sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def ev(request):
    return evaluate(load_scenario(request.param))


def test_business_case_charts_pass_the_schema(ev):
    built = [
        charts.savings_by_agency(views.savings_by_agency_year(ev)),
        charts.cumulative_net(views.cumulative_position(ev)),
        charts.do_nothing(views.do_nothing_frame(ev)),
    ]
    for chart in built:
        spec = chart.to_dict()  # validates against the Vega-Lite schema; raises if not valid
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        assert chart.to_dict(validate=False) == spec


def test_leaving_a_party_out_of_the_risk_chart_keeps_the_others_colours():
    ev = evaluate(load_scenario(sorted(EXAMPLES.glob("edge_of_care.yaml"))[0]))
    curve, switching, zone = views.risk_curve(ev), views.switching_points(ev), views.cap_zone(ev)
    everyone = charts.risk_share(curve, switching, zone, 1.0).to_dict()
    parties = list(dict.fromkeys(curve["party"]))
    investor = next(p for p in parties if "investor" in p.lower())
    some = charts.risk_share(curve, switching, zone, 1.0, [p for p in parties if p != investor]).to_dict()

    def colours(spec):
        scale = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")["encoding"]["color"]["scale"]
        return dict(zip(scale["domain"], scale["range"]))

    assert investor not in colours(some)
    assert all(colours(everyone)[p] == c for p, c in colours(some).items())
    drawn = {row["party"] for rows in some["datasets"].values() for row in rows if "party" in row}
    assert investor not in drawn
