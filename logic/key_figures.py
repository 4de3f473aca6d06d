"""The tiles of the key-figure strip shown on every step.

Kept apart from logic.views, which brings pandas: the strip is the first thing a cold start draws.
"""

from __future__ import annotations

from .evaluation import Evaluation
from .presentation import compact_money, nothing_yet, ratio
from .report_text import EXPLANATIONS, FINANCIAL_CASE


def key_figures(ev: Evaluation) -> list[dict]:
    """The tiles of the key-figure strip: the case for the public purse, and beside it what the contract leaves it."""
    r = ev.figures
    cur = ev.scenario.settings.currency
    start = ev.scenario.settings.start_year
    pb = r["price_base"]
    return [
        {
            "key": "npv_fiscal",
            "label": "NPV (fiscal)",
            "value": compact_money(r["npv_fiscal"], cur),
            "help": f"{EXPLANATIONS['npv_fiscal'][1]} Real terms, {pb}.",
        },
        {
            "key": "public_sector_position",
            "label": "Public sector under contract",
            "value": compact_money(r["financial"]["public_sector_position"], cur),
            "help": f"{FINANCIAL_CASE['public_sector_position'][1]} Real terms, {pb}.",
        },
        {
            "key": "bcr_fiscal",
            "label": "Benefit-cost ratio",
            "value": ratio(r["bcr_fiscal"]),
            "help": EXPLANATIONS["bcr_fiscal"][1],
        },
        {
            "key": "payback_year",
            "label": "Pays back in",
            "value": _payback_tile(r, start),
            "help": EXPLANATIONS["payback_year"][1],
        },
        {
            "key": "pv_costs",
            "label": "PV of costs",
            "value": compact_money(r["pv_costs"], cur),
            "help": f"{EXPLANATIONS['pv_costs'][1]} Real terms, {pb}.",
        },
    ]


def _payback_tile(r: dict, start: int) -> str:
    if nothing_yet(r):
        return "Not yet"
    return "Not in horizon" if r["payback_year"] is None else str(start + r["payback_year"])
