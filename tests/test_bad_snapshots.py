"""Hardening against bad input: a corpus of bad snapshots, each refused cleanly.

tests/bad_snapshots/*.yaml are hand-written, one per kind of mistake and named
for it; tests/bad_snapshots/accepted/ holds awkward files that are valid
(a byte order mark, Windows line endings, JSON). Files too big to commit are
made here, and hypothesis mutates the bundled example into many more.

For every bad file `python -m logic validate|evaluate|simulate FILE` exits 2
with one readable line per problem, each naming where the problem is, and
`load_scenario` raises ScenarioError and nothing else. The timings are a hang
guard, not a benchmark: a 50 MB file or an alias bomb must be refused before
reading it gets expensive.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logic import ScenarioError, load_scenario, parse_scenario
from logic.__main__ import main
from logic.snapshots import MAX_BYTES, MAX_PROBLEMS

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "bad_snapshots"
BAD = sorted(CORPUS.glob("*.yaml"))
ACCEPTED = sorted((CORPUS / "accepted").glob("*.yaml"))
DESIGN_EXAMPLE = Path(__file__).resolve().parent / "data" / "edge_of_care.yaml"
BUNDLED_EXAMPLE = ROOT / "logic" / "examples" / "edge_of_care.yaml"
FAST_YAML = getattr(yaml, "__with_libyaml__", False)  # without libyaml reading is correct but slower
SECONDS = 5  # every refusal, however large the file, finishes within this

# Words that give away a library's internals or Python's; none may reach a user.
NOISE = re.compile(
    r"Traceback|<class|Error\(|object at 0x|Input should|Value error|pydantic|\[key\]|Keys should be strings"
    r"|<stream end>|<block|<document|NoneType|\bdict\b|(^|[\s(])b'|set_int_max_str_digits"
)
# Where a problem is: a line of the file, or the key path of the scenario.
SECTIONS = "format|name|description|settings|agencies|cohort|nodes|edges|contract|uncertainty|log"
LOCATED = re.compile(rf"^(file: (line \d+|is |must |has )|/\S+: |({SECTIONS})\b|unknown key |a key is empty)")

# What each file must be told: a fragment of one of its lines, location first.
EXPECTED = {
    "agency_called_provider.yaml": "agencies[2]: 'provider' is reserved",
    "alias_bomb.yaml": "file: line 3: the aliases (*name), from the first one here on, would expand to more than",
    "astronomically_large.yaml": "contract: cap must be at most 1e+15, got 1e+308",
    "bad_indentation.yaml": "file: line 7, column 2:",
    "benefit_unknown_agency.yaml": "nodes[2] out-stays-home benefits[0]: agency 'police' is not in agencies",
    "binary_tag.yaml": "file: line 4: contains a tag that is not allowed (!!binary)",
    "bond_without_payers.yaml": "contract.outcome_payers: a social_impact_bond contract needs at least one",
    "bool_for_number.yaml": "settings: horizon_years must be a whole number, got true",
    "colon_in_plain_text.yaml": "file: line 4, column 23: mapping values are not allowed",
    "control_character.yaml": "file: line 29, column 28: contains a character YAML does not allow (U+0000)",
    "cost_unknown_payer.yaml": (
        "nodes[1] act-therapy costs[0]: payer 'charity' is not 'provider', 'investor' or an agency id"
    ),
    "custom_tag.yaml": "file: line 8, column 18: contains a tag that is not allowed (!percent)",
    "cycle.yaml": "edges: the links form a cycle: out-stays-home -> out-second -> out-stays-home",
    "date_for_year.yaml": "settings: start_year must be a whole number, got the date 2026-04-01",
    "deeply_nested.yaml": "file: line 3: lists or mappings nested more than 50 deep",
    "deeply_nested_mappings.yaml": "file: line 53: lists or mappings nested more than 50 deep",
    "discount_rate_as_percent.yaml": "settings: discount_rate must be between 0 and 0.2, got 3.5",
    "document_end_only.yaml": "file: line 2, column 1:",
    "duplicate_agency_id.yaml": "agencies[1]: duplicate agency id 'council'",
    "duplicate_node_id.yaml": "nodes[3] out-stays-home: duplicate node id 'out-stays-home'",
    "duplicate_top_level_key.yaml": "file: line 82: duplicate key 'nodes' (first on line 18)",
    "duplicate_yaml_key.yaml": "file: line 43: duplicate key 'rate_with' (first on line 42)",
    "edge_to_missing_node.yaml": "edges[1]: target 'out-stays-at-home' is not a node id",
    "empty.yaml": "file: is empty",
    "empty_agencies.yaml": "agencies must have at least 1 entry",
    "empty_id.yaml": "nodes[3]: id must not be empty",
    "empty_name.yaml": "name must not be empty",
    "empty_value_for_number.yaml": "nodes[2] out-stays-home: price must be a number, got an empty value",
    "evidence_grade_not_in_table.yaml": "nodes[2] out-stays-home: evidence_grade must be one of 1, 2, 3, 4, 5, 6",
    "exponent_without_point.yaml": "contract: cap must be a number, got the text '3e6' (YAML reads this as text; "
    "write it as 3.0e+6)",
    "forbidden_edge.yaml": "edges[4]: a link from impact 'impact-safe-families' to need 'need-care-entry' is not",
    "format_is_a_number.yaml": "format: must be 'toc-business-case/2' (or the older 'toc-business-case/1'), got 1",
    "horizon_not_whole.yaml": "settings: horizon_years must be a whole number, got 10.5",
    "horizon_too_long.yaml": "settings: horizon_years must be at most 100, got 250",
    "horizon_zero.yaml": "settings: horizon_years must be at least 1, got 0",
    "huge_hex_integer.yaml": "file: line 71: a number 10,002 characters long is far too large",
    "huge_integer.yaml": "file: line 71: a number 5,000 characters long is far too large",
    "huge_sexagesimal_integer.yaml": "file: line 71: a number 60,001 characters long is far too large",
    "infinite_value.yaml": "nodes[2] out-stays-home benefits[0]: value must be a finite number, got -inf",
    "intake_longer_than_horizon.yaml": "cohort.intake: has 12 years but the horizon is 10 years",
    "invalid_date.yaml": "file: line 6: 2026-02-30 is not a real date",
    "json_grade_keys_in_quotes.yaml": "settings.optimism_bias: key '1' must be a whole number (remove the quotes)",
    "key_is_a_list.yaml": "file: line 10: a key must be a plain value",
    "key_is_empty.yaml": "settings: a key is empty",
    "key_is_true.yaml": "settings: unknown key true (YAML reads yes, no, on and off as true or false)",
    "lag_not_whole.yaml": "nodes[2] out-stays-home: lag_years must be a whole number, got 1.5",
    "line_break_in_id.yaml": "nodes[3] impact-safe\\nfamilies: id must not contain line breaks",
    "many_problems.yaml": "file: has more problems than are listed here",
    "missing_format.yaml": "format is required",
    "missing_name.yaml": "name is required",
    "missing_nodes.yaml": "nodes is required",
    "missing_settings.yaml": "settings is required",
    "name_too_long.yaml": "name is too long (at most 500 characters)",
    "nan_value.yaml": "nodes[2] out-stays-home: price must be a finite number, got nan",
    "negative_cost.yaml": "nodes[1] act-therapy costs[0]: per_year must be 0 or more, got -120000",
    "negative_intake.yaml": "cohort.intake[1]: must be 0 or more, got -80",
    "node_not_a_mapping.yaml": "nodes[3]: must be a mapping (key: value entries), got 'impact-safe-families'",
    "nodes_is_a_mapping.yaml": "nodes must be a list, got a mapping",
    "non_mapping_list.yaml": "file: must be a mapping of keys to values, got a list",
    "non_mapping_number.yaml": "file: must be a mapping of keys to values, got a number",
    "non_mapping_scalar.yaml": "file: must be a mapping of keys to values, got text",
    "non_utf8_latin1.yaml": "file: is not UTF-8 text (line 3: byte 0xE9 cannot be read)",
    "non_utf8_utf16.yaml": "file: is not UTF-8 text (it is UTF-16 or UTF-32)",
    "non_utf8_utf16_no_bom.yaml": "file: line 1, column 2: contains a character YAML does not allow (U+0000); "
    "delete it; if the file is UTF-16, save it as UTF-8",
    "number_as_text.yaml": "nodes[2] out-stays-home: rate_with must be a number, got the text '0.7'",
    "number_with_units.yaml": "nodes[1] act-therapy costs[0]: setup must be a number, got '£50,000'",
    "omap_tag.yaml": "file: line 11: contains a tag that is not allowed (!!omap)",
    "only_comments.yaml": "file: is empty",
    "outcome_without_counterfactual.yaml": "nodes[2] out-stays-home: rate_without is required for an outcome",
    "python_name_tag.yaml": "file: line 2, column 1: contains a tag that is not allowed (!!python/name:os.system)",
    "python_object_tag.yaml": "file: line 4, column 14: contains a tag that is not allowed (!!python/object/apply",
    "rate_above_one.yaml": "nodes[2] out-stays-home: rate_with must be between 0 and 1, got 1.4",
    "rates_as_percentages.yaml": "cohort: engagement_rate must be between 0 and 1, got 85",
    "recursive_alias.yaml": "file: line 67, column 11: found unconstructable recursive node",
    "self_link.yaml": "edges[3]: 'out-stays-home' links to itself",
    "set_tag.yaml": "file: line 16: contains a tag that is not allowed (!!set)",
    "settings_empty.yaml": "settings must be a mapping (key: value entries), got an empty value",
    "settings_is_a_list.yaml": "settings must be a mapping (key: value entries), got a list",
    "shares_not_summing_to_one.yaml": "contract.outcome_payers: shares must sum to 1, got 1.1",
    "tabs_in_indentation.yaml": "file: line 6, column 1: a tab is used for indenting; indent with spaces",
    "text_for_list.yaml": "cohort: intake must be a list, got '60, 80, 80, 80'",
    "text_for_true_false.yaml": "nodes[2] out-stays-home: accountable must be true or false, got 'maybe'",
    "too_many_aliases.yaml": "file: line 17: more than 200 aliases (*name)",
    "truncated.yaml": "file: line 76, column 1: while parsing a flow node",
    "two_documents.yaml": "file: line 82: a second YAML document starts here",
    "uncertainty_components_without_mixture.yaml": (
        "uncertainty.parameters[0]: components are only for dist: mixture (this one is triangular)"
    ),
    "uncertainty_correlation_pair_twice.yaml": "uncertainty.correlations[1]: nodes.out-stays-home.rate_without and "
    "nodes.out-stays-home.rate_with are already paired in uncertainty.correlations[0]",
    "uncertainty_correlation_rho_above_one.yaml": "uncertainty.correlations[0]: rho must be between -1 and 1, got 70",
    "uncertainty_correlation_same_input.yaml": "uncertainty.correlations[0]: a and b are the same input",
    "uncertainty_correlation_unknown_input.yaml": "uncertainty.correlations[0]: 'nodes.out-stays-home.attribution' "
    "is not one of the uncertain inputs",
    "uncertainty_correlations_impossible.yaml": "uncertainty.correlations: these correlations cannot all hold at once "
    "(the table is not positive definite): [0] nodes.out-stays-home.rate_with ~ nodes.out-stays-home.rate_without "
    "0.9; [1] nodes.out-stays-home.rate_without ~ cohort.engagement_rate 0.9; [2] nodes.out-stays-home.rate_with ~ "
    "cohort.engagement_rate -0.9",
    "uncertainty_low_above_high.yaml": "uncertainty.parameters[1]: low (0.95) must not be above high (0.9)",
    "uncertainty_mixture_component_out_of_range.yaml": (
        "uncertainty.parameters[0].components[1]: the range 30..60 goes outside the valid 0..1"
    ),
    "uncertainty_mixture_weights_not_one.yaml": "uncertainty.parameters[0].components: weights must sum to 1, got 0.9",
    "uncertainty_mixture_without_components.yaml": "uncertainty.parameters[0]: a mixture needs components",
    "uncertainty_path_typo.yaml": "uncertainty.parameters[0]: path 'nodes.out-stays-home.rate_wth' is not an input",
    "unclosed_bracket.yaml": "file: line 17, column 18:",
    "undefined_alias.yaml": "file: line 8, column 18: found undefined alias",
    "unknown_benefit_type.yaml": "nodes[2] out-stays-home benefits[0]: type must be one of 'fiscal', 'economic'",
    "unknown_contract_type.yaml": "contract: type must be one of 'none', 'fee_for_service'",
    "unknown_key_in_benefit.yaml": "nodes[2] out-stays-home benefits[0]: unknown key 'valeu' (check the spelling; "
    "unknown keys are not allowed); did you mean 'value'?",
    "unknown_key_in_node.yaml": "nodes[2] out-stays-home: unknown key 'rate_wth'",
    "unknown_key_top.yaml": "unknown key 'author'",
    "unknown_key_typo_section.yaml": "unknown key 'setings' (check the spelling; unknown keys are not allowed); "
    "did you mean 'settings'?",
    "unknown_stage.yaml": "nodes[3] impact-safe-families: stage must be one of 'need', 'activity'",
    "unknown_strength.yaml": "edges[1]: strength must be one of 'strong', 'medium' or 'weak', got 'very strong'",
    "very_long_key.yaml": "file: line 11, column 5003:",
    "very_long_line.yaml": "nodes[3] impact-safe-families: label is too long (at most 10000 characters)",
    "wrong_format_version.yaml": (
        "format: must be 'toc-business-case/2' (or the older 'toc-business-case/1'), got 'toc-business-case/3'"
    ),
    "wrong_type_horizon.yaml": "settings: horizon_years must be a whole number, got 'ten'",
    "yaml_version_2.yaml": "file: line 2, column 1: found incompatible YAML document",
    "years_too_many.yaml": "nodes[2] out-stays-home: duration_years must be at most 1000, got 5000",
}
# Problems the same files must also report, beside the one above.
ALSO_EXPECTED = {
    "astronomically_large.yaml": [
        "nodes[2] out-stays-home: price must be a finite number, got inf",
        "nodes[1] act-therapy costs[0]: per_participant must be a number, got the text '1e400' "
        "(YAML reads this as text; write it as 1.0e+400)",
    ],
    "bool_for_number.yaml": [
        "cohort: engagement_rate must be a number, got false",
        "nodes[2] out-stays-home: price must be a number, got true",
    ],
    "forbidden_edge.yaml": ["edges[3]: a link from need 'need-care-entry' to outcome 'out-stays-home' is not allowed"],
    "infinite_value.yaml": ["contract: cap must be a finite number, got inf"],
    "nan_value.yaml": ["nodes[2] out-stays-home: rate_without must be a finite number, got nan"],
    "number_as_text.yaml": [
        "settings: start_year must be a whole number, got the text '2026' (remove the quotes)",
        "nodes[2] out-stays-home: rate_with must be a number, got the text '0.7' (remove the quotes)",
    ],
    "number_with_units.yaml": ["settings: discount_rate must be a number, got '3.5%'"],
    "rates_as_percentages.yaml": ["nodes[2] out-stays-home: attribution must be between 0 and 1, got 90"],
}


def cli(*args: str | Path) -> tuple[int, list[str], float]:
    """`python -m logic ARGS` in this process (fast): exit code, output lines (stdout then stderr), seconds."""
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue().splitlines() + err.getvalue().splitlines(), time.perf_counter() - start


def cli_process(*args: str | Path) -> tuple[int, list[str], float]:
    """`python -m logic ARGS` as a user runs it; the timeout only stops a hang."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "logic", *map(str, args)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )
    return proc.returncode, proc.stdout.splitlines() + proc.stderr.splitlines(), time.perf_counter() - start


