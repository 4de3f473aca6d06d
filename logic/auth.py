"""Sign-in for a hosted team dashboard: single sign-on settings, password hashes, users and roles.

Pure Python (no Streamlit): components/auth.py draws the sign-in page and keeps who is signed in;
everything that decides who may do what is here and in logic/identity.py (single sign-on through
Streamlit's `st.login`, roles from identity).

For a small team without single sign-on, passwords: never stored, only scrypt hashes with a random
salt per user, as one string `scrypt$n$r$p$salt_b64$hash_b64` that goes into secrets.toml:

    [passwords]
    enabled = true
    [passwords.users.alice]
    password_hash = "scrypt$32768$8$3$..."
    role = "editor"

Files that still have these under [auth] (where Streamlit's own sign-in reads its settings) keep
working, with a warning saying what to rename. Make a hash with `python -m logic.auth`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import getpass
import hashlib
import hmac
import sys
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from secrets import token_bytes, token_urlsafe
from types import MappingProxyType
from typing import Any

from .identity import PROVIDER_KEYS, SHARED_KEYS, SSOConfig, SSOConfigError, sso_from_secrets, sso_wanted

ROLES = ("viewer", "editor")

# OWASP's scrypt settings: N=2^15 (32 MiB of memory) with p=3 costs as much as N=2^17, p=1,
# with a quarter of the memory, so several people signing in at once do not exhaust a small server.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 3
SALT_BYTES = 16
HASH_BYTES = 32
# Bounds for hashes read from secrets.toml: weaker than this is refused, and larger is refused
# so a typo cannot make every sign-in take minutes or gigabytes.
MIN_N, MAX_N = 2**14, 2**20
MAX_R, MAX_P = 32, 16
# scrypt's cost grows with the password; nobody types more than this.
MAX_PASSWORD_CHARS = 1024

# The simple slowdown: this many wrong passwords for one name, then that name is refused for a while.
MAX_FAILURES = 5
LOCKOUT_SECONDS = 30.0

# Keys of the password section. Under the old [auth] name, Streamlit's own keys may sit beside them.
_PASSWORD_KEYS = {"enabled", "users"}
_STREAMLIT_AUTH_KEYS = {"cookie_secret"} | SHARED_KEYS | PROVIDER_KEYS
_USER_KEYS = {"password_hash", "role"}
RENAME_WARNING = (
    "The passwords are under [auth] in secrets.toml, where Streamlit's own single sign-on reads its settings. "
    "They still work for now: rename [auth] to [passwords] and each [auth.users.NAME] to [passwords.users.NAME]."
)


class ConfigError(ValueError):
    """The sign-in settings in secrets.toml cannot be used; `problems` says where and why."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class User:
    """Someone signed in. `name` is how records name them: the account name with a password, or
    "Name <email>" with single sign-on (the author of a version, a sign-off, a log entry)."""

    name: str
    role: str
    email: str | None = field(default=None, repr=False)
    display_name: str | None = field(default=None, repr=False)
    groups: frozenset[str] = field(default=frozenset(), repr=False)
    key: str | None = field(default=None, repr=False)  # single sign-on: email, or the provider's id for them

    @property
    def can_edit(self) -> bool:
        return self.role == "editor"

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name


# --- hashing ---------------------------------------------------------------------------------


