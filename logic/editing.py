"""Tables for the editors, and how an edited table becomes a new scenario.

The app edits plain tables (one per stage, one for links, costs, benefits);
each function here takes the scenario's document (a dict) and an edited
table and returns a new document, which `parse_scenario` then validates.
Nothing is dropped silently: a row that cannot be read raises EditError
naming the row.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any, get_args

import pandas as pd

from .model import INVESTOR, PROVIDER, AgencyKind, DiscountKind, Problem, Scenario
from .presentation import money
from .toc import PREVIOUS_STAGE

NODE_COLUMNS: dict[str, list[str]] = {
    "need": ["id", "label", "population", "unit_cost", "growth_rate", "agency", "notes"],
    "activity": ["id", "label", "notes"],
    "outcome": [
        "id",
        "label",
        "rate_with",
        "rate_without",
        "evidence_grade",
        "attribution",
        "displacement",
        "lag_years",
        "duration_years",
        "drop_off",
        "price",
        "indicator",
        "accountable",
        "data_source",
        "notes",
    ],
    "impact": ["id", "label", "notes"],
}
INT_FIELDS = {"evidence_grade", "lag_years", "duration_years"}
LINK_COLUMNS = ["source", "target", "strength", "assumption", "evidence"]
# profile rides along hidden (as text), so a line keeps its own profile when a line above it is removed.
COST_COLUMNS = ["activity", "item", "payer", "setup", "per_year", "per_participant", "evidence_grade", "profile"]
BENEFIT_COLUMNS = ["outcome", "agency", "type", "value", "cashable", "transfer", "discount", "code"]
AGENCY_COLUMNS = ["id", "name", "kind"]
PROFILE_COLUMNS = ["t", "year", "amount"]
AGENCY_KINDS: tuple[str, ...] = get_args(AgencyKind)
DISCOUNT_KINDS: tuple[str, ...] = get_args(DiscountKind)


class EditError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


def document(sc: Scenario) -> dict:
    """The scenario as an editable dict (every field, None left out)."""
    return sc.model_dump(mode="python", exclude_none=True)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# Free text is kept exactly as typed (a trailing newline in notes is not an edit); codes are trimmed.
FREE_TEXT = {"label", "notes", "indicator", "data_source", "assumption", "evidence", "item", "name", "description"}


def _clean(value: Any, name: str) -> Any:
    """Table cell -> YAML value: numpy scalars to Python, whole numbers to int where the schema wants int."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str) and name not in FREE_TEXT:
        value = value.strip()
    if name in INT_FIELDS and isinstance(value, float) and value.is_integer():
        value = int(value)
    if name not in INT_FIELDS and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return value


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:40] or "item"


