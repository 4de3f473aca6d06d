"""The Place page's inputs: starting a place, its programmes, its fund, the contributions, and keeping it
(save with versions, reopen, download, open a file). Each change goes through place.try_place."""

from __future__ import annotations

import hashlib

import streamlit as st

from logic import place_views as views
from logic.place import Place, PlaceError, parse_place
from logic.place_model import PAYS_FOR
from logic.place_store import PlaceStore, dump_place
from logic.place_text import POOLED_ITEMS
from logic.presentation import currency_mark
from logic.store import StoreError

from . import place as state
from .auth import can_edit, current_user
from .navigation import KEEPING, page
from .scenarios import store

cc = st.column_config
UPLOADED = "place-uploaded"  # the digest of the last place file opened, so a rerun does not open it again
EXAMPLE_AUTHOR = "Place page (the bundled example)"


def _author_default() -> str:
    user = current_user()
    return user.name if user else st.session_state.get("author", "")


def _scenarios_link() -> None:
    scenarios = next(s for s in KEEPING if s.file == "10_scenarios.py")
    st.page_link(page(scenarios), label="Scenarios: save a programme as a scenario", icon=scenarios.icon)


def _latest(scenario_id: str) -> int | None:
    try:
        versions = store().versions(scenario_id)
    except StoreError:
        return None
    return versions[0].version if versions else None


def _open(place: Place, stored: dict | None, what: str) -> None:
    """Make a place from the store or a file the one on the page, if it reads and evaluates."""
    place = views.pin_versions(place, _latest)
    problems = state.opening_problems(place)
    if problems:
        state.problem_lines(f"{what} was not opened: the place on the page is unchanged.", problems)
        return
    state.set_place(place, stored, keep_stored=False)
    st.rerun()


# --- starting -----------------------------------------------------------------------------------


def start_section() -> None:
    """No place yet: build one from saved scenarios, start from the example, or open a saved place."""
    try:
        saved = store().list_scenarios()
    except StoreError as exc:
        st.error(f"The store cannot be read: {exc}")
        return
    editor = can_edit()
    if not saved:
        with st.container(border=True):
            st.markdown(
                "**No saved scenarios yet.** A place is built from programmes saved in the store: open or build "
                "each programme, then save it on the Scenarios page. Then come back here and pick them."
            )
            _scenarios_link()
    elif editor:
        with st.container(border=True, key="place-build"):
            st.markdown("**Build a place from saved scenarios** (each at its latest version; change it below)")
            name = st.text_input("Name of the place", "Our place", key="place-new-name")
            labels = {s.id: f"{s.name} (version {s.latest_version})" for s in saved}
            chosen = st.multiselect(
                "Programmes (saved scenarios)", list(labels), format_func=labels.get, key="place-new-programmes"
            )
            if st.button("Build the place", type="primary", icon=":material/add_location:", disabled=not chosen):
                latest = {s.id: s.latest_version for s in saved}
                _build(name, [(sid, latest[sid]) for sid in chosen])
    if editor:
        st.markdown(
            "**Or start from the example place**: Anytown's fund for the two bundled example programmes (they are "
            "saved in the store for it, unless the same are there already)."
        )
        if st.button("Start from the example place", icon=":material/location_city:", key="place-example"):
            _example()
    saved_places_section()
    if editor:
        upload_section()


def _build(name: str, chosen: list[tuple[str, int]]) -> None:
    """A new place of saved scenarios (id, version)."""
    try:
        picked = [(sid, v, store().load(sid, v)) for sid, v in chosen]
        doc = views.new_place_document(name.strip() or "Our place", picked)
        place = parse_place(doc)
    except (StoreError, PlaceError) as exc:
        st.error(f"The place was not built: {exc}")
        return
    _open(place, None, "The place")


def _example() -> None:
    try:
        place = views.example_place_in_store(store(), _author_default() or EXAMPLE_AUTHOR)
    except (StoreError, PlaceError) as exc:
        st.error(f"The example place could not be set up: {exc}")
        return
    _open(place, None, "The example place")


# --- where it came from ---------------------------------------------------------------------------


def where_from(place: Place) -> None:
    stored = st.session_state.get(state.PLACE_STORED)
    if stored:
        st.caption(f"**{place.name}**: based on version {stored['version']} of a saved place.")
    else:
        st.caption(f"**{place.name}** is not saved in the store yet (save it at the foot of the page).")


