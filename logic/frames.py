"""What every frame of logic.views and its companions shares: the parties' names, the price base and
currency a frame carries for its chart, and which agencies are worth a line on a contract chart."""

from __future__ import annotations

import pandas as pd

from .evaluation import Evaluation


def agency_names(ev: Evaluation) -> dict[str, str]:
    names = {a.id: a.name for a in ev.scenario.agencies}
    names["provider"] = "Provider (delivery)"
    names["investor"] = "Social investor"
    return names


def priced(ev: Evaluation, df: pd.DataFrame) -> pd.DataFrame:
    """Carry the price base and the currency with a frame, so every chart drawn from it (app or report) names them."""
    df.attrs["price_base"] = ev.figures["price_base"]
    df.attrs["currency"] = ev.scenario.settings.currency
    return df


def involved(ev: Evaluation, agency: str) -> bool:
    """An agency worth a line on the risk chart: it pays, funds, or saves cash."""
    figs = ev.figures["by_agency"][agency]
    payer = ev.compiled.payer_share[ev.compiled.agency_ids.index(agency)] > 0
    first = ev.compiled.agency_ids[0] == agency and ev.compiled.contract_type == "none"
    return payer or first or figs["pv_cashable"] != 0 or figs["pv_costs"] != 0
