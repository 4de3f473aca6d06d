"""The format-2 inputs on the Programme, Activities and Outcomes pages, under AppTest.

Each test sets one new input the way a user would (a widget, a cell of a table), then checks the
scenario in session state and that evaluate() moved as the arithmetic says, by hand where it can
be done by hand (a grade's uplift, a profile's year), else against evaluate() of the same scenario
edited directly. Refused edits leave the scenario as it was and say what and where.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from logic import DEFAULT_EXAMPLE, evaluate, load_scenario, parse_scenario
from logic.editing import document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = load_scenario(DEFAULT_EXAMPLE)


def page(name: str, sc=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / name), default_timeout=60).run()
    if sc is not None:  # another scenario, as if opened: a new version, so every editor starts afresh
        at.session_state["scenario"] = sc
        at.session_state["scenario_version"] = at.session_state["scenario_version"] + 1
        at.run()
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def version(at: AppTest) -> int:
    return at.session_state["scenario_version"]


def edit_table(at: AppTest, area: str, rows: dict, added: list | None = None) -> AppTest:
    at.session_state[f"{area}-{version(at)}"] = {"edited_rows": rows, "added_rows": added or [], "deleted_rows": []}
    return at.run()


def current(at: AppTest):
    return at.session_state["scenario"]


def changed(sc, edit) -> object:
    """The scenario with one edit made directly on its document (the independent route)."""
    doc = document(sc)
    edit(doc)
    return parse_scenario(doc)


def logged(at: AppTest) -> list[str]:
    return [e.what for e in current(at).log]


# --- Programme --------------------------------------------------------------------------------


def test_price_base_year_is_chosen_in_financial_year_words():
    at = page("1_programme.py")
    box = at.selectbox(key=f"price-base-{version(at)}")
    assert box.value == EXAMPLE.settings.price_base
    assert "2025/26 prices" in box.options  # the financial-year wording, not a bare 2025
    box.set_value(2023).run()
    ok(at)
    assert current(at).settings.price_base_year == 2023
    assert evaluate(current(at))["price_base"] == "2023/24 prices"
    assert "Settings: price base year" in logged(at)


def test_a_price_base_left_unchosen_follows_the_first_delivery_year():
    sc = changed(EXAMPLE, lambda d: d["settings"].pop("price_base_year", None))
    at = page("1_programme.py", sc)
    at.number_input(key=f"start-{version(at)}").set_value(2030).run()
    ok(at)
    assert current(at).settings.price_base_year is None
    assert current(at).settings.price_base == 2029
    assert at.selectbox(key=f"price-base-{version(at)}").value == 2029


def test_inflation_changes_cash_figures_and_not_the_real_ones():
    at = page("1_programme.py")
    before = evaluate(current(at)).to_dict()
    at.number_input(key=f"inflation-{version(at)}").set_value(0.04).run()
    ok(at)
    assert current(at).settings.inflation == 0.04
    after = evaluate(current(at)).to_dict()
    expected = evaluate(changed(EXAMPLE, lambda d: d["settings"].update(inflation=0.04))).to_dict()
    assert after["financial"]["total_cash"] == pytest.approx(expected["financial"]["total_cash"], rel=1e-12)
    assert after["financial"]["total_cash"] != before["financial"]["total_cash"]
    assert after["pv_costs"] == pytest.approx(before["pv_costs"], rel=1e-12)  # the economic case stays real
    assert after["pv_fiscal"] == pytest.approx(before["pv_fiscal"], rel=1e-12)
    # A cash year is the real amount times (1 + inflation)^(start + t - price base): year 0 of the
    # public sector's cash by year grows by the ratio of the two indices.
    base = EXAMPLE.settings.price_base
    ratio = (1.04 / (1 + EXAMPLE.settings.inflation)) ** (EXAMPLE.settings.start_year - base)
    assert after["financial"]["public_sector_by_year"][0] == pytest.approx(
        before["financial"]["public_sector_by_year"][0] * ratio, rel=1e-9
    )


def test_health_discount_rate_moves_only_the_health_lines():
    health_lines = [(o.id, j) for o in EXAMPLE.outcomes for j, b in enumerate(o.benefits) if b.discount == "health"]
    assert health_lines, "the example has a line discounted at the health rate"
    at = page("1_programme.py")
    before = evaluate(current(at)).to_dict()
    at.number_input(key=f"health-rate-{version(at)}").set_value(0.035).run()
    ok(at)
    after = evaluate(current(at)).to_dict()
    expected = evaluate(changed(EXAMPLE, lambda d: d["settings"].update(health_discount_rate=0.035))).to_dict()
    assert after["npv_public_value"] == pytest.approx(expected["npv_public_value"], rel=1e-12)
    assert after["npv_public_value"] < before["npv_public_value"]  # a higher rate, less present value
    assert after["pv_fiscal"] == pytest.approx(before["pv_fiscal"], rel=1e-12)  # the health lines are social


def test_intake_timing_mid_year_moves_every_benefit_half_a_year():
    start = changed(EXAMPLE, lambda d: d["cohort"].update(intake_timing="start"))
    at = page("1_programme.py", start)
    box = at.selectbox(key=f"timing-{version(at)}")
    assert box.value == "start" and "Through the year" in box.options
    box.set_value("mid").run()
    ok(at)
    assert current(at).cohort.intake_timing == "mid"
    before, after = evaluate(start), evaluate(current(at))
    assert after["pv_costs"] == pytest.approx(before["pv_costs"], rel=1e-12)  # costs keep their years
    # By hand, for the first outcome's first line: the yearly stream becomes the average of itself and
    # itself a year later (half a year's delay), within the horizon.
    f0, f1 = before.flows.benefit_lines[0, 0], after.flows.benefit_lines[0, 0]
    assert f1[0] == pytest.approx(f0[0] / 2, rel=1e-12)
    assert f1[1:] == pytest.approx((f0[1:] + f0[:-1]) / 2, rel=1e-12)
    assert "Cohort: when in the year people arrive" in logged(at)


def test_agency_kind_is_set_in_the_agencies_table():
    at = page("1_programme.py")
    row = EXAMPLE.agency_ids.index("lcf")
    before = evaluate(current(at)).to_dict()
    edit_table(at, "agencies", {row: {"kind": "donor"}})
    ok(at)
    assert next(a for a in current(at).agencies if a.id == "lcf").kind == "donor"
    after = evaluate(current(at)).to_dict()
    # The public sector's cash is the sum over agencies of kind public: a donor's share leaves it.
    lcf = before["financial"]["total_cash"]["lcf"]
    assert lcf != 0
    assert after["financial"]["public_sector_total_cash"] == pytest.approx(
        before["financial"]["public_sector_total_cash"] - lcf, rel=1e-9
    )
    assert (
        "Agency Central government - Life Chances Fund top-up: kind (public body, donor or the people themselves)"
        in logged(at)
    )


def test_an_agency_kind_that_does_not_exist_is_refused():
    at = page("1_programme.py")
    edit_table(at, "agencies", {0: {"kind": "charity"}})
    assert not at.exception
    assert current(at) == EXAMPLE
    text = " ".join(e.value for e in at.error)
    assert "was not applied" in text and "kind" in text


def test_programme_page_lists_the_horizon_that_covers_late_payments():
    def late_and_long(d):
        d["contract"]["payment_lag_years"] = 8
        next(n for n in d["nodes"] if n["id"] == "out-stays-home")["duration_years"] = 8

    late = changed(EXAMPLE, late_and_long)
    at = page("1_programme.py", late)
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "positions are therefore prudent" in text
    # Last intake in year 3: paid in year 3 + 8 = 11; benefits (mid-year intake) run to year 3 + 7 + 1 = 11.
    assert "Appraising 12 years (2026 to 2037) would cover every payment and benefit." in text
    assert at.title[0].value == "Programme"


# --- Activities -------------------------------------------------------------------------------


def _line_pv(sc, node_id: str, j: int) -> float:
    """A cost line's present value before any uplift, by hand: set-up in year 0, per year in years with
    intake, per participant times the year's participants, plus the profile; constant discounting."""
    assert sc.settings.discount_schedule == "constant"
    line = next(n for n in sc.nodes if n.id == node_id).costs[j]
    r, H = sc.settings.discount_rate, sc.settings.horizon_years
    intake = list(sc.cohort.intake) + [0.0] * (H - len(sc.cohort.intake))
    profile = list(line.profile or []) + [0.0] * H
    total = 0.0
    for t in range(H):
        amount = (
            (line.setup if t == 0 else 0.0)
            + (line.per_year if intake[t] > 0 else 0.0)
            + line.per_participant * intake[t] * sc.cohort.engagement_rate
            + profile[t]
        )
        total += amount / (1 + r) ** t
    return total


