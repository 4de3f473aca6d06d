"""Asking the room (logic/elicitation*.py): join codes, what a participant may send, the pooled distribution
(checked against closed forms worked by hand), the rate limit, and turning a round into the input's
uncertainty (`dist: mixture`) with the assumptions log's record."""

from __future__ import annotations

import math

import numpy as np
import pytest

from logic import DEFAULT_EXAMPLE, evaluate, load_scenario, parse_scenario, simulate
from logic.editing import document
from logic.elicitation import (
    ALPHABET,
    CODE_BITS,
    MAX_REASON,
    Answer,
    Component,
    Given,
    Question,
    RateLimit,
    answered,
    beta_cdf,
    check_answer,
    check_name,
    current_answers,
    density_curve,
    display_code,
    mixture_cdf,
    new_code,
    normalise_code,
    pool,
    pools,
    rounded,
    written,
)
from logic.elicitation_charts import answers_chart, answers_frame, pool_chart, pool_frame, scale_domain
from logic.elicitation_use import (
    current_text,
    default_text,
    default_unit,
    log_entry,
    plain,
    question_for,
    set_input,
    spread_text,
    use_pool,
)

RATE = Question("nodes.o.rate_without", "What share?", "%", percent=True, valid_low=0.0, valid_high=1.0)
MONEY = Question("nodes.o.benefits[0].value", "Worth?", "£", percent=False, valid_low=0.0, valid_high=None)


# --- join codes -----------------------------------------------------------------------------


def test_a_join_code_is_8_characters_of_32_without_look_alikes_and_40_bits():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert CODE_BITS == 40 and 32**8 == 2**40
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000  # 2,000 draws from 2^40: a repeat would mean the codes are not random
    assert all(len(c) == 8 and set(c) <= set(ALPHABET) for c in codes)
    # every character turns up: drawn from the whole alphabet
    assert set("".join(codes)) == set(ALPHABET)


def test_a_typed_code_is_read_as_people_type_it():
    assert normalise_code("abcd-efgh") == "ABCDEFGH"
    assert normalise_code(" ab cd ef gh ") == "ABCDEFGH"
    assert normalise_code("O1IL-0000") == "0111" + "0000"  # O is 0; I and L are 1
    assert display_code("ABCDEFGH") == "ABCD-EFGH"
    for bad in (None, "", "ABCDEFG", "ABCDEFGHJ", "ABCDEFGU", "ABCD*FGH"):
        assert normalise_code(bad) is None


# --- what a participant may send ------------------------------------------------------------


def test_an_answer_in_per_cent_is_kept_as_a_rate():
    answer, problems = check_answer(RATE, 40, "55", 70.5, "  Local data  ")
    assert problems == []
    assert answer == Answer(RATE.key, 0.40, 0.55, 0.705, "Local data")


def test_low_above_high_is_refused_with_a_message():
    answer, problems = check_answer(RATE, 70, 55, 40)
    assert answer is None
    assert problems == [
        "Your lowest plausible value (70%) is above your highest (40%): the lowest must not be above the highest."
    ]


@pytest.mark.parametrize(
    ("low", "mode", "high", "words"),
    [
        (40, 80, 70, "must lie between your lowest (40%) and highest (70%)"),
        (-5, 10, 20, "Every value must lie between 0% to 100%"),
        (40, 50, 120, "Every value must lie between 0% to 100%"),
        (None, 50, 60, "Please give your lowest plausible value"),
        ("", 50, 60, "Please give your lowest plausible value"),
        ("forty", 50, 60, "Your lowest plausible value must be a number"),
        (float("nan"), 50, 60, "Your lowest plausible value must be a number"),
        (40, float("inf"), 60, "Your most likely value must be a number"),
    ],
)
def test_bad_answers_are_refused_each_with_a_sentence(low, mode, high, words):
    answer, problems = check_answer(RATE, low, mode, high)
    assert answer is None
    assert any(words in p for p in problems), problems


def test_an_amount_has_no_upper_limit_but_may_not_be_negative():
    assert check_answer(MONEY, 1000, 5000, 1e9)[0] == Answer(MONEY.key, 1000, 5000, 1e9)
    assert check_answer(MONEY, -1, 5000, 6000)[1] == ["No value may be below £0."]