def _rows(df: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Non-empty rows as dicts of non-blank cells."""
    out = []
    for _, row in df.iterrows():
        cells = {c: _clean(row[c], c) for c in columns if c in row and not _blank(row[c])}
        if cells:
            out.append(cells)
    return out


# --- nodes -------------------------------------------------------------------


def nodes_table(sc: Scenario, stage: str) -> pd.DataFrame:
    cols = NODE_COLUMNS[stage]
    rows = [{c: getattr(n, c) for c in cols} for n in sc.nodes_of(stage)]
    df = pd.DataFrame(rows, columns=cols)
    return df


def apply_nodes_table(doc: dict, stage: str, df: pd.DataFrame) -> dict:
    """Replace the stage's nodes by the table's rows; renamed ids are followed in links and costs."""
    doc = copy.deepcopy(doc)
    old = [n for n in doc["nodes"] if n["stage"] == stage]
    rows = _rows(df, NODE_COLUMNS[stage])
    problems: list[Problem] = []
    existing_ids = {n["id"] for n in doc["nodes"]}
    old_by_id = {n["id"]: n for n in old}
    table_ids = {r["id"] for r in rows if "id" in r}
    new_nodes = []
    renames: dict[str, str] = {}
    for i, cells in enumerate(rows):
        if "id" not in cells:
            if "label" not in cells:
                problems.append(Problem(f"row {i + 1}", "needs at least a label"))
                continue
            stem = slug(cells["label"])
            candidate, k = stem, 2
            while candidate in existing_ids:
                candidate, k = f"{stem}-{k}", k + 1
            cells["id"] = candidate
            existing_ids.add(candidate)
        if "label" not in cells:
            problems.append(Problem(f"row {i + 1} {cells['id']}", "label is required"))
        # Keep what the table does not show (costs, benefits): from the node with this id, or,
        # when the id is new and the node in this position is gone, from that node (a rename).
        if cells["id"] in old_by_id:
            base = dict(old_by_id[cells["id"]])
        elif i < len(old) and old[i]["id"] not in table_ids:
            base = dict(old[i])
            renames[base["id"]] = cells["id"]
        else:
            base = {}
        for c in NODE_COLUMNS[stage]:
            base.pop(c, None)
        base.update(cells)
        base["stage"] = stage
        new_nodes.append(base)
    if problems:
        raise EditError(problems)
    kept = {n["id"] for n in new_nodes} | set(renames)
    removed = {n["id"] for n in old} - kept
    others = [n for n in doc["nodes"] if n["stage"] != stage]
    doc["nodes"] = _in_stage_order(others + new_nodes)
    edges = []
    for e in doc.get("edges", []):
        e = dict(e)
        e["source"] = renames.get(e["source"], e["source"])
        e["target"] = renames.get(e["target"], e["target"])
        if e["source"] in removed or e["target"] in removed:
            continue  # a removed node takes its links with it
        edges.append(e)
    doc["edges"] = edges
    return doc


def _in_stage_order(nodes: list[dict]) -> list[dict]:
    order = {"need": 0, "activity": 1, "outcome": 2, "impact": 3}
    return sorted(nodes, key=lambda n: order.get(n.get("stage", ""), 9))


# --- links -------------------------------------------------------------------


def links_table(sc: Scenario, stage: str) -> pd.DataFrame:
    """Links into the stage's nodes from the stage(s) before it."""
    stage_of = {n.id: n.stage for n in sc.nodes}
    rows = [
        {c: getattr(e, c) for c in LINK_COLUMNS}
        for e in sc.edges
        if stage_of.get(e.target) == stage and stage_of.get(e.source) in PREVIOUS_STAGE.get(stage, ())
    ]
    return pd.DataFrame(rows, columns=LINK_COLUMNS)


def apply_links_table(doc: dict, stage: str, df: pd.DataFrame) -> dict:
    doc = copy.deepcopy(doc)
    stage_of = {n["id"]: n["stage"] for n in doc["nodes"]}
    previous = PREVIOUS_STAGE.get(stage, ())
    edges = doc.get("edges", [])
    in_table = [stage_of.get(e["target"]) == stage and stage_of.get(e["source"]) in previous for e in edges]
    problems = []
    new = []
    for i, cells in enumerate(_rows(df, LINK_COLUMNS)):
        if "source" not in cells or "target" not in cells:
            problems.append(Problem(f"link row {i + 1}", "choose both ends of the link (from and to)"))
            continue
        cells.setdefault("strength", "medium")
        new.append(cells)
    if problems:
        raise EditError(problems)
    # The table's rows go back into the slots its links came from, so an unchanged table keeps the
    # snapshot's order exactly; extra rows go at the end, removed rows leave their slot empty.
    rows = iter(new)
    merged = [next(rows, None) if mine else e for e, mine in zip(edges, in_table)]
    doc["edges"] = [e for e in merged if e is not None] + list(rows)
    return doc


# --- costs and benefits ----------------------------------------------------------


def costs_table(sc: Scenario) -> pd.DataFrame:
    rows = [
        {"activity": n.id, **{c: getattr(line, c) for c in COST_COLUMNS[1:-1]}, "profile": _profile_cell(line.profile)}
        for n in sc.nodes_of("activity")
        for line in n.costs
    ]
    df = pd.DataFrame(rows, columns=COST_COLUMNS)
    # object, not float: an ungraded line stays None and a grade stays 2, not 2.0
    df["evidence_grade"] = pd.Series([r["evidence_grade"] for r in rows], index=df.index, dtype=object)
    return df


def apply_costs_table(doc: dict, df: pd.DataFrame) -> dict:
    doc = _apply_lines(doc, df, "activity", "costs", COST_COLUMNS, required=("item", "payer"))
    problems = []
    for n in doc["nodes"]:
        for j, line in enumerate(n.get("costs", []) if n["stage"] == "activity" else []):
            if "profile" in line:
                try:
                    text = str(line["profile"]).strip().removeprefix("[").removesuffix("]")
                    line["profile"] = [float(x) for x in text.split(",")] if text.strip() else []
                except ValueError:
                    problems.append(Problem(f"{n['id']} cost line {j + 1}", "the extra amounts by year are unreadable"))
    if problems:
        raise EditError(problems)
    return doc


def _profile_cell(profile: list[float] | None) -> str | None:
    # repr: the shortest text that reads back as the same float
    return None if profile is None else "[" + ", ".join(repr(float(x)) for x in profile) + "]"


def cost_uplift(sc: Scenario, grade: int | None) -> float | None:
    """The optimism-bias uplift a cost line's grade implies (None: no grade, or a grade not in the table)."""
    if grade is None:
        return None
    return sc.settings.optimism_bias.get(int(grade))


def uplift_text(sc: Scenario, grade: int | None) -> str:
    """'+10%' beside a grade; 'none' for an ungraded line."""
    uplift = cost_uplift(sc, grade)
    if uplift is None:
        return "none" if grade is None else "not in the table"
    return f"+{uplift * 100:.4g}%"


def grade_text(sc: Scenario, grade: int | None) -> str:
    """A cost line's grade as the table shows it, with the uplift it adds: '3 (+10%)'."""
    return "" if grade is None else f"{grade} ({uplift_text(sc, grade)})"


def profile_text(sc: Scenario, profile: list[float] | None) -> str:
    """A cost line's extra amounts in brief: '£30,000 in 2030' or '£90,000 over 3 years'."""
    years = [t for t, x in enumerate(profile or []) if x]
    if not years:
        return ""
    total = money(math.fsum(profile or []), sc.settings.currency)
    if len(years) == 1:
        return f"{total} in {sc.settings.start_year + years[0]}"
    return f"{total} over {len(years)} years"


def cost_payers(sc: Scenario) -> list[str]:
    """Who may pay a cost line: the provider, each agency, and under a bond the investor."""
    extra = [INVESTOR] if sc.contract.type == "social_impact_bond" and INVESTOR not in sc.agency_ids else []
    return [PROVIDER, *sc.agency_ids, *extra]


# --- a cost line's profile (extra amounts by year) -----------------------------------


def cost_lines(sc: Scenario) -> list[tuple[str, int, str]]:
    """(activity id, line index, label) for every cost line, in the order of the costs table.

    The label ends with the line's extra amounts in brief, so the lines with a profile stand out.
    """
    out = []
    for n in sc.nodes_of("activity"):
        for j, line in enumerate(n.costs):
            label = f"{n.label}: {line.item}" if line.item else f"{n.label}: line {j + 1}"
            extra = profile_text(sc, line.profile)
            out.append((n.id, j, f"{label} (extra {extra})" if extra else label))
    return out


def profile_table(sc: Scenario, activity: str, index: int) -> pd.DataFrame:
    """One row per year of the horizon: year index, calendar year, extra amount (0 where none)."""
    line = next(n for n in sc.nodes if n.id == activity).costs[index]
    profile = list(line.profile or [])
    H, start = sc.settings.horizon_years, sc.settings.start_year
    amounts = [float(profile[t]) if t < len(profile) else 0.0 for t in range(H)]
    return pd.DataFrame({"t": list(range(H)), "year": [str(start + t) for t in range(H)], "amount": amounts})


def apply_profile_table(doc: dict, activity: str, index: int, df: pd.DataFrame) -> dict:
    """The line's profile from the table: blank is 0; the list runs to the last year above 0.

    A profile as long as before (trailing zeros included) stays that long, so an unchanged table
    gives back the same scenario; a profile of nothing but blanks and zeros on a line with none
    stays none.
    """
    doc = copy.deepcopy(doc)
    node = next((n for n in doc["nodes"] if n["id"] == activity and n["stage"] == "activity"), None)
    if node is None or not 0 <= index < len(node.get("costs", [])):
        raise EditError([Problem("profile", f"there is no cost line {index + 1} on '{activity}'")])
    line = node["costs"][index]
    amounts, problems = [], []
    for i, v in enumerate(df["amount"].tolist()):
        if _blank(v):
            amounts.append(0.0)
            continue
        v = _clean(v, "amount")
        where = f"'{line.get('item') or activity}', extra amount in {df['year'].iloc[i] if 'year' in df else i}"
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            problems.append(Problem(where, f"enter an amount in pounds, got {v!r}"))
        elif v < 0:
            problems.append(Problem(where, f"must be 0 or more, got {v:g}"))
        amounts.append(float(v) if not problems else 0.0)
    if problems:
        raise EditError(problems)
    last = max((t + 1 for t, x in enumerate(amounts) if x != 0), default=0)
    length = max(len(line.get("profile") or []), last)
    if length:  # else nothing to add: the line keeps no profile (or its empty one)
        line["profile"] = (amounts + [0.0] * length)[:length]
    return doc


def benefits_table(sc: Scenario) -> pd.DataFrame:
    rows = [
        {"outcome": n.id, **{c: getattr(b, c) for c in BENEFIT_COLUMNS[1:]}} for n in sc.outcomes for b in n.benefits
    ]
    return pd.DataFrame(rows, columns=BENEFIT_COLUMNS)


def apply_benefits_table(doc: dict, df: pd.DataFrame) -> dict:
    return _apply_lines(doc, df, "outcome", "benefits", BENEFIT_COLUMNS, required=("agency", "type", "value"))


def _apply_lines(doc: dict, df: pd.DataFrame, stage: str, key: str, columns: list[str], required: tuple) -> dict:
    doc = copy.deepcopy(doc)
    owners = {n["id"]: n for n in doc["nodes"] if n["stage"] == stage}
    for n in owners.values():
        n[key] = []
    problems = []
    for i, cells in enumerate(_rows(df, columns)):
        owner = cells.pop(stage, None)
        if owner not in owners:
            problems.append(Problem(f"{key} row {i + 1}", f"choose which {stage} this line belongs to"))
            continue
        missing = [c for c in required if c not in cells]
        if missing:
            problems.append(Problem(f"{key} row {i + 1}", f"{', '.join(missing)} required"))
            continue
        owners[owner][key].append(cells)
    if problems:
        raise EditError(problems)
    return doc


# --- programme ------------------------------------------------------------------


def agencies_table(sc: Scenario) -> pd.DataFrame:
    return pd.DataFrame([a.model_dump() for a in sc.agencies], columns=AGENCY_COLUMNS)


def apply_agencies_table(doc: dict, df: pd.DataFrame) -> dict:
    doc = copy.deepcopy(doc)
    rows = _rows(df, AGENCY_COLUMNS)
    problems = []
    for i, cells in enumerate(rows):
        if "id" not in cells and "name" in cells:
            cells["id"] = slug(cells["name"])
        if "name" not in cells:
            problems.append(Problem(f"agency row {i + 1}", "name is required"))
    if problems:
        raise EditError(problems)
    doc["agencies"] = rows
    return doc


def intake_table(sc: Scenario) -> pd.DataFrame:
    start = sc.settings.start_year
    return pd.DataFrame(
        {"year": [f"{start + t}" for t in range(len(sc.cohort.intake))], "referred": list(sc.cohort.intake)}
    )


def apply_intake_table(doc: dict, df: pd.DataFrame) -> dict:
    doc = copy.deepcopy(doc)
    values = []
    for i, v in enumerate(df["referred"].tolist()):
        if _blank(v):
            raise EditError([Problem(f"intake row {i + 1}", "enter the number referred (0 if none)")])
        values.append(float(_clean(v, "referred")))
    doc["cohort"]["intake"] = values
    return doc


def price_base_options(sc: Scenario) -> list[int]:
    """Price base years to offer, newest first: a few years after the start back to 50 before (the valid range)."""
    start = sc.settings.start_year
    years = list(range(start + 5, start - 51, -1))
    if sc.settings.price_base not in years:  # a stored year outside the range is still shown, to be corrected
        years.insert(0, sc.settings.price_base)
    return years


def set_value(doc: dict, path: tuple, value: Any) -> dict:
    """A copy of doc with one value set, e.g. ('settings', 'discount_rate')."""
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target.setdefault(key, {})
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return doc


# --- contract ------------------------------------------------------------------------

PAYER_COLUMNS = ["agency", "share"]


def prices_table(sc: Scenario) -> pd.DataFrame:
    return pd.DataFrame(
        [{"id": o.id, "label": o.label, "price": o.price} for o in sc.outcomes], columns=["id", "label", "price"]
    )


def apply_prices_table(doc: dict, df: pd.DataFrame) -> dict:
    doc = copy.deepcopy(doc)
    prices = {}
    for _, row in df.iterrows():
        value = row["price"]
        prices[row["id"]] = 0.0 if _blank(value) else float(_clean(value, "price"))
    for n in doc["nodes"]:
        if n["id"] in prices:
            n["price"] = prices[n["id"]]
    return doc


def payers_table(sc: Scenario) -> pd.DataFrame:
    return pd.DataFrame([p.model_dump() for p in sc.contract.outcome_payers], columns=PAYER_COLUMNS)


def apply_payers_table(doc: dict, df: pd.DataFrame) -> dict:
    doc = copy.deepcopy(doc)
    rows = _rows(df, PAYER_COLUMNS)
    problems = [
        Problem(f"payer row {i + 1}", "choose an agency and its share") for i, r in enumerate(rows) if len(r) < 2
    ]
    if problems:
        raise EditError(problems)
    doc.setdefault("contract", {})["outcome_payers"] = rows
    return doc


def set_shares(doc: dict, shares: dict[str, float]) -> dict:
    """Outcome payers set to the given shares, rounded to 4 places with the remainder on the largest."""
    doc = copy.deepcopy(doc)
    rounded = {a: round(s, 4) for a, s in shares.items() if round(s, 4) > 0}
    if rounded:
        largest = max(rounded, key=lambda a: rounded[a])
        rounded[largest] = round(1.0 - sum(v for a, v in rounded.items() if a != largest), 4)
    doc.setdefault("contract", {})["outcome_payers"] = [{"agency": a, "share": s} for a, s in rounded.items()]
    return doc


# --- uncertainty --------------------------------------------------------------------------

UNCERTAIN_COLUMNS = ["path", "dist", "low", "mode", "high", "sd"]


def apply_uncertain_table(doc: dict, df: pd.DataFrame) -> dict:
    doc = copy.deepcopy(doc)
    rows = _rows(df, UNCERTAIN_COLUMNS)
    problems = [
        Problem(f"input row {i + 1}", "choose the input, its distribution, low and high")
        for i, r in enumerate(rows)
        if not {"path", "dist", "low", "high"} <= set(r)
    ]
    if problems:
        raise EditError(problems)
    doc.setdefault("uncertainty", {})["parameters"] = rows
    return doc


def set_uncertain(doc: dict, parameters: list[dict]) -> dict:
    doc = copy.deepcopy(doc)
    doc.setdefault("uncertainty", {})["parameters"] = parameters
    return doc
