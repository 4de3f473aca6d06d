"""The unit-cost library: search GMCA unit costs and add one to an outcome as a benefit line.

Every step between the published figure and the benefit line is on screen (price year,
deflator factor, times a year) and is written into the outcome's notes, so the snapshot
says where its value came from. The arithmetic is in logic.unit_costs.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from logic import Scenario
from logic import unit_costs as uc
from logic.model import BENEFIT_TYPES
from logic.presentation import pence

from .state import document, show_problems, try_apply

AREA = "unit-costs"
DEFLATORS = "deflators"  # the session's deflator table (edited or as shipped)
DEFLATORS_VERSION = "deflators_version"  # moves on when the table is replaced, so its editor starts fresh
ADDED = "uc-added"  # the last line added, shown once after the rerun
ALL = "All"
RESULT_COLUMNS = ["code", "description", "unit", "value_gbp", "price_year", "agency"]

cc = st.column_config


def results_key(words: str, agency: str, category: str) -> str:
    """The results table's key: a new search is a new table, so an old row selection cannot point at a new row."""
    digest = hashlib.sha1(f"{words.strip().casefold()}|{agency}|{category}".encode()).hexdigest()[:10]
    return f"uc-results-{digest}"


def deflators() -> pd.DataFrame:
    """The deflator table for this session: the shipped one until the user edits it."""
    if DEFLATORS not in st.session_state:
        st.session_state[DEFLATORS] = uc.load_deflators()
    return st.session_state[DEFLATORS]


def _deflators_edited() -> bool:
    shipped = uc.load_deflators()
    mine = deflators()
    return not (
        list(mine["financial_year"]) == list(shipped["financial_year"])
        and list(mine["index"].astype(float)) == list(shipped["index"].astype(float))
    )


def _replace_deflators(table: pd.DataFrame) -> None:
    st.session_state[DEFLATORS] = table
    st.session_state[DEFLATORS_VERSION] = st.session_state.get(DEFLATORS_VERSION, 0) + 1
    st.rerun()


def unit_cost_library(sc: Scenario) -> None:
    st.subheader("Unit-cost library")
    st.caption(
        "Find a published unit cost, see it uprated to this scenario's prices and converted to a yearly value, "
        "and add it to an outcome as a benefit line. The workings go into the outcome's notes."
    )
    added = st.session_state.pop(ADDED, None)
    if added:
        st.success(added)

    costs = uc.load_unit_costs()
    c1, c2, c3 = st.columns([2, 1, 1])
    words = c1.text_input("Search", key="uc-words", placeholder="e.g. foster care week, arrest, A&E")
    agency = c2.selectbox("GMCA agency", [ALL, *uc.agencies(costs)], key="uc-agency")
    category = c3.selectbox("Category", [ALL, *uc.categories(costs)], key="uc-category")
    found = uc.search(
        costs, words, None if agency == ALL else agency, None if category == ALL else category
    ).reset_index(drop=True)

    st.caption(f"{len(found)} of {len(costs)} unit costs. Tick a row to use it.")
    event = st.dataframe(
        found[RESULT_COLUMNS],
        key=results_key(words, agency, category),
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        column_config={
            "code": cc.TextColumn("Code"),
            "description": cc.TextColumn("Description", width="medium"),
            "unit": cc.TextColumn("Unit"),
            "value_gbp": cc.NumberColumn("Value (£)", format="%.2f"),
            "price_year": cc.TextColumn("Price year"),
            "agency": cc.TextColumn("Agency"),
        },
    )
    st.caption(uc.ATTRIBUTION + ". Values are in the prices of their own year: see the uprating below.")

    rows = event.selection.rows if event is not None else []
    if rows and rows[0] < len(found):
        _chosen(sc, found.iloc[rows[0]])
    show_problems(AREA)
    _deflator_editor()