def _encode(password: str) -> bytes:
    # NFKC so the same password typed on two keyboards (composed or decomposed accents) matches.
    return unicodedata.normalize("NFKC", password).encode("utf-8")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # OpenSSL refuses above 32 MiB unless told; allow what these parameters need, plus slack.
    maxmem = 128 * r * (n + p + 2) + 2**20
    return hashlib.scrypt(_encode(password), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A new `scrypt$n$r$p$salt$hash` string for `password`, with a fresh random salt."""
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"the password must be a string of 1 to {MAX_PASSWORD_CHARS} characters")
    _check_params(n, r, p)
    salt = token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, n, r, p, HASH_BYTES)
    b64 = base64.b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(digest).decode()}"


def _check_params(n: int, r: int, p: int) -> None:
    if not (MIN_N <= n <= MAX_N) or n & (n - 1):
        raise ValueError(f"n must be a power of 2 from {MIN_N} to {MAX_N}")
    if not (1 <= r <= MAX_R) or not (1 <= p <= MAX_P):
        raise ValueError(f"r must be 1..{MAX_R} and p 1..{MAX_P}")


@dataclass(frozen=True)
class _Hash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def _parse_hash(stored: str) -> _Hash:
    """The parts of a stored hash; ValueError (with a reason, never the hash) when malformed."""
    if not isinstance(stored, str):
        raise ValueError("it is not a string")
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("it is not of the form scrypt$n$r$p$salt$hash (make one with `python -m logic.auth`)")
    # Plain ASCII digits only: int() would also accept "+8", " 8" or "8_0".
    if not all(x.isascii() and x.isdigit() for x in parts[1:4]):
        raise ValueError("n, r and p must be whole numbers")
    n, r, p = (int(x) for x in parts[1:4])
    _check_params(n, r, p)
    try:
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the salt and hash must be base64") from None
    # Exactly what hash_password makes: a hash cut short when pasted must not pass as a weaker one.
    if len(salt) < SALT_BYTES or len(digest) != HASH_BYTES:
        raise ValueError(f"the salt must be at least {SALT_BYTES} bytes and the hash {HASH_BYTES}")
    return _Hash(n, r, p, salt, digest)


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; False for a wrong password or a malformed hash, never an exception."""
    try:
        h = _parse_hash(stored)
    except ValueError:
        return False
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        candidate = _scrypt(password, h.salt, h.n, h.r, h.p, len(h.digest))
    except (ValueError, MemoryError):  # e.g. OpenSSL refusing the parameters on this machine
        return False
    return hmac.compare_digest(candidate, h.digest)


@functools.lru_cache(maxsize=8)
def _dummy_hash(n: int, r: int, p: int) -> str:
    # Checked against for names that do not exist, so a wrong name costs as long as a wrong password
    # and the time taken does not tell who has an account. Same parameters as a real user's hash.
    return hash_password(token_urlsafe(16), n=n, r=r, p=p)


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    role: str
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class AuthConfig:
    users: Mapping[str, Account]  # password accounts; empty with single sign-on alone
    sso: SSOConfig | None = None
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_secrets(cls, secrets: Mapping) -> AuthConfig | None:
        """The sign-in settings in `secrets` (st.secrets or a dict), or None when sign-in is off.

        Off means no [passwords], no single sign-on in [auth] and no old password settings in [auth],
        or passwords with `enabled = false` and no single sign-on. Anything doubtful is a ConfigError
        (the app then shows only the error): sign-in must never fall open by accident.
        """
        if not isinstance(secrets, Mapping):
            return None
        auth, passwords, roles = secrets.get("auth"), secrets.get("passwords"), secrets.get("roles")
        if auth is not None and not isinstance(auth, Mapping):
            raise ConfigError(["[auth] must be a section (a table), not a single value"])
        auth = auth or {}
        legacy = bool(_PASSWORD_KEYS & set(auth))
        problems: list[str] = []
        warnings: tuple[str, ...] = ()
        accounts: dict[str, Account] | None = None
        if passwords is not None:
            if legacy:
                problems.append("passwords are set twice, under [passwords] and under [auth]: keep [passwords] only")
            accounts = _password_accounts(passwords, "passwords", set(), problems)
        elif legacy:
            warnings = (RENAME_WARNING,)
            extra = {k for k, v in auth.items() if isinstance(v, Mapping) and k != "users"}
            accounts = _password_accounts(auth, "auth", _STREAMLIT_AUTH_KEYS | extra, problems)
        sso = None
        if sso_wanted(auth):
            try:
                sso = sso_from_secrets(auth, roles)
            except SSOConfigError as exc:
                problems += exc.problems
        elif not legacy and set(auth) - SHARED_KEYS:
            unknown = ", ".join(sorted(set(auth) - SHARED_KEYS))
            problems.append(f"[auth] has unknown keys {unknown} (single sign-on needs redirect_uri, cookie_secret...)")
        elif roles is not None:
            problems.append(
                "[roles] says who may sign in, but single sign-on is not set up in [auth] "
                "(redirect_uri, cookie_secret and a provider): until it is, the app stays closed"
            )
        if problems:
            raise ConfigError(problems)
        if not accounts and sso is None:
            return None
        return cls(users=MappingProxyType(accounts or {}), sso=sso, warnings=warnings)

    def user(self, name: str | None) -> User | None:
        """The user called `name` with their current role, or None if there is no such user."""
        if not isinstance(name, str):
            return None
        account = self.users.get(name)
        return User(name, account.role) if account else None

    def _dummy_hash(self) -> str:
        first = next(iter(self.users.values()), None)
        h = _parse_hash(first.password_hash) if first else None
        return _dummy_hash(h.n, h.r, h.p) if h else _dummy_hash(SCRYPT_N, SCRYPT_R, SCRYPT_P)


def _password_accounts(section: Any, name: str, allowed: set[str], problems: list[str]) -> dict[str, Account] | None:
    """The accounts in a password section ([passwords], or the old [auth]); None when it is switched off."""
    if not isinstance(section, Mapping):
        problems.append(f"[{name}] must be a section (a table), not a single value")
        return None
    # A section that exists means sign-in is wanted: only an explicit `enabled = false` turns it off.
    enabled = section.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(f"[{name}] enabled must be true or false, got {enabled!r}")
        return None
    if not enabled:
        return None
    unknown = sorted(set(section) - _PASSWORD_KEYS - allowed)
    if unknown:
        problems.append(f"[{name}] has unknown keys {', '.join(unknown)} (allowed: enabled, users)")
    users = section.get("users", {})
    if not isinstance(users, Mapping):
        problems.append(f"[{name}.users] must be a section with one sub-section per user")
        return None
    accounts = {}
    for user, entry in users.items():
        where = f"[{name}.users.{user}]"
        before = len(problems)
        if not isinstance(user, str) or not user.strip() or user != user.strip():
            problems.append(f"{where}: a user name must be non-empty, without leading or trailing spaces")
        if not isinstance(entry, Mapping):
            problems.append(f"{where} must be a section with password_hash and role")
            continue
        if "password" in entry:
            # Named explicitly: the usual mistake, and the one that matters.
            problems.append(
                f"{where} has a plain-text `password`: remove it and store only `password_hash` "
                "(make one with `python -m logic.auth`)"
            )
        extra = sorted(set(entry) - _USER_KEYS - {"password"})
        if extra:
            problems.append(f"{where} has unknown keys {', '.join(extra)} (allowed: password_hash, role)")
        role = entry.get("role")
        if role not in ROLES:
            problems.append(f"{where}: role must be one of {', '.join(ROLES)}, got {role!r}")
        stored = entry.get("password_hash")
        if stored is None:
            problems.append(f"{where} has no password_hash (make one with `python -m logic.auth`)")
        else:
            try:
                _parse_hash(stored)
            except ValueError as exc:
                problems.append(f"{where}: password_hash is malformed: {exc}")
        # No new problem means both are strings: role is one of ROLES and the hash parsed.
        if len(problems) == before and isinstance(role, str) and isinstance(stored, str):
            accounts[user] = Account(role=role, password_hash=stored)
    if not users:
        problems.append(f"sign-in is on but no users are listed: add [{name}.users.NAME] sections")
    return accounts


# --- signing in ------------------------------------------------------------------------------


class Throttle:
    """Per-name slowdown for guessing, within this process: after `max_failures` wrong passwords
    for one name, that name is refused for `lockout_seconds` (the right password included)."""

    # Names are chosen by whoever types them: keep at most this many, forgetting the oldest.
    MAX_NAMES = 10_000

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        lockout_seconds: float = LOCKOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self._clock = clock
        self._lock = threading.Lock()  # Streamlit runs each browser session in its own thread
        self._failures: OrderedDict[str, int] = OrderedDict()
        self._locked_until: dict[str, float] = {}

    def locked_for(self, name: str) -> float:
        """Seconds until `name` may try again; 0 when it may try now."""
        with self._lock:
            until = self._locked_until.get(name)
            if until is None:
                return 0.0
            left = until - self._clock()
            if left <= 0:
                del self._locked_until[name]
                return 0.0
            return left

    def failed(self, name: str) -> None:
        with self._lock:
            count = self._failures.pop(name, 0) + 1
            if count >= self.max_failures:
                self._locked_until[name] = self._clock() + self.lockout_seconds
            else:
                self._failures[name] = count
            while len(self._failures) > self.MAX_NAMES:
                self._failures.popitem(last=False)
            if len(self._locked_until) > self.MAX_NAMES:
                now = self._clock()
                self._locked_until = {k: t for k, t in self._locked_until.items() if t > now}

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)

    def clear(self) -> None:
        """Forget every failure and lockout (for tests)."""
        with self._lock:
            self._failures.clear()
            self._locked_until.clear()


