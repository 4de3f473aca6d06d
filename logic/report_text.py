"""Words and formats for figures: shared by the app, the CLI and the reports."""

from __future__ import annotations

import re
from typing import Any

# What each headline figure means, in words a commissioner would use.
EXPLANATIONS: dict[str, tuple[str, str]] = {
    "npv_fiscal": (
        "Net budget impact (NPV, fiscal)",
        "Public money saved minus money spent, in today's pounds. Above zero, the programme pays for itself "
        "across the public sector over the appraisal period.",
    ),
    "npv_cashable": (
        "Cashable NPV",
        "As above, but counting only savings that can be taken out of budgets as cash (fewer placements bought, "
        "not just freed-up staff time).",
    ),
    "npv_public_value": (
        "Public value NPV",
        "All benefits - fiscal, economic and social (wellbeing) - minus costs, in today's pounds. The wider case "
        "for the programme to society.",
    ),
    "bcr_fiscal": (
        "Fiscal benefit-cost ratio",
        "Pounds of public money saved for each pound spent. 1.5 means every 1 spent saves 1.50.",
    ),
    "bcr_public_value": (
        "Public value benefit-cost ratio",
        "Pounds of total value (fiscal, economic and social) for each pound spent.",
    ),
    "payback_year": (
        "Payback year",
        "The first year in which the discounted savings to date have caught up with the discounted spending "
        "to date. 'Not within the horizon' means they never do in the years appraised.",
    ),
    "pv_costs": ("Present value of costs", "Everything the programme costs, in today's pounds."),
    "pv_fiscal": (
        "Present value of fiscal benefits",
        "Savings to public budgets (cashable and not), in today's pounds, after deadweight, attribution, "
        "displacement and optimism bias.",
    ),
    "pv_cashable": ("Present value of cashable savings", "The part of fiscal savings that can be released as cash."),
    "pv_economic": ("Present value of economic benefits", "Gains to the economy, such as higher earnings."),
    "pv_social": ("Present value of social benefits", "Wellbeing and other social value, monetised."),
}


def money(x: float | None, currency: str = "GBP", signed: bool = False) -> str:
    """A money figure as a person writes it: £1,234,567 or -£12,345."""
    if x is None:
        return "n/a"
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency, "")
    sign = "-" if x < 0 else ("+" if signed and x > 0 else "")
    text = f"{abs(x):,.0f}"
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def compact_money(x: float | None, currency: str = "GBP") -> str:
    """£1.23m / £450k: for key-figure tiles."""
    if x is None:
        return "n/a"
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency, "")
    sign = "-" if x < 0 else ""
    a = abs(x)
    if a >= 1e9:
        body = f"{a / 1e9:.2f}bn"
    elif a >= 1e6:
        body = f"{a / 1e6:.2f}m"
    elif a >= 1e4:
        body = f"{a / 1e3:.0f}k"
    else:
        body = f"{a:,.0f}"
    return f"{sign}{symbol}{body}"


def ratio(x: float | None) -> str:
    return "n/a (no costs)" if x is None else f"{x:.2f}"


def payback(year_index: int | None, start_year: int | None = None) -> str:
    if year_index is None:
        return "Not within the horizon"
    if start_year is None:
        return f"Year {year_index}"
    return f"Year {year_index} ({start_year + year_index})"


def format_figure(key: str, value: Any, start_year: int | None = None, currency: str = "GBP") -> str:
    if key.startswith("bcr"):
        return ratio(value)
    if key == "payback_year":
        return payback(value, start_year)
    return money(value, currency)


def headline_table(result: dict) -> str:
    """A readable table for the terminal."""
    start = result["by_year"][0]["year"] if result.get("by_year") else None
    rows = [(EXPLANATIONS[k][0], format_figure(k, result[k], start)) for k in EXPLANATIONS]
    width = max(len(r[0]) for r in rows)
    lines = [result.get("name", ""), ""]
    lines += [f"{label.ljust(width)}  {value:>18}" for label, value in rows]
    lines += ["", "By agency (present values)"]
    for agency, figs in result["by_agency"].items():
        lines.append(
            f"  {agency:<20} pays {money(figs['pv_costs']):>14}   receives fiscal {money(figs['pv_fiscal']):>14}"
            f"   cashable {money(figs['pv_cashable']):>14}"
        )
    c = result.get("contract")
    if c and c["type"] != "none":
        lines += ["", f"Contract: {c['type'].replace('_', ' ')} ({c['payment_basis'].replace('_', ' ')})"]
        lines.append(f"  outcome payments {money(c['outcome_payments_total'])} (PV {money(c['pv_outcome_payments'])})")
        for party, value in c["parties"].items():
            lines.append(f"  {party:<20} position {money(value):>14}")
    return "\n".join(lines)


METRIC_LABELS = {
    "npv_fiscal": "NPV (fiscal)",
    "npv_public_value": "NPV (public value)",
    "bcr_fiscal": "Benefit-cost ratio (fiscal)",
    "investor_irr": "Investor IRR",
}


def metric_label(name: str, names: dict[str, str] | None = None) -> str:
    if name.startswith("party:"):
        party = name.removeprefix("party:")
        return f"Position: {(names or {}).get(party, party)}"
    return METRIC_LABELS.get(name, name)


def format_metric(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if name == "investor_irr":
        return f"{value:.1%}"
    if name.startswith("bcr"):
        return f"{value:.2f}"
    return money(value)


def simulation_table(summary: dict) -> str:
    lines = [f"{summary['draws']} draws, seed {summary['seed']}", ""]
    header = f"{'':34} {'mean':>14} {'5%':>14} {'median':>14} {'95%':>14} {'P(<0)':>7}"
    lines.append(header)
    for name, m in summary["metrics"].items():
        cells = [format_metric(name, m[k]) for k in ("mean", "p5", "p50", "p95")]
        p = "n/a" if m["p_below_zero"] is None else f"{m['p_below_zero']:.1%}"
        lines.append(f"{metric_label(name):34} " + " ".join(f"{c:>14}" for c in cells) + f" {p:>7}")
    return "\n".join(lines)


_NODE_AT = re.compile(r"^nodes\[(\d+)\] ([^:\s]+)")
_LINE_AT = re.compile(r" (costs|benefits)\[(\d+)\]")
_EDGE_AT = re.compile(r"^edges\[(\d+)\]")


def plain_problem(line: str, labels: dict[str, str]) -> str:
    """A validation line in a workshop's words: the box's label instead of its list position.

    "nodes[11] out-x costs[0]: ..." -> "'Stays home' (out-x), cost line 1: ...". The command line
    keeps the positions (a file's author wants them); the app speaks to people looking at tables.
    """
    m = _NODE_AT.match(line)
    if m:
        node_id = m.group(2)
        name = f"'{labels[node_id]}' ({node_id})" if node_id in labels else f"'{node_id}'"
        line = name + line[m.end() :]
    kind = {"costs": "cost", "benefits": "benefit"}
    line = _LINE_AT.sub(lambda k: f", {kind[k.group(1)]} line {int(k.group(2)) + 1}", line)
    return _EDGE_AT.sub(lambda k: f"link {int(k.group(1)) + 1}", line)