def assert_readable(lines: list[str]) -> None:
    """One readable line per problem: no internals, each saying where (a line of the file or a key path)."""
    assert lines, "a refusal must say why"
    for line in lines:
        assert not NOISE.search(line), f"{NOISE.search(line).group()!r} in {line!r}"
        assert LOCATED.match(line), f"no location in {line!r}"
        assert len(line) <= 1100, f"a line of {len(line)} characters"


def assert_refused(source) -> list[str]:
    """`load_scenario` raises ScenarioError, and nothing else, with readable lines."""
    try:
        load_scenario(source)
    except ScenarioError as exc:
        lines, message = exc.lines(), str(exc)
    else:
        raise AssertionError("a bad snapshot was accepted")
    assert message == "\n".join(lines)
    assert_readable(lines)
    return lines


# --- the hand-written corpus ---------------------------------------------------------


def test_every_corpus_file_says_what_it_must_be_told():
    names = {p.name for p in BAD}
    assert len(names) >= 100
    assert names == set(EXPECTED), (names - set(EXPECTED), set(EXPECTED) - names)
    assert set(ALSO_EXPECTED) <= names
    assert len(ACCEPTED) >= 5


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_snapshot_is_refused_readably(path):
    code, lines, seconds = cli("validate", path)
    assert code == 2, lines
    assert_readable(lines)
    for fragment in [EXPECTED[path.name], *ALSO_EXPECTED.get(path.name, [])]:
        assert any(fragment in line for line in lines), f"{fragment!r} not in {lines}"
    assert len(lines) <= MAX_PROBLEMS + 1
    assert seconds < SECONDS
    # The Python API says the same, with one exception type, from a path, the bytes or the text.
    assert assert_refused(path) == lines
    assert assert_refused(path.read_bytes()) == lines
    # evaluate and simulate refuse the file the same way, before computing anything.
    for command in (["evaluate", path, "--json"], ["evaluate", path], ["simulate", path, "--json", "--draws", "10"]):
        assert cli(*command)[:2] == (2, lines)


