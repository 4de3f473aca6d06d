"""The test markers.

Markers (pytest.ini lists them) come from what a test uses, so no test file has to remember them:

- browser: the real-browser tests (tests/e2e/, Chromium through Playwright);
- libreoffice: the workbook recalculated by LibreOffice;
- postgres: the store on a PostgreSQL server;
- slow: the few tests that take many seconds on their own (long hypothesis runs, process kills).

`pytest -m "not browser and not libreoffice and not postgres and not slow"` is the quick inner loop.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

E2E = ROOT / "tests" / "e2e"
LIBREOFFICE_FIXTURES = {"recalculated", "recalculated_v2", "soffice"}
POSTGRES_FIXTURES = {"pg_url", "postgres_store", "postgres_url"}
# Each takes several seconds on its own on the 2-core machine (measured with --durations).
SLOW = {
    "test_engine_matches_reference_on_random_scenarios",
    "test_engine_matches_reference_v2_random",
    "test_mutated_documents_validate_or_are_refused_readably",
    "test_generated_scenarios_roundtrip_through_the_sqlite_store",
    "test_concurrent_processes_lose_no_version",
    "test_a_process_killed_mid_save_leaves_earlier_versions_intact",
    "test_a_process_killed_inside_the_transaction_commits_nothing",
    "test_benchmark_smoke_run_prints_its_figures",
    "test_export_problems_exit_2_with_a_readable_line",
    "test_export_writes_the_workbook_and_the_report",
    "test_large_runs_are_chunked_without_changing_a_figure",
}


def _uses_postgres(item: pytest.Item) -> bool:
    if POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(v in ("postgresql", "postgres") for v in params.values() if isinstance(v, str))


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath))
        if E2E in path.parents:
            item.add_marker(pytest.mark.browser)
        if LIBREOFFICE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.libreoffice)
        if _uses_postgres(item):
            item.add_marker(pytest.mark.postgres)
        if getattr(item, "originalname", None) in SLOW:
            item.add_marker(pytest.mark.slow)
