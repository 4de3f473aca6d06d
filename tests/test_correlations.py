"""Correlated inputs (DESIGN.md, "Uncertainty"): the Gaussian copula's draws, the spread it gives the NPV,
the correlation table's validation, and `central` beside the mean.

Expectations come from tests/reference_copula.py (scipy.stats and quadrature, no logic/ import) and
from `evaluate` on edited copies of the scenario, never from the sampling code itself.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from logic import DEFAULT_EXAMPLE, ScenarioError, evaluate, load_scenario, simulate
from logic.__main__ import main
from logic.snapshots import dump_scenario, scenario_to_dict
from logic.uncertainty import draw_inputs

try:
    from . import reference_copula as R
except ImportError:
    import reference_copula as R

ROOT = Path(__file__).resolve().parents[1]
BASE = yaml.safe_load(DEFAULT_EXAMPLE.read_text())
W = "nodes.out-stays-home.rate_with"
WO = "nodes.out-stays-home.rate_without"
E = "cohort.engagement_rate"
DROP = "nodes.out-stays-home.drop_off"
RATE_W = {"path": W, "dist": "triangular", "low": 0.62, "mode": 0.73, "high": 0.80}
RATE_WO = {"path": WO, "dist": "triangular", "low": 0.48, "mode": 0.55, "high": 0.65}


def scenario(
    params: list[dict], correlations: list[dict] | None = None, draws: int = 10_000, seed: int = 5, bond: bool = True
):
    doc = copy.deepcopy(BASE)
    if not bond:  # the NPV does not depend on the contract; without a bond no IRR is worked out (faster)
        doc["contract"] = {"type": "none"}
    doc["uncertainty"] = {"draws": draws, "seed": seed, "parameters": params}
    if correlations is not None:
        doc["uncertainty"]["correlations"] = correlations
    return load_scenario(yaml.safe_dump(doc))


def ref(p: dict) -> R.Dist:
    return R.Dist(p["dist"], p["low"], p["high"], p.get("mode"), p.get("sd"))


@functools.lru_cache(maxsize=None)
def npv_at(w: float, wo: float) -> float:
    doc = copy.deepcopy(BASE)
    node = next(n for n in doc["nodes"] if n["id"] == "out-stays-home")
    node["rate_with"], node["rate_without"] = w, wo
    return evaluate(load_scenario(yaml.safe_dump(doc)))["npv_fiscal"]


# --- the drawn pair's rank correlation ------------------------------------------------------------------------

PAIRS = [
    (RATE_W, RATE_WO),
    (
        {"path": E, "dist": "uniform", "low": 0.7, "high": 0.95},
        {"path": DROP, "dist": "pert", "low": 0.2, "mode": 0.3, "high": 0.6},
    ),
    ({"path": E, "dist": "normal", "low": 0.7, "high": 0.9}, RATE_WO),
]


@pytest.mark.parametrize("rho", [-0.9, -0.6, -0.3, 0.2, 0.5, 0.7, 0.9])
@pytest.mark.parametrize("pair", range(len(PAIRS)))
def test_spearman_of_the_drawn_pair_is_within_003_of_rho(pair, rho):
    a, b = PAIRS[pair]
    sc = scenario([a, b], [{"a": a["path"], "b": b["path"], "rho": rho}])
    drawn = draw_inputs(sc, 10_000, np.random.default_rng(pair * 100 + int(rho * 10) + 10))
    assert abs(R.spearman(drawn[a["path"]], drawn[b["path"]]) - rho) <= 0.03


def test_three_correlated_inputs_each_pair_near_its_rho():
    params = [RATE_W, RATE_WO, {"path": E, "dist": "uniform", "low": 0.7, "high": 0.95}]
    table = [{"a": W, "b": WO, "rho": 0.8}, {"a": W, "b": E, "rho": 0.4}, {"a": WO, "b": E, "rho": 0.2}]
    sim = simulate(scenario(params, table, seed=9))
    for c in table:
        assert abs(R.spearman(sim.inputs[c["a"]], sim.inputs[c["b"]]) - c["rho"]) <= 0.03


@pytest.mark.parametrize("rho", [0.8, -0.8])
def test_each_marginal_is_kept_when_correlated(rho):
    sim = simulate(scenario([RATE_W, RATE_WO], [{"a": W, "b": WO, "rho": rho}]))
    n = sim.draws
    for p in (RATE_W, RATE_WO):
        d = R.ks_distance(sim.inputs[p["path"]], lambda x, p=p: R.cdf(ref(p), x))
        assert d < 1.63 / math.sqrt(n), (p["path"], d)  # the 1% critical value


def test_normal_marginal_correlated_is_clipped_and_follows_its_clipped_cdf():
    p = {"path": E, "dist": "normal", "low": 0.8, "high": 1.0, "mode": 0.95, "sd": 0.05}
    sim = simulate(scenario([p, RATE_WO], [{"a": E, "b": WO, "rho": 0.5}]))
    x = sim.inputs[E]
    assert x.max() == 1.0 and x.min() >= 0.0
    # P(at the bound) = P(normal >= 1) = 1 - Phi(1): about 15.9%
    assert abs((x == 1.0).mean() - (1 - R.stats.norm.cdf(1.0))) < 0.012
    d = R.ks_distance(x[x < 1.0], lambda v: R.cdf(ref(p), v, (0.0, 1.0)) / R.cdf(ref(p), np.array([1 - 1e-12]))[0])
    assert d < 1.63 / math.sqrt((x < 1.0).sum())


# --- the spread of the NPV ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def npv_draws(rho: float | None) -> np.ndarray:
    table = None if rho is None else [{"a": W, "b": WO, "rho": rho}]
    return simulate(scenario([RATE_W, RATE_WO], table, bond=False)).samples["npv_fiscal"]


def npv_sd(rho: float | None) -> float:
    return float(np.std(npv_draws(rho)))


def test_positive_rho_between_a_rate_and_its_counterfactual_narrows_the_npv_spread_negative_widens_it():
    independent, together, apart = npv_sd(None), npv_sd(0.8), npv_sd(-0.8)
    assert together < 0.6 * independent
    assert apart > 1.25 * independent


@pytest.mark.parametrize("rho", [None, 0.8, -0.5])
def test_npv_spread_matches_the_copula_by_quadrature(rho):
    # The NPV (fiscal) moves with the effect w - wo in proportion (outcome benefits are additional
    # outcomes x value; nothing capped in it): slope b from two evaluations of edited copies.
    b = (npv_at(0.75, 0.55) - npv_at(0.70, 0.55)) / 0.05
    assert npv_at(0.75, 0.60) == pytest.approx(npv_at(0.70, 0.55), rel=1e-9)  # it is the difference that counts
    m = R.pair_moments(ref(RATE_W), ref(RATE_WO), rho or 0.0, (0.0, 1.0))
    expected = abs(b) * math.sqrt(m["var_a"] + m["var_b"] - 2 * m["cov"])
    assert npv_sd(rho) == pytest.approx(expected, rel=0.03)


def test_mean_npv_is_not_moved_by_the_correlation_when_the_npv_is_linear():
    b = (npv_at(0.75, 0.55) - npv_at(0.70, 0.55)) / 0.05
    expected = npv_at(0.73, 0.55) + b * ((0.62 + 0.73 + 0.80) / 3 - 0.73) - b * ((0.48 + 0.55 + 0.65) / 3 - 0.55)
    for rho in (0.8, -0.8):
        x = npv_draws(rho)
        assert abs(x.mean() - expected) < 4 * x.std() / math.sqrt(len(x))


# --- central beside the mean -----------------------------------------------------------------------------------


def test_central_equals_evaluate_for_every_metric_with_correlations_and_a_mixture():
    mix = {
        "path": E,
        "dist": "mixture",
        "components": [
            {"dist": "triangular", "low": 0.6, "mode": 0.7, "high": 0.8, "weight": 0.5},
            {"dist": "pert", "low": 0.75, "mode": 0.9, "high": 0.95, "weight": 0.5},
        ],
    }
    sc = scenario([RATE_W, RATE_WO, mix], [{"a": W, "b": WO, "rho": 0.7}, {"a": W, "b": E, "rho": 0.3}], draws=2000)
    summary = simulate(sc).to_dict()["metrics"]
    ev = evaluate(sc).to_dict()
    assert summary["npv_fiscal"]["central"] == pytest.approx(ev["npv_fiscal"], rel=1e-12)
    assert summary["npv_public_value"]["central"] == pytest.approx(ev["npv_public_value"], rel=1e-12)
    assert summary["bcr_fiscal"]["central"] == pytest.approx(ev["bcr_fiscal"], rel=1e-12)
    assert summary["investor_irr"]["central"] == pytest.approx(ev["contract"]["investor"]["irr"], rel=1e-9)
    for party, value in ev["contract"]["parties"].items():
        assert summary[f"party:{party}"]["central"] == pytest.approx(value, rel=1e-12, abs=1e-6)
    # and the mean is what the draws give, not the central figure
    assert summary["npv_fiscal"]["mean"] != pytest.approx(summary["npv_fiscal"]["central"], rel=1e-3)


def cli(*args) -> tuple[int, str]:
    """`python -m logic ARGS` in this process: exit code and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(x) for x in args])
    return code, out.getvalue()


