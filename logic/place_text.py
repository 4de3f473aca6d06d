"""A place's figures in words: the names and meanings the Place page, the report, the workbook and the
command line share."""

from __future__ import annotations

from .evaluation import price_base_label
from .presentation import money, payback

# Each key of `fund` and `economic` shown to people: (label, what it means).
PLACE_FIGURES = {
    "bridge_needed": (
        "Bridge needed",
        "The most the fund is overdrawn at any year end: the bridging money the place must find before the "
        "savings arrive (the cost of running old and new services side by side).",
    ),
    "self_sustaining_year": (
        "Pays its own way from",
        "The first year from which, every year to the end, the savings paid in cover what the fund pays out "
        "and any interest, without the members' contributions.",
    ),
    "npv_fiscal": (
        "NPV to public budgets",
        "Every programme's fiscal benefits minus all its costs, real, discounted with the place's own rate.",
    ),
    "npv_public_value": (
        "NPV (public value)",
        "Fiscal, economic and social value, less transfers, minus all costs: the economic case for the place.",
    ),
    "pv_costs": ("PV of costs", "Every programme's cost lines, optimism bias included, real and discounted."),
    "pv_fiscal": ("PV of fiscal benefits", "Savings to public budgets, transfers included, real and discounted."),
    "pv_transfers": ("PV of transfers", "Fiscal savings that are money moving between people, not value created."),
}

POOLED_ITEMS = {
    "own_costs": "the members' own cost lines",
    "funding": "what the members fund of delivery",
    "outcome_payments": "the members' share of outcome payments",
}


def self_sustaining_text(result: dict) -> str:
    year = result["fund"]["self_sustaining_year"]
    return "Not within the calendar" if year is None else str(result["years"][year])


def place_table(result: dict) -> str:
    """A readable table of a place for the terminal."""
    cur = result.get("currency", "GBP")
    years = result["years"]
    fund = result["fund"]
    lines = [
        result.get("name", ""),
        f"{years[0]}-{years[-1]}, cash; economic case real, {price_base_label(result['price_base_year'])}",
        "",
    ]
    lines.append(f"{'Bridge needed':<28}{money(fund['bridge_needed'], cur):>18}")
    lines.append(f"{'Pays its own way from':<28}{self_sustaining_text(result):>18}")
    for k in ("pv_costs", "pv_fiscal", "pv_transfers", "npv_fiscal", "npv_public_value"):
        lines.append(f"{PLACE_FIGURES[k][0]:<28}{money(result['economic'][k], cur):>18}")
    lines += ["", f"{'Year':<6}{'Paid in':>16}{'Paid out':>16}{'Balance':>16}"]
    for i, y in enumerate(years):
        inflow, outflow, bal = fund["inflow_by_year"][i], fund["outflow_by_year"][i], fund["balance_by_year"][i]
        lines.append(f"{y:<6}{money(inflow, cur):>16}{money(outflow, cur):>16}{money(bal, cur):>16}")
    lines += ["", "Net cash by agency (sum over the calendar)"]
    for a, figs in result["agencies"].items():
        lines.append(f"  {a:<24}{money(sum(figs['net_cash_by_year']), cur):>18}")
    lines += ["", "Programmes"]
    for i, p in enumerate(result["programmes"]):
        head = p["headline"]
        pays = payback(head["payback_year"], p["start_year"])
        lines.append(
            f"  {i + 1}. {p['name']} from {p['start_year']} (scale {p['scale']:g}): "
            f"NPV fiscal {money(head['npv_fiscal'], cur)}, pays back {pays}"
        )
    for d in result["double_counting"]:
        i, j = d["programmes"]
        lines.append(
            f"  possible double counting: programmes {i + 1} and {j + 1} both credit {d['agency']} with {d['code']}"
        )
    for w in result["warnings"]:
        lines.append(f"  warning: {w}")
    return "\n".join(lines)
