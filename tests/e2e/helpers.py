"""Small helpers for driving the Streamlit app in a real browser.

Streamlit reruns the whole script after every interaction, and the app's editors rerun it once more
(st.rerun) when an edit is applied. "Done" means: the server has said a run finished successfully
(not "finished early for a rerun") since the action, and the page shows no run in progress. The
server says so in a ForwardMsg on the app's websocket, which is read here; the page's own
running/not-running attribute is not enough, because React may batch a short run away entirely.
Tests then wait for the text they expect, never for a fixed time.
"""

from __future__ import annotations

import contextlib
import re
import time

from playwright.sync_api import Locator, Page, WebSocket, expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

RUN_TIMEOUT_S = 60  # a cold first run (imports, Monte Carlo) on a busy 2-core machine
COMPLETE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


class AppRuns:
    """Counts, from the page's websocket messages, the reruns the page asked for and the runs that finished."""

    def __init__(self) -> None:
        self.requested = 0
        self.finished = 0

    def watch(self, ws: WebSocket) -> None:
        ws.on("framesent", self._on_sent)
        ws.on("framereceived", self._on_received)

    def _on_sent(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.requested += 1

    def _on_received(self, payload: str | bytes) -> None:
        if not isinstance(payload, bytes):
            return
        msg = ForwardMsg.FromString(payload)
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in COMPLETE:
            self.finished += 1


_RUNS: dict[int, AppRuns] = {}


def watch_runs(page: Page) -> None:
    """Start counting runs; call before the page opens the app."""
    runs = _RUNS[id(page)] = AppRuns()
    page.on("websocket", runs.watch)
    page.on("close", lambda _: _RUNS.pop(id(page), None))


def runs_finished(page: Page) -> int:
    return _RUNS[id(page)].finished


def reruns_requested(page: Page) -> int:
    return _RUNS[id(page)].requested


def rerun_was_requested(page: Page, more_than: int, timeout_s: float) -> bool:
    """Did the page ask the app for a rerun (send it a widget's new value) within timeout_s?"""
    deadline = time.monotonic() + timeout_s
    while reruns_requested(page) <= more_than:
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(50)
    return True


def wait_for_runs(page: Page, more_than: int, timeout_s: float = RUN_TIMEOUT_S) -> None:
    """Wait until more than `more_than` runs have finished and the page has drawn the last one."""
    deadline = time.monotonic() + timeout_s
    while runs_finished(page) <= more_than:
        if time.monotonic() > deadline:
            raise AssertionError(f"the app did not finish a run within {timeout_s}s")
        page.wait_for_timeout(50)  # lets Playwright deliver the websocket events
    idle = page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")
    expect(idle).to_have_count(1, timeout=timeout_s * 1000)
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=timeout_s * 1000)


@contextlib.contextmanager
def app_rerun(page: Page, timeout_s: float = RUN_TIMEOUT_S):
    """Wrap an action that makes Streamlit rerun; on exit the rerun is over and drawn."""
    before = runs_finished(page)
    yield
    wait_for_runs(page, before, timeout_s)


def open_app(page: Page, base_url: str, path: str = "") -> None:
    with app_rerun(page):
        page.goto(f"{base_url}/{path}")
    expect(page.locator("[data-testid='stSidebarNav']")).to_be_visible()


def sidebar_link(page: Page, title: str) -> Locator:
    return page.locator("[data-testid='stSidebarNavLink']").filter(has=page.get_by_text(title, exact=True))


def page_titles(page: Page) -> list[str]:
    """The titles in the sidebar, in order (each link's text, without its icon's ligature name)."""
    links = page.locator("[data-testid='stSidebarNavLink'] [data-testid='stMarkdownContainer']")
    return [t.strip() for t in links.all_inner_texts()]


def go_to(page: Page, title: str) -> None:
    """Click a page in the sidebar, as a user does, and wait until it has drawn."""
    link = sidebar_link(page, title)
    if link.get_attribute("aria-current") != "page":  # clicking the page you are on does not rerun
        with app_rerun(page):
            link.click()
    expect(page.locator("h1").first).to_have_text(title)


def key_figure(page: Page, label: str) -> str:
    """The value of a tile in the key-figure strip, e.g. key_figure(page, "NPV (fiscal)") -> "£2.95m"."""
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def money(text: str) -> float:
    """A key-figure amount as a number: "£2.95m" -> 2950000.0, "-£450k" -> -450000.0, "£9,800" -> 9800.0."""
    match = re.fullmatch(r"(-?)[£€$]?([\d,.]+)(bn|m|k)?", text.strip())
    assert match, f"not an amount: {text!r}"
    sign, number, unit = match.groups()
    value = float(number.replace(",", "")) * {"bn": 1e9, "m": 1e6, "k": 1e3, None: 1.0}[unit]
    return -value if sign else value


