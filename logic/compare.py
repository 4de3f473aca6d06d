"""What differs between two scenarios, and what that does to the figures.

`input_differences` names every input that differs, in the path language the app uses
(`nodes.out-stays-home.rate_with`, `nodes.act-therapy.costs[0].per_participant`,
`cohort.intake[2]`, `settings.discount_rate`, `contract.cap`) with a label a commissioner can
read. It walks the two scenarios generically (records with an id are matched by id, other lists
by position), so a new field in the schema is compared without a change here. It is also what
an assumptions log of edits is built from, so it has to be cheap: one model_dump each and a walk.

`headline_changes` sets two `evaluate(...).to_dict()` results side by side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import pandas as pd

from .model import Scenario
from .report_text import EXPLANATIONS


@dataclass(frozen=True)
class Difference:
    """One input that differs. Something added has before None; something removed has after None."""

    path: str
    label: str
    before: Any
    after: Any


# Words for each field, as a person would say them; a field not listed is shown by its name.
FIELD_WORDS: dict[str, str] = {
    # scenario and settings
    "format": "snapshot format",
    "name": "name",
    "description": "description",
    "start_year": "first delivery year",
    "horizon_years": "years appraised",
    "discount_rate": "discount rate",
    "discount_schedule": "discount schedule",
    "currency": "currency",
    "price_base_year": "price base year",
    "inflation": "inflation (for cash figures)",
    "health_discount_rate": "health discount rate",
    # agencies
    "kind": "kind (public body, donor or the people themselves)",
    # cohort
    "intake": "referrals",
    "engagement_rate": "engagement rate",
    "intake_timing": "when in the year people arrive",
    # nodes
    "stage": "stage",
    "label": "label",
    "notes": "notes",
    "population": "people in need each year",
    "unit_cost": "cost per person per year",
    "growth_rate": "yearly growth with no action",
    "agency": "agency",
    "indicator": "indicator",
    "data_source": "data source",
    "accountable": "accountable (the programme answers for it)",
    "rate_with": "rate with the programme",
    "rate_without": "rate without the programme (counterfactual)",
    "attribution": "attribution",
    "displacement": "displacement",
    "evidence_grade": "evidence grade",
    "lag_years": "years before benefits start",
    "duration_years": "years the benefit lasts",
    "drop_off": "yearly drop-off",
    "price": "outcome price",
    "payment_cap": "cap on payments for this outcome",
    # cost lines
    "item": "item",
    "payer": "payer",
    "setup": "set-up cost",
    "per_year": "yearly cost",
    "per_participant": "cost per participant",
    "profile": "extra amounts by year",
    # benefit lines
    "value": "value per outcome",
    "type": "type",
    "cashable": "cashable share",
    "transfer": "transfer (a benefit payment, not value to society)",
    "discount": "discounting (standard or health)",
    "code": "unit-cost code",
    # links
    "assumption": "assumption",
    "evidence": "evidence",
    "strength": "strength",
    # contract
    "payment_basis": "payment basis",
    "payment_lag_years": "payment lag (years)",
    "cap": "cap on outcome payments",
    "provider_margin": "provider margin",
    "share": "share of outcome payments",
    "indexation": "indexation of prices",
    "fixed_share": "fixed share paid as a fee (hybrid)",
    # uncertainty
    "draws": "Monte Carlo draws",
    "seed": "random seed",
    "path": "input",
    "dist": "distribution",
    "low": "low",
    "high": "high",
    "mode": "most likely",
    "sd": "standard deviation",
}

NOT_INPUTS = {"log"}
SECTION_WORDS = {"settings": "Settings", "cohort": "Cohort", "contract": "Contract", "uncertainty": "Uncertainty"}


def _word(field: str) -> str:
    return FIELD_WORDS.get(field, field.replace("_", " "))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Names:
    """Readable names for ids, preferring the later scenario's (what the user sees now)."""

    def __init__(self, a: dict, b: dict):
        self.nodes = {n["id"]: n["label"] for n in a["nodes"]} | {n["id"]: n["label"] for n in b["nodes"]}
        self.agencies = {x["id"]: x["name"] for x in a["agencies"]} | {x["id"]: x["name"] for x in b["agencies"]}
        self.agencies.setdefault("provider", "the provider")
        self.start_year = b["settings"]["start_year"]

    def node(self, node_id: str) -> str:
        return self.nodes.get(node_id) or node_id

    def agency(self, agency_id: str) -> str:
        return self.agencies.get(agency_id) or agency_id


def input_differences(a: Scenario, b: Scenario) -> list[Difference]:
    """Every input that differs from a (before) to b (after), in document order."""
    if a == b:
        return []
    # The assumptions log records edits; it is not an input, and never changes a figure.
    da, db = a.model_dump(exclude=NOT_INPUTS), b.model_dump(exclude=NOT_INPUTS)
    names = _Names(da, db)
    out: list[Difference] = []
    for key in db:
        x, y = da[key], db[key]  # both hold every key: the same model, dumped the same way
        if x == y:
            continue
        if key == "nodes":
            _keyed(out, "nodes", x, y, lambda d: d["id"], names, _node_diff, _node_label)
        elif key == "agencies":
            _keyed(out, "agencies", x, y, lambda d: d["id"], names, _agency_diff, _agency_label)
        elif key == "edges":
            _edges(out, x, y, names)
        elif isinstance(y, dict):
            section = SECTION_WORDS.get(key, _cap(key))
            _mapping(out, key, x, y, names, lambda field, s=section: f"{s}: {_word(field)}")
        else:
            out.append(Difference(key, _cap(_word(key)), x, y))
    return out


