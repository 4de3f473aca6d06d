"""input_differences and headline_changes, on hand-built pairs of scenarios."""

from __future__ import annotations

import copy
import math
import re
import time

import pytest

import logic
from logic import evaluate, load_scenario, parse_scenario
from logic.compare import Difference, headline_changes, input_differences
from logic.engine import compile_scenario
from logic.report_text import EXPLANATIONS


@pytest.fixture
def pair(valid_doc):
    """(before scenario, a fresh copy of its document to edit into the after scenario)."""
    return parse_scenario(valid_doc), copy.deepcopy(valid_doc)


def diffs(before, doc) -> list[Difference]:
    return input_differences(before, parse_scenario(doc))


def node(doc, node_id) -> dict:
    return next(n for n in doc["nodes"] if n["id"] == node_id)


def test_identical_scenarios_have_no_differences(pair):
    before, doc = pair
    assert diffs(before, doc) == []
    # writing a default out explicitly changes nothing that matters
    doc["nodes"][0]["notes"] = before.nodes[0].notes
    node(doc, "out-stays-home")["lag_years"] = 0
    assert diffs(before, doc) == []


def test_an_outcome_rate(pair):
    before, doc = pair
    node(doc, "out-stays-home")["rate_with"] = 0.75
    assert diffs(before, doc) == [
        Difference(
            "nodes.out-stays-home.rate_with",
            "Stays out of care for 12 months after referral: rate with the programme",
            0.70,
            0.75,
        )
    ]


def test_a_cost_line_and_a_benefit_value(pair):
    before, doc = pair
    node(doc, "act-therapy")["costs"][0]["per_participant"] = 7000
    node(doc, "out-stays-home")["benefits"][0]["value"] = 50000
    found = {d.path: d for d in diffs(before, doc)}
    assert set(found) == {"nodes.act-therapy.costs[0].per_participant", "nodes.out-stays-home.benefits[0].value"}
    cost = found["nodes.act-therapy.costs[0].per_participant"]
    assert (cost.before, cost.after) == (6500, 7000)
    assert cost.label == (
        "Intensive family therapy, 5 months: cost line 1 (Therapists and supervision): cost per participant"
    )
    assert "County council children's services" in found["nodes.out-stays-home.benefits[0].value"].label


def test_settings_cohort_and_contract(pair):
    before, doc = pair
    doc["settings"]["discount_rate"] = 0.03
    doc["settings"]["optimism_bias"][3] = 0.2
    doc["cohort"]["intake"][2] = 90
    doc["cohort"]["intake"].append(40)
    doc["cohort"]["engagement_rate"] = 0.8
    doc["contract"]["cap"] = 2_500_000
    doc["contract"]["outcome_payers"][0]["share"] = 0.7
    doc["contract"]["outcome_payers"][1]["share"] = 0.3
    found = {d.path: (d.label, d.before, d.after) for d in diffs(before, doc)}
    assert found == {
        "settings.discount_rate": ("Settings: discount rate", 0.035, 0.03),
        "settings.optimism_bias[3]": ("Optimism bias for evidence grade 3", 0.10, 0.2),
        "cohort.intake[2]": ("Referrals in 2028 (year 2)", 80, 90),
        "cohort.intake[4]": ("Referrals in 2030 (year 4)", None, 40),
        "cohort.engagement_rate": ("Cohort: engagement rate", 0.85, 0.8),
        "contract.cap": ("Contract: cap on outcome payments", 3_000_000, 2_500_000),
        "contract.outcome_payers[0].share": (
            "Contract: outcome payer County council children's services: share of outcome payments",
            0.8,
            0.7,
        ),
        "contract.outcome_payers[1].share": ("Contract: outcome payer NHS board: share of outcome payments", 0.2, 0.3),
    }


def test_a_cap_removed_reads_as_after_none(pair):
    before, doc = pair
    del doc["contract"]["cap"]
    assert [(d.path, d.before, d.after) for d in diffs(before, doc)] == [("contract.cap", 3_000_000, None)]


