"""Edits made on the map: each takes the scenario's document and returns a new one.

The same contract as logic/editing.py's table edits: the caller validates the result with
`parse_scenario`, so nothing invalid reaches the scenario; what can be refused before that - a
link the theory of change does not allow, a loop, a box that is not there - is refused here with
an EditError in a workshop's words, naming the boxes by their labels.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import networkx as nx
import pandas as pd

from .editing import (
    BENEFIT_COLUMNS,
    COST_COLUMNS,
    EditError,
    apply_benefits_table,
    apply_costs_table,
    benefits_table,
    costs_table,
    slug,
)
from .model import MAX_COORDINATE, Problem, Scenario
from .toc import ALLOWED_EDGES

STAGE_WORDS = {"need": "a need", "activity": "an activity", "outcome": "an outcome", "impact": "an impact"}
ALLOWED_WORDS = "need \u2192 activity, activity \u2192 outcome, outcome \u2192 outcome, outcome \u2192 impact"
# Why a kind of link is not allowed, and what to do instead.
REASONS = {
    ("need", "need"): "needs are met by activities, not by other needs",
    ("need", "outcome"): "a need leads to the activity that meets it, not straight to an outcome",
    ("need", "impact"): "a need leads to the activity that meets it, not straight to an impact",
    ("activity", "need"): "links run forwards, from a need to the activity that meets it",
    ("activity", "activity"): "an activity leads to the outcomes it changes, not to another activity",
    ("activity", "impact"): "an activity reaches an impact through an outcome: link it to an outcome that leads there",
    ("outcome", "need"): "links run forwards: an outcome leads to another outcome or an impact, not back to a need",
    ("outcome", "activity"): "links run forwards: an outcome leads to another outcome or an impact, not back "
    "to an activity",
    ("impact", "need"): "an impact is the end of the chain: nothing follows it",
    ("impact", "activity"): "an impact is the end of the chain: nothing follows it",
    ("impact", "outcome"): "an impact is the end of the chain: nothing follows it",
    ("impact", "impact"): "an impact is the end of the chain: nothing follows it",
}
SHORT = 45  # a label in a message is cut to this many characters
NEW_OUTCOME = {"rate_with": 0.0, "rate_without": 0.0}  # a new outcome changes nothing until the room says how much


def _refuse(message: str) -> EditError:
    return EditError([Problem("", message)])


def _node(doc: dict, node_id: str) -> dict:
    for n in doc["nodes"]:
        if n["id"] == node_id:
            return n
    raise _refuse(f"There is no box '{node_id}' on the map any more (it may have just been removed).")


def _name(doc: dict, node_id: str, short: int = 200) -> str:
    """A box as the room knows it: its label (cut at `short` characters), else its id."""
    node = next((n for n in doc["nodes"] if n["id"] == node_id), None)
    text = node["label"] if node else node_id
    if len(text) > short:
        cut = text[: short - 1]
        if " " in cut[short // 2 :]:  # at a word's end where there is one
            cut = cut[: cut.rfind(" ")]
        text = cut.rstrip(" ,;:-") + "\u2026"
    return f"'{text}'"


# --- boxes --------------------------------------------------------------------------------


def new_node_id(doc: dict, label: str) -> str:
    """An id made from the label, unique among the boxes: 'Stays at home' -> 'stays-at-home' (or -2, -3 ...)."""
    taken = {n["id"] for n in doc["nodes"]}
    stem = slug(label)
    candidate, k = stem, 2
    while candidate in taken:
        candidate, k = f"{stem}-{k}", k + 1
    return candidate


def add_node(doc: dict, stage: str, label: str) -> tuple[dict, str]:
    """A new box at the end of its stage, its id made from its label; (new document, the id)."""
    if stage not in STAGE_WORDS:
        raise _refuse(f"'{stage}' is not a stage of the theory of change")
    if not label.strip():
        raise _refuse(f"Give {STAGE_WORDS[stage]} a label first: it is what the box says.")
    doc = copy.deepcopy(doc)
    node_id = new_node_id(doc, label)
    node: dict[str, Any] = {"id": node_id, "stage": stage, "label": label}
    if stage == "outcome":
        node.update(NEW_OUTCOME)
    order = list(STAGE_WORDS)
    # After the last box of its stage (or of the stages before it), so the tables keep stage order.
    at = max((i + 1 for i, n in enumerate(doc["nodes"]) if order.index(n["stage"]) <= order.index(stage)), default=0)
    doc["nodes"].insert(at, node)
    return doc, node_id


def links_of(doc: dict, node_id: str) -> list[dict]:
    """The links that start or end at a box: what removing it takes with it."""
    return [e for e in doc.get("edges", []) if node_id in (e["source"], e["target"])]


def uncertain_inputs_of(doc: dict, node_id: str) -> list[str]:
    """The uncertain inputs (Uncertainty page) that are fields of a box: removing it removes them."""
    prefix = f"nodes.{node_id}."
    return [p["path"] for p in doc.get("uncertainty", {}).get("parameters", []) if p["path"].startswith(prefix)]


def remove_node(doc: dict, node_id: str) -> dict:
    """The box, every link to or from it, and its uncertain inputs (with their correlations)."""
    _node(doc, node_id)
    gone = set(uncertain_inputs_of(doc, node_id))
    doc = copy.deepcopy(doc)
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] != node_id]
    doc["edges"] = [e for e in doc.get("edges", []) if node_id not in (e["source"], e["target"])]
    if gone:
        u = doc["uncertainty"]
        u["parameters"] = [p for p in u["parameters"] if p["path"] not in gone]
        if u.get("correlations"):
            u["correlations"] = [c for c in u["correlations"] if c["a"] not in gone and c["b"] not in gone]
    return doc


def move_node(doc: dict, node_id: str, x: float, y: float) -> dict:
    """Where the room put a box (its top-left, in the drawing's units); the layout keeps it in its column."""
    for value in (x, y):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _refuse(f"{_name(doc, node_id)} could not be moved there.")
    doc = copy.deepcopy(doc)
    _node(doc, node_id)["position"] = {"x": _coordinate(x), "y": _coordinate(y)}
    return doc


def _coordinate(v: float) -> float:
    return round(max(-MAX_COORDINATE, min(MAX_COORDINATE, float(v))), 1)


def set_node_fields(doc: dict, node_id: str, fields: dict[str, Any]) -> dict:
    """Change what a box says (label, rates, indicator ...); a value of None removes an optional field."""
    doc = copy.deepcopy(doc)
    node = _node(doc, node_id)
    for key, value in fields.items():
        if key in ("id", "stage"):
            raise _refuse(f"A box's {key} is not changed on the map.")
        if value is None:
            node.pop(key, None)
        else:
            node[key] = value
    return doc


# --- links --------------------------------------------------------------------------------


def link_refusal(doc: dict, source: str, target: str) -> str | None:
    """Why a link from source to target cannot be made, in words; None if it can."""
    stage = {n["id"]: n["stage"] for n in doc["nodes"]}
    if source not in stage or target not in stage:
        missing = source if source not in stage else target
        return f"There is no box '{missing}' on the map any more (it may have just been removed)."
    a, b = _name(doc, source, SHORT), _name(doc, target, SHORT)
    if source == target:
        return f"{a} cannot lead to itself."
    where = f"{a} \u2192 {b}: not linked."
    kind = (stage[source], stage[target])
    if kind not in ALLOWED_EDGES:
        reason = REASONS.get(kind, "that kind of link is not part of a theory of change")
        return f"{where} {reason[0].upper()}{reason[1:]}. Links go {ALLOWED_WORDS}."
    edges = doc.get("edges", [])
    if any(e["source"] == source and e["target"] == target for e in edges):
        return f"{a} already leads to {b}."
    g = nx.DiGraph([(e["source"], e["target"]) for e in edges])
    if target in g and source in g and nx.has_path(g, target, source):
        path = nx.shortest_path(g, target, source)
        through = " through " + ", ".join(_name(doc, n, SHORT) for n in path[1:-1]) if len(path) > 2 else ""
        return f"{where} It would make a loop: {b} already leads to {a}{through}."
    return None


def add_link(doc: dict, source: str, target: str, strength: str = "medium") -> dict:
    refusal = link_refusal(doc, source, target)
    if refusal:
        raise _refuse(refusal)
    doc = copy.deepcopy(doc)
    doc.setdefault("edges", []).append({"source": source, "target": target, "strength": strength})
    return doc


def _edge(doc: dict, source: str, target: str) -> dict:
    for e in doc.get("edges", []):
        if e["source"] == source and e["target"] == target:
            return e
    raise _refuse(f"There is no link from {_name(doc, source)} to {_name(doc, target)} any more.")


def remove_link(doc: dict, source: str, target: str) -> dict:
    _edge(doc, source, target)
    doc = copy.deepcopy(doc)
    doc["edges"] = [e for e in doc["edges"] if not (e["source"] == source and e["target"] == target)]
    return doc


def set_link_fields(doc: dict, source: str, target: str, fields: dict[str, Any]) -> dict:
    """Change a link's assumption, evidence or strength; None removes an optional field."""
    doc = copy.deepcopy(doc)
    edge = _edge(doc, source, target)
    for key, value in fields.items():
        if key in ("source", "target"):
            raise _refuse("A link's ends are changed by drawing a new link and removing this one.")
        if value is None:
            edge.pop(key, None)
        else:
            edge[key] = value
    return doc


# --- one box's cost or benefit lines -----------------------------------------------------------


def node_costs_table(sc: Scenario, node_id: str) -> pd.DataFrame:
    """The costs table's rows for one activity (without the activity column)."""
    df = costs_table(sc)
    return df[df["activity"] == node_id].drop(columns=["activity"]).reset_index(drop=True)


def node_benefits_table(sc: Scenario, node_id: str) -> pd.DataFrame:
    """The benefits table's rows for one outcome (without the outcome column)."""
    df = benefits_table(sc)
    return df[df["outcome"] == node_id].drop(columns=["outcome"]).reset_index(drop=True)


def _merged(
    whole: pd.DataFrame, owner_column: str, node_id: str, mine: pd.DataFrame, columns: list[str]
) -> pd.DataFrame:
    mine = mine.copy()
    mine.insert(0, owner_column, node_id)
    others = whole[whole[owner_column] != node_id]
    rows = [r for r in (others, mine.reindex(columns=columns)) if len(r)]
    return pd.concat(rows, ignore_index=True) if rows else whole.iloc[0:0]


def apply_node_costs(doc: dict, sc: Scenario, node_id: str, df: pd.DataFrame) -> dict:
    """One activity's cost lines from its own small table, through the costs table's own checks."""
    if _node(doc, node_id)["stage"] != "activity":
        raise _refuse(f"Only activities have costs; {_name(doc, node_id)} is not one.")
    return apply_costs_table(doc, _merged(costs_table(sc), "activity", node_id, df, COST_COLUMNS))


def apply_node_benefits(doc: dict, sc: Scenario, node_id: str, df: pd.DataFrame) -> dict:
    """One outcome's benefit lines from its own small table, through the benefits table's own checks."""
    if _node(doc, node_id)["stage"] != "outcome":
        raise _refuse(f"Only outcomes have benefit lines; {_name(doc, node_id)} is not one.")
    return apply_benefits_table(doc, _merged(benefits_table(sc), "outcome", node_id, df, BENEFIT_COLUMNS))
