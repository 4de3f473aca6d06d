"""Tests that need a program outside Python (chromium, LibreOffice, PostgreSQL) ask for it here.

A missing dependency skips the test on a developer's machine, but fails it under
scripts/install-and-test.sh (TOC_REQUIRE_ALL=1), so CI can never pass by skipping.
"""

import os
import shutil

import pytest


def require(what: str, available: bool) -> None:
    if available:
        return
    if os.environ.get("TOC_REQUIRE_ALL") == "1":
        pytest.fail(f"{what} is needed by this test and is not available")
    pytest.skip(f"{what} is not available (scripts/install-and-test.sh installs it)")


def require_binary(name: str) -> str:
    path = shutil.which(name)
    require(f"the '{name}' program", path is not None)
    return path


def postgres_url() -> str:
    """A PostgreSQL server the test may create and drop databases on (set by scripts/install-and-test.sh)."""
    url = os.environ.get("TOC_TEST_DATABASE_URL", "")
    require("a PostgreSQL server (TOC_TEST_DATABASE_URL)", bool(url))
    return url