@pytest.mark.parametrize("path", ACCEPTED, ids=[p.stem for p in ACCEPTED])
def test_awkward_but_valid_files_load(path):
    # A byte order mark, Windows line endings, document markers, aliases, JSON: all still YAML.
    code, lines, _ = cli("validate", path)
    assert (code, lines) == (0, ["ok"])
    assert load_scenario(path) == load_scenario(DESIGN_EXAMPLE)


def test_loading_never_runs_a_python_tag():
    code, lines, _ = cli_process("validate", CORPUS / "python_object_tag.yaml")
    assert code == 2
    assert "PWNED" not in lines  # what os.system("echo PWNED") would have printed


SUBPROCESS = [
    "rate_above_one.yaml",
    "empty.yaml",
    "non_utf8_latin1.yaml",
    "python_object_tag.yaml",
    "alias_bomb.yaml",
    "deeply_nested.yaml",
    "huge_integer.yaml",
    "many_problems.yaml",
]


@pytest.mark.parametrize("name", SUBPROCESS)
def test_bad_snapshot_as_a_user_runs_it(name):
    code, lines, seconds = cli_process("validate", CORPUS / name)
    assert code == 2
    assert_readable(lines)
    assert lines == cli("validate", CORPUS / name)[1]
    assert seconds < SECONDS