# --- walking ----------------------------------------------------------------------------------


def _mapping(out: list[Difference], path: str, x: dict, y: dict, names: _Names, label) -> None:
    """Fields of one record (settings, cohort, contract, a node ...): each field is compared on its own."""
    for field in list(y) + [k for k in x if k not in y]:
        u, v = x.get(field), y.get(field)
        if u == v:
            continue
        sub = f"{path}.{field}"
        if field == "optimism_bias" and isinstance(u, dict) and isinstance(v, dict):
            for grade in sorted(set(u) | set(v)):
                if u.get(grade) != v.get(grade):
                    out.append(
                        Difference(
                            f"{sub}[{grade}]", f"Optimism bias for evidence grade {grade}", u.get(grade), v.get(grade)
                        )
                    )
        elif field == "intake" and isinstance(u, list) and isinstance(v, list):
            _intake(out, sub, u, v, names)
        elif isinstance(u, list) and isinstance(v, list) and (u + v) and all(isinstance(r, dict) for r in u + v):
            _records(out, sub, u, v, lambda j, rec, f, s=sub: _record_label(s, j, rec, f, names, label))
        else:
            out.append(Difference(sub, label(field), u, v))


def _intake(out: list[Difference], path: str, u: list, v: list, names: _Names) -> None:
    for t in range(max(len(u), len(v))):
        before = u[t] if t < len(u) else None
        after = v[t] if t < len(v) else None
        if before != after:
            out.append(Difference(f"{path}[{t}]", f"Referrals in {names.start_year + t} (year {t})", before, after))


def _keyed(out, path, x: list, y: list, key, names: _Names, diff, label) -> None:
    """Records with an id (nodes, agencies): matched by id, so reordering or inserting shifts nothing."""
    xs, ys = {key(r): r for r in x}, {key(r): r for r in y}
    common_x = [k for k in xs if k in ys]
    common_y = [k for k in ys if k in xs]
    if common_x != common_y:
        what = "the agencies (the first listed funds a plain grant)" if path == "agencies" else f"the {path}"
        out.append(Difference(path, f"Order of {what}", common_x, common_y))
    for k, r in ys.items():
        if k not in xs:
            out.append(Difference(f"{path}.{k}", label(r, names), None, r))
        elif xs[k] != r:
            diff(out, f"{path}.{k}", xs[k], r, names)
    for k, r in xs.items():
        if k not in ys:
            out.append(Difference(f"{path}.{k}", label(r, names), r, None))


def _node_label(node: dict, names: _Names) -> str:
    return f"{_cap(node['stage'])}: {node['label']}"


def _agency_label(agency: dict, names: _Names) -> str:
    return f"Agency: {agency['name']}"


def _node_diff(out, path: str, x: dict, y: dict, names: _Names) -> None:
    title = names.node(y["id"])
    _mapping(out, path, x, y, names, lambda field: f"{title}: {_word(field)}")


def _agency_diff(out, path: str, x: dict, y: dict, names: _Names) -> None:
    _mapping(out, path, x, y, names, lambda field: f"Agency {names.agency(y['id'])}: {_word(field)}")


def _edge_keys(edges: list[dict]) -> dict[str, dict]:
    """Links by source->target; a repeated pair (allowed, if odd) gets #2, #3 ..."""
    keyed: dict[str, dict] = {}
    for e in edges:
        base = f"{e['source']}->{e['target']}"
        k, n = base, 2
        while k in keyed:
            k, n = f"{base}#{n}", n + 1
        keyed[k] = e
    return keyed


def _edges(out: list[Difference], x: list, y: list, names: _Names) -> None:
    xs, ys = _edge_keys(x), _edge_keys(y)

    def title(e: dict) -> str:
        return f"Link {names.node(e['source'])} -> {names.node(e['target'])}"

    for k, e in ys.items():
        if k not in xs:
            out.append(Difference(f"edges.{k}", title(e), None, e))
        elif xs[k] != e:
            _mapping(out, f"edges.{k}", xs[k], e, names, lambda field, e=e: f"{title(e)}: {_word(field)}")
    for k, e in xs.items():
        if k not in ys:
            out.append(Difference(f"edges.{k}", title(e), e, None))


