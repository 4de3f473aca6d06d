"""Starting a programme of one's own: blank or from a template; undo and redo (logic only; the pages: app tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from logic import dump_scenario, evaluate, load_scenario
from logic.completeness import completeness
from logic.history import History
from logic.templates import blank_scenario, template, templates

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "logic", *map(str, args)], cwd=cwd or ROOT, capture_output=True, text=True, timeout=60
    )


def test_blank_programme_is_valid_and_empty():
    sc = blank_scenario()
    assert sc.nodes == [] and len(sc.agencies) == 1
    r = evaluate(sc).to_dict()
    assert r["pv_costs"] == 0 and r["npv_fiscal"] == 0
    assert r["payback_year"] is None and r["bcr_fiscal"] is None
    # the completeness check says what to add first: one gap per empty stage
    gaps = [g.message for g in completeness(sc)]
    assert gaps[:4] == [
        "There are no needs yet.",
        "There are no activities yet.",
        "There are no outcomes yet.",
        "There are no impacts yet.",
    ]
    assert load_scenario(dump_scenario(sc)) == sc


def test_templates_are_the_examples_and_more():
    keys = [t.key for t in templates()]
    assert keys[:2] == ["edge_of_care", "employment_support"]
    for t in templates():
        sc = t.load()
        assert sc.name and t.summary
        assert evaluate(sc).to_dict()["pv_costs"] > 0
    with pytest.raises(KeyError, match="no template called 'nope'"):
        template("nope")


def test_cli_new_and_templates(tmp_path):
    listed = cli("templates")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert [ln.split()[0] for ln in lines] == [t.key for t in templates()]

    blank = tmp_path / "mine.yaml"
    out = cli("new", blank)
    assert out.returncode == 0 and out.stdout.strip() == f"wrote {blank}"
    assert cli("validate", blank).stdout.strip() == "ok"
    assert load_scenario(blank) == blank_scenario()

    from_template = tmp_path / "ips.yaml"
    assert cli("new", from_template, "--template", "employment_support").returncode == 0
    assert load_scenario(from_template) == template("employment_support").load()

    again = cli("new", blank)  # never overwrites
    assert again.returncode == 2 and "already exists" in again.stdout
    wrong = cli("new", tmp_path / "x.yaml", "--template", "nope")
    assert wrong.returncode == 2 and "the templates are: edge_of_care" in wrong.stdout
    assert not (tmp_path / "x.yaml").exists()


def test_history_undoes_and_redoes_exactly():
    a = template("edge_of_care").load()
    b = a.model_copy(update={"name": "b"})
    c = a.model_copy(update={"name": "c"})
    h = History()
    assert not h.can_undo() and not h.can_redo()
    h.record(a)  # a -> b
    h.record(b)  # b -> c
    assert h.undo(c) == b
    assert h.undo(b) == a
    assert not h.can_undo()
    assert h.redo(a) == b
    h.record(b)  # a new change after an undo ends the redo
    assert not h.can_redo()
    with pytest.raises(IndexError):
        h.redo(c)


def test_history_keeps_the_last_fifty():
    base = blank_scenario()
    h = History()
    versions = [base.model_copy(update={"name": f"v{i}"}) for i in range(60)]
    for v in versions:
        h.record(v)
    undone = []
    current = base
    while h.can_undo():
        current = h.undo(current)
        undone.append(current.name)
    assert undone == [f"v{i}" for i in range(59, 9, -1)]


def test_undo_restores_inputs_exactly_and_logs_the_undo():
    from logic.history import restored

    a = template("edge_of_care").load()
    b = a.model_copy(update={"cohort": a.cohort.model_copy(update={"engagement_rate": 0.5})})
    back = restored(b, a, "Undo", by="Sam")
    assert back.model_dump(exclude={"log"}) == a.model_dump(exclude={"log"})
    assert evaluate(back).to_dict() == evaluate(a).to_dict()
    (entry,) = back.log[len(b.log) :]
    assert entry.what.startswith("Undo: ") and entry.path == "cohort.engagement_rate"
    assert (entry.before, entry.after, entry.by) == ("0.5", f"{a.cohort.engagement_rate:.10g}", "Sam")
