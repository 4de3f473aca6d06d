"""Single sign-on: the [auth] and [roles] settings, who a person is from their claims, their role, the
provider check against a real OpenID Connect provider (oidc-provider-mock, in a thread), and the gate
under AppTest (st.user stands for Streamlit's signed identity cookie)."""

from __future__ import annotations

import copy
import json
import logging
import socket
import urllib.request
import warnings
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from logic.auth import RENAME_WARNING, AuthConfig, ConfigError, User, hash_password
from logic.identity import Identity, RoleMap, identity_from_claims
from logic.provider_check import CHECKS, ProviderChecks, check_provider

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the mock's own Authlib deprecation notices
    from oidc_provider_mock import run_server_in_thread

ROOT = Path(__file__).resolve().parent.parent
GATE_APP = str(ROOT / "tests" / "auth_app.py")
COOKIE_SECRET = "k" * 40
REDIRECT = "http://127.0.0.1:8501/oauth2callback"


# --- a real provider, in a thread --------------------------------------------------------------


@pytest.fixture(scope="module")
def provider():
    """oidc-provider-mock requiring registration, with this app registered: its metadata URL, id and secret."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with run_server_in_thread(require_client_registration=True) as server:
        base = f"http://localhost:{server.server_port}"
        body = json.dumps({"redirect_uris": [REDIRECT]}).encode()
        request = urllib.request.Request(
            f"{base}/oauth2/clients", data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            client = json.loads(response.read())
        yield {
            "base": base,
            "server_metadata_url": f"{base}/.well-known/openid-configuration",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        }


@pytest.fixture(autouse=True)
def fresh_checks():
    CHECKS.clear()
    yield
    CHECKS.clear()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def secrets(provider) -> dict:
    return {
        "auth": {
            "redirect_uri": REDIRECT,
            "cookie_secret": COOKIE_SECRET,
            "council": {
                "client_id": provider["client_id"],
                "client_secret": provider["client_secret"],
                "server_metadata_url": provider["server_metadata_url"],
            },
        },
        "roles": {
            "people": {"Alice@Anytown.gov.uk": "editor", "leaver@anytown.gov.uk": "none"},
            "domains": {"@anytown.gov.uk": "viewer"},
            "groups": {"finance-team": "editor"},
        },
    }


OFFLINE = {  # settings that parse without a provider: for the pure checks
    "auth": {
        "redirect_uri": REDIRECT,
        "cookie_secret": COOKIE_SECRET,
        "client_id": "app",
        "client_secret": "s3cret-value-never-shown",
        "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
    },
    "roles": {"domains": {"anytown.gov.uk": "viewer"}},
}


def _problems(secrets: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        AuthConfig.from_secrets(secrets)
    return str(caught.value)


# --- the settings ------------------------------------------------------------------------------


def test_single_sign_on_settings_are_read(secrets, provider):
    config = AuthConfig.from_secrets(secrets)
    assert config is not None and not config.users and not config.warnings
    (council,) = config.sso.providers
    assert (council.name, council.label, council.login_name) == ("council", "Council", "council")
    assert council.client_id == provider["client_id"]
    assert provider["client_secret"] not in repr(config)  # never in a repr, so never in a log line
    roles = config.sso.roles
    assert dict(roles.people) == {"alice@anytown.gov.uk": "editor", "leaver@anytown.gov.uk": "none"}
    assert dict(roles.domains) == {"anytown.gov.uk": "viewer"}


def test_a_default_provider_straight_under_auth():
    config = AuthConfig.from_secrets(OFFLINE)
    (default,) = config.sso.providers
    assert default.name == "default" and default.login_name is None
    assert default.label == "your organisation's account"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["auth"].pop("redirect_uri"), "[auth] has no redirect_uri"),
        (lambda s: s["auth"].update(redirect_uri="https://toc.example.gov.uk/"), "ending in /oauth2callback"),
        (lambda s: s["auth"].pop("cookie_secret"), "cookie_secret must be a random string of at least 32"),
        (lambda s: s["auth"].update(cookie_secret="short"), "cookie_secret must be a random string"),
        (lambda s: s["auth"].pop("client_secret"), "[auth] is missing client_secret"),
        (lambda s: s["auth"].update(server_metadata_url="http://login.example.org/x"), "must be an https://"),
        (lambda s: s.pop("roles"), "there is no [roles] section"),
        (lambda s: s["roles"].update(domains={"anytown.gov.uk": "admin"}), "role must be one of viewer, editor"),
        (lambda s: s["roles"].update(domains={"not a domain": "viewer"}), "is not a domain"),
        (lambda s: s["roles"].update(people={"alice": "editor"}), "is not an email address"),
        (lambda s: s["roles"].update(domains={}, people={"x@y.org": "none"}), "gives nobody access"),
        (lambda s: s["roles"].update(group={"a": "viewer"}), "[roles] has unknown keys group"),
        (lambda s: s["roles"].update(email_claims="email"), None),  # one claim name on its own is fine
        (lambda s: s["auth"].update(my_idp={"client_id": "x"}), "a provider's name may hold only letters"),
        (lambda s: s["auth"].update(google={"client_id": "x"}), "[auth.google] is missing client_secret"),
    ],
)
def test_single_sign_on_problems_are_readable_and_close_the_app(change, expected):
    secrets = copy.deepcopy(OFFLINE)
    change(secrets)
    if expected is None:
        assert AuthConfig.from_secrets(secrets) is not None
        return
    message = _problems(secrets)
    assert expected in message
    assert "s3cret-value-never-shown" not in message and COOKIE_SECRET not in message


def test_roles_without_single_sign_on_close_the_app_rather_than_open_it():
    # [roles] written, [auth] forgotten: without this the app would be open to anyone.
    assert "single sign-on is not set up" in _problems({"roles": {"domains": {"anytown.gov.uk": "viewer"}}})


def test_a_typo_in_auth_is_not_taken_as_sign_in_off():
    assert "[auth] has unknown keys redirect_url" in _problems({"auth": {"redirect_url": REDIRECT}})


# --- passwords: the new section and the old one -------------------------------------------------

FAST = {"n": 2**14, "r": 8, "p": 1}


@pytest.fixture(scope="module")
def digest() -> str:
    return hash_password("a long passphrase", **FAST)


def test_passwords_under_their_own_section(digest):
    config = AuthConfig.from_secrets({"passwords": {"users": {"alice": {"password_hash": digest, "role": "editor"}}}})
    assert config.user("alice") == User("alice", "editor") and not config.warnings and config.sso is None


def test_passwords_under_auth_still_work_with_a_warning_saying_what_to_rename(digest):
    config = AuthConfig.from_secrets({"auth": {"users": {"alice": {"password_hash": digest, "role": "viewer"}}}})
    assert config.user("alice") == User("alice", "viewer")
    assert config.warnings == (RENAME_WARNING,)
    assert "rename [auth] to [passwords]" in RENAME_WARNING and "[passwords.users.NAME]" in RENAME_WARNING


def test_passwords_in_both_places_are_refused(digest):
    users = {"users": {"alice": {"password_hash": digest, "role": "viewer"}}}
    assert "keep [passwords] only" in _problems({"auth": users, "passwords": users})


def test_problems_in_the_passwords_section_name_it(digest):
    message = _problems({"passwords": {"users": {"bob": {"password": "hunter2", "role": "viewer"}}}})
    assert "[passwords.users.bob] has a plain-text `password`" in message and "hunter2" not in message
    assert "[passwords.users.NAME]" in _problems({"passwords": {"users": {}}})


def test_single_sign_on_and_passwords_together(digest):
    secrets = copy.deepcopy(OFFLINE) | {
        "passwords": {"users": {"consultant": {"password_hash": digest, "role": "viewer"}}}
    }
    config = AuthConfig.from_secrets(secrets)
    assert config.sso is not None and set(config.users) == {"consultant"}


def test_passwords_switched_off_leave_single_sign_on_on(digest):
    secrets = copy.deepcopy(OFFLINE) | {"passwords": {"enabled": False}}
    config = AuthConfig.from_secrets(secrets)
    assert config is not None and config.sso is not None and not config.users


# --- who someone is, and their role -------------------------------------------------------------

ROLES = RoleMap(
    people={"alice@anytown.gov.uk": "editor", "leaver@anytown.gov.uk": "none", "ed@othertown.gov.uk": "viewer"},
    domains={"anytown.gov.uk": "viewer", "othertown.gov.uk": "editor"},
    groups={"finance-team": "editor", "readers": "viewer"},
)


def test_identity_from_the_claims():
    who = identity_from_claims(
        {"email": " Alice@Anytown.GOV.uk ", "name": "Alice\u200b  Smith", "groups": ["finance-team", 7, ""]}, ROLES
    )
    assert (who.name, who.email, who.groups) == ("Alice Smith", "alice@anytown.gov.uk", frozenset({"finance-team"}))
    assert who.domain == "anytown.gov.uk" and who.label == "Alice Smith <alice@anytown.gov.uk>"


def test_a_name_from_given_and_family_names_and_an_email_when_there_is_no_name():
    assert identity_from_claims({"email": "b@x.org", "given_name": "Bo", "family_name": "Li"}, ROLES).name == "Bo Li"
    who = identity_from_claims({"email": "b@x.org"}, ROLES)
    assert (who.name, who.label) == ("b@x.org", "b@x.org")


def test_an_unverified_email_is_not_used():
    who = identity_from_claims({"email": "alice@anytown.gov.uk", "email_verified": False, "name": "A"}, ROLES)
    assert who.email is None and ROLES.role_for(who) is None


@pytest.mark.parametrize("odd", ["account:pat@anytown.gov.uk", "a b@anytown.gov.uk", "a@b@anytown.gov.uk", "@x.org"])
def test_an_address_that_is_not_plain_is_not_taken_for_one(odd):
    # Never an owner key of another kind (account:NAME is a password account's).
    assert identity_from_claims({"email": odd, "sub": "1", "provider": "p"}, ROLES).email is None


def test_someone_is_known_by_email_else_by_their_id_at_the_provider():
    claims = {"email": "Bo@X.org", "sub": "5a1b", "provider": "council", "groups": ["readers"]}
    assert identity_from_claims(claims, ROLES).key == "bo@x.org"
    who = identity_from_claims({k: v for k, v in claims.items() if k != "email"}, ROLES)
    assert (who.key, who.domain, ROLES.role_for(who)) == ("sub:council:5a1b", None, "viewer")


def test_email_from_another_claim_when_configured():
    roles = RoleMap({}, {"anytown.gov.uk": "viewer"}, {}, email_claims=("email", "preferred_username"))
    who = identity_from_claims({"preferred_username": "pat@anytown.gov.uk", "name": "Pat"}, roles)
    assert who.email == "pat@anytown.gov.uk" and roles.role_for(who) == "viewer"
    assert identity_from_claims({"preferred_username": "pat"}, roles).email is None


def test_a_long_name_is_cut_so_the_record_keeps_the_email():
    who = Identity(name="N" * 300, email="someone@anytown.gov.uk")
    assert len(who.label) == 200 and who.label.endswith(" <someone@anytown.gov.uk>")


@pytest.mark.parametrize(
    ("email", "groups", "role"),
    [
        ("alice@anytown.gov.uk", (), "editor"),  # her own line
        ("bob@anytown.gov.uk", (), "viewer"),  # his domain
        ("bob@anytown.gov.uk", ("finance-team",), "editor"),  # the higher of domain and group
        ("carol@othertown.gov.uk", ("readers",), "editor"),
        ("ed@othertown.gov.uk", (), "viewer"),  # his own line wins over an editor domain
        ("leaver@anytown.gov.uk", ("finance-team",), None),  # none shuts out whatever else
        ("mallory@elsewhere.org", (), None),
        ("mallory@elsewhere.org", ("readers",), "viewer"),  # a group alone is enough
        ("mallory@sub.anytown.gov.uk", (), None),  # a sub-domain is another domain
    ],
)
def test_roles_from_identity(email, groups, role):
    assert ROLES.role_for(Identity(name="x", email=email, groups=frozenset(groups))) == role


# --- the provider check, against a real provider ----------------------------------------------


def test_a_provider_set_up_right_passes(secrets):
    config = AuthConfig.from_secrets(secrets)
    assert check_provider(config.sso.providers[0], REDIRECT) is None


def test_a_wrong_client_secret_is_found_and_not_shown(secrets):
    secrets["auth"]["council"]["client_secret"] = "the-wrong-secret-1234"
    config = AuthConfig.from_secrets(secrets)
    problem = check_provider(config.sso.providers[0], REDIRECT)
    assert "[auth.council]" in problem and "refused this app's client_id and client_secret" in problem
    assert "the-wrong-secret-1234" not in problem


def test_an_unknown_client_id_is_found(secrets):
    secrets["auth"]["council"]["client_id"] = "not-registered"
    assert "invalid_client" in check_provider(AuthConfig.from_secrets(secrets).sso.providers[0], REDIRECT)


def test_an_unreachable_metadata_url_is_found(secrets):
    url = f"http://127.0.0.1:{_closed_port()}/.well-known/openid-configuration"
    secrets["auth"]["council"]["server_metadata_url"] = url
    problem = check_provider(AuthConfig.from_secrets(secrets).sso.providers[0], REDIRECT, timeout=2)
    assert problem.startswith(f"[auth.council] server_metadata_url {url} cannot be read")


def test_a_page_that_is_not_a_discovery_document_is_found(secrets, provider):
    secrets["auth"]["council"]["server_metadata_url"] = provider["base"] + "/jwks"  # JSON, but not the document
    problem = check_provider(AuthConfig.from_secrets(secrets).sso.providers[0], REDIRECT)
    assert "is not an OpenID Connect discovery document" in problem and "token_endpoint" in problem


def test_answers_are_kept_a_while_problems_only_briefly():
    calls = []
    now = [0.0]
    checks = ProviderChecks(check=lambda p, r: calls.append(p.client_secret) or None, clock=lambda: now[0])
    good = AuthConfig.from_secrets(OFFLINE).sso.providers[0]
    for _ in range(3):
        assert checks.problem(good, REDIRECT) is None
    assert len(calls) == 1
    now[0] = 601.0
    checks.problem(good, REDIRECT)
    assert len(calls) == 2
    failing = ProviderChecks(check=lambda p, r: calls.append(1) or "broken", clock=lambda: now[0])
    failing.problem(good, REDIRECT)
    now[0] += 16
    failing.problem(good, REDIRECT)
    assert len(calls) == 4  # a problem is asked again after 15 seconds, so a fix shows quickly


# --- the gate, under AppTest ------------------------------------------------------------------


def _app(secrets: dict, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(GATE_APP, default_timeout=30)
    for key, value in secrets.items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    return at.run()


def _texts(at: AppTest) -> str:
    out = []
    for kind in ("markdown", "caption", "title", "error", "warning", "text_input", "button"):
        out += [str(getattr(el, "label", None) or el.value) for el in getattr(at, kind)]
    return "\n".join(out)


def test_a_stranger_sees_only_the_sign_in_button(secrets):
    at = _app(secrets)
    assert not at.exception, [e.message for e in at.exception]
    assert [b.label for b in at.button] == ["Sign in with Council"]
    assert "SECRET" not in _texts(at) and not at.sidebar.children and not at.text_input


def test_an_editor_signed_in_through_the_provider(secrets):
    at = _app(secrets, {"is_logged_in": True, "email": "alice@anytown.gov.uk", "name": "Alice Smith"})
    assert not at.exception and not at.error
    shown = [m.value for m in at.markdown]
    assert "SECRET CONTENT" in shown and "can_edit=True" in shown
    assert "user=User(name='Alice Smith <alice@anytown.gov.uk>', role='editor')" in shown
    assert [c.value for c in at.sidebar.caption][:2] == [
        "Signed in as **Alice Smith** (editor)",
        "alice@anytown\\.gov\\.uk",
    ]
    assert [b.label for b in at.sidebar.button] == ["Sign out"]


def test_a_viewer_by_domain_cannot_edit_and_a_role_change_applies_on_the_next_run(secrets):
    at = _app(secrets, {"is_logged_in": True, "email": "bob@anytown.gov.uk", "name": "Bob"})
    assert "can_edit=False" in [m.value for m in at.markdown]
    at.secrets["roles"] = secrets["roles"] | {"people": {"bob@anytown.gov.uk": "editor"}}
    assert "can_edit=True" in [m.value for m in at.run().markdown]
    at.secrets["roles"] = secrets["roles"] | {"people": {"bob@anytown.gov.uk": "none"}}
    at.run()
    assert "SECRET" not in _texts(at) and [t.value for t in at.title] == ["No access"]


def test_someone_the_settings_do_not_let_in_sees_a_polite_no_access_page_and_nothing_else(secrets):
    at = _app(secrets, {"is_logged_in": True, "email": "mallory@elsewhere.org", "name": "Mallory"})
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["No access"]
    assert "mallory@elsewhere\\.org" in _texts(at) and "has not been opened to you" in _texts(at)
    assert "SECRET" not in _texts(at) and not at.sidebar.children
    assert [b.label for b in at.button] == ["Sign out"]


def test_signing_out_forgets_the_session_and_the_identity(secrets):
    at = _app(secrets, {"is_logged_in": True, "email": "alice@anytown.gov.uk", "name": "Alice Smith"})
    at.session_state["scenario"] = "alice's working copy"
    at.sidebar.button[0].click()
    at = at.run()
    assert "scenario" not in at.session_state
    assert [b.label for b in at.button] == ["Sign in with Council"] and "SECRET" not in _texts(at)


def test_a_wrong_client_secret_closes_the_app_for_everyone_with_a_message_for_the_admin(secrets):
    secrets["auth"]["council"]["client_secret"] = "the-wrong-secret-1234"
    for user in (None, {"is_logged_in": True, "email": "alice@anytown.gov.uk", "name": "Alice"}):
        at = _app(secrets, user)
        assert not at.exception
        assert len(at.error) == 1 and "refused this app's client_id and client_secret" in at.error[0].value
        assert "the-wrong-secret-1234" not in _texts(at) and COOKIE_SECRET not in _texts(at)
        assert "SECRET" not in _texts(at) and not at.button and not at.sidebar.children


def test_an_unreachable_provider_closes_the_app(secrets):
    secrets["auth"]["council"]["server_metadata_url"] = f"http://127.0.0.1:{_closed_port()}/.well-known/x"
    at = _app(secrets, {"is_logged_in": True, "email": "alice@anytown.gov.uk", "name": "Alice"})
    assert "cannot be read" in at.error[0].value and "SECRET" not in _texts(at) and not at.button


def test_the_old_password_section_shows_the_rename_warning_on_the_sign_in_page(digest):
    at = _app({"auth": {"users": {"alice": {"password_hash": digest, "role": "editor"}}}})
    assert [w.value for w in at.warning] == [RENAME_WARNING]
    assert [t.label for t in at.text_input] == ["Name", "Password"] and "SECRET" not in _texts(at)


def test_both_ways_in_on_one_page(secrets, digest):
    secrets["passwords"] = {"users": {"consultant": {"password_hash": digest, "role": "viewer"}}}
    at = _app(secrets)
    assert [b.label for b in at.button] == ["Sign in with Council", "Sign in"]
    fields = {t.label: t for t in at.text_input}
    fields["Name"].input("consultant")
    fields["Password"].input("a long passphrase")
    at.button[1].click()
    at = at.run()
    assert "user=User(name='consultant', role='viewer')" in [m.value for m in at.markdown]


def test_an_unverified_email_gets_no_access_and_is_told_why(secrets):
    at = _app(secrets, {"is_logged_in": True, "email": "alice@anytown.gov.uk", "email_verified": False, "name": "A"})
    assert [t.value for t in at.title] == ["No access"] and "did not confirm an email address" in _texts(at)


# --- the example settings and the real app ---------------------------------------------------------


def test_the_example_settings_stay_closed_until_the_secrets_are_filled_in(digest):
    import tomllib

    sso = tomllib.loads((ROOT / ".streamlit" / "secrets.sso.example.toml").read_text())
    message = _problems(copy.deepcopy(sso))
    assert "cookie_secret must be a random string" in message
    assert "[auth.microsoft] is missing client_secret" in message
    assert "[auth.google] is missing client_secret" in message
    sso["auth"]["cookie_secret"] = COOKIE_SECRET
    sso["auth"]["microsoft"]["client_secret"] = sso["auth"]["google"]["client_secret"] = "filled in"
    config = AuthConfig.from_secrets(sso)
    assert [p.label for p in config.sso.providers] == ["Microsoft", "Google"]
    who = identity_from_claims({"preferred_username": "Sam@Anytown.gov.uk", "name": "Sam"}, config.sso.roles)
    assert config.sso.roles.role_for(who) == "viewer"
    passwords = tomllib.loads((ROOT / ".streamlit" / "secrets.passwords.example.toml").read_text())
    assert "password_hash is malformed" in _problems(copy.deepcopy(passwords))
    passwords["passwords"]["users"]["Their Name"]["password_hash"] = digest
    assert AuthConfig.from_secrets(passwords).user("Their Name") == User("Their Name", "editor")


def test_in_the_real_app_an_edit_is_logged_under_the_signed_in_identity(secrets):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.user = {"is_logged_in": True, "email": "alice@anytown.gov.uk", "name": "Alice Smith"}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    name = next(t for t in at.text_input if t.label == "Programme name")
    name.input("Renamed by Alice").run()
    log = at.session_state["scenario"].log
    assert log[-1].after == "Renamed by Alice" and log[-1].by == "Alice Smith <alice@anytown.gov.uk>"