def test_command_line_simulate_reports_central_as_evaluate_does(tmp_path):
    sc = scenario([RATE_W, RATE_WO], [{"a": W, "b": WO, "rho": 0.7}], draws=500)
    f = tmp_path / "pair.yaml"
    f.write_text(dump_scenario(sc))
    sim = yaml.safe_load(cli("simulate", f, "--json")[1])
    ev = yaml.safe_load(cli("evaluate", f, "--json")[1])
    assert sim["metrics"]["npv_fiscal"]["central"] == pytest.approx(ev["npv_fiscal"], rel=1e-12)
    text = cli("simulate", f)[1]
    header = next(line for line in text.splitlines() if "mean" in line)
    assert header.split()[:2] == ["central", "mean"]
    npv_line = next(line for line in text.splitlines() if line.startswith("NPV (fiscal)"))
    assert npv_line.split()[2] == f"£{ev['npv_fiscal']:,.0f}".replace("£-", "-£")


# --- the table's validation -------------------------------------------------------------------------------------


def validate(doc: dict, tmp_path: Path) -> tuple[int, list[str]]:
    f = tmp_path / "table.yaml"
    f.write_text(yaml.safe_dump(doc))
    out = subprocess.run([sys.executable, "-m", "logic", "validate", str(f)], capture_output=True, text=True, cwd=ROOT)
    return out.returncode, out.stdout.splitlines()


