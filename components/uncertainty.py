"""The Uncertainty page's sections."""

from __future__ import annotations

from collections import OrderedDict

import streamlit as st

from logic import Scenario, charts, simulate, views
from logic import editing as ed
from logic import uncertainty_views as uv
from logic.case_views import price_base
from logic.engine import UNIT_FIELDS, parameter_paths
from logic.presentation import missing, money, pct
from logic.uncertainty import default_range, key_inputs, tornado

from .auth import can_edit
from .editors import table_editor
from .state import content_key, document, evaluation, try_apply, version
from .tables import figures_table

cc = st.column_config


def _describe(ev, path: str) -> str:
    try:
        return views.describe_path(ev, path)
    except (StopIteration, IndexError, ValueError):  # a path the scenario no longer has
        return path


def inputs_editor(sc: Scenario) -> None:
    ev = evaluation()
    paths = parameter_paths(ev.compiled)
    cols = {
        "path": cc.SelectboxColumn(
            "Uncertain input",
            options=paths,
            required=True,
            width="large",
            help="Which input is uncertain; the snapshot stores it as a path (nodes.ID.field ...).",
            format_func=lambda path: _describe(ev, path),
        ),
        "dist": cc.SelectboxColumn(
            "Distribution",
            options=["triangular", "pert", "uniform", "normal", "mixture"],
            required=True,
            help="mixture: the room's pooled estimates (set by a round of estimates, not typed here)",
        ),
        "low": cc.NumberColumn("Low", format="%.4g", required=True),
        "mode": cc.NumberColumn("Most likely", format="%.4g"),
        "high": cc.NumberColumn("High", format="%.4g", required=True),
        "sd": cc.NumberColumn("Std dev (normal)", format="%.4g"),
    }
    table_editor("uncertain", views.uncertain_inputs_table(ev), cols, lambda df: uv.apply_inputs_table(document(), df))
    for line in uv.pooled_inputs(ev):
        st.caption(f"{line} (a mixture: its low and high are the range the tornado uses).")
    if st.button(
        "Suggest ranges from the evidence grades",
        key=f"suggest-{version()}",
        help="Rates, engagement and unit values: +-5% for grade 1 evidence up to +-40% for grade 6",
    ):
        suggested = [default_range(sc, p).model_dump(exclude_none=True) for p in key_inputs(sc)]
        try_apply("uncertain", lambda: ed.set_uncertain(document(), suggested))


def correlations_editor(sc: Scenario) -> None:
    """The small table of inputs that move together, with the suggestion to pair each rate with its counterfactual."""
    ev = evaluation()
    if len(sc.uncertainty.parameters) < 2 and not sc.uncertainty.correlations:
        return
    st.subheader("Inputs that move together")
    st.caption(
        "Drawn independently, a rate with the programme and its rate without can land far apart, which makes "
        "the effect look far less certain than anyone believes. Pair them here: rho is how closely two inputs "
        "rise and fall together, from -1 (one up, the other down) through 0 (unrelated) to 1 (always together)."
    )
    paths = [p.path for p in sc.uncertainty.parameters]

    def name(path: str) -> str:
        try:
            return uv.describe_path_field_first(ev, path)
        except (StopIteration, IndexError, ValueError):  # a path the scenario no longer has
            return path

    cols = {
        "a": cc.SelectboxColumn("Input", options=paths, required=True, width="medium", format_func=name),
        "b": cc.SelectboxColumn("Moves with", options=paths, required=True, width="medium", format_func=name),
        "rho": cc.NumberColumn(
            "How closely (rho)",
            min_value=-1.0,
            max_value=1.0,
            step=0.05,
            format="%.2f",
            required=True,
            width="small",
            help="-1: one up, the other down; 0: unrelated; 1: always together. The draws' rank correlation.",
        ),
    }
    table_editor(
        "correlations", uv.correlations_table(ev), cols, lambda df: uv.apply_correlations_table(document(), df)
    )
    pairs = uv.rate_pairs(sc)
    if pairs:
        names = ", ".join(_describe(ev, a).split(":")[0] for a, _ in pairs)
        st.caption(
            f"Suggestion: pair each outcome's rate with its rate without ({names}). {uv.SUGGESTED_RHO:g} is a "
            "starting point for the room to discuss, not evidence."
        )
        if can_edit() and st.button(
            "Pair each rate with its rate without", key=f"pair-rates-{version()}", help=f"rho {uv.SUGGESTED_RHO:g}"
        ):
            try_apply("correlations", lambda: uv.with_rate_pairs(document(), sc))
    for node_id in uv.unpaired_rates(sc):
        label = _describe(ev, f"nodes.{node_id}.rate_with").split(":")[0]
        st.caption(
            f"Tip: {label} has an uncertain rate with the programme but a fixed rate without; add the rate "
            "without as an uncertain input above, then pair the two here."
        )


