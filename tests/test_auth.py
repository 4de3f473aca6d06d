"""Optional sign-in: password hashes, the [auth] settings, lockout, and the gate under AppTest."""

from __future__ import annotations

import base64
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import streamlit
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

import logic.auth as auth
from logic.auth import (
    ROLES,
    AuthConfig,
    ConfigError,
    Throttle,
    User,
    authenticate,
    hash_password,
    verify_password,
)

ROOT = Path(__file__).resolve().parent.parent
GATE_APP = str(ROOT / "tests" / "auth_app.py")

# The weakest parameters a config accepts: a quarter of the default's cost keeps these tests quick.
FAST = {"n": 2**14, "r": 8, "p": 1}
ALICE_PW = "alice's long passphrase"
BOB_PW = "bob-likes-turnips"


@pytest.fixture(scope="module")
def hashes() -> dict[str, str]:
    return {"alice": hash_password(ALICE_PW, **FAST), "bob": hash_password(BOB_PW, **FAST)}


@pytest.fixture
def auth_section(hashes) -> dict:
    return {
        "enabled": True,
        "users": {
            "alice": {"password_hash": hashes["alice"], "role": "editor"},
            "bob": {"password_hash": hashes["bob"], "role": "viewer"},
        },
    }


@pytest.fixture
def config(auth_section) -> AuthConfig:
    return AuthConfig.from_secrets({"auth": auth_section})


@pytest.fixture(autouse=True)
def fresh_throttle():
    # The process-wide lockout must not carry failures from one test into the next.
    auth.THROTTLE.clear()
    yield
    auth.THROTTLE.clear()


# --- hashing ---------------------------------------------------------------------------------


def test_hash_round_trip_with_the_default_parameters():
    stored = hash_password("correct horse battery staple")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", auth.SCRYPT_N, auth.SCRYPT_R, auth.SCRYPT_P)
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32
    assert verify_password("correct horse battery staple", stored)
    assert not verify_password("correct horse battery stapler", stored)


def test_salts_differ_so_equal_passwords_give_different_hashes(hashes):
    again = hash_password(ALICE_PW, **FAST)
    assert again != hashes["alice"]
    assert again.split("$")[4] != hashes["alice"].split("$")[4]
    assert verify_password(ALICE_PW, again) and verify_password(ALICE_PW, hashes["alice"])


@pytest.mark.parametrize("wrong", ["", "alice's long passphrasE", BOB_PW, " " + ALICE_PW, "x" * 2000, None, 42])
def test_wrong_password_is_rejected(hashes, wrong):
    assert verify_password(wrong, hashes["alice"]) is False


def test_equivalent_unicode_spellings_match():
    stored = hash_password("caf\u00e9 au lait", **FAST)  # é as one code point
    assert verify_password("cafe\u0301 au lait", stored)  # e + combining accent


def test_a_changed_digest_is_rejected(hashes):
    parts = hashes["alice"].split("$")
    digest = bytearray(base64.b64decode(parts[5]))
    digest[0] ^= 1
    parts[5] = base64.b64encode(bytes(digest)).decode()
    assert not verify_password(ALICE_PW, "$".join(parts))


def _with(stored: str, index: int, value: str) -> str:
    parts = stored.split("$")
    parts[index] = value
    return "$".join(parts)


