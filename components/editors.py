"""Table editors for nodes, links, costs and benefits.

Each editor's key carries the scenario version: after an edit is applied the
scenario changes, the version moves on and the editor starts fresh from the
new scenario. An edit that fails validation leaves the version (and the
user's typing) in place, with the message beside the table.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from logic import Scenario
from logic import editing as ed
from logic.model import BENEFIT_TYPES, STRENGTHS
from logic.presentation import currency_mark
from logic.toc import PREVIOUS_STAGE

from .auth import can_edit
from .state import clear_problems, document, show_problems, try_apply, version

cc = st.column_config
# No min_value / max_value on editor columns: the grid would clamp a typed 1.4 (or 35 for 35%)
# to the limit without a word; the scenario's validation says what is wrong instead.
# The step is also the precision the grid keeps, so it is fine enough for pennies and 0.725.
FRACTION = {"step": 0.001, "format": "%.3f"}
MONEY = {"step": 0.01, "format": "localized"}


def _edited(key: str) -> bool:
    state = st.session_state.get(key)
    return bool(state) and any(state.get(k) for k in ("edited_rows", "added_rows", "deleted_rows"))


def table_editor(
    area: str,
    df: pd.DataFrame,
    columns: dict,
    apply: Callable[[pd.DataFrame], dict],
    *,
    dynamic: bool = True,
    disabled: list[str] | None = None,
) -> None:
    key = f"{area}-{version()}"
    read_only = not can_edit()
    edited = st.data_editor(
        df,
        key=key,
        column_config=columns,
        num_rows="dynamic" if dynamic and not read_only else "fixed",
        hide_index=True,
        width="stretch",
        disabled=True if read_only else (disabled or False),
        placeholder="",  # an empty cell reads empty (a cost line's grade, an outcome's own lag), never "None"
    )
    if read_only:
        return
    if _edited(key):
        try_apply(area, lambda: apply(edited))
    else:
        clear_problems(area)  # the failed edit was undone or left behind
    show_problems(area)


def node_columns(sc: Scenario, stage: str) -> dict:
    grades = sorted(sc.settings.optimism_bias)
    cur = currency_mark(sc.settings.currency)
    cols = {
        "id": cc.TextColumn("Id", help="Short unique name. Leave blank to make one from the label.", max_chars=200),
        "label": cc.TextColumn("Label", width="large", required=True),
        "notes": cc.TextColumn("Notes / evidence", width="medium"),
    }
    if stage == "need":
        cols |= {
            "population": cc.NumberColumn("People per year", step=1.0, format="%.0f"),
            "unit_cost": cc.NumberColumn(f"Cost per person per year ({cur})", **MONEY),
            "growth_rate": cc.NumberColumn("Yearly growth", step=0.005, format="%.3f"),
            "agency": cc.SelectboxColumn("Who bears the cost", options=sc.agency_ids),
        }
    if stage == "outcome":
        cols |= {
            "indicator": cc.TextColumn("Indicator (how it is measured)", width="medium"),
            "accountable": cc.CheckboxColumn("Programme answers for it", help="Below the accountability line"),
            "rate_with": cc.NumberColumn("Rate with programme", help="Share of participants achieving it", **FRACTION),
            "rate_without": cc.NumberColumn(
                "Rate without (counterfactual)", help="Share who would achieve it anyway", **FRACTION
            ),
            "attribution": cc.NumberColumn(
                "Attribution", help="Share of the change owed to this programme", **FRACTION
            ),
            "displacement": cc.NumberColumn("Displacement", help="Share that only moves elsewhere", **FRACTION),
            "evidence_grade": cc.SelectboxColumn(
                "Evidence grade", options=grades, help="1 strongest .. 6 weakest: sets the optimism bias"
            ),
            "lag_years": cc.NumberColumn("Lag (years)", step=1, format="%d"),
            "duration_years": cc.NumberColumn("Lasts (years)", step=1, format="%d"),
            "drop_off": cc.NumberColumn("Drop-off per year", **FRACTION),
            "price": cc.NumberColumn(f"Outcome price ({cur})", **MONEY),
            "data_source": cc.TextColumn("Data source"),
        }
    return cols


def nodes_editor(sc: Scenario, stage: str) -> None:
    table_editor(
        f"nodes-{stage}",
        ed.nodes_table(sc, stage),
        node_columns(sc, stage),
        lambda df: ed.apply_nodes_table(document(), stage, df),
    )


def links_editor(sc: Scenario, stage: str) -> None:
    sources = [n.id for n in sc.nodes if n.stage in PREVIOUS_STAGE[stage]]
    targets = [n.id for n in sc.nodes_of(stage)]
    cols = {
        "source": cc.SelectboxColumn("From", options=sources, required=True, width="medium"),
        "target": cc.SelectboxColumn("To", options=targets, required=True, width="medium"),
        "strength": cc.SelectboxColumn("Strength of evidence", options=list(STRENGTHS), required=True),
        "assumption": cc.TextColumn("Assumption (why this leads to that)", width="large"),
        "evidence": cc.TextColumn("Evidence"),
    }
    table_editor(
        f"links-{stage}", ed.links_table(sc, stage), cols, lambda df: ed.apply_links_table(document(), stage, df)
    )


def costs_editor(sc: Scenario) -> None:
    payers = ed.cost_payers(sc)
    cur = currency_mark(sc.settings.currency)
    # Pixel widths: the eight columns fit a 1280-pixel screen beside the sidebar, headers whole.
    cols = {
        "activity": cc.SelectboxColumn(
            "Activity", options=[n.id for n in sc.nodes_of("activity")], required=True, width=125
        ),
        "item": cc.TextColumn("Cost item", width=150, required=True),
        "payer": cc.SelectboxColumn(
            "Paid by",
            options=payers,
            required=True,
            width=95,
            help="provider = delivery cost (funded as the contract says)"
            + ("; investor = the bond's own costs, paid by the investor" if "investor" in payers else ""),
        ),
        "setup": cc.NumberColumn(f"Set-up ({cur})", help="Once, in year 0", width=100, **MONEY),
        "per_year": cc.NumberColumn(
            f"Per year ({cur})", help="Each year in which people are referred", width=105, **MONEY
        ),
        "per_participant": cc.NumberColumn(
            f"Per person ({cur})", help="Per person who takes part, in the year they are referred", width=115, **MONEY
        ),
        "evidence_grade": cc.SelectboxColumn(
            "Grade",
            options=sorted(sc.settings.optimism_bias),
            format_func=lambda g: ed.grade_text(sc, g),
            width=95,
            help="Confidence in this cost, 1 strongest .. 6 weakest, with the optimism-bias uplift it adds "
            "to the cost (Green Book). Empty: no uplift.",
        ),
        "profile": None,  # carried, not shown: edited in its own table below
    }
    table_editor("costs", ed.costs_table(sc), cols, lambda df: ed.apply_costs_table(document(), df))
    profile_editor(sc)


PROFILE_LINE = "profile-line-chosen"  # the cost line whose profile is open, kept across edits


def profile_editor(sc: Scenario) -> None:
    lines = ed.cost_lines(sc)
    if not lines:
        return
    st.markdown("**Extra amounts by year** (a cost line's profile)")
    left, right = st.columns([2, 3])
    keys = [f"{a}#{j}" for a, j, _ in lines]
    labels = dict(zip(keys, (label for _, _, label in lines)))  # with the extra amounts in brief, if any
    chosen = st.session_state.get(PROFILE_LINE)
    key = left.selectbox(
        "Cost line",
        keys,
        keys.index(chosen) if chosen in keys else 0,
        format_func=labels.get,
        key=f"profile-line-{version()}",
    )
    st.session_state[PROFILE_LINE] = key
    left.caption(
        "For costs that do not follow set-up, per year and per participant: a refit in year 4, a tail of "
        "evaluation. Amounts in the price base, added to the line in that year and uplifted with it."
    )
    activity, index = key.rsplit("#", 1)
    cols = {
        "t": cc.NumberColumn("Year index", disabled=True, format="%d"),
        "year": cc.TextColumn("Year", disabled=True),
        "amount": cc.NumberColumn(f"Extra amount ({currency_mark(sc.settings.currency)})", **MONEY),
    }
    with right:
        table_editor(
            f"profile-{key}",
            ed.profile_table(sc, activity, int(index)),
            cols,
            lambda df: ed.apply_profile_table(document(), activity, int(index), df),
            dynamic=False,
        )


DISCOUNT_WORDS = {"standard": "Standard", "health": "Health"}


def benefits_editor(sc: Scenario) -> None:
    s = sc.settings
    # Pixel widths: the eight columns fit a 1280-pixel screen beside the sidebar, headers whole.
    cols = {
        "outcome": cc.SelectboxColumn("Outcome", options=[n.id for n in sc.outcomes], required=True, width=135),
        "agency": cc.SelectboxColumn("Who benefits", options=sc.agency_ids, required=True, width=118),
        "type": cc.SelectboxColumn("Type", options=list(BENEFIT_TYPES), required=True, width=72),
        "value": cc.NumberColumn(
            f"Value a year ({currency_mark(s.currency)})",
            help="Per additional outcome, per year the benefit lasts",
            width=122,
            **MONEY,
        ),
        "cashable": cc.NumberColumn(
            "Cashable", help="Fiscal lines: the share that can be taken out of a budget as cash", width=90, **FRACTION
        ),
        "transfer": cc.CheckboxColumn(
            "Transfer",
            default=False,
            width=85,
            help="Fiscal lines only: a benefit payment no longer made (say, Universal Credit). It saves that "
            "budget, so it counts in the fiscal case, but it is money moving between people, not value "
            "created, so it is left out of the public value.",
        ),
        "discount": cc.SelectboxColumn(
            "Discount",
            options=list(ed.DISCOUNT_KINDS),
            default="standard",
            format_func=DISCOUNT_WORDS.get,
            width=88,
            help=f"Standard: the discount rate ({s.discount_rate * 100:.4g}%). Health: the health discount rate "
            f"({s.health_discount_rate * 100:.4g}%), for health and wellbeing effects (QALYs, WELLBYs).",
        ),
        "code": cc.TextColumn("Code", width=90, help="The unit cost the value comes from, e.g. GMCA E&E1.0.1"),
    }
    table_editor("benefits", ed.benefits_table(sc), cols, lambda df: ed.apply_benefits_table(document(), df))
