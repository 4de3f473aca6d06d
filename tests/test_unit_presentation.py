"""logic.presentation: how every figure is written, and that a scenario's currency reaches every place it shows.

Expected texts are written out by hand; the currency tests open a euro scenario and look for the pound
sign in everything the app and the report draw from it.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from unit_scenarios import bond_doc, scenario, tiny_doc

from logic import case_views, charts, evaluate, views
from logic import presentation as p
from logic.export.html_report import report_html

# --- money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "currency", "text"),
    [
        (1_234_567.4, "GBP", "£1,234,567"),
        (-12_345.4, "EUR", "-€12,345"),
        (999.6, "USD", "$1,000"),
        (0.0, "GBP", "£0"),
        (1_000, "CHF", "1,000 CHF"),
        (-1_000, "CHF", "-1,000 CHF"),
        (None, "GBP", "n/a"),
        (float("nan"), "EUR", "n/a"),
    ],
)
def test_money(x, currency, text):
    assert p.money(x, currency) == text


def test_missing_values_of_every_kind_are_written_n_a():
    for gap in (None, float("nan"), np.float32("nan"), pd.NA, pd.NaT):
        assert p.missing(gap) and p.money(gap) == "n/a", repr(gap)
    for value in (0, 0.0, np.float64(2.0), "text", False, [1.0], np.array([1.0, 2.0])):
        assert not p.missing(value), repr(value)


def test_writing_figures_does_not_load_pandas():
    """The command line writes its tables with these functions; pandas would add a third of a second to each."""
    import subprocess
    import sys

    code = "import sys, logic.report_text; assert 'pandas' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
    # The key-figure strip is the first thing a cold start draws: its tiles must not wait for pandas either.
    code = "import sys, components.kpi, components.step; assert 'pandas' not in sys.modules, 'pandas loaded'"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_money_signed_marks_gains():
    assert p.money(2_500, "GBP", signed=True) == "+£2,500"
    assert p.money(-2_500, "GBP", signed=True) == "-£2,500"
    assert p.money(0, "GBP", signed=True) == "£0"


@pytest.mark.parametrize(
    ("x", "currency", "text"),
    [
        (2_950_000, "GBP", "£2.95m"),
        (-1_234_000, "EUR", "-€1.23m"),
        (450_000, "GBP", "£450k"),
        (10_000, "USD", "$10k"),
        (9_999, "GBP", "£9,999"),
        (2_500_000_000, "EUR", "€2.50bn"),
        (1_500_000, "CHF", "1.50m CHF"),
        (None, "GBP", "n/a"),
    ],
)
def test_compact_money(x, currency, text):
    assert p.compact_money(x, currency) == text


def test_amount_keeps_pence_only_where_there_are_any():
    assert p.amount(1.53, "GBP") == "£1.53"
    assert p.amount(1, "EUR") == "€1"
    assert p.amount(12_345.6, "GBP") == "£12,345.60"
    assert p.amount(-0.5, "USD") == "-$0.50"
    assert p.amount(2.5, "CHF") == "2.50 CHF"


def test_pence_always_writes_two_places_as_a_unit_cost_is_published():
    assert p.pence(63.5) == "£63.50"
    assert p.pence(1234) == "£1,234.00"
    assert p.pence(-0.5, "EUR") == "-€0.50"


def test_currency_marks_and_axis_labels():
    assert p.currency_symbol("EUR") == "€" and p.currency_symbol("CHF") == ""
    assert p.currency_mark("USD") == "$" and p.currency_mark("CHF") == "CHF"
    assert "€" in p.money_axis_label("EUR") and "£" not in p.money_axis_label("EUR")
    assert p.money_axis_label("CHF").endswith("+ ' CHF'")


def test_money_in_is_a_cell_formatter_for_one_currency():
    cell = p.money_in("EUR")
    assert [cell(x) for x in (1_000, None, -5)] == ["€1,000", "n/a", "-€5"]


def test_money_columns_writes_number_columns_and_leaves_the_rest():
    df = pd.DataFrame(
        {
            "Party": ["Council", "Investor"],
            "Position (PV)": [280_409.654, -1_000.4],
            "Breaks even": [1.25, None],
            "Year": [2026, 2027],
        }
    )
    out = p.money_columns(df, "EUR", skip=("Year",))
    assert out["Party"].tolist() == ["Council", "Investor"]
    assert out["Position (PV)"].tolist() == ["€280,410", "-€1,000"]
    assert out["Breaks even"].tolist() == ["€1", "n/a"]  # a number column with a gap: written, never "None"
    assert out["Year"].tolist() == [2026, 2027]
    assert df["Position (PV)"].tolist() == [280_409.654, -1_000.4]  # the caller's frame is untouched


def test_money_columns_leaves_true_false_and_text_columns_alone():
    df = pd.DataFrame({"Amount": [1.0, 2.0], "After the horizon": [True, False], "Mixed": [True, None]})
    out = p.money_columns(df, "GBP")
    assert out["Amount"].tolist() == ["£1", "£2"]
    assert out["After the horizon"].tolist() == [True, False]
    assert out["Mixed"].tolist() == [True, None]


# --- rates, shares, ratios, payback -----------------------------------------------------------


def test_shares_rates_multiples_ratios():
    assert p.pct(0.735) == "73.5%"
    assert p.pct(0.7) == "70%"
    assert p.pct(0.035, 2) == "3.5%"
    assert p.pct(0.0) == "0%"
    assert p.pct(None) == "n/a"
    assert p.rate(0.0712) == "7.1%"
    assert p.rate(-0.05) == "-5.0%"
    assert p.rate(float("nan")) == "n/a"
    assert p.irr_text(0.1) == "10.0%"
    assert p.multiple(1.2345) == "1.23x"
    assert p.multiple(None) == "n/a"
    assert p.ratio(1.5273) == "1.53"
    assert p.ratio(None) == "No costs yet"
    assert p.number(1234.56) == "1,234.6"
    assert p.number(20, 0) == "20"
    assert p.m_value(0.5041) == "0.50"
    assert p.m_value(None) == "never (m from 0 to 3)"


def test_payback():
    assert p.payback(None) == "Not within the horizon"
    assert p.payback(1) == "Year 1"
    assert p.payback(1, 2026) == "Year 1 (2027)"
    blank = {"payback_year": None, "pv_costs": 0.0, "pv_fiscal": 0.0}
    never = {"payback_year": None, "pv_costs": 10.0, "pv_fiscal": 0.0}
    assert p.nothing_yet(blank) and not p.nothing_yet(never)
    assert p.payback_of(blank, 2026) == "Not yet: no costs or savings"
    assert p.payback_of(never, 2026) == "Not within the horizon"
    assert p.payback_of({"payback_year": 2, "pv_costs": 1.0, "pv_fiscal": 2.0}, 2026) == "Year 2 (2028)"


def test_format_figure_and_metric_pick_the_kind_by_name():
    assert p.format_figure("bcr_fiscal", 1.5) == "1.50"
    assert p.format_figure("payback_year", 0, 2026) == "Year 0 (2026)"
    assert p.format_figure("npv_fiscal", 1_318.18, currency="EUR") == "€1,318"
    assert p.format_metric("investor_irr", 0.0712) == "7.1%"
    assert p.format_metric("bcr_fiscal", 2.0) == "2.00"
    assert p.format_metric("party:council", -3_545.45, "USD") == "-$3,545"
    assert p.format_metric("npv_fiscal", None) == "n/a"


def test_risk_cells():
    assert p.risk_cell("Investor IRR (real)", 0.1234) == "12.3%"
    assert p.risk_cell("Investor multiple", 2.18) == "2.18x"
    assert p.risk_cell("Council (PV)", -3_545.45, "EUR") == "-€3,545"
    assert p.risk_cell("Council (PV)", np.nan, "EUR") == "n/a"


def test_contract_type_names_cover_every_type():
    from logic.model import CONTRACT_TYPES

    assert set(p.CONTRACT_TYPE_NAMES) == set(CONTRACT_TYPES) == set(p.CONTRACT_NAMES_IN_TEXT)
    assert p.CONTRACT_TYPE_NAMES["social_impact_bond"] == "Social impact bond"
    assert p.CONTRACT_NAMES_IN_TEXT["payment_by_results"] == "payment-by-results contract"


def test_old_names_still_import_from_their_old_homes():
    """Pages and tests import formatters from report_text and report_blocks: the same functions, not copies."""
    from logic import report_text
    from logic.export import report_blocks

    assert report_text.money is p.money and report_text.compact_money is p.compact_money
    assert report_text.ratio is p.ratio and report_text.irr_text is p.rate
    assert report_blocks.pct is p.pct and report_blocks.rate is p.rate
    assert report_blocks.TYPE_NAMES is p.CONTRACT_TYPE_NAMES
    assert case_views.CONTRACT_NAMES is p.CONTRACT_NAMES_IN_TEXT


# --- a euro scenario: € everywhere, £ nowhere ----------------------------------------------


@pytest.fixture(scope="module")
def euro_bond():
    return evaluate(scenario(bond_doc("EUR")))


def _texts(df: pd.DataFrame) -> str:
    return " ".join(str(v) for v in [*df.columns, *df.to_numpy().ravel()])


def test_views_tables_of_a_euro_scenario_are_in_euros(euro_bond):
    ev = euro_bond
    tables = {
        "headline": views.headline_table(ev),
        "economic case": case_views.economic_case_table(ev),
        "financial case": case_views.financial_case_table(ev),
        "investor": case_views.investor_table(ev),
        "risk": views.risk_table_text(ev),
        "parties": views.parties_table_text(ev),
        "positions": views.positions_at_text(ev, 1.0),
    }
    for name, df in tables.items():
        text = _texts(df)
        assert "£" not in text, name
        assert "€" in text, name
    tiles = " ".join(t["value"] for t in views.key_figures(ev))
    assert "€" in tiles and "£" not in tiles
    sentences = case_views.worth_it(ev) + case_views.afford_it(ev) + " ".join(case_views.paid_per_outcome_notes(ev))
    assert "€" in sentences and "£" not in sentences


def test_a_euro_scenario_writes_the_hand_worked_figures_in_euros(euro_bond):
    ev = euro_bond
    econ = case_views.economic_case_table(ev).set_index("key")["Value"]
    # Costs 2,500; value counted 3,818.18 fiscal + 1,909.09 social = 5,727.27; NPV 3,227.27; ratio 2.29.
    assert econ["pv_costs"] == "€2,500"
    assert econ["pv_benefits_counted"] == "€5,727"
    assert econ["npv_public_value"] == "€3,227"
    assert econ["bcr_public_value"] == "2.29"
    parties = views.parties_table_text(ev).set_index("Party")
    # The council banks 1,909.09 of cash savings and pays 6,000 in 2027 (5,454.55 discounted).
    assert parties.loc["Council", "Position (PV)"] == "-€3,545"
    assert parties.loc["Council", "Breaks even at performance m"] == "never (m from 0 to 3)"
    # The investors: 6,000 / 1.1 - 2,750 = 2,704.55; even at m = 2,750 x 1.1 / 6,000 = 0.504.
    assert parties.loc["Social investor", "Position (PV)"] == "€2,705"
    assert parties.loc["Social investor", "Breaks even at performance m"] == "0.50"


def test_risk_table_text_names_what_each_row_measures(euro_bond):
    df = views.risk_table_text(euro_bond).set_index("Figure")
    assert list(df.columns) == ["Low (m = 0.5)", "Central (m = 1)", "High (m = 1.25)"]
    # 20 outcomes x 300 at m = 1; m scales the effect, so 3,000 at 0.5 and 7,500 at 1.25.
    assert df.loc["Outcome payments (cash, undiscounted)"].tolist() == ["€3,000", "€6,000", "€7,500"]
    # 2,750 in, 6,000 a year later: a return of 6,000 / 2,750 - 1 = 118.2%; no inflation, so real = cash.
    assert df.loc["Investor IRR (cash)", "Central (m = 1)"] == "118.2%"
    assert df.loc["Investor IRR (real)", "Central (m = 1)"] == "118.2%"
    assert df.loc["Investor multiple", "Central (m = 1)"] == "2.18x"
    # At m = 0.5 the investors get 3,000 for 2,750: 3,000 / 2,750 - 1 = 9.1%.
    assert df.loc["Investor IRR (cash)", "Low (m = 0.5)"] == "9.1%"


def test_charts_of_a_euro_scenario_carry_no_pound_sign(euro_bond):
    ev = euro_bond
    built = [
        charts.savings_by_agency(views.savings_by_agency_year(ev)),
        charts.cumulative_net(views.cumulative_position(ev)),
        charts.do_nothing(views.do_nothing_frame(ev)),
        charts.risk_share(views.risk_curve(ev), views.switching_points(ev), views.cap_zone(ev), 1.0),
        charts.economic_case(case_views.economic_lines(ev)),
        charts.cash_by_budget(case_views.cash_by_budget_year(ev), case_views.public_sector_cash(ev)),
    ]
    for chart in built:
        spec = json.dumps(chart.to_dict(validate=False), ensure_ascii=False)
        assert "£" not in spec
        assert "€" in spec


def test_a_frame_without_a_currency_is_charted_in_pounds():
    df = pd.DataFrame({"value": [1.0, -2.0]})
    spec = json.dumps(charts.histogram(df, "NPV").to_dict(validate=False), ensure_ascii=False)
    assert "'£'" in spec
    spec = json.dumps(charts.histogram(views.distribution(_Sim(), "x", "USD"), "NPV").to_dict(validate=False))
    assert "'$'" in spec and "£" not in spec


class _Sim:
    samples = {"x": np.array([1.0, math.nan, 3.0])}


def test_distribution_drops_undefined_draws():
    assert views.distribution(_Sim(), "x")["value"].tolist() == [1.0, 3.0]


def test_the_report_of_a_euro_scenario_shows_euros_and_never_pounds():
    html = report_html(scenario(bond_doc("EUR")))
    assert "£" not in html
    assert "€2,500" in html  # the cost, in the economic case and the cost table
    assert "-€3,545" in html  # the council's position
    assert "Currency</dt><dd>EUR" in html


def test_the_report_of_a_pound_scenario_shows_pounds():
    html = report_html(scenario(tiny_doc("GBP")))
    assert "£2,500" in html and "€" not in html


def test_an_unknown_currency_is_written_by_its_code():
    ev = evaluate(scenario(tiny_doc("CHF")))
    econ = case_views.economic_case_table(ev).set_index("key")["Value"]
    assert econ["pv_costs"] == "2,500 CHF"
    tiles = {t["key"]: t["value"] for t in views.key_figures(ev)}
    assert tiles["pv_costs"] == "2,500 CHF"