def test_reasoning_is_at_most_500_characters_and_kept_as_plain_text():
    assert check_answer(RATE, 1, 2, 3, "x" * MAX_REASON)[0].reason == "x" * 500
    answer, problems = check_answer(RATE, 1, 2, 3, "x" * 501)
    assert answer is None and problems == ["Please keep your reasoning to 500 characters (it has 501)."]
    # Control characters go (a NUL could not even be stored in PostgreSQL); line breaks stay.
    assert check_answer(RATE, 1, 2, 3, "a\x00b\x1bc\nd")[0].reason == "abc\nd"
    assert check_answer(RATE, 1, 2, 3, "   ")[0].reason is None


def test_a_name_is_optional_and_short():
    assert check_name("  Sam ") == ("Sam", [])
    assert check_name("") == (None, [])
    assert check_name("x" * 81) == (None, ["Please keep your name to 80 characters."])


def test_values_are_written_as_the_room_reads_them():
    assert written(RATE, 0.3512) == "35.1%"
    assert written(RATE, 0.5) == "50%"
    assert written(MONEY, 12000.4) == "£12,000"
    assert written(MONEY, 2.345) == "£2.35"
    assert written(Question("k", "t", "people"), 7) == "7 people"
    assert rounded(RATE, 0.50893) == pytest.approx(0.509, abs=1e-15)
    assert rounded(MONEY, 12345.6) == 12346
    assert rounded(MONEY, 2.345678) == 2.35


def test_free_text_is_escaped_so_it_shows_exactly_as_typed():
    text = "**bold** <b>x</b> [link](javascript:alert(1)) :red[r] # h"
    escaped = plain(text)
    assert "<" not in escaped.replace("\\<", "")
    assert escaped.replace("\\", "") == text  # remove the escapes and it is the same text
    assert plain("two\nlines") == "two lines"


# --- the pool: exact CDFs, checked by hand --------------------------------------------------


def test_the_incomplete_beta_function_matches_its_closed_forms():
    x = np.linspace(0, 1, 41)
    assert beta_cdf(x, 1, 1) == pytest.approx(x, abs=1e-13)
    assert beta_cdf(x, 2, 2) == pytest.approx(3 * x**2 - 2 * x**3, abs=1e-13)
    assert beta_cdf(x, 3, 3) == pytest.approx(10 * x**3 - 15 * x**4 + 6 * x**5, abs=1e-13)
    assert beta_cdf(x, 2.6, 1) == pytest.approx(x**2.6, abs=1e-13)  # I_x(a, 1) = x^a
    assert beta_cdf(x, 1, 4.3) == pytest.approx(1 - (1 - x) ** 4.3, abs=1e-13)  # I_x(1, b) = 1 - (1 - x)^b
    # symmetry I_x(a, b) = 1 - I_{1-x}(b, a), at shapes a PERT makes
    assert beta_cdf(x, 1.8, 4.2) == pytest.approx(1 - beta_cdf(1 - x, 4.2, 1.8), abs=1e-13)


def test_two_opposite_triangles_pool_to_a_uniform():
    # tri(0, 0, 1) has CDF 1 - (1 - x)^2 and tri(0, 1, 1) has x^2: half of each is x, a uniform on 0..1.
    p = pool("q", [Answer("q", 0, 0, 1), Answer("q", 0, 1, 1)], "triangular")
    assert (p.median, p.p5, p.p95) == pytest.approx((0.5, 0.05, 0.95), abs=1e-10)
    assert p.mean == pytest.approx(0.5)  # the means 1/3 and 2/3, equally weighted
    assert mixture_cdf(p.components, [0.1, 0.25, 0.8]) == pytest.approx([0.1, 0.25, 0.8], abs=1e-14)
    assert p.count == 2 and [c.weight for c in p.components] == [0.5, 0.5]


def test_a_pert_peaked_at_its_low_has_quantiles_in_closed_form():
    # PERT(0, 0, 1) is Beta(1, 5): CDF 1 - (1 - x)^5, so the q-quantile is 1 - (1 - q)^(1/5).
    p = pool("q", [Answer("q", 0, 0, 1)], "pert")
    assert p.median == pytest.approx(1 - 0.5 ** (1 / 5), abs=1e-10)
    assert p.p5 == pytest.approx(1 - 0.95 ** (1 / 5), abs=1e-10)
    assert p.p95 == pytest.approx(1 - 0.05 ** (1 / 5), abs=1e-10)
    assert p.mean == pytest.approx(1 / 6)  # (low + 4 mode + high) / 6


