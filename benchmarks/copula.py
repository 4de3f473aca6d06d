"""Correlated inputs and a mixture in the Monte Carlo: the cost of the Gaussian copula and the pool.

    python -m benchmarks.copula            # the full run
    python -m benchmarks.copula --quick    # a smoke run: same measurements, fewer repeats

Target (issue 15, "Correlated inputs"): 10,000 draws of the bundled example with three correlated
inputs and a mixture (the room's pooled estimates, 40 opinions) still within the Monte Carlo target
(<= 300 ms, investor IRR included). Also printed: the same scenario drawn independently, and the
drawing alone (copula and mixture) without the engine.
"""

from __future__ import annotations

import argparse
import copy
import sys

import numpy as np
import yaml

from benchmarks.run import report, timed
from logic import DEFAULT_EXAMPLE, load_scenario, simulate
from logic.uncertainty import draw_inputs

W = "nodes.out-stays-home.rate_with"
WO = "nodes.out-stays-home.rate_without"
E = "cohort.engagement_rate"


def room(n: int = 40, seed: int = 1) -> list[dict]:
    """n people's triangular or PERT estimates of the counterfactual, equal weights."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        mode = float(rng.uniform(0.45, 0.62))
        low, high = mode - float(rng.uniform(0.03, 0.12)), mode + float(rng.uniform(0.03, 0.12))
        dist = "triangular" if i % 2 else "pert"
        out.append({"dist": dist, "low": round(low, 3), "mode": round(mode, 3), "high": round(high, 3)})
    for c in out:
        c["weight"] = 1 / n
    out[-1]["weight"] = 1 - sum(c["weight"] for c in out[:-1])
    return out


def correlated_scenario(correlations: bool = True):
    doc = yaml.safe_load(DEFAULT_EXAMPLE.read_text())
    doc = copy.deepcopy(doc)
    params = [p for p in doc["uncertainty"]["parameters"] if p["path"] != WO]
    params.append({"path": WO, "dist": "mixture", "components": room()})
    doc["uncertainty"]["parameters"] = params
    if correlations:
        doc["uncertainty"]["correlations"] = [
            {"a": W, "b": WO, "rho": 0.7},
            {"a": W, "b": E, "rho": 0.3},
            {"a": WO, "b": E, "rho": 0.2},
        ]
    return load_scenario(yaml.safe_dump(doc))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.copula")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 15
    plain = load_scenario(DEFAULT_EXAMPLE)
    sc = correlated_scenario()
    independent = correlated_scenario(correlations=False)
    simulate(sc, draws=200)  # warm-up (scipy's import, numpy's caches)
    report("Monte Carlo, 10,000 draws, as bundled (no correlations)", timed(lambda: simulate(plain), repeats), 300)
    report(
        "Monte Carlo, 10,000 draws, 3 correlated + a 40-opinion mixture",
        timed(lambda: simulate(sc, draws=10_000, seed=7), repeats),
        300,
    )
    report(
        "Monte Carlo, 10,000 draws, the same mixture, independent",
        timed(lambda: simulate(independent, draws=10_000, seed=7), repeats),
        300,
    )
    report(
        "Drawing alone: copula + mixture, 10,000 draws",
        timed(lambda: draw_inputs(sc, 10_000, np.random.default_rng(7)), repeats),
    )
    report(
        "Drawing alone: copula + mixture, 1,000,000 draws",
        timed(lambda: draw_inputs(sc, 1_000_000, np.random.default_rng(7)), max(1, repeats // 5)),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