def test_added_and_removed_nodes_and_links(pair):
    before, doc = pair
    new = {"id": "out-school", "stage": "outcome", "label": "Back in school", "rate_with": 0.5, "rate_without": 0.4}
    doc["nodes"].insert(3, new)
    doc["edges"].append({"source": "act-therapy", "target": "out-school"})
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] != "impact-safe-families"]
    doc["edges"] = [e for e in doc["edges"] if e["target"] != "impact-safe-families"]
    found = {d.path: d for d in diffs(before, doc)}
    assert set(found) == {
        "nodes.out-school",
        "nodes.impact-safe-families",
        "edges.act-therapy->out-school",
        "edges.out-stays-home->impact-safe-families",
    }
    added = found["nodes.out-school"]
    assert (
        added.before is None and added.after["label"] == "Back in school" and added.label == "Outcome: Back in school"
    )
    removed = found["nodes.impact-safe-families"]
    assert removed.after is None and removed.before["id"] == "impact-safe-families"
    assert found["edges.act-therapy->out-school"].before is None
    assert found["edges.act-therapy->out-school"].label == "Link Intensive family therapy, 5 months -> Back in school"
    assert found["edges.out-stays-home->impact-safe-families"].after is None


def test_a_link_assumption(pair):
    before, doc = pair
    doc["edges"][0]["strength"] = "weak"
    (d,) = diffs(before, doc)
    assert d.path == "edges.need-care-entry->act-therapy.strength"
    assert d.label.endswith(": strength") and d.label.startswith("Link Adolescents at risk")
    assert (d.before, d.after) == ("medium", "weak")


def test_agencies_added_renamed_and_reordered(pair, valid_doc):
    before, doc = pair
    doc["agencies"][1]["name"] = "NHS integrated care board"
    doc["agencies"].append({"id": "police", "name": "Police"})
    found = {d.path: d for d in diffs(before, doc)}
    assert set(found) == {"agencies.nhs.name", "agencies.police"}
    assert found["agencies.police"].before is None and found["agencies.police"].label == "Agency: Police"
    assert found["agencies.nhs.name"].before == "NHS board"

    doc = copy.deepcopy(valid_doc)
    doc["agencies"].reverse()  # the first agency funds a plain grant, so order is an input
    (d,) = diffs(before, doc)
    assert d.path == "agencies" and d.before == ["council", "nhs"] and d.after == ["nhs", "council"]


def test_reordering_nodes_is_one_difference(pair):
    before, doc = pair
    doc["nodes"].reverse()
    (d,) = diffs(before, doc)
    assert d.path == "nodes" and d.label == "Order of the nodes"


def test_benefit_lines_added_and_removed(pair):
    before, doc = pair
    benefits = node(doc, "out-stays-home")["benefits"]
    benefits.insert(0, {"agency": "nhs", "value": 1000, "type": "fiscal"})
    with_two = parse_scenario(doc)
    (d,) = input_differences(before, with_two)
    assert d.path == "nodes.out-stays-home.benefits[0]" and d.before is None
    assert d.after == {
        "agency": "nhs",
        "value": 1000.0,
        "type": "fiscal",
        "cashable": 1.0,
        "transfer": False,
        "discount": "standard",
        "code": None,
    }
    assert d.label == "Stays out of care for 12 months after referral: benefit to NHS board (fiscal)"
    # removing the first of two lines is one removal, not a change to every line after it
    (d,) = input_differences(with_two, before)
    assert d.path == "nodes.out-stays-home.benefits[0]" and d.after is None and d.before["agency"] == "nhs"


def test_uncertain_inputs_and_text(pair):
    before, doc = pair
    doc["uncertainty"]["parameters"][0]["high"] = 0.8
    doc["uncertainty"]["seed"] = 8
    doc["name"] = "Edge of care v2"
    doc["description"] = "changed"
    found = {d.path: d.label for d in diffs(before, doc)}
    assert found == {
        "name": "Name",
        "description": "Description",
        "uncertainty.seed": "Uncertainty: random seed",
        "uncertainty.parameters[0].high": "Uncertainty: uncertain input nodes.out-stays-home.rate_with: high",
    }