def test_a_scaled_pert_keeps_its_quantiles_in_proportion():
    # PERT(40%, 40%, 60%): Beta(1, 5) on 0.4..0.6.
    p = pool("q", [Answer("q", 0.4, 0.4, 0.6)], "pert")
    assert p.median == pytest.approx(0.4 + 0.2 * (1 - 0.5 ** (1 / 5)), abs=1e-10)


def test_a_point_answer_is_a_step_in_the_pooled_cdf():
    # A point at 0.3 and tri(0, 0, 1): F(x) = (1 - (1 - x)^2) / 2 below 0.3, and jumps by 1/2 at 0.3.
    p = pool("q", [Answer("q", 0.3, 0.3, 0.3), Answer("q", 0, 0, 1)], "triangular")
    assert p.median == pytest.approx(0.3, abs=1e-10)  # F(0.3-) = 0.255, F(0.3) = 0.755
    assert p.p5 == pytest.approx(1 - math.sqrt(0.9), abs=1e-10)  # (1 - (1 - x)^2) / 2 = 0.05
    assert p.p95 == pytest.approx(1 - math.sqrt(0.1), abs=1e-10)  # 1/2 + (1 - (1 - x)^2) / 2 = 0.95
    assert p.mean == pytest.approx((0.3 + 1 / 3) / 2)


def test_two_overlapping_symmetric_perts_have_their_median_at_the_centre():
    # PERT(0, 0.5, 1) and PERT(0.5, 1, 1.5), each Beta(3, 3) (CDF 10t^3 - 15t^4 + 6t^5): the pool is symmetric
    # about 0.75, so that is its median. Below 0.5 only the first counts, so the 5% point solves
    # (10x^3 - 15x^4 + 6x^5) / 2 = 0.05, found here by halving the interval by hand; the 95% point mirrors it.
    p = pool("q", [Answer("q", 0, 0.5, 1), Answer("q", 0.5, 1, 1.5)], "pert")
    assert p.median == pytest.approx(0.75, abs=1e-10)
    lo, hi = 0.0, 0.5
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (10 * mid**3 - 15 * mid**4 + 6 * mid**5) / 2 < 0.05 else (lo, mid)
    assert p.p5 == pytest.approx(lo, abs=1e-9)
    assert p.p95 == pytest.approx(1.5 - lo, abs=1e-9)
    assert (p.lowest, p.highest, p.mode_range) == (0, 1.5, (0.5, 1))


def test_the_pooled_density_integrates_to_one():
    p = pool("q", [Answer("q", 0.2, 0.3, 0.6), Answer("q", 0.25, 0.5, 0.55), Answer("q", 0.1, 0.1, 0.3)], "pert")
    xs, ys = density_curve(p, points=4001)
    assert float(np.sum((ys[1:] + ys[:-1]) / 2 * np.diff(xs))) == pytest.approx(1.0, abs=1e-3)
    tri = pool("q", [Answer("q", 0.2, 0.3, 0.6), Answer("q", 0.2, 0.2, 0.3)], "triangular")
    xs, ys = density_curve(tri, points=4001)
    assert float(np.sum((ys[1:] + ys[:-1]) / 2 * np.diff(xs))) == pytest.approx(1.0, abs=1e-3)
    # PERT(0, 0, 1) is Beta(1, 5): density 5 (1 - x)^4, so 5 at its low end.
    xs, ys = density_curve(pool("q", [Answer("q", 0, 0, 1)], "pert"), points=5)
    assert list(ys) == pytest.approx([5 * (1 - x) ** 4 for x in xs])
    assert density_curve(pool("q", [Answer("q", 2, 2, 2)], "pert"))[1].tolist() == [0.0]  # a point has no density


def test_nobody_answering_is_no_pool_and_an_unknown_shape_is_refused():
    assert pool("q", [], "pert") is None
    with pytest.raises(ValueError):
        pool("q", [Answer("q", 0, 0, 1)], "lognormal")