THROTTLE = Throttle()


def authenticate(config: AuthConfig, name: str, password: str, *, throttle: Throttle = THROTTLE) -> User | None:
    """The user, when `name` and `password` match; None otherwise (also while the name is locked out).

    A name that does not exist is checked against a dummy hash, so it takes as long as a wrong
    password and counts towards the lockout the same way: neither tells who has an account.
    """
    name = name.strip() if isinstance(name, str) else ""
    if throttle.locked_for(name):
        return None
    account = config.users.get(name)
    ok = verify_password(password, account.password_hash if account else config._dummy_hash())
    if ok and account:
        throttle.succeeded(name)
        return User(name, account.role)
    throttle.failed(name)
    return None


# --- python -m logic.auth --------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Ask for a password twice and print the line to paste into secrets.toml."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m logic.auth", description="Make a password hash for the [auth] section of secrets.toml."
    )
    parser.add_argument("name", nargs="?", help="print a whole [auth.users.NAME] section for this user")
    parser.add_argument("--role", choices=ROLES, default="viewer", help="the role, with NAME (default: viewer)")
    args = parser.parse_args(argv)
    if args.name is not None and (not args.name.strip() or args.name != args.name.strip()):
        print("The name must be non-empty, without leading or trailing spaces.", file=sys.stderr)
        return 2
    password = getpass.getpass("Password: ")
    if len(password) < 8:
        print("Refused: use at least 8 characters (a few words are easier to remember).", file=sys.stderr)
        return 1
    if len(password) > MAX_PASSWORD_CHARS:
        print(f"Refused: at most {MAX_PASSWORD_CHARS} characters.", file=sys.stderr)
        return 1
    if getpass.getpass("Again: ") != password:
        print("The two passwords differ; nothing was printed.", file=sys.stderr)
        return 1
    line = f'password_hash = "{hash_password(password)}"'
    if args.name is not None:
        # A TOML quoted key, so any name (spaces, dots) works.
        key = args.name.replace("\\", "\\\\").replace('"', '\\"')
        print(f'[auth.users."{key}"]\n{line}\nrole = "{args.role}"')
    else:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
