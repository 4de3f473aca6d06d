"""Single sign-on settings and who a signed-in person is: their identity from the provider's claims, and their role.

Pure Python (no Streamlit). Streamlit's own OpenID Connect sign-in (`st.login`, on Authlib) reads the
[auth] section of secrets.toml; this module checks that section (so a mistake closes the app with a
readable line instead of opening it), and reads [roles], which says who may do what:

    [auth]
    redirect_uri = "https://toc.anytown.gov.uk/oauth2callback"
    cookie_secret = "...a long random string..."
    [auth.microsoft]
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://login.microsoftonline.com/TENANT-ID/v2.0/.well-known/openid-configuration"

    [roles]
    people = { "alice@anytown.gov.uk" = "editor", "leaver@anytown.gov.uk" = "none" }
    domains = { "anytown.gov.uk" = "viewer" }
    groups = { "6f1c0e2a-...-finance" = "editor" }

A person's own line wins (`none` shuts them out even if their domain is let in); otherwise the
higher of their domain's and their groups' roles. Someone who maps to nothing has no access.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

ROLE_ORDER = {"viewer": 1, "editor": 2}
PERSON_ROLES = ("viewer", "editor", "none")
# Keys of [auth] (or of one [auth.NAME] provider) that Streamlit itself reads.
PROVIDER_KEYS = {"client_id", "client_secret", "server_metadata_url", "client_kwargs"}
SHARED_KEYS = {"redirect_uri", "cookie_secret", "expose_tokens"}
REQUIRED_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
# The cookie that keeps someone signed in is signed with cookie_secret: guessable means forgeable.
MIN_COOKIE_SECRET = 32
MAX_LABEL = 200  # a version's author column holds at most this (store_schema.MAX_AUTHOR)
_ROLES_KEYS = {"people", "domains", "groups", "groups_claim", "email_claims"}
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
# The usual characters of an address's local part: no colon, so an address can never be read as another
# kind of owner (account:NAME for a password account, sub:ID for someone with no email).
_LOCAL = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$")


def email_or_none(value: str) -> str | None:
    """The address in lower case, or None when it is not a plain address."""
    value = value.strip().lower()
    local, at, domain = value.rpartition("@")
    return value if at and _LOCAL.match(local) and _DOMAIN.match(domain) else None


class SSOConfigError(ValueError):
    """[auth] or [roles] cannot be used; `problems` says where and why (never a secret's value)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Provider:
    """One OpenID Connect provider: `default` for settings straight under [auth], else [auth.NAME]."""

    name: str
    server_metadata_url: str
    client_id: str
    client_secret: str = field(repr=False)
    token_auth_method: str = "client_secret_basic"

    @property
    def label(self) -> str:
        """What the sign-in button says after "Sign in with": the section's name, or "your organisation"."""
        return "your organisation's account" if self.name == "default" else self.name.replace("-", " ").title()

    @property
    def where(self) -> str:
        return "[auth]" if self.name == "default" else f"[auth.{self.name}]"

    @property
    def login_name(self) -> str | None:
        """What st.login is given: None for the default provider."""
        return None if self.name == "default" else self.name


@dataclass(frozen=True)
class Identity:
    """A signed-in person as their provider describes them."""

    name: str
    email: str | None  # lower case; None when the provider sent none (or only an unverified one)
    groups: frozenset[str] = frozenset()
    subject: str = ""  # the provider's name and its id for the person ("microsoft:5a1b..."), never reused

    @property
    def key(self) -> str:
        """Who owns what they save: their email, else their id at the provider."""
        return self.email or f"sub:{self.subject}"

    @property
    def domain(self) -> str | None:
        return self.email.rsplit("@", 1)[1] if self.email else None

    @property
    def label(self) -> str:
        """How records name them: "Alice Smith <alice@anytown.gov.uk>", within the author column's length."""
        if not self.email:
            return self.name[:MAX_LABEL]
        room = MAX_LABEL - len(self.email) - 3
        if room <= 0:
            return self.email[:MAX_LABEL]
        name = self.name[:room].strip()
        return f"{name} <{self.email}>" if name and name.lower() != self.email else self.email


@dataclass(frozen=True)
class RoleMap:
    people: Mapping[str, str]
    domains: Mapping[str, str]
    groups: Mapping[str, str]
    groups_claim: str = "groups"
    email_claims: tuple[str, ...] = ("email",)

    def role_for(self, who: Identity) -> str | None:
        """viewer or editor, or None (no access)."""
        if who.email and who.email in self.people:
            role = self.people[who.email]
            return None if role == "none" else role
        domain_role = self.domains.get(who.domain) if who.domain else None
        found = [domain_role] if domain_role else []
        found += [self.groups[g] for g in who.groups if g in self.groups]
        return max(found, key=ROLE_ORDER.__getitem__) if found else None


@dataclass(frozen=True)
class SSOConfig:
    redirect_uri: str
    providers: tuple[Provider, ...]
    roles: RoleMap


# --- who is signed in ------------------------------------------------------------------------


def _clean(value: Any) -> str:
    """Text from a claim, with control characters dropped and spaces tidied."""
    if not isinstance(value, str):
        return ""
    kept = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())