def _cost_row(sc, node_id: str, j: int) -> int:
    rows = [(n.id, k) for n in sc.nodes_of("activity") for k in range(len(n.costs))]
    return rows.index((node_id, j))


def test_grading_a_cost_line_raises_pv_costs_by_exactly_its_uplift():
    sc = changed(EXAMPLE, lambda d: [c.pop("evidence_grade", None) for n in d["nodes"] for c in n.get("costs", [])])
    node = sc.nodes_of("activity")[1]
    at = page("3_activities.py", sc)
    row = _cost_row(sc, node.id, 0)
    assert shown(at, "costs")["evidence_grade"][row] is None
    before = evaluate(current(at))["pv_costs"]
    edit_table(at, "costs", {row: {"evidence_grade": 4}})
    ok(at)
    assert next(n for n in current(at).nodes if n.id == node.id).costs[0].evidence_grade == 4
    after = evaluate(current(at))["pv_costs"]
    assert after - before == pytest.approx(0.15 * _line_pv(sc, node.id, 0), rel=1e-9)  # grade 4: +15%
    assert shown(at, "costs")["evidence_grade"][row] == 4  # shown as "4 (+15%)" by the column's format
    assert f"{node.label}: cost line 1 ({node.costs[0].item}): evidence grade" in logged(at)