def test_the_pool_is_the_mixture_design_md_describes():
    p = pool("q", [Answer("q", 0.1, 0.2, 0.3), Answer("q", 0.2, 0.3, 0.5), Answer("q", 0.3, 0.3, 0.4)], "pert")
    assert p.mixture() == [
        {"dist": "pert", "low": 0.1, "mode": 0.2, "high": 0.3, "weight": 1 / 3},
        {"dist": "pert", "low": 0.2, "mode": 0.3, "high": 0.5, "weight": 1 / 3},
        {"dist": "pert", "low": 0.3, "mode": 0.3, "high": 0.4, "weight": 1 / 3},
    ]
    assert sum(c["weight"] for c in p.mixture()) == pytest.approx(1, abs=1e-12)
    assert Component("pert", 0.1, 0.2, 0.3, 1).mean == pytest.approx(0.2)


# --- the answers kept, stage by stage -------------------------------------------------------


def _g(who: str, stage: int, low: float, mode: float, high: float, q: str = "q") -> Given:
    return Given(who, stage, Answer(q, low, mode, high))


def test_a_delphi_revision_replaces_the_first_answer_and_who_did_not_revise_keeps_theirs():
    given = [_g("a", 1, 0, 0, 1), _g("b", 1, 0, 1, 1), _g("a", 2, 0, 1, 1), _g("c", 2, 0, 0, 1)]
    first = current_answers(given, 1)["q"]
    assert [(g.participant, g.answer.mode) for g in first] == [("a", 0), ("b", 1)]
    second = current_answers(given, 2)["q"]
    assert [(g.participant, g.stage, g.answer.mode) for g in second] == [("a", 2, 1), ("b", 1, 1), ("c", 2, 0)]
    assert answered(given, 1) == 2 and answered(given, 2) == 3
    # Stage 2 pools a's revision (tri 0,1,1), b's first answer (0,1,1) and c's (0,0,1): F(x) = (2x^2 + 1 - (1-x)^2)/3
    p = pools([RATE.__class__("q", "t")], given, 2, "triangular")["q"]
    assert p.count == 3
    assert mixture_cdf(p.components, [0.5]) == pytest.approx((2 * 0.25 + 0.75) / 3)


# --- the rate limit -------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_participant_may_send_12_times_a_minute():
    clock = Clock()
    limit = RateLimit(clock=clock)
    assert [limit.wait("CODE", "p1") for _ in range(12)] == [0.0] * 12
    clock.now += 10
    assert limit.wait("CODE", "p1") == pytest.approx(50.0)  # the first of the 12 leaves the window in 50 s
    assert limit.wait("CODE", "p2") == 0.0  # someone else is not held up
    assert limit.wait("OTHER", "p1") == 0.0  # nor the same token in another round
    clock.now += 50
    assert limit.wait("CODE", "p1") == 0.0


def test_a_code_takes_at_most_600_submissions_a_minute():
    clock = Clock()
    limit = RateLimit(clock=clock)
    for i in range(600):
        assert limit.wait("CODE", f"p{i % 60}") == 0.0  # 60 people sending 10 times each
    assert limit.wait("CODE", "someone-new") == pytest.approx(60.0)
    clock.now += 60
    assert limit.wait("CODE", "someone-new") == 0.0


def test_forty_people_answering_and_revising_within_a_minute_are_never_held_up():
    limit = RateLimit(clock=Clock())
    assert all(limit.wait("CODE", f"p{i}") == 0.0 for _ in range(3) for i in range(40))


def test_idle_keys_are_forgotten():
    clock = Clock()
    limit = RateLimit(clock=clock)
    for i in range(10_001):
        limit.wait(f"C{i}", "p")
    clock.now += 61
    limit.wait("NEW", "p")
    assert len(limit._seen) == 2  # the new code and its participant


# --- from the scenario to a question, and back ----------------------------------------------


@pytest.fixture(scope="module")
def ev():
    return evaluate(load_scenario(DEFAULT_EXAMPLE))


