"""A place (toc-place/1): a hand-worked fund, every kind of bad input as one clear line, the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from logic.place import EXAMPLE_PLACE, PlaceError, evaluate_place, load_place

ROOT = Path(__file__).resolve().parent.parent


def programme(name, agencies, benefits, costs, intake=100, horizon=2, **settings):
    """One outcome (w 0.5, b 0.3, grade 1, a year long): 20 more people per 100 taken in."""
    return {
        "format": "toc-business-case/2",
        "name": name,
        "settings": {"start_year": 2026, "horizon_years": horizon, "discount_rate": 0.0, **settings},
        "agencies": [{"id": a, "name": a.title()} for a in agencies],
        "cohort": {"intake": [intake], "engagement_rate": 1.0},
        "nodes": [
            {"id": "need", "stage": "need", "label": "Families in crisis", "population": 120, "unit_cost": 10},
            {"id": "act", "stage": "activity", "label": "Activity", "costs": costs},
            {
                "id": "out",
                "stage": "outcome",
                "label": "Outcome",
                "rate_with": 0.5,
                "rate_without": 0.3,
                "evidence_grade": 1,
                "duration_years": 1,
                "benefits": benefits,
            },
        ],
        "edges": [
            {"source": "need", "target": "act", "strength": "medium"},
            {"source": "act", "target": "out", "strength": "medium"},
        ],
    }


def fiscal(agency, value, code=None):
    line = {"agency": agency, "value": value, "type": "fiscal", "cashable": 1.0}
    return line | ({"code": code} if code else {})


A = programme(
    "A", ["council"], [fiscal("council", 1000, "C1")], [{"item": "set up", "payer": "council", "setup": 5000}]
)
B = programme(
    "B",
    ["council", "police"],
    [fiscal("council", 1000, "C1"), fiscal("police", 400, "P1")],
    [{"item": "set up", "payer": "police", "setup": 1000}],
)


def place_doc(**fund):
    return {
        "format": "toc-place/1",
        "name": "Hand-worked place",
        "settings": {"start_year": 2026, "horizon_years": 2, "discount_rate": 0.0},
        "programmes": [
            {"scenario": "a.yaml", "start_year": 2026},
            {"scenario": "b.yaml", "start_year": 2027, "scale": 0.5},
        ],
        "fund": {
            "members": ["council"],
            "contributions": [{"agency": "council", "by_year": [3000]}],
            "savings_returned": 0.5,
            "savings_lag_years": 1,
            "bridge_rate": 0.1,
            "balance_rate": 0.02,
            **fund,
        },
    }


def write(folder: Path, doc: dict, programmes=(("a.yaml", A), ("b.yaml", B))) -> Path:
    for name, prog in programmes:
        (folder / name).write_text(yaml.safe_dump(prog), encoding="utf-8")
    path = folder / "place.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_a_hand_worked_place(tmp_path):
    r = evaluate_place(load_place(write(tmp_path, place_doc()))).to_dict()
    # A: 100 in, 20 more outcomes, 20 x 1000 = 20,000 to the council in 2026; council pays 5,000 set-up.
    # B from 2027 at half scale: 50 in, 10 more; council 10,000 and police 4,000 in 2027; police pays 1,000.
    # Calendar: B runs 2027-2028, past the place's two years, so 2026-2028, plus the one-year lag: 2026-2029.
    assert r["years"] == [2026, 2027, 2028, 2029]
    fund = r["fund"]
    # Out: the council's own costs (the fund pays all three items): 5,000 in 2026.
    assert fund["outflow_by_year"] == pytest.approx([5000, 0, 0, 0])
    # In: 3,000 contributed in 2026; half of the council's savings a year after they are banked.
    assert fund["inflow_by_year"] == pytest.approx([3000, 10000, 5000, 0])
    # Balance: 3,000 - 5,000 = -2,000; -2,000 x 1.1 + 10,000 = 7,800; 7,800 x 1.02 + 5,000 = 12,956; x 1.02.
    assert fund["balance_by_year"] == pytest.approx([-2000, 7800, 12956, 13215.12])
    assert fund["bridge_needed"] == pytest.approx(2000)
    # 2026 falls without its contribution (-2,000 - 0 - 3,000 < 0); from 2027 on it never does.
    assert fund["self_sustaining_year"] == 1
    # The council keeps half its savings and pays its 3,000; the police (not a member) keeps its own case.
    assert r["agencies"]["council"]["net_cash_by_year"] == pytest.approx([7000, 5000, 0, 0])
    assert r["agencies"]["police"]["net_cash_by_year"] == pytest.approx([0, 3000, 0, 0])
    e = r["economic"]
    assert (e["pv_costs"], e["pv_fiscal"], e["npv_fiscal"], e["npv_public_value"]) == pytest.approx(
        (6000, 34000, 28000, 28000)
    )
    assert r["double_counting"] == [{"programmes": [0, 1], "agency": "council", "code": "C1"}]
    # Both share the need "Families in crisis" (population 120); A takes in 100 in 2026 and B 50 in 2027:
    # no year exceeds 120, so nothing is said.
    assert not any("Families in crisis" in w for w in r["warnings"])


def test_items_the_fund_does_not_pay_stay_with_the_member(tmp_path):
    r = evaluate_place(load_place(write(tmp_path, place_doc(pays_for=["funding"])))).to_dict()
    # The council's 5,000 set-up is its own cost line, not pooled: it pays it itself, the fund pays nothing.
    assert r["fund"]["outflow_by_year"] == pytest.approx([0, 0, 0, 0])
    assert r["agencies"]["council"]["net_cash_by_year"] == pytest.approx([7000 - 5000, 5000, 0, 0])
    assert r["fund"]["bridge_needed"] == 0


def test_programmes_sharing_a_need_beyond_its_population_are_warned(tmp_path):
    doc = place_doc()
    doc["programmes"][1] = {"scenario": "b.yaml", "start_year": 2026, "scale": 0.5}
    r = evaluate_place(load_place(write(tmp_path, doc))).to_dict()
    # Both take in during 2026: 100 + 50 = 150 people, more than the 120 the need holds.
    assert any("Families in crisis" in w and "150" in w and "120" in w for w in r["warnings"])


def test_the_same_scenario_twice_at_the_same_start_is_allowed_but_warned(tmp_path):
    doc = place_doc()
    doc["programmes"] = [{"scenario": "a.yaml"}, {"scenario": "a.yaml"}]
    r = evaluate_place(load_place(write(tmp_path, doc))).to_dict()
    assert any("same scenario" in w for w in r["warnings"])
    assert r["fund"]["outflow_by_year"][0] == pytest.approx(10000)


def problems(tmp_path, doc, programmes=(("a.yaml", A), ("b.yaml", B))) -> list[str]:
    with pytest.raises(PlaceError) as info:
        evaluate_place(load_place(write(tmp_path, doc, programmes)))
    return info.value.lines()


def test_a_missing_programme_file_is_named(tmp_path):
    doc = place_doc()
    doc["programmes"][1]["scenario"] = "nowhere.yaml"
    [line] = problems(tmp_path, doc)
    assert line.startswith("programmes[1] nowhere.yaml") and "cannot be read" in line


def test_an_invalid_programme_is_named_with_its_own_problem(tmp_path):
    bad = programme("bad", ["council"], [fiscal("council", 1000)], [{"item": "x", "payer": "nobody"}])
    lines = problems(tmp_path, place_doc(), (("a.yaml", A), ("b.yaml", bad)))
    assert lines and all(line.startswith("programmes[1] b.yaml") for line in lines)
    assert any("nobody" in line for line in lines)


def test_a_programme_starting_before_the_place(tmp_path):
    doc = place_doc()
    doc["programmes"][1]["start_year"] = 2025
    [line] = problems(tmp_path, doc)
    assert "programmes[1]" in line and "before the place (2026)" in line


def test_a_programme_in_other_prices_must_be_rebased(tmp_path):
    rebased = programme("old prices", ["council"], [fiscal("council", 1)], [], price_base_year=2020)
    [line] = problems(tmp_path, place_doc(), (("a.yaml", A), ("b.yaml", rebased)))
    assert "programmes[1]" in line and "2020/21 prices" in line and "rebase" in line


@pytest.mark.parametrize(
    ("fund", "where", "words"),
    [
        ({"contributions": [{"agency": "police", "by_year": [1]}]}, "fund.contributions[0]", "not a member"),
        ({"members": ["council", "fire"]}, "fund.members[1]", "not an agency of any programme"),
        ({"savings_returned": 1.5}, "fund", "savings_returned must be between 0 and 1"),
        ({"bridge_rate": 0.3}, "fund", "bridge_rate must be between 0 and 0.2"),
        ({"balance_rate": -0.01}, "fund", "balance_rate must be between 0 and 0.2"),
        ({"savings_lag_years": 6}, "fund", "savings_lag_years"),
        ({"savings_lag_years": 1.5}, "fund", "savings_lag_years"),
        ({"pays_for": ["own_costs", "lunch"]}, "fund.pays_for", "lunch"),
        ({"contributions": [{"agency": "council", "by_year": [1] * 5}]}, "fund.contributions[0]", "5 years"),
    ],
)
def test_bad_fund_input_is_one_clear_line(tmp_path, fund, where, words):
    lines = problems(tmp_path, place_doc(**fund))
    assert len(lines) == 1, lines
    assert lines[0].startswith(where) and words in lines[0], lines


def test_a_place_cannot_include_itself_or_another_place(tmp_path):
    doc = place_doc()
    doc["programmes"][1]["scenario"] = "place.yaml"
    [line] = problems(tmp_path, doc)
    assert "place cannot include itself" in line
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(place_doc()), encoding="utf-8")
    doc["programmes"][1]["scenario"] = "other.yaml"
    [line] = problems(tmp_path, doc)
    assert "is a place file, not a scenario" in line


def test_an_unknown_key_suggests_the_right_one(tmp_path):
    doc = place_doc()
    doc["fund"]["saving_returned"] = 0.5
    lines = problems(tmp_path, doc)
    assert any("did you mean 'savings_returned'" in line for line in lines)


def test_a_saved_programme_without_a_store_says_so(tmp_path):
    doc = place_doc()
    doc["programmes"][1] = {"saved": "edge-of-care-1234", "version": 2}
    [line] = problems(tmp_path, doc)
    assert "saved scenario 'edge-of-care-1234' version 2" in line and "no store" in line


def run_cli(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "logic", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


def test_the_command_line_prints_the_place_as_json_and_as_a_table(tmp_path):
    path = write(tmp_path, place_doc())
    out = run_cli("place", str(path), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["fund"]["balance_by_year"] == pytest.approx([-2000, 7800, 12956, 13215.12])
    table = run_cli("place", str(path))
    assert table.returncode == 0 and "£2,000" in table.stdout and "2027" in table.stdout
    assert "possible double counting: programmes 1 and 2 both credit council with C1" in table.stdout


def test_validate_reads_place_files(tmp_path):
    assert run_cli("validate", str(EXAMPLE_PLACE)).stdout.strip() == "ok"
    bad = write(tmp_path, place_doc(savings_returned=2))
    out = run_cli("validate", str(bad))
    assert out.returncode == 2 and "savings_returned must be between 0 and 1" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_the_example_place_evaluates_and_its_programmes_match_their_own_files():
    from logic import evaluate, load_scenario

    r = evaluate_place(load_place(EXAMPLE_PLACE)).to_dict()
    assert r["years"][0] == 2026 and r["fund"]["bridge_needed"] > 0
    # Edge of care starts with the place at full scale: its headline is its own file's.
    own = evaluate(load_scenario(ROOT / "logic/examples/edge_of_care.yaml")).to_dict()
    assert r["programmes"][0]["headline"]["npv_fiscal"] == pytest.approx(own["npv_fiscal"], rel=1e-12)