@pytest.mark.parametrize("command", [["evaluate", "--json"], ["simulate", "--json"]], ids=["evaluate", "simulate"])
def test_evaluate_and_simulate_as_a_user_runs_them(command):
    path = CORPUS / "rate_above_one.yaml"
    code, lines, _ = cli_process(command[0], path, *command[1:])
    assert (code, lines) == (2, ["nodes[2] out-stays-home: rate_with must be between 0 and 1, got 1.4"])


# --- files too big to commit ----------------------------------------------------------------


def _timed_refusal(path: Path) -> list[str]:
    code, lines, seconds = cli_process("validate", path)
    assert code == 2, lines
    assert_readable(lines)
    assert seconds < SECONDS, f"{path.name} took {seconds:.1f} s"
    return lines


def test_a_50_mb_file_is_refused_unread(tmp_path):
    big = tmp_path / "fifty_mb.yaml"
    with big.open("wb") as f:
        f.write(DESIGN_EXAMPLE.read_bytes())
        for _ in range(50):
            f.write(b"# " + b"x" * (1024 * 1024 - 3) + b"\n")
    assert big.stat().st_size > 50 * 1024 * 1024
    (line,) = _timed_refusal(big)
    assert line.startswith(str(big))
    assert "a snapshot may be at most 5 MB" in line


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_refused():
    # /dev/zero says it is empty and never ends: read only as far as the limit.
    (line,) = _timed_refusal(Path("/dev/zero"))
    assert line == "/dev/zero: is more than 5 MB; a snapshot may be at most 5 MB"