def _set(doc: dict, path: str, value: float) -> None:
    """Set a value by the uncertainty path language (nodes.ID.field, nodes.ID.costs[j].field, section.field)."""
    m = re.fullmatch(r"nodes\.(.+?)\.(?:(costs|benefits)\[(\d+)\]\.)?(\w+)", path)
    if m:
        target = node(doc, m[1])
        if m[2]:
            target = target[m[2]][int(m[3])]
        target[m[4]] = value
    else:
        section, field = path.split(".")
        doc[section][field] = value


def test_paths_are_the_engines_parameter_paths():
    """Every input the engine can vary is reported under the same path the uncertainty page uses."""
    sc = load_scenario(logic.DEFAULT_EXAMPLE)
    doc = sc.model_dump(exclude_none=True)
    checked = 0
    index = compile_scenario(sc).index
    for path, (table, col) in index.items():
        changed = copy.deepcopy(doc)
        field = path.rsplit(".", 1)[-1]
        value = 0.01234 if field != "evidence_grade" else 1
        if field in ("lag_years", "duration_years"):
            value = 4
        _set(changed, path, value)
        found = input_differences(sc, parse_scenario(changed))
        if not found:  # the example already had this value
            continue
        assert [d.path for d in found] == [path], (path, table, col)
        checked += 1
    assert checked > len(index) // 2


def test_fast_on_the_bundled_example():
    a = load_scenario(logic.DEFAULT_EXAMPLE)
    doc = a.model_dump(exclude_none=True)
    doc["settings"]["discount_rate"] = 0.03
    doc["nodes"][-1]["label"] = "changed"
    b = parse_scenario(doc)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        assert len(input_differences(a, b)) == 2
        times.append(time.perf_counter() - start)
    times.sort()
    assert times[len(times) // 2] < 0.005, f"median {times[len(times) // 2] * 1000:.2f} ms"


# --- headline_changes -------------------------------------------------------------------------


def test_headline_changes(pair):
    before, doc = pair
    node(doc, "out-stays-home")["rate_with"] = 0.8
    a = evaluate(before).to_dict()
    b = evaluate(parse_scenario(doc)).to_dict()
    frame = headline_changes(a, b, names={"council": "County council"})
    assert list(frame.columns) == ["figure", "key", "before", "after", "change"]
    keys = list(frame["key"])
    for key in EXPLANATIONS:
        assert key in keys
    for key in (
        "additional_outcomes.out-stays-home",
        "contract.outcome_payments_total",
        "contract.pv_outcome_payments",
        "contract.payments_beyond_horizon",
        "contract.investor.irr",
        "contract.investor.peak_capital",
        "contract.investor.multiple",
        "contract.parties.council",
        "contract.parties.nhs",
        "contract.parties.provider",
        "contract.parties.investor",
        "contract.switching_values.investor",
    ):
        assert key in keys
    row = frame.set_index("key").loc["npv_fiscal"]
    assert row["before"] == a["npv_fiscal"] and row["after"] == b["npv_fiscal"]
    assert row["change"] == pytest.approx(b["npv_fiscal"] - a["npv_fiscal"]) and row["change"] > 0
    council = frame.set_index("key").loc["contract.parties.council"]
    assert council["figure"] == "Position (present value): County council"
    assert council["after"] == b["contract"]["parties"]["council"]


def test_headline_changes_with_undefined_figures_and_new_parties(pair):
    before, doc = pair
    a = evaluate(before).to_dict()
    doc["contract"]["type"] = "none"
    doc["agencies"].append({"id": "police", "name": "Police"})
    b = evaluate(parse_scenario(doc)).to_dict()
    frame = headline_changes(a, b).set_index("key")
    assert math.isnan(frame.loc["contract.investor.irr", "after"])  # no investor without a bond
    assert math.isnan(frame.loc["contract.investor.irr", "change"])
    assert math.isnan(frame.loc["contract.parties.police", "before"])
    assert frame.loc["contract.parties.police", "after"] == b["contract"]["parties"]["police"]
    same = headline_changes(a, a)
    assert ((same["change"] == 0) | same["change"].isna()).all()


def test_the_assumptions_log_is_not_an_input(pair):
    before, doc = pair
    doc["log"] = [{"when": "2026-05-01 10:00", "what": "Agreed rates", "by": "Asha"}]
    assert diffs(before, doc) == []