# --- the programmes -------------------------------------------------------------------------------


def programmes_section(place: Place, ev: state.Evaluated) -> None:
    names = [sc.name for sc in ev.loaded.originals] if ev.loaded else None
    key = f"place-programmes-{state.version()}"
    editor = can_edit()
    edited = st.data_editor(
        views.programmes_frame(place, names),
        key=key,
        hide_index=True,
        width="stretch",
        num_rows="delete" if editor else "fixed",
        disabled=True if not editor else ["programme", "saved"],
        placeholder="",
        column_config={
            "programme": cc.TextColumn("Programme", width="medium"),
            "saved": cc.TextColumn("Saved scenario", width="medium"),
            "version": cc.NumberColumn("Version", step=1, format="%d", help="The saved version the place uses."),
            "start_year": cc.NumberColumn("Starts in", step=1, format="%d", help="Its first delivery year."),
            "scale": cc.NumberColumn(
                "Scale", step=0.05, format="%.2f", help="Multiplies its intake only; fixed costs stay as they are."
            ),
        },
    )
    if editor and _edited(key):
        state.try_place("programmes", lambda doc: views.apply_programmes(doc, edited))
    state.show_problems("programmes")
    if editor:
        with st.expander("Add a programme", icon=":material/add:"):
            _add_programme(place)


def _edited(key: str) -> bool:
    changes = st.session_state.get(key)
    return bool(changes) and any(changes.get(k) for k in ("edited_rows", "added_rows", "deleted_rows"))


def _add_programme(place: Place) -> None:
    try:
        saved = store().list_scenarios()
    except StoreError as exc:
        st.error(f"The store cannot be read: {exc}")
        return
    if not saved:
        st.caption("Nothing saved yet.")
        _scenarios_link()
        return
    labels = {s.id: s.name for s in saved}
    a, b, c, d = st.columns([4, 1, 1, 1])
    chosen = a.selectbox("Saved scenario", list(labels), format_func=labels.get, key="place-add-scenario")
    info = next(s for s in saved if s.id == chosen)
    versions = list(range(info.latest_version, 0, -1))
    version = b.selectbox("Version", versions, key=f"place-add-version-{chosen}")
    start = c.number_input("Starts in", 1900, 2500, place.settings.start_year, step=1, key="place-add-start")
    scale = d.number_input("Scale", 0.0, 100.0, 1.0, step=0.05, format="%.2f", key="place-add-scale")
    if st.button("Add to the place", icon=":material/add:", key="place-add"):
        state.try_place("add", lambda doc: views.add_programme(doc, chosen, version, int(start), float(scale)))
    state.show_problems("add")


# --- the fund -------------------------------------------------------------------------------------


def fund_section(place: Place, ev: state.Evaluated) -> None:
    agency_names = _agency_names(place, ev)
    v = state.version()
    fund = place.fund
    editor = can_edit()
    options = list(dict.fromkeys([*agency_names, *fund.members]))
    members = st.multiselect(
        "Members: the agencies that pool their money",
        options,
        default=fund.members,
        format_func=lambda a: agency_names.get(a, a),
        key=f"place-members-{v}",
        disabled=not editor,
    )
    pays_for = st.multiselect(
        "What the fund pays for, instead of its members",
        list(PAYS_FOR),
        default=fund.pays_for,
        format_func=lambda k: POOLED_ITEMS[k].capitalize(),
        key=f"place-pays-for-{v}",
        disabled=not editor,
    )
    a, b, c, d, e = st.columns(5)
    returned = a.number_input(
        "Share of savings a member keeps",
        0.0,
        1.0,
        float(fund.savings_returned),
        step=0.05,
        format="%.2f",
        key=f"place-returned-{v}",
        disabled=not editor,
        help="Of each member's cashable savings, the share it keeps (0.5 = half); the rest is paid into the fund.",
    )
    lag = b.number_input(
        "Savings paid in after (years)",
        0,
        5,
        int(fund.savings_lag_years),
        step=1,
        key=f"place-lag-{v}",
        disabled=not editor,
        help="Savings are paid into the fund once audited, this many years after they are banked.",
    )
    bridge = c.number_input(
        "Interest when overdrawn",
        0.0,
        0.2,
        float(fund.bridge_rate),
        step=0.005,
        format="%.3f",
        key=f"place-bridge-rate-{v}",
        disabled=not editor,
        help="Yearly rate on a negative balance: the cost of the bridging loan (0.05 = 5%).",
    )
    balance = d.number_input(
        "Interest when in credit",
        0.0,
        0.2,
        float(fund.balance_rate),
        step=0.005,
        format="%.3f",
        key=f"place-balance-rate-{v}",
        disabled=not editor,
        help="Yearly rate earned on a positive balance.",
    )
    opening = e.number_input(
        f"Opening balance ({currency_mark(place.settings.currency)})",
        -1e12,
        1e12,
        float(fund.opening_balance),
        step=10000.0,
        format="%.0f",
        key=f"place-opening-{v}",
        disabled=not editor,
    )
    changes = {
        "members": members,
        "pays_for": pays_for,
        "savings_returned": float(returned),
        "savings_lag_years": int(lag),
        "bridge_rate": float(bridge),
        "balance_rate": float(balance),
        "opening_balance": float(opening),
    }
    now = fund.model_dump(mode="json")
    if editor and any(now[k] != x for k, x in changes.items()):
        state.try_place("fund", lambda doc: {**doc, "fund": {**doc.get("fund", {}), **changes}})
    state.show_problems("fund")