def identity_from_claims(claims: Mapping[str, Any], roles: RoleMap) -> Identity:
    """The person behind a provider's claims (st.user): name, email, groups.

    An email the provider marks unverified (`email_verified: false`) is not used: anyone can type an
    address into some providers' profiles, and here the address is what grants access.
    """
    email = None
    if claims.get("email_verified") is not False and claims.get("email_verified") != "false":
        for key in roles.email_claims:
            email = email_or_none(_clean(claims.get(key)))
            if email:
                break
    raw = claims.get(roles.groups_claim)
    groups = frozenset(_clean(g) for g in raw if _clean(g)) if isinstance(raw, list | tuple) else frozenset()
    name = _clean(claims.get("name"))
    if not name:
        name = " ".join(p for p in (_clean(claims.get("given_name")), _clean(claims.get("family_name"))) if p)
    subject = f"{_clean(claims.get('provider'))}:{_clean(claims.get('sub'))}"
    name = name or email or _clean(claims.get("sub")) or "unknown"
    return Identity(name=name, email=email, groups=groups, subject=subject)


# --- reading the settings --------------------------------------------------------------------


def sso_wanted(auth: Mapping[str, Any]) -> bool:
    """Does [auth] set up single sign-on (as opposed to holding only the old password settings)?"""
    if any(k in auth for k in PROVIDER_KEYS | {"redirect_uri"}):
        return True
    return any(isinstance(v, Mapping) and k != "users" for k, v in auth.items())


def sso_from_secrets(auth: Mapping[str, Any], roles: Any) -> SSOConfig:
    """The single sign-on settings in [auth] and [roles]; SSOConfigError listing every problem."""
    problems: list[str] = []
    redirect_uri = auth.get("redirect_uri")
    if not isinstance(redirect_uri, str) or not redirect_uri.strip():
        problems.append('[auth] has no redirect_uri (e.g. "https://toc.example.gov.uk/oauth2callback")')
    else:
        parts = urlsplit(redirect_uri)
        if parts.scheme not in ("https", "http") or not parts.netloc or not parts.path.endswith("/oauth2callback"):
            problems.append(
                f"[auth] redirect_uri must be this app's address ending in /oauth2callback, got {redirect_uri!r}"
            )
    secret = auth.get("cookie_secret")
    if not isinstance(secret, str) or len(secret) < MIN_COOKIE_SECRET:
        # Never echo it: say only what is wrong.
        problems.append(
            f"[auth] cookie_secret must be a random string of at least {MIN_COOKIE_SECRET} characters "
            '(make one with: python -c "import secrets; print(secrets.token_urlsafe(32))")'
        )
    providers = _providers(auth, problems)
    role_map = _roles(roles, problems)
    if problems:
        raise SSOConfigError(problems)
    assert role_map is not None and isinstance(redirect_uri, str)
    return SSOConfig(redirect_uri=redirect_uri, providers=tuple(providers), roles=role_map)


