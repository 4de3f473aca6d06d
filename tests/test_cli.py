"""`python -m logic validate|evaluate`, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = Path(__file__).resolve().parent / "data" / "edge_of_care.yaml"

HEADLINE_KEYS = (
    "pv_costs",
    "pv_fiscal",
    "pv_cashable",
    "pv_economic",
    "pv_social",
    "npv_fiscal",
    "npv_cashable",
    "npv_public_value",
    "bcr_fiscal",
    "bcr_public_value",
    "payback_year",
)
CONTRACT_KEYS = (
    "type",
    "outcome_payments_total",
    "pv_outcome_payments",
    "payments_beyond_horizon",
    "parties",
    "switching_values",
    "investor",
)


def run_cli(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "logic", *map(str, args)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream, stream
    return proc


def _no_nan(text: str):
    def refuse(constant: str):
        raise AssertionError(f"{constant} in the JSON output")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def evaluated() -> dict:
    proc = run_cli("evaluate", EXAMPLE, "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return _no_nan(proc.stdout)


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["nodes"][2]["rate_with"] = 1.4
    doc["nodes"][2]["benefits"][0]["cashable"] = 2.0
    doc["settings"]["discount_rate"] = 0.25
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_validate_ok():
    proc = run_cli("validate", EXAMPLE)
    assert proc.returncode == 0
    assert proc.stdout.strip() == "ok"


def test_validate_bad_file_one_line_per_problem(bad_file):
    proc = run_cli("validate", bad_file)
    assert proc.returncode == 2
    lines = proc.stdout.strip().splitlines()
    assert sorted(lines) == sorted(
        [
            "settings: discount_rate must be between 0 and 0.2, got 0.25",
            "nodes[2] out-stays-home: rate_with must be between 0 and 1, got 1.4",
            "nodes[2] out-stays-home benefits[0]: cashable must be between 0 and 1, got 2",
        ]
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file: is empty"),
        (b"- a\n- b\n", "must be a mapping"),
        (b'!!python/object/apply:os.system ["echo hacked"]\n', "tag that is not allowed"),
        (b"format: toc-business-case/1\nname: \xff\xfe\n", "UTF-8"),
        (b"format: toc-business-case/1\nformat: toc-business-case/1\n", "duplicate key 'format'"),
    ],
    ids=["empty", "list", "python-tag", "not-utf8", "duplicate-key"],
)
def test_validate_bad_yaml(tmp_path, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    proc = run_cli("validate", path)
    assert proc.returncode == 2
    (line,) = proc.stdout.strip().splitlines()
    assert expected in line
    assert "hacked" not in proc.stdout


def test_validate_missing_file(tmp_path):
    missing = tmp_path / "missing.yaml"
    proc = run_cli("validate", missing)
    assert proc.returncode == 2
    assert proc.stdout.strip() == f"{missing}: cannot be read (No such file or directory)"


def test_evaluate_missing_file(tmp_path):
    proc = run_cli("evaluate", tmp_path / "missing.yaml", "--json")
    assert proc.returncode == 2
    (line,) = proc.stdout.strip().splitlines()
    assert "cannot be read" in line


def test_evaluate_bad_file_exits_2(bad_file):
    proc = run_cli("evaluate", bad_file, "--json")
    assert proc.returncode == 2
    assert len(proc.stdout.strip().splitlines()) == 3


def test_evaluate_json_has_the_design_keys(evaluated):
    for key in HEADLINE_KEYS:
        assert key in evaluated, key
        assert evaluated[key] is None or isinstance(evaluated[key], (int, float))
    for key in ("by_agency", "by_year", "additional_outcomes", "contract"):
        assert key in evaluated, key
    assert set(evaluated["by_agency"]) >= {"council", "nhs"}
    assert isinstance(evaluated["by_year"], list) and len(evaluated["by_year"]) == 10
    assert set(evaluated["additional_outcomes"]) == {"out-stays-home"}
    contract = evaluated["contract"]
    for key in CONTRACT_KEYS:
        assert key in contract, key
    assert contract["type"] == "social_impact_bond"
    assert set(contract["parties"]) == {"council", "nhs", "provider", "investor"}
    assert set(contract["switching_values"]) == set(contract["parties"])
    assert set(contract["investor"]) >= {"peak_capital", "irr", "multiple"}


def test_evaluate_json_figures_are_consistent(evaluated):
    e = evaluated
    assert e["npv_fiscal"] == pytest.approx(e["pv_fiscal"] - e["pv_costs"])
    assert e["npv_cashable"] == pytest.approx(e["pv_cashable"] - e["pv_costs"])
    assert e["npv_public_value"] == pytest.approx(e["pv_fiscal"] + e["pv_economic"] + e["pv_social"] - e["pv_costs"])
    assert e["bcr_fiscal"] == pytest.approx(e["pv_fiscal"] / e["pv_costs"])
    # 255 engaged participants x (0.70 - 0.45) x 0.9 attribution
    assert e["additional_outcomes"]["out-stays-home"] == pytest.approx(255 * 0.25 * 0.9)


def test_evaluate_json_without_a_contract_has_nulls_not_nan(tmp_path):
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    doc["contract"] = {"type": "none"}
    for node in doc["nodes"]:
        for cost in node.get("costs", []):
            cost.update(setup=0, per_year=0, per_participant=0)  # no costs: ratios are undefined
    path = tmp_path / "free.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    proc = run_cli("evaluate", path, "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = _no_nan(proc.stdout)
    assert data["contract"]["type"] == "none"
    assert data["contract"]["outcome_payments_total"] == 0
    assert data["bcr_fiscal"] is None
    assert data["contract"]["investor"]["irr"] is None


def test_evaluate_table():
    proc = run_cli("evaluate", EXAMPLE)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert not out.lstrip().startswith("{")
    assert "Edge of care - intensive family therapy" in out
    assert len(out.strip().splitlines()) > 5
    assert "council" in out


def test_no_command_is_a_usage_error():
    proc = run_cli()
    assert proc.returncode == 2
    assert "usage" in proc.stderr.lower()