def contributions_section(place: Place, ev: state.Evaluated) -> None:
    agency_names = _agency_names(place, ev)
    years = (
        ev.result["years"]
        if ev.result
        else [place.settings.start_year + t for t in range(place.settings.horizon_years)]
    )
    key = f"place-contributions-{state.version()}"
    editor = can_edit()
    cur = currency_mark(place.settings.currency)
    df = views.contributions_frame(place, years)
    columns = {
        "agency": cc.SelectboxColumn(
            "Agency",
            options=list(dict.fromkeys([*agency_names, *place.fund.members, *df["agency"]])),
            required=True,
            help="A member of the fund",
        )
    }
    columns |= {str(y): cc.NumberColumn(f"{y} ({cur})", step=1.0, format="localized") for y in years}
    edited = st.data_editor(
        df,
        key=key,
        hide_index=True,
        width="stretch",
        num_rows="dynamic" if editor else "fixed",
        disabled=not editor,
        placeholder="",
        column_config=columns,
    )
    if editor and _edited(key):
        state.try_place("contributions", lambda doc: views.apply_contributions(doc, edited))
    state.show_problems("contributions")


def settings_section(place: Place) -> None:
    """The place's own name, calendar and discounting."""
    v = state.version()
    s = place.settings
    editor = can_edit()
    name = st.text_input("Name of the place", place.name, key=f"place-name-{v}", disabled=not editor)
    a, b, c, d = st.columns(4)
    start = a.number_input("First year", 1900, 2500, s.start_year, step=1, key=f"place-start-{v}", disabled=not editor)
    horizon = b.number_input(
        "Years appraised", 1, 100, s.horizon_years, step=1, key=f"place-horizon-{v}", disabled=not editor
    )
    rate = c.number_input(
        "Discount rate (real)",
        0.0,
        0.2,
        float(s.discount_rate),
        step=0.005,
        format="%.3f",
        key=f"place-rate-{v}",
        disabled=not editor,
        help="For the combined economic case. HM Treasury Green Book: 0.035.",
    )
    inflation = d.number_input(
        "Inflation a year (cash figures)",
        -0.05,
        0.5,
        float(s.inflation),
        step=0.005,
        format="%.3f",
        key=f"place-inflation-{v}",
        disabled=not editor,
        help="Used for every programme, so all cash is on one index.",
    )
    changes = {"start_year": int(start), "horizon_years": int(horizon), "discount_rate": float(rate)}
    changes["inflation"] = float(inflation)
    if editor and (name != place.name or any(getattr(s, k) != x for k, x in changes.items())):
        state.try_place("settings", lambda doc: {**doc, "name": name, "settings": {**doc["settings"], **changes}})
    state.show_problems("settings")


# --- keeping: save, reopen, download, open a file -------------------------------------------------


