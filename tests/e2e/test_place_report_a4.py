"""A place's board report printed on A4 in Chromium: nothing runs off the page.

Here, beside the scenario report's check, because it needs the session's browser (Playwright's sync API
cannot start a second time while the e2e fixtures hold one open).
"""

from __future__ import annotations

import datetime
import re

import pytest
import yaml

from logic.export.place_report import place_report_html
from logic.place import EXAMPLE_PLACE, evaluate_place, load_place

WHEN = datetime.datetime(2030, 1, 2, 9, 30)
# A4 less the report's side margins (13 mm each), in CSS pixels: what a printed line can hold.
A4_TEXT_WIDTH = round((210 - 26) / 25.4 * 96)
LONG = "Very long agency name that a council might really use for its public health directorate and commissioning"


def _many_agencies(tmp_path):
    """The example place with a third programme whose eight agencies have long names: the net cash tables
    then run to two groups of columns, and every agency's name has to wrap."""
    scenario = yaml.safe_load((EXAMPLE_PLACE.parent / "../edge_of_care.yaml").read_text(encoding="utf-8"))
    extra = [{"id": f"agency{i}", "name": f"{LONG} {i}"} for i in range(8)]
    scenario["agencies"] += extra
    outcome = next(n for n in scenario["nodes"] if n["stage"] == "outcome")
    outcome["benefits"] += [{"agency": a["id"], "value": 1000 + i, "type": "fiscal"} for i, a in enumerate(extra)]
    (tmp_path / "wide.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    place = yaml.safe_load(EXAMPLE_PLACE.read_text(encoding="utf-8"))
    for entry in place["programmes"]:
        entry["scenario"] = str((EXAMPLE_PLACE.parent / entry["scenario"]).resolve())
    place["programmes"].append({"scenario": "wide.yaml", "start_year": 2027, "scale": 0.5})
    place["fund"]["members"].append("agency0")
    (tmp_path / "place.yaml").write_text(yaml.safe_dump(place), encoding="utf-8")
    return tmp_path / "place.yaml"


@pytest.mark.parametrize("which", ["example", "many agencies"])
def test_nothing_runs_off_a_printed_a4_page(which, tmp_path, browser):
    path = EXAMPLE_PLACE if which == "example" else _many_agencies(tmp_path)
    html = place_report_html(evaluate_place(load_place(path)), generated=WHEN, source=path.name)
    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": A4_TEXT_WIDTH, "height": 1000})
    page = context.new_page()
    page.goto(report.as_uri())
    page.emulate_media(media="print")
    overflow = page.evaluate(
        """(w) => [...document.querySelectorAll('body *')]
            .map(el => [el.tagName, el.getBoundingClientRect().right, (el.textContent || '').slice(0, 40)])
            .filter(([, right]) => right > w + 1)""",
        A4_TEXT_WIDTH,
    )
    tables = page.evaluate("() => document.querySelectorAll('table').length")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    context.close()
    assert overflow == []
    assert tables >= 6
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 3
