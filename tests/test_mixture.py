"""`dist: mixture` (a linear opinion pool, DESIGN.md "Uncertainty"): its draws follow the mixture's CDF,
its mean is the weighted mean of its components' means, it carries a correlation, and bad ones are refused.

CDFs and quantiles come from tests/reference_copula.py (scipy.stats, bisection); means from the
textbook formulas, written out here.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from logic import DEFAULT_EXAMPLE, ScenarioError, evaluate, load_scenario, simulate
from logic.model import UncertainParameter
from logic.snapshots import dump_scenario
from logic.uncertainty import draw_inputs, tornado

try:
    from . import reference_copula as R
except ImportError:
    import reference_copula as R

BASE = yaml.safe_load(DEFAULT_EXAMPLE.read_text())
WO = "nodes.out-stays-home.rate_without"
W = "nodes.out-stays-home.rate_with"
VALUE = "nodes.out-stays-home.benefits[0].value"

# Three people's estimates of the counterfactual: two triangulars and a PERT, the room's pool.
ROOM = [
    {"dist": "triangular", "low": 0.30, "mode": 0.45, "high": 0.55, "weight": 1 / 3},
    {"dist": "pert", "low": 0.40, "mode": 0.50, "high": 0.65, "weight": 1 / 3},
    {"dist": "triangular", "low": 0.50, "mode": 0.60, "high": 0.62, "weight": 1 / 3},
]


def mixture(components: list[dict], path: str = WO, **extra) -> dict:
    return {"path": path, "dist": "mixture", "components": components, **extra}


def scenario(params: list[dict], correlations: list[dict] | None = None, draws: int = 10_000, seed: int = 3):
    doc = copy.deepcopy(BASE)
    doc["uncertainty"] = {"draws": draws, "seed": seed, "parameters": params}
    if correlations:
        doc["uncertainty"]["correlations"] = correlations
    return load_scenario(yaml.safe_dump(doc))


def parts(components: list[dict]) -> list[R.Dist]:
    return [R.Dist(c["dist"], c["low"], c["high"], c.get("mode"), c.get("sd"), c["weight"]) for c in components]


def drawn(param: dict, n: int = 10_000, seed: int = 1) -> np.ndarray:
    sc = scenario([param])
    return draw_inputs(sc, n, np.random.default_rng(seed))[param["path"]]


def ks_limit(n: int) -> float:
    return 1.63 / math.sqrt(n)  # the Kolmogorov-Smirnov 1% critical value


def test_the_rooms_pool_draws_follow_its_mixture_cdf():
    x = drawn(mixture(ROOM))
    assert R.ks_distance(x, lambda v: R.mixture_cdf(parts(ROOM), v)) < ks_limit(len(x))


def test_its_mean_is_the_weighted_mean_of_the_components_means():
    x = drawn(mixture(ROOM), n=40_000)
    by_hand = ((0.30 + 0.45 + 0.55) / 3 + (0.40 + 4 * 0.50 + 0.65) / 6 + (0.50 + 0.60 + 0.62) / 3) / 3
    assert abs(x.mean() - by_hand) < 4 * x.std() / math.sqrt(len(x))
    assert R.mixture_mean(parts(ROOM)) == pytest.approx(by_hand, rel=1e-12)


def test_unequal_weights_a_normal_and_a_uniform():
    comps = [
        {"dist": "uniform", "low": 0.2, "high": 0.4, "weight": 0.25},
        {"dist": "normal", "low": 0.45, "high": 0.65, "weight": 0.75},  # 95% in 0.45..0.65: sd 0.051
    ]
    x = drawn(mixture(comps), n=40_000)
    assert R.ks_distance(x, lambda v: R.mixture_cdf(parts(comps), v, (0.0, 1.0))) < ks_limit(len(x))
    by_hand = 0.25 * 0.3 + 0.75 * 0.55
    assert abs(x.mean() - by_hand) < 4 * x.std() / math.sqrt(len(x))
    # a quarter of the pool below 0.4, nearly none of the normal's mass down there
    assert abs((x < 0.4).mean() - (0.25 + 0.75 * R.stats.norm.cdf((0.4 - 0.55) / (0.1 / (2 * R.Z95))))) < 0.01


def test_separate_opinions_leave_a_gap_no_draw_falls_in():
    comps = [
        {"dist": "uniform", "low": 0.1, "high": 0.2, "weight": 0.4},
        {"dist": "triangular", "low": 0.6, "mode": 0.7, "high": 0.8, "weight": 0.6},
    ]
    x = drawn(mixture(comps))
    assert not ((x > 0.2) & (x < 0.6)).any()
    assert abs((x <= 0.2).mean() - 0.4) < 3 * math.sqrt(0.4 * 0.6 / len(x))
    assert R.ks_distance(x, lambda v: R.mixture_cdf(parts(comps), v)) < ks_limit(len(x))


def test_a_certain_opinion_is_a_point_with_its_weight():
    comps = [
        {"dist": "triangular", "low": 0.5, "mode": 0.5, "high": 0.5, "weight": 0.3},
        {"dist": "pert", "low": 0.3, "mode": 0.45, "high": 0.7, "weight": 0.7},
    ]
    x = drawn(mixture(comps))
    assert abs((x == 0.5).mean() - 0.3) < 3 * math.sqrt(0.3 * 0.7 / len(x))
    rest = x[x != 0.5]
    beta = parts(comps)[1]
    assert R.ks_distance(rest, lambda v: R.cdf(beta, v)) < ks_limit(len(rest))


def test_a_normal_opinion_past_the_valid_range_piles_up_on_the_bound():
    comps = [
        {"dist": "normal", "low": 0.0, "high": 0.2, "mode": 0.02, "sd": 0.04, "weight": 0.5},
        {"dist": "uniform", "low": 0.1, "high": 0.3, "weight": 0.5},
    ]
    x = drawn(mixture(comps), n=20_000)
    assert x.min() == 0.0
    expected_at_zero = 0.5 * R.stats.norm.cdf((0.0 - 0.02) / 0.04)  # the normal's mass below 0
    assert abs((x == 0.0).mean() - expected_at_zero) < 0.01


def test_a_normal_opinion_past_the_top_of_the_range_piles_up_on_1():
    comps = [
        {"dist": "normal", "low": 0.8, "high": 1.0, "mode": 0.97, "sd": 0.05, "weight": 0.6},
        {"dist": "triangular", "low": 0.5, "mode": 0.6, "high": 0.9, "weight": 0.4},
    ]
    x = drawn(mixture(comps, path=W), n=20_000)
    assert x.max() == 1.0
    expected_at_one = 0.6 * (1 - R.stats.norm.cdf((1.0 - 0.97) / 0.05))  # the normal's mass above 1
    assert abs((x == 1.0).mean() - expected_at_one) < 0.01
    below = x[x < 1.0]
    scale = R.mixture_cdf(parts(comps), np.array([1 - 1e-12]), (0.0, 1.0))[0]
    d = R.ks_distance(below, lambda v: R.mixture_cdf(parts(comps), v, (0.0, 1.0)) / scale)
    assert d < ks_limit(len(below))


def test_quantiles_agree_with_the_reference_bisection():
    from logic.model import MixtureComponent
    from logic.sampling import Mixture

    u = np.linspace(0.001, 0.999, 999)
    engine = Mixture([MixtureComponent(**c) for c in ROOM], (0.0, 1.0)).inverse(u)
    reference = R.mixture_ppf(parts(ROOM), u, (0.0, 1.0))
    assert np.max(np.abs(engine - reference)) < 1e-3 * (0.65 - 0.30)


def test_a_mixture_of_amounts_uses_its_own_scale():
    comps = [
        {"dist": "triangular", "low": 20_000, "mode": 30_000, "high": 40_000, "weight": 0.5},
        {"dist": "pert", "low": 35_000, "mode": 50_000, "high": 90_000, "weight": 0.5},
    ]
    x = drawn(mixture(comps, path=VALUE))
    assert R.ks_distance(x, lambda v: R.mixture_cdf(parts(comps), v)) < ks_limit(len(x))


def test_a_mixture_carries_the_rank_correlation():
    other = {"path": W, "dist": "triangular", "low": 0.62, "mode": 0.73, "high": 0.80}
    for rho in (0.8, -0.5):
        sc = scenario([other, mixture(ROOM)], [{"a": W, "b": WO, "rho": rho}])
        d = draw_inputs(sc, 10_000, np.random.default_rng(4))
        assert abs(R.spearman(d[W], d[WO]) - rho) <= 0.03
        assert R.ks_distance(d[WO], lambda v: R.mixture_cdf(parts(ROOM), v)) < ks_limit(10_000)


def test_low_and_high_default_to_the_components_extremes_and_drive_the_tornado():
    sc = scenario([mixture(ROOM)])
    p = sc.uncertainty.parameters[0]
    assert (p.low, p.high) == (0.30, 0.65)
    row = tornado(sc)[0]
    assert (row["low"], row["high"]) == (0.30, 0.65)
    doc = copy.deepcopy(BASE)
    node = next(n for n in doc["nodes"] if n["id"] == "out-stays-home")
    node["rate_without"] = 0.30
    assert row["at_low"] == pytest.approx(evaluate(load_scenario(yaml.safe_dump(doc)))["npv_fiscal"], rel=1e-12)
    # given, they are kept: the range the tornado uses
    given = scenario([mixture(ROOM, low=0.35, high=0.6)]).uncertainty.parameters[0]
    assert (given.low, given.high) == (0.35, 0.6)


def test_the_monte_carlo_mean_follows_the_pool():
    # The NPV (fiscal) is linear in the counterfactual rate, so E[NPV] = NPV(E[rate without]).
    sim = simulate(scenario([mixture(ROOM)], draws=20_000))
    doc = copy.deepcopy(BASE)
    node = next(n for n in doc["nodes"] if n["id"] == "out-stays-home")
    node["rate_without"] = R.mixture_mean(parts(ROOM))
    expected = evaluate(load_scenario(yaml.safe_dump(doc)))["npv_fiscal"]
    x = sim.samples["npv_fiscal"]
    assert abs(x.mean() - expected) < 4 * x.std() / math.sqrt(len(x))


def test_a_mixture_round_trips_and_seeds_repeat():
    sc = scenario([mixture(ROOM)])
    again = load_scenario(dump_scenario(sc))
    assert again == sc
    assert simulate(again, draws=500).to_dict() == simulate(sc, draws=500).to_dict()


def test_a_mixture_built_in_python_without_low_and_high():
    p = UncertainParameter(path=WO, dist="mixture", components=ROOM)  # type: ignore[call-arg, arg-type]
    assert (p.low, p.high) == (0.30, 0.65)


@pytest.mark.parametrize(
    "param,expected",
    [
        (
            mixture([{**ROOM[0], "weight": 0.5}, {**ROOM[1], "weight": 0.4}]),
            "uncertainty.parameters[0].components: weights must sum to 1, got 0.9",
        ),
        (
            mixture([{**ROOM[0], "weight": 1.2}, {**ROOM[1], "weight": -0.2}]),
            "uncertainty.parameters[0].components[0]: weight must be between 0 and 1, got 1.2",
        ),
        ({"path": WO, "dist": "mixture", "low": 0.3, "high": 0.6}, "uncertainty.parameters[0]: a mixture needs"),
        (
            {"path": WO, "dist": "mixture", "components": []},
            "uncertainty.parameters[0]: components must have at least 1",
        ),
        (
            {"path": WO, "dist": "triangular", "low": 0.3, "high": 0.6, "components": ROOM},
            "uncertainty.parameters[0]: components are only for dist: mixture",
        ),
        (
            mixture([{**ROOM[0], "low": 0.5, "mode": 0.45, "high": 0.4, "weight": 1.0}]),
            "uncertainty.parameters[0].components[0]: low (0.5) must not be above high (0.4)",
        ),
        (
            mixture([{**ROOM[0], "mode": 0.9, "weight": 1.0}]),
            "uncertainty.parameters[0].components[0]: mode (0.9) must lie between low and high",
        ),
        (
            mixture([{"dist": "uniform", "low": 30, "high": 60, "weight": 1.0}]),
            "uncertainty.parameters[0].components[0]: the range 30..60 goes outside the valid 0..1",
        ),
        (mixture([{**ROOM[0], "weight": 1.0}], mode=0.4), "uncertainty.parameters[0]: a mixture takes its shape"),
        (
            mixture([{"dist": "mixture", "low": 0.1, "high": 0.2, "weight": 1.0}]),
            "uncertainty.parameters[0].components[0]: dist must be one of",
        ),
        (mixture([{**ROOM[0], "wieght": 1.0}]), "uncertainty.parameters[0].components[0]: unknown key 'wieght'"),
    ],
)
def test_each_bad_mixture_is_one_located_line(param, expected):
    with pytest.raises(ScenarioError) as err:
        scenario([param])
    lines = err.value.lines()
    assert any(line.startswith(expected) for line in lines), lines
    assert len(lines) <= 2, lines


def test_the_inputs_table_keeps_a_mixture_and_drops_a_correlation_whose_input_left():
    from logic.editing import document
    from logic.uncertainty_views import apply_inputs_table, uncertain_inputs_table

    other = {"path": W, "dist": "triangular", "low": 0.62, "mode": 0.73, "high": 0.80}
    sc = scenario([other, mixture(ROOM)], [{"a": W, "b": WO, "rho": 0.6}])
    ev = evaluate(sc)
    table = uncertain_inputs_table(ev)
    assert list(table["dist"]) == ["triangular", "mixture"]
    edited = table.copy()
    edited.loc[1, "high"] = 0.66  # the facilitator widens the tornado's range
    doc = apply_inputs_table(document(sc), edited)
    again = load_scenario(yaml.safe_dump(doc))
    p = again.uncertainty.parameters[1]
    assert p.dist == "mixture" and p.high == 0.66
    assert [c.model_dump(exclude_none=True) for c in p.components] == ROOM
    assert again.uncertainty.correlations[0].rho == 0.6
    # the counterfactual's row deleted: its correlation goes with it
    doc = apply_inputs_table(document(sc), pd.DataFrame(table.iloc[:1]))
    again = load_scenario(yaml.safe_dump(doc))
    assert [q.path for q in again.uncertainty.parameters] == [W]
    assert again.uncertainty.correlations is None