def _records(out: list[Difference], path: str, x: list[dict], y: list[dict], label) -> None:
    """Lists of records without an id (cost and benefit lines, outcome payers, uncertain inputs).

    Same length: an edit, compared position by position. Otherwise lines were added or removed:
    line them up first, so removing the first line reads as one removal, not as every line changed.
    """
    if len(x) == len(y):
        pairs = [(i, i) for i in range(len(x))]
        for i, j in pairs:
            _record_fields(out, f"{path}[{j}]", x[i], y[j], j, label)
        return
    keys_x = [tuple(r.values()) for r in x]
    keys_y = [tuple(r.values()) for r in y]
    for op, i1, i2, j1, j2 in SequenceMatcher(None, keys_x, keys_y, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        n = min(i2 - i1, j2 - j1)
        for k in range(n):
            _record_fields(out, f"{path}[{j1 + k}]", x[i1 + k], y[j1 + k], j1 + k, label)
        for i in range(i1 + n, i2):
            out.append(Difference(f"{path}[{i}]", label(i, x[i], None), x[i], None))
        for j in range(j1 + n, j2):
            out.append(Difference(f"{path}[{j}]", label(j, y[j], None), None, y[j]))


def _record_fields(out: list[Difference], path: str, u: dict, v: dict, j: int, label) -> None:
    for field in list(v) + [k for k in u if k not in v]:
        if u.get(field) != v.get(field):
            out.append(Difference(f"{path}.{field}", label(j, v, field), u.get(field), v.get(field)))


def _record_label(path: str, j: int, rec: dict, field: str | None, names: _Names, parent_label) -> str:
    """'Intensive family therapy: cost line 1 (Therapists): cost per participant'."""
    kind = path.rsplit(".", 1)[-1]
    if kind == "costs":
        what = f"cost line {j + 1} ({rec.get('item') or 'no item'})"
    elif kind == "benefits":
        what = f"benefit to {names.agency(rec.get('agency', ''))} ({rec.get('type')})"
    elif kind == "outcome_payers":
        what = f"outcome payer {names.agency(rec.get('agency', ''))}"
    elif kind == "parameters":
        what = f"uncertain input {rec.get('path')}"
    else:
        what = f"{_word(kind)} {j + 1}"
    # parent_label(kind) reads "<owner>: <kind words>"; keep the owner, then say which line.
    owner = parent_label(kind).rsplit(": ", 1)[0]
    text = f"{owner}: {what}"
    return f"{text}: {_word(field)}" if field else text


# --- figures ----------------------------------------------------------------------------------

CONTRACT_FIGURES = {
    "outcome_payments_total": "Outcome payments (total, not discounted)",
    "pv_outcome_payments": "Outcome payments (present value)",
    "payments_beyond_horizon": "Outcome payments falling after the horizon",
}
INVESTOR_FIGURES = {
    "peak_capital": "Investor: peak capital at risk",
    "irr": "Investor: internal rate of return",
    "multiple": "Investor: money multiple",
}
PARTY_NAMES = {"provider": "Provider", "investor": "Social investor"}


def headline_changes(a_eval: dict, b_eval: dict, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Before and after for every headline figure, outcome count, contract figure and party position.

    a_eval and b_eval are `evaluate(sc).to_dict()`. names (optional) gives readable names for
    agency, party and outcome ids. Columns: figure, key, before, after, change (after - before);
    undefined figures (no IRR, no payback) are NaN, and so is their change.
    """
    names = {**PARTY_NAMES, **(names or {})}
    rows: list[tuple[str, str, Any, Any]] = []
    for key, (label, _) in EXPLANATIONS.items():
        rows.append((label, key, a_eval.get(key), b_eval.get(key)))
    for oid in _union(a_eval.get("additional_outcomes"), b_eval.get("additional_outcomes")):
        rows.append(
            (
                f"Additional outcomes: {names.get(oid, oid)}",
                f"additional_outcomes.{oid}",
                (a_eval.get("additional_outcomes") or {}).get(oid),
                (b_eval.get("additional_outcomes") or {}).get(oid),
            )
        )
    ca, cb = a_eval.get("contract") or {}, b_eval.get("contract") or {}
    for key, label in CONTRACT_FIGURES.items():
        rows.append((label, f"contract.{key}", ca.get(key), cb.get(key)))
    for key, label in INVESTOR_FIGURES.items():
        rows.append(
            (
                label,
                f"contract.investor.{key}",
                (ca.get("investor") or {}).get(key),
                (cb.get("investor") or {}).get(key),
            )
        )
    for group, word in (("parties", "Position (present value)"), ("switching_values", "Switching value")):
        for party in _union(ca.get(group), cb.get(group)):
            rows.append(
                (
                    f"{word}: {names.get(party, party)}",
                    f"contract.{group}.{party}",
                    (ca.get(group) or {}).get(party),
                    (cb.get(group) or {}).get(party),
                )
            )
    frame = pd.DataFrame(
        {
            "figure": [r[0] for r in rows],
            "key": [r[1] for r in rows],
            "before": [_number(r[2]) for r in rows],
            "after": [_number(r[3]) for r in rows],
        }
    )
    frame["change"] = frame["after"] - frame["before"]
    return frame


def _union(x: Mapping | None, y: Mapping | None) -> list[str]:
    return list(dict.fromkeys([*(x or {}), *(y or {})]))


def _number(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    return float(value)