def shown(at: AppTest, area: str):
    """The table an editor shows now."""
    return next(d for d in at.dataframe if d.key == f"{area}-{version(at)}").value


def test_the_costs_table_carries_grades_and_profiles():
    at = page("3_activities.py")
    ok(at)
    table = shown(at, "costs")
    assert table["evidence_grade"].tolist() == [c.evidence_grade for n in EXAMPLE.nodes_of("activity") for c in n.costs]
    assert "profile" in table  # carried along, hidden: each line keeps its own profile


def test_a_profile_amount_raises_pv_costs_by_its_discounted_uplifted_value():
    sc = EXAMPLE
    node = sc.nodes_of("activity")[0]
    line = node.costs[0]
    at = page("3_activities.py", sc)
    assert at.selectbox(key=f"profile-line-{version(at)}").value == f"{node.id}#0"
    before = evaluate(current(at))["pv_costs"]
    old = (list(line.profile or []) + [0.0] * 10)[6]
    edit_table(at, f"profile-{node.id}#0", {6: {"amount": old + 12_000.0}})
    ok(at)
    new_line = next(n for n in current(at).nodes if n.id == node.id).costs[0]
    assert new_line.profile[6] == old + 12_000.0
    uplift = 1 + (0 if line.evidence_grade is None else sc.settings.optimism_bias[line.evidence_grade])
    after = evaluate(current(at))["pv_costs"]
    assert after - before == pytest.approx(12_000.0 * uplift / 1.035**6, rel=1e-9)
    assert any(w.endswith("extra amounts by year") for w in logged(at))


def test_the_profile_table_follows_the_chosen_cost_line_across_edits():
    at = page("3_activities.py")
    lines = [(n.id, j) for n in EXAMPLE.nodes_of("activity") for j in range(len(n.costs))]
    activity, j = lines[2]
    at.selectbox(key=f"profile-line-{version(at)}").set_value(f"{activity}#{j}").run()
    edit_table(at, f"profile-{activity}#{j}", {1: {"amount": 500.0}})
    ok(at)
    assert next(n for n in current(at).nodes if n.id == activity).costs[j].profile[1] == 500.0
    # After the edit (a new version) the same line is still the one shown.
    assert at.selectbox(key=f"profile-line-{version(at)}").value == f"{activity}#{j}"


def test_a_negative_profile_amount_is_refused_with_where_it_is():
    at = page("3_activities.py")
    node = EXAMPLE.nodes_of("activity")[0]
    edit_table(at, f"profile-{node.id}#0", {3: {"amount": -10.0}})
    assert not at.exception
    assert current(at) == EXAMPLE
    text = " ".join(e.value for e in at.error)
    assert f"'{node.costs[0].item}', extra amount in 2029: must be 0 or more, got -10" in text