def key_figures(page: Page) -> dict[str, str]:
    metrics = page.locator("[data-testid='stMetric']")
    labels = [t.strip() for t in metrics.locator("[data-testid='stMetricLabel']").all_inner_texts()]
    values = [t.strip() for t in metrics.locator("[data-testid='stMetricValue']").all_inner_texts()]
    return dict(zip(labels, values))


def graph_svg(page: Page) -> Locator:
    """The theory-of-change map (components/map_canvas.py: the report's SVG, drawn in the page)."""
    return page.locator(".tocmap svg").first


def graph_node_texts(page: Page) -> str:
    """Every line of text drawn in the map's boxes (long labels are split over lines)."""
    return " ".join(graph_svg(page).locator("g.toc-box text").all_text_contents())


def graph_edge_titles(page: Page) -> list[str]:
    """Each link drawn on the map as 'source->target' (node ids)."""
    links = graph_svg(page).locator("g.toc-link")
    return [f"{g.get_attribute('data-source')}->{g.get_attribute('data-target')}" for g in links.all()]


def assert_page_is_healthy(page: Page) -> None:
    """No traceback, no exception box, and not the app's own 'Something went wrong' fallback."""
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    expect(page.get_by_text("Something went wrong drawing this page")).to_have_count(0)


class DataEditor:
    """One st.data_editor, found by its key's area (the key is f"{area}-{scenario version}").

    The grid is drawn on a canvas (glide-data-grid), but once the canvas has focus glide also
    renders an accessible table (th per visible column, td#glide-cell-COL-ROW per visible cell).
    Focusing one of those cells selects it in the grid, so cells are found by column name and
    row number, never by pixel position. Enter opens the cell's editor; typing and Enter commit.
    """

    def __init__(self, page: Page, area: str):
        self.page = page
        self.area = area

    @property
    def root(self) -> Locator:
        # The version in the key changes after every applied edit; the prefix always finds the current one.
        return self.page.locator(f"[class*='st-key-{self.area}-'] [data-testid='stDataFrame']")

    def _show_accessible_table(self) -> None:
        self.root.scroll_into_view_if_needed()
        self.root.locator("[data-testid='data-grid-canvas']").focus()
        self.root.locator("th").first.wait_for(state="attached")

    def headers(self) -> list[str]:
        self._show_accessible_table()
        return [t.strip() for t in self.root.locator("th").all_text_contents()]

    def row_count(self) -> int:
        self._show_accessible_table()
        return self.root.locator("tbody tr").count()

    def _column_index(self, column: str) -> int | None:
        th = self.root.locator("th").filter(has_text=re.compile(rf"^{re.escape(column)}$"))
        return int(th.first.get_attribute("aria-colindex")) if th.count() else None

    def _cell(self, row: int, col: int) -> Locator:
        """The cell at a row and a column's aria-colindex. A dynamic editor's cells are numbered from its row
        markers' column (cell 1 is colindex 1); a fixed one has no such column, so its cell 0 is colindex 1."""
        first = self.root.locator("tbody tr").first.locator("td").first.get_attribute("id")
        offset = int(first.split("-")[2]) - int(self.root.locator("th").first.get_attribute("aria-colindex"))
        return self.root.locator(f"td#glide-cell-{col + offset}-{row}")

    def select_cell(self, row: int, column: str) -> None:
        """Select a cell; columns scrolled out of view are reached with the arrow keys, as a user would."""
        self._show_accessible_table()
        for _ in range(40):
            col = self._column_index(column)
            if col is not None:
                self._cell(row, col).focus()
                return
            last = int(self.root.locator("th").last.get_attribute("aria-colindex"))
            self._cell(row, last).focus()
            self.page.keyboard.press("ArrowRight")  # glide scrolls the next column into view
        raise AssertionError(f"no column {column!r} in {self.area}: {self.headers()}")

    def cell_text(self, row: int, column: str) -> str:
        self.select_cell(row, column)
        col = self._column_index(column)
        return (self._cell(row, col).text_content() or "").strip()

    def find_row(self, column: str, text: str) -> int:
        self._show_accessible_table()
        for row in range(self.row_count()):
            if self.cell_text(row, column) == text:
                return row
        raise AssertionError(f"no row with {column} = {text!r} in {self.area}")

    def add_row(self) -> int:
        """Click the toolbar's "Add row" (shown on hover); returns the new row's index."""
        before = self.row_count()
        self.root.hover()
        self.root.get_by_role("button", name="Add row").click()
        expect(self.root.locator("tbody tr")).to_have_count(before + 1)
        return before

    def set_cell(self, row: int, column: str, value: object, *, rerun: bool = True) -> None:
        """Type a value into a cell and commit it, then wait until the app has rerun with it.

        rerun=False is for a new row that still misses a required cell: Streamlit sends a new row
        to the app only once every required cell has a value, so there is no rerun to wait for.

        Should glide close the cell editor without keeping the value (it did, about one edit in
        ten, when Enter followed the last key at once; see _type_into_selected_cell), nothing is
        sent to the app. A user would see the cell unchanged and type again; so does this, up to
        three times, and says so in the test output.
        """
        text = str(value)
        finished = runs_finished(self.page)
        for _ in range(3):
            requested = reruns_requested(self.page)
            self.select_cell(row, column)
            self._type_into_selected_cell(text)
            if rerun:
                if rerun_was_requested(self.page, requested, timeout_s=3):
                    wait_for_runs(self.page, finished)
                    return
                shown = self._shows(row, column, text)
                assert not shown, f"{self.area}: the grid took {text!r} but did not send it to the app"
            elif self._shows(row, column, text):
                return
            print(f"e2e: the grid dropped an edit ({self.area}, row {row}, {column!r}); typing it again")
        raise AssertionError(f"{self.area} row {row} {column!r} would not take {text!r}")

    def _shows(self, row: int, column: str, text: str, timeout_s: float = 2) -> bool:
        """Does the grid show the value (within timeout_s)? Only while no rerun can replace the grid."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.select_cell(row, column)
            shown = (self._cell(row, self._column_index(column)).text_content() or "").strip()
            if same_value(shown, text):
                return True
            if time.monotonic() > deadline:
                return False
            self.page.wait_for_timeout(100)

    def _type_into_selected_cell(self, text: str) -> None:
        self.page.keyboard.press("Enter")  # opens the cell's editor
        # Glide opens its cell editors in an overlay (outside the grid, in Streamlit's portal).
        cell_editor = self.page.locator("[id^='gdg-overlay-']").locator(".gdg-input, input[role='combobox']").first
        expect(cell_editor).to_be_focused()  # keys typed before it has focus would go to the grid
        if cell_editor.get_attribute("role") == "combobox":
            # A select column: filter the list, then pick the option with exactly this text (the list is
            # portalled outside the overlay).
            self.page.keyboard.type(text)
            self.page.get_by_role("option", name=text, exact=True).click()
        else:
            # On a busy machine the number editor has dropped the first keys of "0.2" (leaving "2"), as a
            # user's fast typing can be: select all and type again, as they would, up to three times.
            for attempt in range(3):
                self.page.keyboard.press("ControlOrMeta+a")
                self.page.keyboard.type(text)
                try:
                    expect(cell_editor).to_have_value(text, timeout=3_000 if attempt < 2 else 15_000)
                    break
                except AssertionError:
                    if attempt == 2:
                        raise
                    print(f"e2e: the cell editor took {cell_editor.input_value()!r} for {text!r}; typing it again")
            # Enter straight after the last key can commit the editor's previous value: let glide
            # render the typed value (two animation frames) before committing it.
            next_frames(self.page)
            self.page.keyboard.press("Enter")

    def fill_new_row(self, row: int, values: dict[str, object]) -> None:
        """Fill a new row's cells in order; the app reruns once, when the last one is in."""
        *first, last = values.items()
        for column, value in first:
            self.set_cell(row, column, value, rerun=False)
        self.set_cell(row, *last)


def next_frames(page: Page, frames: int = 2) -> None:
    """Wait until the browser has drawn `frames` more frames (React and glide have rendered)."""
    page.evaluate(
        """(n) => new Promise((done) => {
            const tick = (k) => (k ? requestAnimationFrame(() => tick(k - 1)) : done());
            tick(n);
        })""",
        frames,
    )


def same_value(shown: str, typed: str) -> bool:
    """The grid shows numbers in the column's format: 0.6 is shown as 0.60."""
    if shown == typed:
        return True
    try:
        return float(shown.replace(",", "")) == float(typed)
    except ValueError:
        return False


def headline_figure(page: Page, figure: str) -> str:
    """A value from the Business case page's "Headline figures" table, e.g. "£2,952,083"."""
    row = page.locator("[data-testid='stTable'] tr").filter(has=page.get_by_text(figure, exact=True))
    return row.locator("td").first.inner_text().strip()


def editor_problem(page: Page) -> Locator:
    """The message the app shows beside an editor when an edit is rejected."""
    return page.get_by_text("This change was not applied")
