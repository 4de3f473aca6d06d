"""The board report printed on A4 in Chromium: nothing runs off the page.

Here, not beside the other report tests, because it needs the session's browser: Playwright's sync API
cannot start a second time while the e2e fixtures hold one open.
"""

from __future__ import annotations

import datetime
import re

import pytest

import logic
from logic import load_scenario
from logic.export.html_report import report_html

WHEN = datetime.datetime(2030, 1, 2, 9, 30)
EXAMPLES = {p.stem: p for p in sorted(logic.EXAMPLES.glob("*.yaml"))}
# A4 less the report's side margins (13 mm each), in CSS pixels: what a printed line can hold.
A4_TEXT_WIDTH = round((210 - 26) / 25.4 * 96)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_nothing_runs_off_a_printed_a4_page(name, tmp_path, browser):
    path = tmp_path / "report.html"
    path.write_text(report_html(load_scenario(EXAMPLES[name]), generated=WHEN), encoding="utf-8")
    context = browser.new_context(viewport={"width": A4_TEXT_WIDTH, "height": 1000})
    page = context.new_page()
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    # The theory of change sits on a landscape page of its own, so it is measured apart.
    overflow = page.evaluate(
        """(w) => [...document.querySelectorAll('body *')]
            .filter(el => !el.closest('section.wide'))
            .map(el => [el.tagName, el.getBoundingClientRect().right, (el.textContent || '').slice(0, 40)])
            .filter(([, right]) => right > w + 1)""",
        A4_TEXT_WIDTH,
    )
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    context.close()
    assert overflow == []
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 10