# Just under the byte limit, the most expensive shapes YAML has: each must be refused (or read) in moments.
# Made when the test runs (lambdas), so collecting the tests costs nothing.
JUST_UNDER = MAX_BYTES - 100_000
_DESIGN_TEXT = DESIGN_EXAMPLE.read_text(encoding="utf-8")
NEAR_LIMIT = {
    "flow_list": (lambda: "a: [" + "0," * (JUST_UNDER // 2) + "0]\n", "more than 100,000 values"),
    "block_list": (lambda: "a:\n" + "- 0\n" * (JUST_UNDER // 4), "more than 100,000 values"),
    "mapping": (
        lambda: "a: {" + ", ".join(f"k{i:06d}: 0" for i in range(JUST_UNDER // 12)) + "}\n",
        "more than 100,000 values",
    ),
    "documents": (lambda: "---\n" * (JUST_UNDER // 4), "a second YAML document starts here"),
    "brackets": (lambda: "a: " + "[" * (JUST_UNDER // 2) + "]" * (JUST_UNDER // 2) + "\n", "nested more than 50 deep"),
    "aliases": (lambda: "a: &a 0\nb: [" + ", ".join(["*a"] * (JUST_UNDER // 4)) + "]\n", "more than 200 aliases"),
    "one_long_line": (
        lambda: _DESIGN_TEXT.replace("free text", "word " * (JUST_UNDER // 5), 1),
        "description is too long",
    ),
    "comment": (lambda: _DESIGN_TEXT + "#" + " " * JUST_UNDER + "\n", None),
}


@pytest.mark.skipif(not FAST_YAML, reason="the timing needs PyYAML's libyaml reader")
@pytest.mark.parametrize("shape", NEAR_LIMIT)
def test_expensive_shapes_under_5_mb_are_quick(tmp_path, shape):
    make, fragment = NEAR_LIMIT[shape]
    path = tmp_path / f"{shape}.yaml"
    path.write_text(make(), encoding="utf-8")
    assert MAX_BYTES - 200_000 < path.stat().st_size <= MAX_BYTES
    if fragment is None:  # a valid scenario with a long comment: read, and read quickly
        code, lines, seconds = cli_process("validate", path)
        assert (code, lines) == (0, ["ok"])
        assert seconds < SECONDS
    else:
        lines = _timed_refusal(path)
        assert any(fragment in line for line in lines), lines


def test_a_million_brackets_in_text():
    (line,) = assert_refused("a: " + "[" * 1_000_000 + "\n")
    assert "nested more than 50 deep" in line


# --- a corpus generated by mutating the bundled example ----------------------------------------

_EXAMPLE_TEXT = BUNDLED_EXAMPLE.read_bytes()
_EXAMPLE_DOC = yaml.safe_load(_EXAMPLE_TEXT)


def _paths(value, prefix=()) -> list[tuple]:
    """Every key path in the document: ('nodes', 2, 'rate_with'), ..."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


_PATHS = _paths(_EXAMPLE_DOC)
_NUMBER_PATHS = [
    p for p in _PATHS if isinstance(_get(_EXAMPLE_DOC, p), (int, float)) and not isinstance(_get(_EXAMPLE_DOC, p), bool)
]
_NODE_IDS = [n["id"] for n in _EXAMPLE_DOC["nodes"]]
_ODD_VALUES = st.sampled_from(
    [None, "", "text", "0.7", "1e6", True, False, 0, -1, 1.5, 10**30, [], {}, [1, 2], {"a": 1}, "2026-02-30"]
)
_ODD_NUMBERS = st.sampled_from(
    [math.nan, math.inf, -math.inf, -1.0, -1e-9, 1.0000001, 1e15 + 1, 1e300, 10**20, 10**400, 0, 2.5]
)


@st.composite
def _mutated_doc(draw) -> dict:
    doc = copy.deepcopy(_EXAMPLE_DOC)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "retype", "unknown", "number", "duplicate_id", "dangling_edge"]))
        if kind == "delete":
            *parent, last = draw(st.sampled_from(_PATHS))
            holder = _get(doc, parent) if _exists(doc, parent) else None
            if isinstance(holder, dict) and last in holder:
                del holder[last]
            elif isinstance(holder, list) and isinstance(last, int) and last < len(holder):
                del holder[last]
        elif kind == "retype":
            _set(doc, draw(st.sampled_from(_PATHS)), draw(_ODD_VALUES))
        elif kind == "unknown":
            path = draw(st.sampled_from([(), *_PATHS]))
            holder = _get(doc, path) if _exists(doc, path) else None
            if isinstance(holder, dict):
                holder[draw(st.sampled_from(["colour", "rate_wth", "valeu", "Name", "nodes ", "1"]))] = 1
        elif kind == "number":
            _set(doc, draw(st.sampled_from(_NUMBER_PATHS)), draw(_ODD_NUMBERS))
        elif kind == "duplicate_id":
            doc["nodes"].append(copy.deepcopy(doc["nodes"][draw(st.integers(0, len(doc["nodes"]) - 1))]))
        else:
            end = draw(st.sampled_from(["source", "target"]))
            edge = {"source": draw(st.sampled_from(_NODE_IDS)), "target": draw(st.sampled_from(_NODE_IDS))}
            edge[end] = "nowhere"
            if isinstance(doc.get("edges"), list):
                doc["edges"].append(edge)
    return doc


def _exists(doc, path) -> bool:
    try:
        _get(doc, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _set(doc, path, value) -> None:
    *parent, last = path
    if _exists(doc, parent):
        holder = _get(doc, parent)
        if isinstance(holder, dict) or (isinstance(holder, list) and isinstance(last, int) and last < len(holder)):
            holder[last] = value


@st.composite
def _mutated_bytes(draw) -> bytes:
    data = bytearray(_EXAMPLE_TEXT)
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "duplicate_line"]))
    if kind == "truncate":
        return bytes(data[: draw(st.integers(0, len(data)))])
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    lines = bytes(data).split(b"\n")
    at = draw(st.integers(0, len(lines) - 1))
    if kind == "insert":
        junk = draw(
            st.sampled_from([b"\t", b"- ", b": ", b"&a", b"*a", b"!!set", b"---", b"[", b"{", b"'", b"\xff", b"#"])
        )
        lines.insert(at, lines[at][: draw(st.integers(0, len(lines[at])))] + junk)
    else:
        lines.insert(at, lines[at])
    return b"\n".join(lines)


def _check_mutant(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    code, lines, seconds = cli("validate", path)
    assert seconds < SECONDS
    if code == 0:
        assert lines == ["ok"]
        load_scenario(data)  # the API agrees
    else:
        assert code == 2, lines
        assert_readable(lines)
        assert assert_refused(data) == lines


_HYPOTHESIS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def mutant_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mutants") / "mutant.yaml"


@_HYPOTHESIS
@given(doc=_mutated_doc())
def test_mutated_documents_validate_or_are_refused_readably(mutant_path, doc):
    _check_mutant(mutant_path, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode("utf-8"))


@_HYPOTHESIS
@given(data=_mutated_bytes())
def test_mutated_text_validates_or_is_refused_readably(mutant_path, data):
    _check_mutant(mutant_path, data)


# --- the app keeps the last valid scenario -------------------------------------------------------


def _apply_bad_documents():
    """An AppTest script: hand each bad document to the editors' try_apply."""
    import streamlit as st

    from components.state import PROBLEMS, scenario, try_apply
    from logic import dump_scenario

    before = dump_scenario(scenario())
    st.session_state["applied"] = [try_apply(f"bad{i}", lambda d=d: d) for i, d in enumerate(st.session_state["bad"])]
    st.session_state["unchanged"] = dump_scenario(scenario()) == before
    st.session_state["shown"] = dict(st.session_state[PROBLEMS])


def test_the_app_keeps_the_last_valid_scenario():
    from streamlit.testing.v1 import AppTest

    from logic.snapshots import read_yaml

    docs = {}
    for path in BAD:
        try:
            doc = read_yaml(path.read_bytes())
        except ScenarioError:
            continue  # refused before there is a document to edit
        docs[path.name] = doc
    assert len(docs) > 50
    at = AppTest.from_function(_apply_bad_documents, default_timeout=60)
    at.session_state["bad"] = list(docs.values())
    at.run()
    assert not at.exception
    assert at.session_state["applied"] == [False] * len(docs)
    assert at.session_state["unchanged"]
    for i, (name, doc) in enumerate(docs.items()):
        with pytest.raises(ScenarioError) as refused:
            parse_scenario(doc)
        # beside the editor: the same readable lines as the command line gives
        assert at.session_state["shown"][f"bad{i}"] == refused.value.lines(), name
