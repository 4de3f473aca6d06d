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
