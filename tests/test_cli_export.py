"""`python -m logic export FILE --xlsx OUT --html OUT` writes both files, from the same scenario."""

import subprocess
import sys
from pathlib import Path

import openpyxl

from logic import DEFAULT_EXAMPLE, load_scenario, snapshot_sha256

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "logic", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_export_writes_the_workbook_and_the_report(tmp_path):
    xlsx, html = tmp_path / "case.xlsx", tmp_path / "case.html"
    out = _cli("export", str(DEFAULT_EXAMPLE), "--xlsx", str(xlsx), "--html", str(html))
    assert out.returncode == 0, out.stdout + out.stderr
    keys = [row[2].value for row in openpyxl.load_workbook(xlsx)["Summary"].iter_rows() if len(row) > 2]
    assert {"npv_fiscal", "pv_costs", "bcr_fiscal", "outcome_payments_total"} <= set(keys)
    sha = snapshot_sha256(load_scenario(DEFAULT_EXAMPLE))
    assert sha in html.read_text(encoding="utf-8")


def test_export_problems_exit_2_with_a_readable_line(tmp_path):
    out = _cli("export", str(DEFAULT_EXAMPLE))
    assert (out.returncode, out.stdout.strip()) == (2, "export needs --xlsx OUT, --html OUT or both")
    out = _cli("export", str(DEFAULT_EXAMPLE), "--xlsx", str(tmp_path / "missing" / "x.xlsx"))
    assert out.returncode == 2 and "could not write" in out.stdout and "Traceback" not in out.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: toc-business-case/1\nname: x\n", encoding="utf-8")
    out = _cli("export", str(bad), "--html", str(tmp_path / "x.html"))
    assert out.returncode == 2 and "settings" in out.stdout and not (tmp_path / "x.html").exists()