def _chosen(sc: Scenario, row: pd.Series) -> None:
    code = row["code"]
    to_year = uc.price_year(sc.settings.price_base)
    st.markdown(
        f"**{code}** {row['description']}  \n{row['agency']}"
        + (f", {row['agency_detail']}" if row["agency_detail"] else "")
    )
    source = "the deflator table as edited for this session" if _deflators_edited() else uc.DEFLATOR_SOURCE
    try:
        up = uc.uprate(row["value_gbp"], row["price_year"], to_year, deflators())
    except uc.DeflatorError as exc:
        st.error(f"{exc} (scenario prices: {to_year}, the price base set on the Programme page)")
        return

    unit = row["unit"].casefold()
    st.markdown("**1. To this scenario's prices** (GDP deflator)")
    d1, d2, d3 = st.columns(3)
    d1.metric(f"Value in {up.from_year} prices", pence(up.value), help=f"{row['unit']}, as published")
    d2.metric(
        f"Deflator {up.from_year} -> {up.to_year}",
        f"x {up.factor:.4f}",
        help=f"index {up.to_year} / index {up.from_year}, from {source}. "
        "Scenario prices are those of its price base (the Programme page).",
    )
    d3.metric(f"Value in {up.to_year} prices", pence(up.uprated), help=unit)
    if up.projected:
        st.caption(
            "A deflator used here is an OBR forecast, not outturn: refresh the table when HM Treasury publishes."
        )
    for fy in up.estimated:
        st.caption(f"The {fy} deflator is estimated from calendar years, not HM Treasury's financial-year figure.")

    conv = uc.annual_factor(row["unit"])
    st.markdown("**2. To a value per outcome per year**")
    times = st.number_input(
        f"Times a year ({unit})",
        min_value=0.0,
        value=float(conv.factor),
        step=1.0,
        format="%.4g",
        key=f"uc-times-{code}",
        help="How many of this unit one additional outcome saves (or gains) in a year",
    )
    if conv.needs_judgement:  # per incident, per hour, ...: only the user knows how many an outcome saves
        st.warning(f"Suggested {conv.factor:g}: {conv.explanation}")
    else:
        st.caption(f"Suggested {conv.factor:g}: {conv.explanation}")
    value = round(up.uprated * times, 2)
    st.markdown(
        f"{pence(up.uprated)} {unit} x {times:g} = **{pence(value)} per outcome per year** in {up.to_year} prices"
    )

    st.markdown("**3. Where it goes**")
    outcomes = sc.outcomes
    if not outcomes:
        st.info("Add an outcome first: a benefit line belongs to an outcome.")
        return
    labels = {o.id: f"{o.label} ({o.id})" for o in outcomes}
    names = {a.id: f"{a.name} ({a.id})" for a in sc.agencies}
    suggestion = uc.suggest_agency(row["agency"], sc)
    o1, o2 = st.columns(2)
    outcome_id = o1.selectbox("Outcome", list(labels), format_func=labels.get, key="uc-outcome")
    agency_id = o2.selectbox(
        "Who benefits",
        sc.agency_ids,
        index=sc.agency_ids.index(suggestion) if suggestion else 0,
        format_func=names.get,
        key=f"uc-benefits-agency-{code}",
        help=f"GMCA says {row['agency']}"
        + (f"; suggested: {suggestion}" if suggestion else "; no scenario agency matches, so choose one"),
    )
    if suggestion is None:
        st.caption(f"No agency in this scenario matches GMCA's '{row['agency']}': choose who benefits.")
    t1, t2, t3 = st.columns(3)
    kind = t1.selectbox("Benefit type", list(BENEFIT_TYPES), key="uc-type")
    cashable = t2.number_input(
        "Cashable share (fiscal)",
        min_value=0.0,
        max_value=1.0,
        value=1.0,
        step=0.05,
        key="uc-cashable",
        disabled=kind != "fiscal",
        help="Share of the saving that can be taken out of a budget as cash",
    )
    welfare = code in uc.welfare_benefit_codes()
    transfer = t3.checkbox(
        "Transfer (a benefit payment)",
        value=welfare,
        key=f"uc-transfer-{code}",
        disabled=kind != "fiscal",
        help="A welfare benefit no longer paid saves that budget but is not value to society: "
        "it is left out of the public value."
        + (f" {code} is a benefit payment, so this is ticked." if welfare else ""),
    )

    if st.button("Add as a benefit line", key="uc-add", type="primary"):
        data = deflators()

        def build() -> dict:
            line = uc.benefit_line_from(
                row, agency_id, data, to_year, type=kind, cashable=cashable, per_year=times, transfer=transfer
            )
            note = uc.provenance(row, data, to_year, per_year=times, deflator_source=source)
            return uc.add_benefit(document(), outcome_id, line, note)

        added = f"Added {pence(value)} a year ({code})"
        st.session_state[ADDED] = f"{added} to {labels[outcome_id]} for {names[agency_id]}."
        if not try_apply(AREA, build):
            st.session_state.pop(ADDED, None)


def _deflator_editor() -> None:
    with st.expander("Deflator table"):
        st.caption(
            "GDP deflator at market prices by financial year (2024/25 = 100). 'projection' rows are OBR forecasts; "
            "'interpolated' rows are estimated from calendar years. Edits apply to this session only and are used "
            "for every uprating above. Details: logic/reference/README.md."
        )
        key = f"uc-deflator-editor-{st.session_state.get(DEFLATORS_VERSION, 0)}"
        edited = st.data_editor(
            deflators(),
            key=key,
            num_rows="dynamic",
            hide_index=True,
            placeholder="",  # a year with no status reads empty, not "None"
            column_config={
                "financial_year": cc.TextColumn("Financial year", help="like 2013/14", required=True),
                "index": cc.NumberColumn("Index", min_value=0.0, format="%.3f", required=True),
                "status": cc.TextColumn("Status"),
            },
        )
        state = st.session_state.get(key) or {}
        if any(state.get(k) for k in ("edited_rows", "added_rows", "deleted_rows")):
            try:
                table = uc.check_deflators(edited)
            except uc.DeflatorError as exc:
                st.error(f"This edit was not applied - the uprating still uses the last valid table.\n\n{exc}")
            else:
                _replace_deflators(table)
        if _deflators_edited():
            st.caption("The table has been edited for this session; notes on added lines say so.")
        if st.button("Reset to HM Treasury figures", key="uc-deflator-reset"):
            _replace_deflators(uc.load_deflators())