def test_investor_is_a_payer_only_under_a_bond():
    from logic.editing import cost_payers

    assert EXAMPLE.contract.type == "social_impact_bond"
    assert "investor" in cost_payers(EXAMPLE)
    doc = document(EXAMPLE)
    doc["contract"]["type"] = "payment_by_results"
    for n in doc["nodes"]:
        n["costs"] = [c for c in n.get("costs", []) if c["payer"] != "investor"]
    pbr = parse_scenario(doc)
    assert "investor" not in cost_payers(pbr)
    # Typed in anyway (a pasted row), it is refused with the reason.
    at = page("3_activities.py", pbr)
    edit_table(at, "costs", {0: {"payer": "investor"}})
    assert current(at) == pbr
    assert "only possible under a social impact bond" in " ".join(e.value for e in at.error)


# --- Outcomes ---------------------------------------------------------------------------------


def _benefit_row(sc, kind: str) -> tuple[int, str, int]:
    rows = [(o.id, j, b) for o in sc.outcomes for j, b in enumerate(o.benefits)]
    i = next(i for i, (_, _, b) in enumerate(rows) if b.type == kind and not b.transfer)
    return i, rows[i][0], rows[i][1]


def test_marking_a_fiscal_line_a_transfer_moves_it_out_of_public_value_only():
    at = page("4_outcomes.py")
    before = evaluate(current(at))
    row, outcome, j = _benefit_row(EXAMPLE, "fiscal")
    edit_table(at, "benefits", {row: {"transfer": True}})
    ok(at)
    assert next(o for o in current(at).outcomes if o.id == outcome).benefits[j].transfer is True
    after = evaluate(current(at))
    # The line's present value, from the flows of the evaluation before (its own discount factors).
    line_pv = float(before.flows.benefit_lines[0, row] @ before.flows.discount[0])
    assert after["pv_transfers"] == pytest.approx(before["pv_transfers"] + line_pv, rel=1e-9)
    assert after["npv_public_value"] == pytest.approx(before["npv_public_value"] - line_pv, rel=1e-9)
    assert after["npv_fiscal"] == pytest.approx(before["npv_fiscal"], rel=1e-12)  # still a saving to the budget
    assert any("transfer" in w for w in logged(at))


def test_a_transfer_on_a_social_line_is_refused_readably():
    at = page("4_outcomes.py")
    row, outcome, _ = _benefit_row(EXAMPLE, "social")
    edit_table(at, "benefits", {row: {"transfer": True}})
    assert not at.exception
    assert current(at) == EXAMPLE
    text = " ".join(e.value for e in at.error)
    label = next(o.label for o in EXAMPLE.outcomes if o.id == outcome)
    assert f"'{label}' ({outcome})" in text  # the box by its name
    assert "transfer is only for fiscal lines" in text


def test_health_discounting_on_a_line():
    at = page("4_outcomes.py")
    row, outcome, j = _benefit_row(EXAMPLE, "fiscal")
    edit_table(at, "benefits", {row: {"discount": "health"}})
    ok(at)
    assert next(o for o in current(at).outcomes if o.id == outcome).benefits[j].discount == "health"
    ev = evaluate(current(at))
    line = ev.flows.benefit_lines[0, row]
    h = EXAMPLE.settings.health_discount_rate
    by_hand = sum(x / (1 + h) ** t for t, x in enumerate(line))
    before = evaluate(EXAMPLE)
    old = float(before.flows.benefit_lines[0, row] @ before.flows.discount[0])
    assert ev["pv_fiscal"] - before["pv_fiscal"] == pytest.approx(by_hand - old, rel=1e-9)


def test_unit_cost_code_is_kept_on_the_line():
    at = page("4_outcomes.py")
    edit_table(at, "benefits", {0: {"code": " E&E1.0.1 "}})
    ok(at)
    first = [b for o in current(at).outcomes for b in o.benefits][0]
    assert first.code == "E&E1.0.1"
    assert any(w.endswith("unit-cost code") for w in logged(at))
    assert evaluate(current(at))["npv_fiscal"] == pytest.approx(evaluate(EXAMPLE)["npv_fiscal"], rel=1e-12)