MALFORMED = {
    "empty": lambda h: "",
    "plain text": lambda h: ALICE_PW,
    "other scheme": lambda h: _with(h, 0, "bcrypt"),
    "too few parts": lambda h: h.rsplit("$", 1)[0],
    "too many parts": lambda h: h + "$x",
    "n not a number": lambda h: _with(h, 1, "lots"),
    "n with a sign": lambda h: _with(h, 1, "+16384"),
    "n not a power of 2": lambda h: _with(h, 1, "20000"),
    "n too weak": lambda h: _with(h, 1, "1024"),
    # Must be refused before scrypt is asked for terabytes.
    "n absurd": lambda h: _with(h, 1, str(2**40)),
    "r zero": lambda h: _with(h, 2, "0"),
    "p absurd": lambda h: _with(h, 3, "1000"),
    "salt not base64": lambda h: _with(h, 4, "not base64!"),
    "salt too short": lambda h: _with(h, 4, base64.b64encode(b"short").decode()),
    "digest empty": lambda h: _with(h, 5, ""),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_hash_verifies_false_and_never_raises(hashes, case):
    assert verify_password(ALICE_PW, MALFORMED[case](hashes["alice"])) is False


@pytest.mark.parametrize("stored", [None, 42, b"scrypt$16384$8$1$aa$bb"])
def test_a_hash_that_is_not_a_string_verifies_false(stored):
    assert verify_password(ALICE_PW, stored) is False


def test_hash_password_refuses_an_empty_password_and_bad_parameters():
    with pytest.raises(ValueError):
        hash_password("")
    with pytest.raises(ValueError):
        hash_password("long enough", n=1000)


# --- configuration ---------------------------------------------------------------------------


def test_no_auth_section_means_sign_in_is_off():
    assert AuthConfig.from_secrets({}) is None
    assert AuthConfig.from_secrets({"database_url": "postgresql://x"}) is None


def test_enabled_false_turns_sign_in_off_even_with_problems_below(auth_section):
    auth_section["enabled"] = False
    auth_section["users"]["alice"]["role"] = "admin"
    assert AuthConfig.from_secrets({"auth": auth_section}) is None


def test_a_section_without_enabled_is_on(auth_section):
    # Fail closed: the section is there, so sign-in was wanted.
    del auth_section["enabled"]
    config = AuthConfig.from_secrets({"auth": auth_section})
    assert config is not None and set(config.users) == {"alice", "bob"}
    assert config.user("alice") == User("alice", "editor") and config.user("bob") == User("bob", "viewer")
    assert config.user("carol") is None and config.user(None) is None


def test_streamlits_own_cookie_secret_may_sit_in_the_section(auth_section):
    auth_section["cookie_secret"] = "xyz"
    assert AuthConfig.from_secrets({"auth": auth_section}) is not None


def test_the_config_does_not_show_hashes_in_its_repr(config, hashes):
    assert hashes["alice"] not in repr(config)


def _problems(section) -> str:
    with pytest.raises(ConfigError) as caught:
        AuthConfig.from_secrets({"auth": section})
    return str(caught.value)


def test_a_plain_text_password_is_refused_without_echoing_it(auth_section):
    auth_section["users"]["bob"]["password"] = "hunter2-in-the-clear"
    message = _problems(auth_section)
    assert "[auth.users.bob]" in message and "plain-text" in message and "python -m logic.auth" in message
    assert "hunter2" not in message


def test_a_plain_text_password_instead_of_a_hash_is_refused():
    message = _problems({"users": {"bob": {"password": "hunter2", "role": "viewer"}}})
    assert "plain-text" in message and "no password_hash" in message and "hunter2" not in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["users"]["alice"].update(role="admin"), "role must be one of viewer, editor, got 'admin'"),
        (lambda s: s["users"]["alice"].pop("role"), "role must be one of"),
        (lambda s: s["users"]["alice"].update(password_hash="scrypt$nonsense"), "password_hash is malformed"),
        (lambda s: s["users"]["alice"].update(password_hash=hash_password("x", **FAST)[:-8]), "malformed"),
        (lambda s: s["users"]["alice"].pop("password_hash"), "no password_hash"),
        (lambda s: s["users"]["alice"].update(passwordhash="x"), "unknown keys passwordhash"),
        (lambda s: s.update(enable=True), "[auth] has unknown keys enable"),
        (lambda s: s.update(enabled="false"), "enabled must be true or false"),
        (lambda s: s.update(users={}), "no users are listed"),
        (lambda s: s.update(users="alice"), "[auth.users] must be a section"),
        (lambda s: s["users"].update(carol="editor"), "[auth.users.carol] must be a section"),
        (lambda s: s["users"].update({" carol": s["users"]["alice"]}), "leading or trailing spaces"),
    ],
)
def test_config_problems_are_readable_errors(auth_section, change, expected):
    change(auth_section)
    assert expected in _problems(auth_section)