def with_table(table: list[dict]) -> dict:
    doc = copy.deepcopy(BASE)
    doc["uncertainty"]["correlations"] = table
    return doc


def test_an_impossible_table_is_refused_by_validate_with_exit_2_naming_the_pairs(tmp_path):
    table = [
        {"a": W, "b": WO, "rho": 0.9},
        {"a": WO, "b": E, "rho": 0.9},
        {"a": W, "b": E, "rho": -0.5},
        {"a": DROP, "b": E, "rho": 0.1},
    ]
    assert not R.possible([W, WO, E, DROP], [(c["a"], c["b"], c["rho"]) for c in table])
    code, lines = validate(with_table(table), tmp_path)
    assert code == 2
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("uncertainty.correlations: these correlations cannot all hold at once")
    for i in (0, 1, 2):
        assert f"[{i}] {table[i]['a']} ~ {table[i]['b']} {table[i]['rho']:g}" in line
    assert "[3]" not in line  # the drop-off pair plays no part


def test_a_possible_table_validates(tmp_path):
    table = [{"a": W, "b": WO, "rho": 0.9}, {"a": WO, "b": E, "rho": 0.6}, {"a": W, "b": E, "rho": 0.5}]
    assert R.possible([W, WO, E], [(c["a"], c["b"], c["rho"]) for c in table])
    f = tmp_path / "ok.yaml"
    f.write_text(yaml.safe_dump(with_table(table)))
    assert cli("validate", f) == (0, "ok\n")


def test_random_tables_are_accepted_exactly_when_the_reference_finds_them_possible():
    rng = np.random.default_rng(2024)
    paths = [W, WO, E, DROP]
    seen = {True: 0, False: 0}
    for _ in range(30):
        rhos = np.round(rng.uniform(-0.9, 0.9, 6), 1)
        pairs = [
            (paths[i], paths[j], float(r)) for (i, j), r in zip([(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)], rhos)
        ]
        if abs(R.smallest_eigenvalue(paths, pairs)) < 1e-3:
            continue  # too near the edge for a fair comparison
        expected = R.possible(paths, pairs)
        doc = with_table([{"a": a, "b": b, "rho": r} for a, b, r in pairs])
        try:
            load_scenario(yaml.safe_dump(doc))
            accepted = True
        except ScenarioError as exc:
            assert all("not positive definite" in line for line in exc.lines())
            accepted = False
        assert accepted == expected, pairs
        seen[expected] += 1
    assert seen[True] >= 3 and seen[False] >= 3


