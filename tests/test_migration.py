"""Opening a format-1 snapshot: the one change of meaning (outcome payments after the horizon now
count) is stated once, with how far each party's position moved. Checked by hand on a small file,
on copies of the old bundled examples, and in the app (opening a file, opening a saved version, and a
format-1 default example)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import logic.store
from logic import dump_scenario, evaluate, load_scenario
from logic.migration import HorizonNotice, horizon_notice, opening_notice, written_format
from logic.snapshots import FORMAT_V1, FORMAT_V2
from logic.store import Store

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
LATE = DATA / "format1_late_payments.yaml"
OLD_EXAMPLES = sorted((DATA / "format1").glob("*.yaml"))


def test_hand_made_file_moves_each_party_as_worked_by_hand():
    sc = load_scenario(LATE)
    notice = opening_notice(LATE, sc)
    assert isinstance(notice, HorizonNotice)
    # Worked in the file's header: the second cohort's 20 outcomes x 1,000 fall in 2029, after 2028.
    assert notice.beyond == pytest.approx(20_000)
    assert (notice.last_year, notice.paid_until) == (2028, 2029)
    moves = {m.party: (m.before, m.after) for m in notice.moves}
    assert moves["council"] == pytest.approx((60_000, 40_000))
    assert moves["investor"] == pytest.approx((10_000, 30_000))
    assert moves["provider"] == pytest.approx((0, 0))
    assert (notice.public_before, notice.public_after) == pytest.approx((60_000, 40_000))
    assert notice.sentences() == [
        "County council: £40,000 now, £60,000 before (down £20,000).",
        "Social investor: £30,000 now, £10,000 before (up £20,000).",
        "The public sector as a whole: £40,000 now, £60,000 before (down £20,000).",
    ]
    text = notice.text()
    assert "The figures now count them." in text and "£20,000 of outcome payments fall after 2028" in text
    assert "Unchanged: Provider." in text and "2025/26 prices" in text


def test_the_notice_compares_evaluate_with_the_format1_cut():
    sc = load_scenario(LATE)
    now, before = evaluate(sc), evaluate(sc, cut_at_horizon=True)
    notice = horizon_notice(sc, FORMAT_V1, now)
    for m in notice.moves:
        assert m.after == now["contract"]["parties"][m.party]
        assert m.before == before["contract"]["parties"][m.party]
    assert before["contract"]["outcome_payments_total"] == pytest.approx(20_000)
    assert now["contract"]["outcome_payments_total"] == pytest.approx(40_000)


@pytest.mark.parametrize("path", OLD_EXAMPLES, ids=lambda p: p.name)
def test_old_bundled_examples_pay_within_the_horizon_so_no_notice(path):
    assert written_format(path) == FORMAT_V1
    sc = load_scenario(path)
    assert opening_notice(path, sc) is None
    # Nothing to say because nothing moved: the format-1 figures are the figures.
    now, before = evaluate(sc), evaluate(sc, cut_at_horizon=True)
    assert now["contract"]["parties"] == pytest.approx(before["contract"]["parties"])
    assert now["contract"]["payments_beyond_horizon"] == 0


def test_a_format2_file_gets_no_notice_even_with_late_payments():
    sc = load_scenario(LATE)
    text = dump_scenario(sc)
    assert written_format(text) == FORMAT_V2
    assert evaluate(sc)["contract"]["payments_beyond_horizon"] > 0
    assert opening_notice(text, sc) is None


def test_written_format_reads_text_bytes_and_paths_and_never_raises():
    text = LATE.read_text()
    assert written_format(text) == written_format(text.encode()) == written_format(LATE) == FORMAT_V1
    assert written_format(b"\xff\xfe not yaml: [") is None
    assert written_format(Path("/no/such/file.yaml")) is None


# --- in the app -----------------------------------------------------------------------------------


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("TOC_DATABASE_URL", url)
    return url


def notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "format 1" in w.value]


def expected_text() -> str:
    return opening_notice(LATE, load_scenario(LATE)).text()


def test_opening_a_format1_file_says_so_once_and_the_figures_count_the_late_payments(store_url):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/10_scenarios.py").run()
    assert notices(at) == []
    at.file_uploader[0].upload("late.yaml", LATE.read_bytes(), "application/x-yaml")
    at.run()
    assert not at.exception
    assert notices(at) == [expected_text()]  # once, beside the file box
    # The next page says it too (above the key figures) until someone has read it.
    at.switch_page("app_pages/7_contract.py").run()
    assert notices(at) == [expected_text()]
    sc = at.session_state["scenario"]
    assert next(m.value for m in at.metric if m.label == "Paid after 2028, counted") == "£20,000"
    assert evaluate(sc)["contract"]["parties"]["investor"] == pytest.approx(30_000)
    at.button(key="format1-notice-ok").click().run()
    assert notices(at) == []
    at.switch_page("app_pages/6_business_case.py").run()
    assert notices(at) == []


def test_opening_a_format2_file_clears_an_earlier_notice(store_url):
    at = AppTest.from_file(str(ROOT / "app_pages" / "10_scenarios.py"), default_timeout=60).run()
    at.file_uploader[0].upload("late.yaml", LATE.read_bytes(), "application/x-yaml")
    at.run()
    assert notices(at)
    other = dump_scenario(load_scenario(OLD_EXAMPLES[0])).encode()
    at.file_uploader[0].upload("other.yaml", other, "application/x-yaml")
    at.run()
    assert notices(at) == []


def test_opening_a_saved_format1_version_says_so(store_url, monkeypatch):
    # A version saved by a release before format 2 holds format-1 text, and the store gives it back as saved.
    old = LATE.read_text()
    with monkeypatch.context() as m:
        m.setattr(logic.store, "_canonical", lambda sc: (old, hashlib.sha256(old.encode()).hexdigest()))
        info = Store(store_url).save(load_scenario(LATE), author="Asha", message="saved long ago")
    assert written_format(Store(store_url).snapshot_text(info.scenario_id)) == FORMAT_V1
    at = AppTest.from_file(str(ROOT / "app_pages" / "10_scenarios.py"), default_timeout=60).run()
    at.button(key="open-version").click().run()
    assert not at.exception
    assert notices(at) == [expected_text()]  # once, beside the saved versions
    assert at.session_state["stored"]["scenario_id"] == info.scenario_id


def test_a_format1_default_example_says_so_on_the_first_page(monkeypatch):
    import components.state

    monkeypatch.setattr(components.state, "DEFAULT_EXAMPLE", LATE)
    at = AppTest.from_file(str(ROOT / "app_pages" / "6_business_case.py"), default_timeout=60).run()
    assert not at.exception
    assert at.session_state["scenario"] == load_scenario(LATE)
    assert notices(at) == [expected_text()]
