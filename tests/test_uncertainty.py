"""Monte Carlo, tornado and switching values, checked against analytical expectations
and against `evaluate` on edited copies of the scenario (an independent path)."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import yaml

from logic import DEFAULT_EXAMPLE, ScenarioError, evaluate, load_scenario, simulate
from logic.engine import compile_scenario
from logic.model import UncertainParameter
from logic.uncertainty import input_switching_value, tornado

BASE = yaml.safe_load(DEFAULT_EXAMPLE.read_text())


def with_params(params: list[dict], doc: dict | None = None) -> dict:
    doc = copy.deepcopy(doc or BASE)
    doc["uncertainty"] = {"draws": 20_000, "seed": 11, "parameters": params}
    return doc


def edited(path: str, value: float, doc: dict | None = None) -> dict:
    """A copy of the scenario with one input set, by walking the YAML (not the engine's index)."""
    doc = copy.deepcopy(doc or BASE)
    parts = path.split(".")
    if parts[0] == "cohort":
        doc["cohort"][parts[1]] = value
    else:
        node = next(n for n in doc["nodes"] if n["id"] == parts[1])
        if parts[2].startswith("benefits["):
            node["benefits"][int(parts[2][9:-1])][parts[3]] = value
        else:
            node[parts[2]] = value
    return doc


def npv(doc: dict) -> float:
    return evaluate(load_scenario(yaml.safe_dump(doc)))["npv_fiscal"]


def assert_mean_close(sim, name: str, expected: float) -> None:
    x = sim.samples[name]
    err = x.std(ddof=1) / math.sqrt(len(x))
    assert abs(x.mean() - expected) < 4 * err + 1e-6 * abs(expected), (x.mean(), expected, err)


@pytest.mark.parametrize(
    "dist,extra,mean",
    [
        ("uniform", {}, lambda lo, mode, hi: (lo + hi) / 2),
        ("triangular", {"mode": 0.88}, lambda lo, mode, hi: (lo + mode + hi) / 3),
        ("pert", {"mode": 0.88}, lambda lo, mode, hi: (lo + 4 * mode + hi) / 6),
        ("normal", {"mode": 0.8, "sd": 0.03}, lambda lo, mode, hi: mode),  # 0.8 +- 0.03: clipping never bites
    ],
)
def test_mean_npv_matches_the_analytical_expectation(dist, extra, mean):
    # NPV fiscal is linear in the engagement rate (costs per participant and benefits both scale
    # with it), so E[NPV(e)] = NPV(E[e]).
    lo, hi = 0.6, 0.95
    p = {"path": "cohort.engagement_rate", "dist": dist, "low": lo, "high": hi, **extra}
    sim = simulate(load_scenario(yaml.safe_dump(with_params([p]))))
    expected = npv(edited("cohort.engagement_rate", mean(lo, extra.get("mode"), hi)))
    assert_mean_close(sim, "npv_fiscal", expected)


def test_mean_is_linear_in_a_unit_value():
    doc = BASE
    node = next(n for n in doc["nodes"] if n["stage"] == "outcome" and n.get("benefits"))
    path = f"nodes.{node['id']}.benefits[0].value"
    v = node["benefits"][0]["value"]
    p = {"path": path, "dist": "triangular", "low": 0.5 * v, "mode": v, "high": 1.2 * v}
    sim = simulate(load_scenario(yaml.safe_dump(with_params([p]))))
    assert_mean_close(sim, "npv_fiscal", npv(edited(path, (0.5 * v + v + 1.2 * v) / 3)))


def test_same_seed_same_figures_and_different_seed_different():
    sc = load_scenario(DEFAULT_EXAMPLE)
    a = simulate(sc, draws=500, seed=3).to_dict()
    b = simulate(sc, draws=500, seed=3).to_dict()
    c = simulate(sc, draws=500, seed=4).to_dict()
    assert a == b
    assert a["metrics"]["npv_fiscal"]["mean"] != c["metrics"]["npv_fiscal"]["mean"]


def test_one_draw_at_central_values_reproduces_evaluate():
    sc = load_scenario(DEFAULT_EXAMPLE)
    c = compile_scenario(sc)
    from logic.uncertainty import central_value

    central = [
        UncertainParameter(path=p.path, dist="uniform", low=central_value(c, p.path), high=central_value(c, p.path))
        for p in sc.uncertainty.parameters
    ]
    sim = simulate(sc, draws=1, seed=1, parameters=central).to_dict()["metrics"]
    ev = evaluate(sc).to_dict()
    assert sim["npv_fiscal"]["mean"] == pytest.approx(ev["npv_fiscal"], rel=1e-12)
    assert sim["npv_public_value"]["mean"] == pytest.approx(ev["npv_public_value"], rel=1e-12)
    assert sim["bcr_fiscal"]["mean"] == pytest.approx(ev["bcr_fiscal"], rel=1e-12)
    assert sim["investor_irr"]["mean"] == pytest.approx(ev["contract"]["investor"]["irr"], rel=1e-9)
    for party, value in ev["contract"]["parties"].items():
        assert sim[f"party:{party}"]["mean"] == pytest.approx(value, rel=1e-12, abs=1e-6)


def test_summary_keys_and_percentiles_are_ordered():
    out = simulate(load_scenario(DEFAULT_EXAMPLE), draws=2000, seed=7).to_dict()
    assert out["draws"] == 2000 and out["seed"] == 7
    assert {"npv_fiscal", "npv_public_value", "bcr_fiscal", "investor_irr", "party:investor"} <= set(out["metrics"])
    for m in out["metrics"].values():
        assert set(m) >= {"mean", "p5", "p50", "p95", "p_below_zero"}
        assert m["p5"] <= m["p50"] <= m["p95"]
        assert 0.0 <= m["p_below_zero"] <= 1.0


def test_normal_draws_are_clipped_to_the_valid_range():
    p = {"path": "cohort.engagement_rate", "dist": "normal", "low": 0.9, "high": 1.0, "mode": 0.99, "sd": 0.2}
    sim = simulate(load_scenario(yaml.safe_dump(with_params([p]))), draws=5000)
    drawn = sim.inputs["cohort.engagement_rate"]
    assert drawn.max() <= 1.0 and drawn.min() >= 0.0
    assert (drawn == 1.0).any()


def test_tornado_ends_equal_evaluate_with_the_input_moved():
    sc = load_scenario(DEFAULT_EXAMPLE)
    rows = tornado(sc)
    assert len(rows) == len(sc.uncertainty.parameters)
    swings = [abs(r["at_high"] - r["at_low"]) for r in rows]
    assert swings == sorted(swings, reverse=True)
    for r in rows:
        assert r["at_low"] == pytest.approx(npv(edited(r["path"], r["low"])), rel=1e-9, abs=1e-3)
        assert r["at_high"] == pytest.approx(npv(edited(r["path"], r["high"])), rel=1e-9, abs=1e-3)


def test_switching_value_of_an_input_makes_npv_zero():
    sc = load_scenario(DEFAULT_EXAMPLE)
    c = compile_scenario(sc)
    path = "cohort.engagement_rate"
    x = input_switching_value(c, path, "npv_fiscal")
    assert x is not None and 0 < x < 1
    assert abs(npv(edited(path, x))) < 1e-3
    # Hand reasoning: NPV is linear in engagement, NPV(e) = A + B e, so the root is the
    # straight line through two evaluations.
    e0, e1 = 0.2, 0.9
    n0, n1 = npv(edited(path, e0)), npv(edited(path, e1))
    assert x == pytest.approx(e0 - n0 * (e1 - e0) / (n1 - n0), rel=1e-9)


def test_unknown_parameter_path_is_a_validation_error():
    bad = with_params([{"path": "nodes.nope.rate_with", "dist": "uniform", "low": 0.1, "high": 0.2}])
    with pytest.raises(ScenarioError) as err:
        load_scenario(yaml.safe_dump(bad))
    assert any("uncertainty.parameters[0]" in line and "nodes.nope.rate_with" in line for line in err.value.lines())


def test_irr_agrees_with_numpy_financial_on_random_flows():
    npf = pytest.importorskip("numpy_financial")
    from logic.contract import irr

    rng = np.random.default_rng(5)
    flows = np.concatenate([-rng.uniform(1e5, 1e6, (200, 3)), rng.uniform(0, 6e5, (200, 7))], axis=1)
    ours = irr(flows)
    for row, value in zip(flows, ours):
        expected = npf.irr(row)
        if np.isnan(expected):
            assert np.isnan(value)
        else:
            assert value == pytest.approx(expected, rel=1e-6, abs=1e-9)
    assert np.isnan(irr(np.array([[-1.0, -2.0, -3.0]])))[0]


def test_chunked_run_gives_the_same_figures_and_reports_progress():
    sc = load_scenario(DEFAULT_EXAMPLE)
    seen = []
    a = simulate(sc, draws=1000, seed=9, chunks=7, progress=seen.append).to_dict()
    b = simulate(sc, draws=1000, seed=9).to_dict()
    assert a == b
    assert seen[-1] == 1.0 and len(seen) == 7


def test_large_runs_are_chunked_without_changing_a_figure():
    from logic import DEFAULT_EXAMPLE, load_scenario, simulate
    from logic.uncertainty import MAX_CHUNK_DRAWS

    sc = load_scenario(DEFAULT_EXAMPLE)
    draws = 2 * MAX_CHUNK_DRAWS + 123  # three chunks by default
    seen = []
    a = simulate(sc, draws=draws, seed=11, progress=seen.append)
    b = simulate(sc, draws=draws, seed=11, chunks=7)
    assert len(seen) == 3
    assert a.to_dict() == b.to_dict()
