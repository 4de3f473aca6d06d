"""Speed figures on this machine, printed (never asserted: a shared machine's timings are noisy).

    python -m benchmarks.run            # the full run, figures for the closing note
    python -m benchmarks.run --quick    # a smoke run (CI): same measurements, fewer repeats

Targets (issue "Uncertainty"): 10,000 Monte Carlo draws with investor IRR <= 300 ms and >= 20x
faster than the deterministic engine once per draw; evaluate on the bundled example <= 10 ms and on
a 200-outcome, 30-year scenario <= 150 ms; the Business case page's rerun after one edit under
AppTest, median <= 150 ms; a place of 20 programmes <= 150 ms and the Place page's rerun <= 300 ms
(issue "A place"). Then the other modules here, each with its targets in its own docstring: correlated
inputs (copula.py), the map (map_rerun.py), sign-in and access (access.py). The full run also times cold
starts in Chromium (cold_start.py: the first key figure <= 2.5 s after the server starts) and 40 people
answering a round at once (elicitation_load.py: acknowledged <= 1 s, the facilitator's view <= 3 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

from benchmarks.generate import large_scenario  # noqa: E402
from logic import DEFAULT_EXAMPLE, evaluate, load_scenario, parse_scenario, simulate  # noqa: E402
from logic.engine import compile_scenario  # noqa: E402
from logic.uncertainty import draw, metrics  # noqa: E402


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, ms: list[float], target: float | None = None) -> dict:
    med = statistics.median(ms)
    verdict = "" if target is None else ("  meets target" if med <= target else "  MISSES target")
    tgt = "" if target is None else f" (target <= {target:g} ms)"
    print(f"{name:58} median {med:9.2f} ms  min {min(ms):9.2f} ms{tgt}{verdict}")
    return {"name": name, "median_ms": med, "min_ms": min(ms), "target_ms": target}


def monte_carlo(repeats: int, loop_draws: int) -> None:
    sc = load_scenario(DEFAULT_EXAMPLE)
    simulate(sc, draws=200)  # warm-up
    vec = report(
        "Monte Carlo, 10,000 draws, investor IRR included",
        timed(lambda: simulate(sc, draws=10_000, seed=7), repeats),
        300,
    )

    # The same draws through the deterministic engine, one draw at a time.
    c = compile_scenario(sc)
    rng = np.random.default_rng(7)
    inputs = {p.path: draw(p, loop_draws, rng) for p in sc.uncertainty.parameters}

    def loop():
        for i in range(loop_draws):
            metrics(c, {k: v[i : i + 1] for k, v in inputs.items()})

    loop_ms = statistics.median(timed(loop, max(1, repeats // 3)))
    per_draw = loop_ms / loop_draws
    print(
        f"{'Deterministic engine once per draw (' + str(loop_draws) + ' draws timed)':58} "
        f"{per_draw:9.3f} ms per draw -> {per_draw * 10_000:9.0f} ms for 10,000"
    )
    speedup = per_draw * 10_000 / vec["median_ms"]
    print(
        f"{'Speed-up of the vectorised run':58} {speedup:9.1f}x  (target >= 20x)  "
        f"{'meets target' if speedup >= 20 else 'MISSES target'}"
    )


def evaluation(repeats: int) -> None:
    sc = load_scenario(DEFAULT_EXAMPLE)
    evaluate(sc)
    report("evaluate, bundled example (edge of care)", timed(lambda: evaluate(sc), repeats * 5), 10)
    big = parse_scenario(large_scenario(outcomes=200, horizon=30))
    evaluate(big)
    report("evaluate, generated 200 outcomes x 30 years", timed(lambda: evaluate(big), repeats), 150)


def place_evaluation(repeats: int) -> None:
    """A place of 20 programmes of the bundled example's size (issue "A place": <= 150 ms)."""
    from logic.place import EXAMPLE_PLACE, evaluate_place, load_place, resolve_place

    example = load_place(EXAMPLE_PLACE)
    entries = [
        example.place.programmes[i % 2].model_copy(update={"start_year": 2026 + i // 2, "scale": 0.5 + 0.05 * i})
        for i in range(20)
    ]
    place = example.place.model_copy(update={"programmes": entries})
    base = EXAMPLE_PLACE.parent
    loaded = resolve_place(place, base_dir=base)
    evaluate_place(loaded)
    report("evaluate a place of 20 programmes (read)", timed(lambda: evaluate_place(loaded), repeats), 150)
    report(
        "read and evaluate a place of 20 programmes",
        timed(lambda: evaluate_place(resolve_place(place, base_dir=base)), repeats),
    )


def place_page_rerun(repeats: int) -> None:
    """The Place page's rerun after one edit under AppTest (issue "A place": <= 300 ms)."""
    import os
    import tempfile

    from streamlit.testing.v1 import AppTest

    from logic import EXAMPLES
    from logic.place import EXAMPLE_PLACE, load_place
    from logic.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/store.sqlite"
        before = os.environ.get("TOC_DATABASE_URL")
        os.environ["TOC_DATABASE_URL"] = url
        try:
            store = Store(url)
            ids = [
                store.save(load_scenario(EXAMPLES / n), "Bench", "").scenario_id
                for n in ("edge_of_care.yaml", "employment_support.yaml")
            ]
            place = load_place(EXAMPLE_PLACE).place
            entries = [
                e.model_copy(update={"scenario": None, "saved": sid, "version": 1})
                for e, sid in zip(place.programmes, ids)
            ]
            place = place.model_copy(update={"programmes": entries})
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
            at.switch_page("app_pages/13_place.py")
            at.session_state["place"] = place
            at.run()
            assert not at.exception, at.exception
            times = []
            for i in range(repeats):
                # One edit: a different share of savings kept each time, so nothing is served from the cache.
                fund = place.fund.model_copy(update={"savings_returned": 0.2 + 0.6 * i / max(1, repeats)})
                at.session_state["place"] = place.model_copy(update={"fund": fund})
                t = time.perf_counter()
                at.run()
                times.append((time.perf_counter() - t) * 1000)
                assert not at.exception, at.exception
            report("Place page rerun after one edit (AppTest)", times, 300)
        finally:
            if before is None:
                os.environ.pop("TOC_DATABASE_URL", None)
            else:
                os.environ["TOC_DATABASE_URL"] = before


def page_rerun(repeats: int) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app_pages" / "6_business_case.py"), default_timeout=60).run()
    sc = at.session_state["scenario"]
    times = []
    for i in range(repeats):
        # One edit: a different engagement rate each time, so nothing is served from the cache.
        at.session_state["scenario"] = sc.model_copy(
            update={"cohort": sc.cohort.model_copy(update={"engagement_rate": 0.5 + 0.4 * i / max(1, repeats)})}
        )
        t = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t) * 1000)
        assert not at.exception
    report("Business case page rerun after one edit (AppTest)", times, 150)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats: a smoke run")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 15
    print(f"Benchmarks ({'quick' if args.quick else 'full'} run), Python {sys.version.split()[0]}")
    monte_carlo(repeats, loop_draws=200 if args.quick else 1000)
    evaluation(repeats)
    place_evaluation(repeats)
    page_rerun(repeats if args.quick else 21)
    place_page_rerun(repeats)
    quick = ["--quick"] if args.quick else []
    from benchmarks import access, copula, map_rerun

    copula.main(quick)
    map_rerun.main(quick)
    access.main(quick)
    if not args.quick:  # a browser and five servers: too slow for the smoke run
        from benchmarks import cold_start

        cold_start.main(["--runs", "5"])
        from benchmarks import elicitation_load

        elicitation_load.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
