"""The Outcomes contract page's inputs as plain values and tables, and how an edit becomes a new document.

Like logic/editing.py: each apply function takes the scenario's document (a
dict) and returns a new one, which `parse_scenario` then validates; a cell
that cannot be read raises EditError naming the outcome.
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from .editing import EditError, _blank
from .model import Problem, Scenario

TERMS = ("type", "payment_basis", "payment_lag_years", "cap", "provider_margin", "indexation", "fixed_share")
RATE_CARD_COLUMNS = ["id", "label", "price", "payment_lag_years", "payment_cap"]


def contract_terms(sc: Scenario) -> dict[str, Any]:
    """The contract's terms as the page's controls show them (cap None: no cap)."""
    k = sc.contract
    return {name: getattr(k, name) for name in TERMS}


def apply_contract_terms(doc: dict, terms: dict[str, Any]) -> dict:
    """A copy of doc with the contract's terms set; a term of None is removed (no cap)."""
    doc = copy.deepcopy(doc)
    contract = doc.setdefault("contract", {})
    for name, value in terms.items():
        if name not in TERMS:
            raise EditError([Problem(f"contract.{name}", "is not a contract term this page edits")])
        if value is None:
            contract.pop(name, None)
        else:
            contract[name] = value
    return doc


def rate_card_table(sc: Scenario) -> pd.DataFrame:
    """One row per outcome: its price, its own payment lag (blank: the contract's) and its own cap (blank: none)."""
    rows = [
        {
            "id": o.id,
            "label": o.label,
            "price": o.price,
            "payment_lag_years": o.payment_lag_years,
            "payment_cap": o.payment_cap,
        }
        for o in sc.outcomes
    ]
    df = pd.DataFrame(rows, columns=RATE_CARD_COLUMNS)
    # Nullable columns: a blank lag or cap stays blank (None), not NaN turned into a number.
    df["payment_lag_years"] = df["payment_lag_years"].astype("Int64")
    df["payment_cap"] = df["payment_cap"].astype("Float64")
    return df


def apply_rate_card_table(doc: dict, df: pd.DataFrame) -> dict:
    """Prices, lags and caps from the edited rate card; a blank price is 0, a blank lag or cap is removed."""
    doc = copy.deepcopy(doc)
    by_id = {n["id"]: n for n in doc["nodes"]}
    problems = []
    for _, row in df.iterrows():
        node = by_id.get(row["id"])
        if node is None:
            continue
        where = f"rate card, {node.get('label', row['id'])}"
        node["price"] = 0.0 if _blank(row["price"]) else _number(row["price"])
        lag = row.get("payment_lag_years")
        if _blank(lag):
            node.pop("payment_lag_years", None)
        elif float(lag) != int(float(lag)):
            problems.append(Problem(where, f"payment lag must be a whole number of years, got {float(lag):g}"))
        else:
            node["payment_lag_years"] = int(float(lag))
        cap = row.get("payment_cap")
        if _blank(cap):
            node.pop("payment_cap", None)
        else:
            node["payment_cap"] = _number(cap)
    if problems:
        raise EditError(problems)
    return doc


def _number(value: Any) -> float:
    if hasattr(value, "item"):
        value = value.item()
    return float(value)