def test_a_question_about_a_rate_is_asked_in_per_cent_with_the_case_s_value(ev):
    q = question_for(ev, "nodes.out-stays-home.rate_without", show_current=True)
    outcome = next(n for n in ev.scenario.nodes if n.id == "out-stays-home")
    param = next(p for p in ev.scenario.uncertainty.parameters if p.path == q.key)
    assert (q.percent, q.unit, q.valid_low, q.valid_high) == (True, "%", 0.0, 1.0)
    assert q.current == outcome.rate_without and (q.current_low, q.current_high) == (param.low, param.high)
    assert q.text == f"Without the programme, what share would have achieved this anyway: {outcome.label}?"
    assert current_text(q) == "The case now uses 55% (range 48% to 65%)."
    assert current_text(question_for(ev, q.key)) is None  # hidden unless the facilitator shows it


def test_questions_about_amounts_and_other_inputs(ev):
    value = question_for(ev, "nodes.out-stays-home.benefits[0].value", text="  Worth?  ", unit=" £ ")
    assert (value.percent, value.unit, value.valid_high, value.text) == (False, "£", None, "Worth?")
    assert question_for(ev, "nodes.out-stays-home.benefits[0].value").unit == "£"
    assert default_text(ev, "cohort.engagement_rate") == "Of the people referred, what share will take part?"
    assert default_text(ev, "nodes.out-stays-home.rate_with").startswith("Of those who take part")
    assert default_text(ev, "nodes.act-mst.costs[0].per_year").startswith("What is your estimate of this:")
    assert question_for(ev, "settings.discount_rate").percent
    assert question_for(ev, "nodes.act-mst.costs[0].per_year").unit == "£"
    assert question_for(ev, "nodes.out-stays-home.drop_off").current_low is not None
    assert default_unit(ev, "nodes.out-stays-home.lag_years") == ""  # neither a share nor money: no unit


def test_set_input_reaches_every_kind_of_path(ev):
    doc = document(ev.scenario)
    assert set_input(doc, "cohort.engagement_rate", 0.5)["cohort"]["engagement_rate"] == 0.5
    assert set_input(doc, "settings.discount_rate", 0.02)["settings"]["discount_rate"] == 0.02
    node = lambda d, i: next(n for n in d["nodes"] if n["id"] == i)  # noqa: E731
    assert node(set_input(doc, "nodes.out-in-school.rate_with", 0.4), "out-in-school")["rate_with"] == 0.4
    got = set_input(doc, "nodes.out-stays-home.benefits[0].value", 123.0)
    assert node(got, "out-stays-home")["benefits"][0]["value"] == 123.0
    got = set_input(doc, "nodes.act-mst.costs[0].per_year", 9.0)
    assert node(got, "act-mst")["costs"][0]["per_year"] == 9.0
    assert node(doc, "out-in-school")["rate_with"] != 0.4  # the document given is left as it was
    with pytest.raises(KeyError):
        set_input(doc, "nodes.no-such-node.rate_with", 0.1)


def test_node_ids_with_dots_are_found_by_the_longest_match(ev):
    doc = document(ev.scenario)
    doc["nodes"][0]["id"] = "a.b"
    doc["nodes"][1]["id"] = "a"
    got = set_input(doc, "nodes.a.b.population", 7)
    assert got["nodes"][0]["population"] == 7 and got["nodes"][1] == doc["nodes"][1]


def test_use_this_makes_the_pool_the_input_s_uncertainty_and_logs_the_round(ev):
    q = question_for(ev, "nodes.out-stays-home.rate_without")
    answers = [Answer(q.key, 0.40, 0.50, 0.60), Answer(q.key, 0.45, 0.55, 0.70), Answer(q.key, 0.30, 0.45, 0.65)]
    p = pool(q.key, answers, "pert")
    entry = log_entry(q, "Stays out of care: rate without", p, "ABCD-EFGH", 2, True, by="Sam")
    doc = use_pool(document(ev.scenario), q, p, True, entry)
    sc = parse_scenario(doc)
    params = [x for x in sc.uncertainty.parameters if x.path == q.key]
    assert len(params) == 1 and params[0].dist == "mixture"  # the triangular range it had is replaced
    assert [(c.dist, c.low, c.mode, c.high, c.weight) for c in params[0].components] == [
        ("pert", 0.40, 0.50, 0.60, 1 / 3),
        ("pert", 0.45, 0.55, 0.70, 1 / 3),
        ("pert", 0.30, 0.45, 0.65, 1 / 3),
    ]
    assert (params[0].low, params[0].high) == (0.30, 0.70)
    outcome = next(n for n in sc.nodes if n.id == "out-stays-home")
    assert outcome.rate_without == round(p.median, 3)  # the median as the room read it, to 0.1 of a point
    others = [x.path for x in sc.uncertainty.parameters]
    assert others == [x.path for x in ev.scenario.uncertainty.parameters]  # same inputs, same order
    last = sc.log[-1]
    assert (last.what, last.path, last.before, last.by) == (
        "Asked the room: Stays out of care: rate without",
        q.key,
        "55%",
        "Sam",
    )
    assert last.after.startswith("3 people answered: most likely values from 45% to 55%; ranges from 30% to 70%.")
    assert f"median {written(q, p.median)}" in last.after and "second (Delphi) round ABCD-EFGH" in last.after
    assert len(last.when) == 20 and last.when.endswith("Z")


