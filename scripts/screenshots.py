"""Start the app and save a screenshot of every page (for looking at what users see).

    python scripts/screenshots.py [OUT_DIR] [HEIGHT] [--blank]

--blank starts a blank programme first (New programme page) and walks the pages through the sidebar,
so one session sees every page empty, as a commissioner starting from nothing does.

Uses Debian's Chromium through Playwright.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "",
    "needs",
    "activities",
    "outcomes",
    "impact",
    "business_case",
    "contract",
    "risk_share",
    "uncertainty",
    "scenarios",
    "assumptions_log",
]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TITLES = {
    "": "Programme",
    "needs": "Needs",
    "activities": "Activities",
    "outcomes": "Outcomes",
    "impact": "Impact",
    "business_case": "Business case",
    "contract": "Outcomes contract",
    "risk_share": "Risk share",
    "uncertainty": "Uncertainty",
    "scenarios": "Scenarios",
    "assumptions_log": "Assumptions log",
}


def main(out: Path, height: int = 800, blank: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(4)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": height})
            if blank:
                page.goto(f"http://127.0.0.1:{port}/new_programme")
                page.get_by_role("button", name="Start a blank programme").click()
                time.sleep(6)
            for name in PAGES:
                if blank:
                    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=TITLES[name]).first.click()
                else:
                    page.goto(f"http://127.0.0.1:{port}/{name}")
                page.wait_for_selector("h1", timeout=30_000)
                time.sleep(8)
                page.screenshot(path=str(out / f"{name or 'programme'}.png"), full_page=True)
                print("saved", name or "programme")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--blank"]
    main(
        Path(args[0]) if args else ROOT / "test-artifacts" / "screenshots",
        int(args[1]) if len(args) > 1 else 800,
        blank="--blank" in sys.argv,
    )
