"""Snapshots in the browser: download the YAML, open it again in a new session, get the same figures.

The Scenarios page holds "Download snapshot (YAML)" and "Open a snapshot (YAML)".
"""

from __future__ import annotations

from pathlib import Path

import yaml
from playwright.sync_api import Page, expect

from logic import DEFAULT_EXAMPLE

from .helpers import DataEditor, app_rerun, go_to, key_figures, open_app


def business_case_figures(page: Page) -> tuple[dict[str, str], str]:
    """The key-figure strip and the economic case's table, as shown on the Business case page."""
    go_to(page, "Business case")
    # Found by its section, not as the page's first table: the browser draws tables as their code arrives,
    # not always in page order.
    economic_case = page.locator(".st-key-economic-case [data-testid='stTable']").inner_text()
    return key_figures(page), economic_case


def download_snapshot(page: Page, folder: Path) -> Path:
    go_to(page, "Scenarios")
    with page.expect_download() as download, app_rerun(page):  # the button also reruns the app
        page.get_by_role("button", name="Download snapshot (YAML)").click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def open_snapshot(page: Page, path: Path) -> None:
    go_to(page, "Scenarios")
    uploader = page.locator("[data-testid='stFileUploader']").filter(has_text="Open a snapshot (YAML)")
    with app_rerun(page):
        uploader.locator("input[type='file']").set_input_files(path)


def test_a_downloaded_snapshot_opens_again_with_the_same_figures(page, app_url, tmp_path):
    open_app(page, app_url)
    example = business_case_figures(page)
    # Change the scenario first, so that opening the file visibly restores something.
    go_to(page, "Outcomes")
    outcomes = DataEditor(page, "nodes-outcome")
    outcomes.set_cell(outcomes.find_row("Id", "out-stays-home"), "Rate with programme", 0.6)
    changed = business_case_figures(page)
    assert changed != example
    saved = download_snapshot(page, tmp_path / "first")
    assert saved.suffix == ".yaml"
    assert "rate_with: 0.6" in saved.read_text(encoding="utf-8")

    open_app(page, app_url)  # a new session, on the bundled example again
    assert business_case_figures(page) == example
    open_snapshot(page, saved)
    expect(page.get_by_text(f"Opened {saved.name}.")).to_be_visible()
    assert business_case_figures(page) == changed

    again = download_snapshot(page, tmp_path / "again")
    assert again.read_bytes() == saved.read_bytes(), "export -> import gives back the same scenario, exactly"


def test_a_snapshot_with_rate_with_above_one_is_refused_with_where_the_problem_is(page, app_url, tmp_path):
    doc = yaml.safe_load(Path(DEFAULT_EXAMPLE).read_text(encoding="utf-8"))
    outcome = next(n for n in doc["nodes"] if n["id"] == "out-stays-home")
    outcome["rate_with"] = 1.4
    bad = tmp_path / "rate-above-one.yaml"
    bad.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    open_app(page, app_url)
    example = business_case_figures(page)
    open_snapshot(page, bad)
    expect(page.get_by_text(f"{bad.name} was not opened")).to_be_visible()
    expect(page.get_by_text("out-stays-home: rate_with must be between 0 and 1, got 1.4")).to_be_visible()
    assert business_case_figures(page) == example, "the scenario on screen is unchanged"
