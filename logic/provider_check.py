"""Is the sign-in provider set up as secrets.toml says? A check made before anyone is shown a sign-in button.

A wrong client secret or an unreachable metadata address would otherwise show up only as a sign-in
that silently fails. Two requests find both, for any OpenID Connect provider:

1. the discovery document at server_metadata_url must be reachable and name the endpoints;
2. a token request with a made-up authorization code: a provider first checks who is asking (RFC 6749
   section 5.2), so wrong client credentials get `invalid_client`, right ones `invalid_grant` (the code
   is nonsense). Nobody is signed in by it and nothing is changed.

The answers are kept for a while (a good one for 10 minutes, a problem for 15 seconds, so a fix is seen
quickly). Messages name the setting to fix and never a secret's value. Pure Python: no Streamlit.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from .identity import Provider

TIMEOUT_S = 5.0
GOOD_FOR_S = 600.0
PROBLEM_FOR_S = 15.0
MAX_BODY = 1_000_000
_NEEDED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"it answered HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def check_provider(provider: Provider, redirect_uri: str, *, timeout: float = TIMEOUT_S) -> str | None:
    """None when the provider answers as configured; otherwise one sentence for whoever runs the server."""
    where = provider.where
    try:
        with urllib.request.urlopen(provider.server_metadata_url, timeout=timeout) as response:
            metadata = json.loads(response.read(MAX_BODY))
    except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts and refused connections are OSErrors
        reason = "it is not JSON" if isinstance(exc, ValueError) else _reason(exc)
        return f"{where} server_metadata_url {provider.server_metadata_url} cannot be read: {reason}"
    missing = [k for k in _NEEDED if not isinstance(metadata, dict) or not isinstance(metadata.get(k), str)]
    if missing:
        return (
            f"{where} server_metadata_url {provider.server_metadata_url} is not an OpenID Connect discovery "
            f"document (it has no {', '.join(missing)})"
        )
    return _check_client(provider, metadata["token_endpoint"], redirect_uri, timeout)


def _check_client(provider: Provider, token_endpoint: str, redirect_uri: str, timeout: float) -> str | None:
    form = {"grant_type": "authorization_code", "code": f"toc-check-{secrets.token_urlsafe(12)}"}
    form["redirect_uri"] = redirect_uri
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if provider.token_auth_method == "client_secret_post":
        form |= {"client_id": provider.client_id, "client_secret": provider.client_secret}
    else:
        quote = urllib.parse.quote
        pair = f"{quote(provider.client_id, safe='')}:{quote(provider.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    request = urllib.request.Request(
        token_endpoint, data=urllib.parse.urlencode(form).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None  # accepted a made-up code: odd, but the client is known
    except urllib.error.HTTPError as exc:
        error = _error_code(exc)
        status = exc.code
    except OSError as exc:
        return f"{provider.where}: the provider's token endpoint {token_endpoint} cannot be reached: {_reason(exc)}"
    if error == "invalid_client" or (status == 401 and error is None):
        return (
            f"{provider.where}: the provider refused this app's client_id and client_secret (invalid_client). "
            "Check both against the app registration (a client secret may have expired)"
        )
    if error == "unauthorized_client":
        return f"{provider.where}: the provider does not let this client sign people in (unauthorized_client)"
    return None


def _error_code(exc: urllib.error.HTTPError) -> str | None:
    try:
        body = json.loads(exc.read(MAX_BODY) or b"{}")
    except (OSError, ValueError):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else None


class ProviderChecks:
    """check_provider's answers, kept for a while so the check costs a request only now and then."""

    def __init__(self, check: Callable[..., str | None] = check_provider, clock: Callable[[], float] = time.monotonic):
        self._check = check
        self._clock = clock
        self._lock = threading.Lock()
        self._answers: dict[Any, tuple[float, str | None]] = {}

    def problem(self, provider: Provider, redirect_uri: str) -> str | None:
        # The secret's fingerprint, not the secret, keys the answer: a changed secret is checked afresh.
        fingerprint = hashlib.sha256(provider.client_secret.encode()).hexdigest()
        key = (provider.name, provider.server_metadata_url, provider.client_id, fingerprint, redirect_uri)
        with self._lock:  # one check at a time: the first visitor after a restart waits, the rest reuse it
            found = self._answers.get(key)
            if found is not None and found[0] > self._clock():
                return found[1]
            answer = self._check(provider, redirect_uri)
            self._answers[key] = (self._clock() + (PROBLEM_FOR_S if answer else GOOD_FOR_S), answer)
            return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


CHECKS = ProviderChecks()