def test_auth_that_is_not_a_section_is_an_error():
    with pytest.raises(ConfigError, match="must be a section"):
        AuthConfig.from_secrets({"auth": "on"})


def test_every_problem_is_reported_at_once(auth_section):
    auth_section["users"]["alice"]["role"] = "owner"
    auth_section["users"]["bob"]["password_hash"] = "oops"
    with pytest.raises(ConfigError) as caught:
        AuthConfig.from_secrets({"auth": auth_section})
    assert len(caught.value.problems) == 2


# --- authenticate and the lockout ------------------------------------------------------------


def test_authenticate_returns_the_user_with_their_role(config):
    assert authenticate(config, "alice", ALICE_PW) == User("alice", "editor")
    assert authenticate(config, " bob ", BOB_PW) == User("bob", "viewer")  # stray spaces around the name
    assert ROLES == ("viewer", "editor")


def test_authenticate_refuses_a_wrong_password_and_another_users_password(config):
    assert authenticate(config, "alice", "guess") is None
    assert authenticate(config, "alice", BOB_PW) is None
    assert authenticate(config, "Alice", ALICE_PW) is None  # names are exact


def test_an_unknown_user_costs_one_scrypt_with_the_same_parameters(config, monkeypatch):
    calls = []
    real = auth._scrypt

    def counting(password, salt, n, r, p, dklen):
        calls.append((n, r, p))
        return real(password, salt, n, r, p, dklen)

    auth._dummy_hash(FAST["n"], FAST["r"], FAST["p"])  # made once per process; not part of the timing
    monkeypatch.setattr(auth, "_scrypt", counting)
    assert authenticate(config, "mallory", ALICE_PW) is None
    assert calls == [(FAST["n"], FAST["r"], FAST["p"])]
    calls.clear()
    assert authenticate(config, "alice", "wrong") is None
    assert calls == [(FAST["n"], FAST["r"], FAST["p"])]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_lock_a_name_for_thirty_seconds(config):
    clock = Clock()
    throttle = Throttle(clock=clock)
    for _ in range(4):
        assert authenticate(config, "alice", "guess", throttle=throttle) is None
    assert throttle.locked_for("alice") == 0
    assert authenticate(config, "alice", "guess", throttle=throttle) is None
    assert throttle.locked_for("alice") == 30
    # Locked: even the right password is refused, and the other users are not affected.
    assert authenticate(config, "alice", ALICE_PW, throttle=throttle) is None
    assert authenticate(config, "bob", BOB_PW, throttle=throttle) == User("bob", "viewer")
    clock.now += 29
    assert authenticate(config, "alice", ALICE_PW, throttle=throttle) is None
    clock.now += 1.5
    assert authenticate(config, "alice", ALICE_PW, throttle=throttle) == User("alice", "editor")


def test_success_resets_the_count_and_unknown_names_lock_the_same(config):
    throttle = Throttle(clock=Clock())
    for _ in range(4):
        authenticate(config, "alice", "guess", throttle=throttle)
    assert authenticate(config, "alice", ALICE_PW, throttle=throttle)
    authenticate(config, "alice", "guess", throttle=throttle)
    assert throttle.locked_for("alice") == 0
    for _ in range(5):
        authenticate(config, "nobody", "guess", throttle=throttle)
    assert throttle.locked_for("nobody") == 30  # so a lockout does not tell who has an account


def test_the_throttle_keeps_a_bounded_number_of_names(monkeypatch):
    monkeypatch.setattr(Throttle, "MAX_NAMES", 3)
    throttle = Throttle(clock=Clock())
    for i in range(10):
        throttle.failed(f"name{i}")
    assert list(throttle._failures) == ["name7", "name8", "name9"]


# --- python -m logic.auth --------------------------------------------------------------------


def _cli(monkeypatch, capsys, answers, argv):
    replies = iter(answers)
    monkeypatch.setattr(auth.getpass, "getpass", lambda prompt="": next(replies))
    code = auth.main(argv)
    return code, capsys.readouterr()