def save_section(place: Place) -> None:
    if not can_edit():
        st.caption("You are signed in as a viewer: you can open and download places, but not save them.")
        return
    stored = st.session_state.get(state.PLACE_STORED)
    with st.form("place-save", clear_on_submit=True, border=True):
        author = st.text_input("Your name", value=_author_default(), disabled=current_user() is not None)
        message = st.text_input("What changed, in a sentence", placeholder="e.g. Contributions agreed at the board")
        new = st.checkbox("Save as a new place, not a new version", value=False) if stored else True
        submitted = st.form_submit_button("Save the place", type="primary", icon=":material/save:")
    if not submitted:
        return
    if not author.strip() or not message.strip():
        st.error("Give your name and a short message: the history is only useful if it says who and why.")
        return
    st.session_state["author"] = author.strip()
    pinned = views.pin_versions(place, _latest)  # a saved place always names the versions it was built on
    try:
        info = PlaceStore(store()).save(
            pinned, author.strip(), message.strip(), place_id=None if new or not stored else stored["place_id"]
        )
    except StoreError as exc:
        st.error(f"Not saved: {exc}")
        return
    st.session_state[state.PLACE] = pinned
    st.session_state[state.PLACE_STORED] = {"place_id": info.place_id, "version": info.version}
    st.success(f"Saved as version {info.version} of **{place.name}**.")


def saved_places_section() -> None:
    places = PlaceStore(store())
    try:
        listed = places.list_places()
    except StoreError as exc:
        st.error(f"The saved places cannot be read: {exc}")
        return
    if not listed:
        st.caption("No saved places yet.")
        return
    names = {p.id: f"{p.name} ({p.latest_version} version{'s' if p.latest_version != 1 else ''})" for p in listed}
    a, b = st.columns([3, 1])
    chosen = a.selectbox("Saved place", list(names), format_func=names.get, key="place-saved")
    try:
        versions = places.versions(chosen)
    except StoreError as exc:
        st.error(str(exc))
        return
    numbers = {v.version: v for v in versions}
    picked = b.selectbox(
        "Version", list(numbers), format_func=lambda n: f"Version {n}", key=f"place-saved-version-{chosen}"
    )
    v = numbers[picked]
    st.caption(f"Version {v.version}: {v.message} ({v.author}, {v.created_at:%d %b %Y %H:%M} UTC).")
    if st.button("Open this version", icon=":material/open_in_browser:", key="place-open-version"):
        try:
            opened = places.load(chosen, picked)
        except StoreError as exc:
            st.error(str(exc))
            return
        _open(opened, {"place_id": chosen, "version": picked}, f"Version {picked}")


def upload_section() -> None:
    upload = st.file_uploader(
        "Open a place file (YAML)",
        type=["yaml", "yml"],
        key="place-upload",
        help="A place whose programmes are saved scenarios in this store (saved: ID, version: N).",
    )
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if st.session_state.get(UPLOADED) == digest:
        return
    try:
        opened = views.read_place(data)
    except PlaceError as exc:
        lines = [views.plain_place_problem(line) for line in exc.lines()]
        state.problem_lines(f"**{upload.name}** was not opened: the place on the page is unchanged.", lines)
        return
    st.session_state[UPLOADED] = digest
    _open(opened, None, f"**{upload.name}**")


def keep_section(place: Place) -> None:
    save_section(place)
    st.download_button(
        "Download the place (YAML)",
        dump_place(views.pin_versions(place, _latest)).encode("utf-8"),
        file_name=f"{_stem(place.name)}.yaml",
        mime="application/x-yaml",
        icon=":material/download:",
        help="The place in one file: its programmes by saved id and version, its fund and settings.",
    )
    with st.expander("Open another place, or start again", icon=":material/folder_open:"):
        saved_places_section()
        if can_edit():
            upload_section()
            left, right = st.columns(2)
            if left.button("Start a new place", icon=":material/restart_alt:", key="place-new"):
                state.clear_place()
                st.rerun()
            if right.button("Start from the example place", icon=":material/location_city:", key="place-example-2"):
                _example()


def _stem(name: str) -> str:
    stem = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
    return "-".join(part for part in stem.split("-") if part)[:60] or "place"


def _agency_names(place: Place, ev: state.Evaluated) -> dict[str, str]:
    """Every agency the fund can name: the programmes' (their labels), then members not among them."""
    names = views.agency_labels(ev.loaded) if ev.loaded else {}
    for m in place.fund.members:
        names.setdefault(m, m)
    return names