KEEP_SIMULATIONS = 16


@st.cache_resource(show_spinner=False)
def _simulations() -> OrderedDict:
    """Finished simulations shared by all sessions, by (scenario content, draws, seed)."""
    return OrderedDict()


def _simulation(key: str, draws: int, seed: int, sc: Scenario, progress=None):
    # Not st.cache_resource on this function itself: it draws a progress bar, and a cached function
    # that draws cannot be replayed for the next visitor (CacheReplayClosureError).
    done = _simulations()
    wanted = (key, draws, seed)
    if wanted in done:
        return done[wanted]
    sim = simulate(sc, draws=draws, seed=seed, chunks=10, progress=progress)
    done[wanted] = sim
    while len(done) > KEEP_SIMULATIONS:
        done.popitem(last=False)
    return sim


def results(sc: Scenario) -> None:
    ev = evaluation()
    c1, c2 = st.columns(2)
    draws = c1.number_input("Draws", 100, 200_000, sc.uncertainty.draws, step=1000, key="mc-draws")
    seed = c2.number_input("Seed (same seed, same figures)", 0, 2**31 - 1, sc.uncertainty.seed, key="mc-seed")
    if not sc.uncertainty.parameters:
        st.info("No uncertain inputs yet: add some above, or use the suggested ranges.")
        return
    bar = st.progress(0.0, text="Running the simulation...")
    sim = _simulation(
        content_key(sc),
        int(draws),
        int(seed),
        sc,
        progress=lambda x: bar.progress(x, text=f"Running the simulation... {x:.0%}"),
    )
    bar.empty()
    pb = price_base(ev)
    st.subheader("How sure are we?")
    st.caption(
        f"Money figures are present values in real terms, {pb}; the investor's IRR is on its cash flows (nominal)."
    )
    summary = views.simulation_summary(ev, sim)
    figures_table(summary, names=("Figure",), Figure=cc.TextColumn("Figure", width="medium"))
    st.markdown(uv.central_mean_sentence(ev, sim))
    left, right = st.columns(2)
    cur = sc.settings.currency
    npv = views.distribution(sim, "npv_fiscal", cur)
    left.altair_chart(charts.histogram(npv, f"NPV (fiscal), {pb}"), width="stretch")
    if "party:investor" in sim.samples:
        right.altair_chart(
            charts.histogram(views.distribution(sim, "party:investor", cur), f"Investor position (PV), {pb}"),
            width="stretch",
        )
    st.altair_chart(charts.loss_chances(views.loss_chances(ev, sim)), width="stretch")
    st.subheader("What would have to be true")
    rows = tornado(sc, compiled=ev.compiled)
    st.altair_chart(charts.tornado(views.tornado_frame(ev, rows), f"NPV (fiscal), {pb}"), width="stretch")
    st.markdown(
        "**Switching values**: the value of each input (the rest as planned) at which the case breaks even. "
        "Blank: it does not break even anywhere in the input's range."
    )
    figures_table(switching_table(ev), Input=cc.TextColumn("Input", width="large"))


def switching_table(ev):
    """Switching values written as their input is: a rate as a percentage, an amount as money; blank for none."""
    df = views.switching_inputs(ev)
    cur = ev.scenario.settings.currency
    shares = [path.rsplit(".", 1)[-1] in UNIT_FIELDS for path in key_inputs(ev.scenario)]  # the table's rows
    out = df.copy()
    for col in df.columns[1:]:
        out[col] = ["" if missing(v) else pct(v) if share else money(v, cur) for share, v in zip(shares, df[col])]
    return out