def _providers(auth: Mapping[str, Any], problems: list[str]) -> list[Provider]:
    sections: dict[str, Mapping[str, Any]] = {}
    if any(k in auth for k in PROVIDER_KEYS):
        sections["default"] = {k: auth[k] for k in PROVIDER_KEYS if k in auth}
    for key, value in auth.items():
        if isinstance(value, Mapping) and key not in ("users", "client_kwargs"):
            sections[key] = value
    if not sections:
        problems.append(
            "[auth] names no sign-in provider: add client_id, client_secret and server_metadata_url "
            "(under [auth] or a section such as [auth.microsoft])"
        )
    out = []
    for name, section in sections.items():
        where = "[auth]" if name == "default" else f"[auth.{name}]"
        if name != "default" and not re.fullmatch(r"[A-Za-z0-9-]+", name):
            problems.append(f"{where}: a provider's name may hold only letters, digits and hyphens (no underscores)")
            continue
        unknown = sorted(set(section) - PROVIDER_KEYS)
        if unknown and name != "default":
            allowed = ", ".join(sorted(PROVIDER_KEYS))
            problems.append(f"{where} has unknown keys {', '.join(unknown)} (allowed: {allowed})")
        missing = [k for k in REQUIRED_PROVIDER_KEYS if not isinstance(section.get(k), str) or not section.get(k)]
        if missing:
            problems.append(f"{where} is missing {', '.join(missing)}")
            continue
        url = section["server_metadata_url"]
        parts = urlsplit(url)
        loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if not (parts.scheme == "https" or (parts.scheme == "http" and loopback)) or not parts.netloc:
            problems.append(f"{where} server_metadata_url must be an https:// address, got {url!r}")
            continue
        kwargs = section.get("client_kwargs", {})
        method = kwargs.get("token_endpoint_auth_method", "client_secret_basic") if isinstance(kwargs, Mapping) else ""
        if method not in ("client_secret_basic", "client_secret_post"):
            problems.append(f"{where} client_kwargs.token_endpoint_auth_method must be client_secret_basic or _post")
            continue
        out.append(Provider(name, url, section["client_id"], section["client_secret"], method))
    return out


def _roles(roles: Any, problems: list[str]) -> RoleMap | None:
    if not isinstance(roles, Mapping):
        problems.append(
            "single sign-on is on but there is no [roles] section saying who may view and who may edit "
            '(e.g. [roles] domains = { "anytown.gov.uk" = "viewer" })'
        )
        return None
    before = len(problems)
    unknown = sorted(set(roles) - _ROLES_KEYS)
    if unknown:
        problems.append(f"[roles] has unknown keys {', '.join(unknown)} (allowed: {', '.join(sorted(_ROLES_KEYS))})")
    people = _table(roles, "people", PERSON_ROLES, _person_key, problems)
    domains = _table(roles, "domains", tuple(ROLE_ORDER), _domain_key, problems)
    groups = _table(roles, "groups", tuple(ROLE_ORDER), lambda k: k.strip() or None, problems)
    claim = roles.get("groups_claim", "groups")
    if not isinstance(claim, str) or not claim:
        problems.append("[roles] groups_claim must be the name of a claim, such as groups")
    emails = roles.get("email_claims", ["email"])
    if isinstance(emails, str):
        emails = [emails]
    if not isinstance(emails, list | tuple) or not emails or not all(isinstance(e, str) and e for e in emails):
        problems.append('[roles] email_claims must be a list of claim names, such as ["email", "preferred_username"]')
    if len(problems) == before and not any(r != "none" for t in (people, domains, groups) for r in t.values()):
        problems.append("[roles] gives nobody access: list people, domains or groups as viewer or editor")
    if len(problems) != before:
        return None
    return RoleMap(
        people=MappingProxyType(people),
        domains=MappingProxyType(domains),
        groups=MappingProxyType(groups),
        groups_claim=claim,
        email_claims=tuple(emails),
    )


def _person_key(key: str) -> str | None:
    return email_or_none(key)


def _domain_key(key: str) -> str | None:
    key = key.strip().lower().removeprefix("@")
    return key if _DOMAIN.match(key) else None


def _table(roles: Mapping, name: str, allowed: tuple[str, ...], norm, problems: list[str]) -> dict[str, str]:
    table = roles.get(name, {})
    if not isinstance(table, Mapping):
        problems.append(f'[roles] {name} must be a table, e.g. {name} = {{ "..." = "viewer" }}')
        return {}
    out = {}
    for key, role in table.items():
        where = f"[roles] {name} {key!r}"
        normal = norm(key) if isinstance(key, str) else None
        if normal is None:
            kind = {"people": "an email address", "domains": "a domain such as anytown.gov.uk"}.get(name, "a group id")
            problems.append(f"{where} is not {kind}")
        elif role not in allowed:
            problems.append(f"{where}: role must be one of {', '.join(allowed)}, got {role!r}")
        else:
            out[normal] = role
    return out