def test_use_this_without_the_median_adds_a_new_uncertain_input_and_keeps_the_value(ev):
    q = question_for(ev, "nodes.out-in-school.rate_with")
    p = pool(q.key, [Answer(q.key, 0.2, 0.3, 0.4)], "triangular")
    sc = parse_scenario(use_pool(document(ev.scenario), q, p, False, None))
    assert sc.uncertainty.parameters[-1].path == q.key and sc.uncertainty.parameters[-1].dist == "mixture"
    assert next(n for n in sc.nodes if n.id == "out-in-school").rate_with == q.current
    assert sc.log == ev.scenario.log
    entry = log_entry(q, "x", p, "ABCD-EFGH", 1, False)
    assert "1 person answered: most likely value 30%" in entry["after"] and entry["after"].endswith("ABCD-EFGH).")


def test_the_pooled_input_changes_the_monte_carlo(ev):
    q = question_for(ev, "nodes.out-stays-home.rate_without")
    low_counterfactual = pool(q.key, [Answer(q.key, 0.20, 0.25, 0.30), Answer(q.key, 0.25, 0.30, 0.40)], "pert")
    sc = parse_scenario(use_pool(document(ev.scenario), q, low_counterfactual, False, None))
    before = simulate(ev.scenario, draws=2000, seed=3).summary("npv_fiscal")
    after = simulate(sc, draws=2000, seed=3).summary("npv_fiscal")
    # A counterfactual of 20-40% instead of about 55%: far more of the outcome is the programme's own doing.
    assert after["p50"] > before["p50"] + 1_000_000


def test_the_spread_in_words(ev):
    q = question_for(ev, "nodes.out-stays-home.rate_without")
    assert spread_text(q, None) == "Nobody has answered this yet."
    p = pool(q.key, [Answer(q.key, 0, 0, 1), Answer(q.key, 0, 1, 1)], "triangular")
    assert spread_text(q, p) == (
        "2 people answered: most likely values from 0% to 100%; ranges from 0% to 100%. "
        "Pooled: median 50%, 90% range 5% to 95%."
    )


# --- the live view's charts ------------------------------------------------------------------


def test_the_answers_are_drawn_in_order_of_most_likely_with_no_names():
    answers = [Answer("q", 0.5, 0.6, 0.7, "why"), Answer("q", 0.1, 0.2, 0.9)]
    df = answers_frame(RATE, answers)
    assert list(df["answer"]) == [1, 2]
    assert list(df["mode"]) == pytest.approx([20, 60])  # per cent
    assert list(df.columns) == ["answer", "low", "mode", "high", "range"]
    p = pool("q", answers, "pert")
    domain = scale_domain(RATE, answers, p)
    assert domain == pytest.approx([6, 94])  # 10%..90%, widened by 5% of the span each side
    assert answers_chart(RATE, answers, domain).to_dict()["layer"]
    frame = pool_frame(RATE, p)
    assert frame["x"].min() == pytest.approx(10) and frame["x"].max() == pytest.approx(90)
    spec = pool_chart(RATE, p, domain).to_dict()
    assert "Median" in spec["title"]["subtitle"]


def test_the_shared_scale_stays_within_the_valid_range():
    answers = [Answer("q", 0.0, 0.01, 0.02)]
    assert scale_domain(RATE, answers, None)[0] == 0
    assert scale_domain(MONEY, [Answer("m", 5, 5, 5)], None) == pytest.approx([4.5, 5.5])
    assert scale_domain(RATE, [], None) == pytest.approx([0, 100])