def test_the_command_prints_a_section_that_the_config_accepts(monkeypatch, capsys):
    code, out = _cli(monkeypatch, capsys, ["a good passphrase"] * 2, ["Carol Jones", "--role", "editor"])
    assert code == 0
    secrets = tomllib.loads("[auth]\n" + out.out)
    config = AuthConfig.from_secrets(secrets)
    assert config.user("Carol Jones") == User("Carol Jones", "editor")
    assert verify_password("a good passphrase", secrets["auth"]["users"]["Carol Jones"]["password_hash"])


def test_the_command_prints_just_the_hash_line(monkeypatch, capsys):
    code, out = _cli(monkeypatch, capsys, ["a good passphrase"] * 2, [])
    assert code == 0 and out.out.startswith('password_hash = "scrypt$')
    assert verify_password("a good passphrase", tomllib.loads(out.out)["password_hash"])


@pytest.mark.parametrize("answers", [["a good passphrase", "a good passphrasE"], ["short", "short"]])
def test_the_command_refuses_mismatched_or_short_passwords(monkeypatch, capsys, answers):
    code, out = _cli(monkeypatch, capsys, answers, [])
    assert code == 1 and out.out == "" and out.err


def test_logic_auth_does_not_import_streamlit():
    code = "import sys, logic.auth; assert 'streamlit' not in sys.modules, 'streamlit imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --- the gate, under AppTest -----------------------------------------------------------------