@pytest.mark.parametrize(
    "table,expected",
    [
        ([{"a": W, "b": W, "rho": 0.5}], "uncertainty.correlations[0]: a and b are the same input"),
        (
            [{"a": W, "b": "nodes.out-stays-home.attribution", "rho": 0.5}],
            "uncertainty.correlations[0]: 'nodes.out-stays-home.attribution' is not one of the uncertain inputs",
        ),
        (
            [{"a": W, "b": WO, "rho": 0.5}, {"a": WO, "b": W, "rho": 0.4}],
            "uncertainty.correlations[1]: nodes.out-stays-home.rate_without and nodes.out-stays-home.rate_with "
            "are already paired in uncertainty.correlations[0]",
        ),
        ([{"a": W, "b": WO, "rho": 1.0}], "uncertainty.correlations[0]: rho 1 would make"),
        ([{"a": W, "b": WO, "rho": -1.2}], "uncertainty.correlations[0]: rho must be between -1 and 1, got -1.2"),
        ([{"a": W, "b": WO, "rho": "0.5"}], "uncertainty.correlations[0]: rho must be a number"),
        ([{"a": W, "b": WO}], "uncertainty.correlations[0]: rho is required"),
        ([{"a": W, "b": WO, "rho": 0.5, "why": "x"}], "uncertainty.correlations[0]: unknown key 'why'"),
    ],
)
def test_each_bad_correlation_is_one_located_line(table, expected):
    with pytest.raises(ScenarioError) as err:
        load_scenario(yaml.safe_dump(with_table(table)))
    lines = err.value.lines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(expected), lines


# --- the snapshot ---------------------------------------------------------------------------------------------


def test_a_table_round_trips_and_a_file_without_one_is_written_without_the_key():
    sc = scenario([RATE_W, RATE_WO], [{"a": W, "b": WO, "rho": 0.7}])
    again = load_scenario(dump_scenario(sc))
    assert again == sc
    assert again.uncertainty.correlations[0].rho == 0.7
    plain = load_scenario(DEFAULT_EXAMPLE)
    assert "correlations" not in scenario_to_dict(plain)["uncertainty"]
    for p in scenario_to_dict(plain)["uncertainty"]["parameters"]:
        assert "components" not in p


def test_without_correlations_or_mixtures_each_input_is_drawn_as_format_1_drew_it():
    # numpy's own generators, one parameter after another from the seeded generator
    sc = load_scenario(DEFAULT_EXAMPLE)
    sim = simulate(sc, draws=3000, seed=13)
    rng = np.random.default_rng(13)
    for p in sc.uncertainty.parameters:
        mode = p.mode if p.mode is not None else (p.low + p.high) / 2
        if p.dist == "uniform":
            expected = rng.uniform(p.low, p.high, 3000)
        elif p.dist == "triangular":
            expected = rng.triangular(p.low, mode, p.high, 3000)
        else:
            assert p.dist == "pert"
            span = p.high - p.low
            expected = p.low + span * rng.beta(1 + 4 * (mode - p.low) / span, 1 + 4 * (p.high - mode) / span, 3000)
        np.testing.assert_array_equal(sim.inputs[p.path], expected)


def test_same_seed_same_draws_and_chunks_change_nothing():
    sc = scenario(
        [RATE_W, RATE_WO, {"path": E, "dist": "uniform", "low": 0.7, "high": 0.95}],
        [{"a": W, "b": WO, "rho": 0.6}],
        draws=3000,
    )
    a, b = simulate(sc), simulate(sc, chunks=7)
    for k in a.samples:
        np.testing.assert_array_equal(a.samples[k], b.samples[k])
    assert simulate(sc, seed=6).to_dict() != a.to_dict()


# --- the page ---------------------------------------------------------------------------------------------------


def test_the_page_pairs_each_rate_with_its_rate_without_and_the_chance_of_loss_falls():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app_pages" / "9_uncertainty.py"), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]

    def npv_row() -> dict:
        table = next(df.value for df in at.dataframe if "Central case" in df.value.columns)
        return table[table["Figure"] == "NPV (fiscal)"].iloc[0].to_dict()

    def sentence() -> str:
        return next(m.value for m in at.markdown if "central case" in m.value)

    before = npv_row()
    central = evaluate(at.session_state["scenario"])["npv_fiscal"]
    assert before["Central case"] == f"£{central:,.0f}"
    assert sentence().startswith(f"**NPV (fiscal): central case £{central:,.0f}, average {before['Mean']}.**")
    assert any("pair each outcome's rate with its rate without" in c.value for c in at.caption)

    at.button(key=f"pair-rates-{at.session_state['scenario_version']}").click().run()
    assert not at.exception, [e.message for e in at.exception]
    sc = at.session_state["scenario"]
    assert [(c.a, c.b, c.rho) for c in sc.uncertainty.correlations] == [(W, WO, 0.7)]
    after = npv_row()
    assert after["Central case"] == before["Central case"]  # the central case does not move
    chance = lambda row: float(row["Chance below 0"].rstrip("%"))  # noqa: E731
    assert chance(after) < chance(before)
    assert not any("pair each outcome's rate with its rate without" in c.value for c in at.caption)
