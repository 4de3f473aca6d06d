"""Programme settings, agencies and cohort editors."""

from __future__ import annotations

import streamlit as st

from logic import Scenario
from logic import editing as ed
from logic.evaluation import price_base_label

from .editors import table_editor
from .state import document, show_problems, try_apply, version

cc = st.column_config
KIND_WORDS = {"public": "Public body", "donor": "Donor", "people": "The people themselves"}
TIMING_WORDS = {"start": "At the start of the year", "mid": "Through the year"}


def settings_editor(sc: Scenario) -> None:
    v = version()
    s = sc.settings
    name = st.text_input("Programme name", sc.name, key=f"name-{v}")
    c1, c2, c3, c4 = st.columns(4)
    start = c1.number_input("First delivery year", 1900, 2500, s.start_year, step=1, key=f"start-{v}")
    horizon = c2.number_input(
        "Years appraised", 1, 100, s.horizon_years, step=1, key=f"horizon-{v}", help="Years 0 .. horizon-1 are counted."
    )
    rate = c3.number_input(
        "Discount rate (real)",
        0.0,
        0.2,
        float(s.discount_rate),
        step=0.005,
        format="%.3f",
        key=f"rate-{v}",
        help="HM Treasury Green Book: 0.035",
    )
    schedules = ["constant", "green_book"]
    schedule = c4.selectbox(
        "Discount schedule",
        schedules,
        schedules.index(s.discount_schedule),
        key=f"schedule-{v}",
        format_func=lambda x: {"constant": "Constant", "green_book": "Green Book (declining after 30 years)"}[x],
    )
    d1, d2, d3, d4 = st.columns(4)
    bases = ed.price_base_options(sc)
    base = d1.selectbox(
        "Price base (amounts are in)",
        bases,
        bases.index(s.price_base),
        key=f"price-base-{v}",
        format_func=price_base_label,
        help="Every amount you enter is in the prices of this financial year (real terms). "
        f"Unless you choose, the year before the first delivery year: {price_base_label(s.start_year - 1)}.",
    )
    inflation = d2.number_input(
        "Inflation a year (cash figures)",
        -0.05,
        0.5,
        float(s.inflation),
        step=0.005,
        format="%.3f",
        key=f"inflation-{v}",
        help="Yearly growth of the GDP deflator, to turn real amounts into cash for the financial case "
        "(budgets by year, outcome payments). The economic case stays in real terms. 0.02 = 2% a year.",
    )
    health = d3.number_input(
        "Health discount rate",
        0.0,
        0.2,
        float(s.health_discount_rate),
        step=0.005,
        format="%.3f",
        key=f"health-rate-{v}",
        help="For benefit lines marked 'health' (QALYs, wellbeing): the Green Book's 0.015. "
        "Other lines use the discount rate.",
    )
    timings = ["start", "mid"]
    timing = d4.selectbox(
        "When people arrive",
        timings,
        timings.index(sc.cohort.intake_timing),
        key=f"timing-{v}",
        format_func=TIMING_WORDS.get,
        help="Through the year: on average people arrive half way through their intake year, so every benefit "
        "starts (and ends) half a year later. Costs and outcome payments keep their years.",
    )
    engagement = st.slider(
        "Share of those referred who take part (engagement)",
        0.0,
        1.0,
        float(sc.cohort.engagement_rate),
        0.01,
        key=f"engagement-{v}",
    )
    changes = {
        ("name",): name,
        ("settings", "start_year"): int(start),
        ("settings", "horizon_years"): int(horizon),
        ("settings", "discount_rate"): float(rate),
        ("settings", "discount_schedule"): schedule,
        # Left unchosen, the price base follows the first delivery year; chosen, it stays put.
        ("settings", "price_base_year"): s.price_base_year if base == s.price_base else int(base),
        ("settings", "inflation"): float(inflation),
        ("settings", "health_discount_rate"): float(health),
        ("cohort", "intake_timing"): timing,
        ("cohort", "engagement_rate"): float(engagement),
    }
    current = document()
    if any(_get(current, path) != value for path, value in changes.items()):

        def build():
            doc = current
            for path, value in changes.items():
                doc = ed.set_value(doc, path, value)
            return doc

        try_apply("settings", build)
    show_problems("settings")


def _get(doc: dict, path: tuple):
    """The value at path; None where it is left out (as the document leaves out what is None)."""
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def agencies_editor(sc: Scenario) -> None:
    cols = {
        "id": cc.TextColumn("Id", help="Short name used in the rest of the model"),
        "name": cc.TextColumn("Organisation", width="large", required=True),
        "kind": cc.SelectboxColumn(
            "Kind",
            options=list(ed.AGENCY_KINDS),
            default="public",
            format_func=KIND_WORDS.get,
            help="Public body: counts in the public sector's financial case. Donor: a charity or philanthropist "
            "paying for outcomes. People: the participants' own gains.",
        ),
    }
    table_editor("agencies", ed.agencies_table(sc), cols, lambda df: ed.apply_agencies_table(document(), df))


def intake_editor(sc: Scenario) -> None:
    cols = {
        "year": cc.TextColumn("Year", disabled=True),
        "referred": cc.NumberColumn("People referred", step=1.0, format="%.0f"),
    }
    table_editor("intake", ed.intake_table(sc), cols, lambda df: ed.apply_intake_table(document(), df), dynamic=False)
    v = version()
    c1, c2 = st.columns(2)
    if c1.button(
        "Add an intake year",
        key=f"add-year-{v}",
        disabled=len(sc.cohort.intake) >= sc.settings.horizon_years,
        width="stretch",
    ):
        try_apply("intake", lambda: ed.set_value(document(), ("cohort", "intake"), [*sc.cohort.intake, 0.0]))
    if c2.button("Remove the last year", key=f"drop-year-{v}", disabled=len(sc.cohort.intake) <= 1, width="stretch"):
        try_apply("intake", lambda: ed.set_value(document(), ("cohort", "intake"), sc.cohort.intake[:-1]))