def _app(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(GATE_APP, default_timeout=30)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    return at.run()


def _everything(at: AppTest) -> str:
    """Every text the run sent, main area and sidebar, for checking what a stranger can see."""
    texts = []
    for kind in ("markdown", "caption", "title", "error", "text_input", "button"):
        for el in getattr(at, kind):
            texts.append(str(getattr(el, "label", None) or el.value))
    return "\n".join(texts)


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    fields = {t.label: t for t in at.text_input}
    fields["Name"].input(name)
    fields["Password"].input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()


def _only_the_form(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert [t.label for t in at.text_input] == ["Name", "Password"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert "SECRET" not in _everything(at)
    assert not at.sidebar.children  # no navigation, no scenario name, nothing


def test_a_stranger_sees_only_the_sign_in_form(auth_section):
    at = _app({"auth": auth_section})
    _only_the_form(at)
    assert not at.error


def test_a_wrong_password_shows_an_error_and_only_the_form(auth_section):
    at = _sign_in(_app({"auth": auth_section}), "alice", "guess")
    _only_the_form(at)
    assert [e.value for e in at.error] == ["That name and password do not match."]


def test_an_unknown_name_gets_the_same_message(auth_section):
    at = _sign_in(_app({"auth": auth_section}), "mallory", ALICE_PW)
    _only_the_form(at)
    assert [e.value for e in at.error] == ["That name and password do not match."]


def test_an_editor_signs_in_sees_the_content_and_can_edit(auth_section):
    at = _sign_in(_app({"auth": auth_section}), "alice", ALICE_PW)
    assert not at.exception and not at.error
    shown = [m.value for m in at.markdown]
    assert "SECRET CONTENT" in shown and "can_edit=True" in shown
    assert "user=User(name='alice', role='editor')" in shown
    assert "Signed in as **alice** (editor)" in [c.value for c in at.sidebar.caption]
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert not at.text_input  # the form is gone


def test_a_viewer_signs_in_and_cannot_edit(auth_section):
    at = _sign_in(_app({"auth": auth_section}), "bob", BOB_PW)
    shown = [m.value for m in at.markdown]
    assert "SECRET CONTENT" in shown and "can_edit=False" in shown


def test_signing_out_returns_to_the_form_and_forgets_the_session(auth_section):
    at = _sign_in(_app({"auth": auth_section}), "alice", ALICE_PW)
    at.session_state["scenario"] = "alice's working copy"
    at.sidebar.button[0].click()
    at = at.run()
    _only_the_form(at)
    assert "scenario" not in at.session_state


def test_a_role_changed_in_secrets_applies_on_the_next_run(auth_section):
    at = _sign_in(_app({"auth": auth_section}), "alice", ALICE_PW)
    auth_section["users"]["alice"]["role"] = "viewer"
    at.secrets["auth"] = auth_section
    assert "can_edit=False" in [m.value for m in at.run().markdown]
    del auth_section["users"]["alice"]
    at.secrets["auth"] = auth_section
    _only_the_form(at.run())


def test_repeated_failures_lock_the_name_in_the_form(auth_section):
    at = _app({"auth": auth_section})
    for _ in range(5):
        at = _sign_in(at, "bob", "guess")
    at = _sign_in(at, "bob", BOB_PW)
    _only_the_form(at)
    assert "Too many wrong attempts" in at.error[0].value


def test_with_sign_in_off_the_content_shows_and_everyone_edits():
    at = _app({"database_url": "sqlite://"})  # secrets, but no [auth]
    assert not at.exception and not at.error
    shown = [m.value for m in at.markdown]
    assert "SECRET CONTENT" in shown and "can_edit=True" in shown and "user=None" in shown
    assert not at.text_input and not at.button


def test_enabled_false_is_off(auth_section):
    auth_section["enabled"] = False
    at = _app({"auth": auth_section})
    assert "SECRET CONTENT" in [m.value for m in at.markdown]


def test_with_no_secrets_file_at_all_sign_in_is_off(tmp_path, monkeypatch):
    # Streamlit raises when asked for secrets and no file exists: that must mean "off", not a crash.
    monkeypatch.setattr(streamlit, "secrets", Secrets())
    with patch_config_options({"secrets.files": [str(tmp_path / "secrets.toml")]}):
        at = _app()
    assert not at.exception and not at.error
    assert "can_edit=True" in [m.value for m in at.markdown]


def test_a_secrets_file_that_cannot_be_read_closes_the_app(tmp_path, monkeypatch):
    broken = tmp_path / "secrets.toml"
    broken.write_text("[auth]\nenabled = true\n[auth.users.alice\n")
    monkeypatch.setattr(streamlit, "secrets", Secrets())
    with patch_config_options({"secrets.files": [str(broken)]}):
        at = _app()
    assert not at.exception
    assert "secrets.toml could not be read" in at.error[0].value
    assert "SECRET" not in _everything(at) and not at.text_input


def test_a_plain_text_password_in_the_config_shows_only_an_error(auth_section):
    auth_section["users"]["bob"] = {"password": "hunter2", "role": "viewer"}
    at = _app({"auth": auth_section})
    assert not at.exception
    assert len(at.error) == 1 and "plain-text" in at.error[0].value and "hunter2" not in at.error[0].value
    assert "SECRET" not in _everything(at)
    assert not at.text_input and not at.sidebar.children  # not even the form


def test_a_malformed_hash_in_the_config_shows_only_an_error(auth_section):
    auth_section["users"]["alice"]["password_hash"] = "scrypt$16384$8$1$abc"
    at = _app({"auth": auth_section})
    assert "password_hash is malformed" in at.error[0].value
    assert "SECRET" not in _everything(at)


# --- the real app ----------------------------------------------------------------------------


def test_no_legacy_pages_folder_beside_app_py():
    # On a cold start Streamlit runs a folder called pages/ beside the main script as a legacy
    # multipage app: until someone signs in and st.navigation runs, /outcomes would run that page
    # alone, without app.py and so without the gate.
    assert not (ROOT / "pages").exists()


def test_the_real_app_shows_a_stranger_only_the_form_and_a_viewer_the_app(auth_section):
    # No skip when app.py lacks gate(): an app without its gate is exactly what this test must catch.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = auth_section
    at = at.run()
    _only_the_form(at)
    assert not at.metric and "Scenario:" not in _everything(at)
    at = _sign_in(at, "bob", BOB_PW)
    assert not at.exception, [e.message for e in at.exception]
    assert at.metric and "Signed in as **bob** (viewer)" in [c.value for c in at.sidebar.caption]
