"""The benchmark script runs (quick mode) and prints every figure. Timings are not asserted:
they are for people to read (see README), not for a test on a shared machine to judge."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_smoke_run_prints_its_figures():
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    print(out.stdout)
    for name in (
        "Monte Carlo, 10,000 draws",
        "Speed-up of the vectorised run",
        "evaluate, bundled example",
        "evaluate, generated 200 outcomes x 30 years",
        "Business case page rerun",
        "evaluate a place of 20 programmes",
        "Place page rerun after one edit",
        "3 correlated + a 40-opinion mixture",
        "Outcomes page after a link is drawn",
        "List scenarios as one team's member",
    ):
        assert name in out.stdout
    assert "Traceback" not in out.stderr
