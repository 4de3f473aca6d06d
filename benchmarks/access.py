"""Sign-in and scenario access: what single sign-on and per-team scenarios add to a page and to the store.

    python -m benchmarks.access            # the full run: 600 saved scenarios, 6 teams
    python -m benchmarks.access --quick    # a smoke run: 60 scenarios, fewer repeats

Targets (issue 17, "Sign in with the organisation's own accounts"): reading the sign-in settings and
working out the signed-in person's role, done several times on every rerun, stays under 1 ms; listing
the saved scenarios as one team's member (the store filters by access in SQL) and opening one stay
within 2x of the same with no sign-in (and the listing under 100 ms for 600 scenarios on SQLite).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.run import report, timed
from logic import DEFAULT_EXAMPLE, load_scenario
from logic.access import ScenarioAccess, Viewer
from logic.auth import AuthConfig
from logic.identity import identity_from_claims
from logic.provider_check import ProviderChecks
from logic.store import Store

SECRETS = {
    "auth": {
        "redirect_uri": "https://toc.anytown.gov.uk/oauth2callback",
        "cookie_secret": "c" * 43,
        "microsoft": {
            "client_id": "00000000-0000-0000-0000-000000000000",
            "client_secret": "not-a-real-secret",
            "server_metadata_url": "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration",
        },
    },
    "roles": {
        "people": {f"person{i}@team{i % 6}.gov.uk": "editor" for i in range(50)},
        "domains": {f"team{i}.gov.uk": "viewer" for i in range(6)},
        "groups": {f"group-{i}": "editor" for i in range(20)},
    },
}
CLAIMS = {"is_logged_in": True, "email": "person7@team1.gov.uk", "name": "Person Seven", "groups": ["group-3"]}


def team_member(team: int, n: int = 0) -> Viewer:
    email = f"person{n}@team{team}.gov.uk"
    return Viewer(email, f"Person {n} <{email}>", True, f"team{team}.gov.uk")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.access")
    parser.add_argument("--quick", action="store_true", help="60 scenarios and fewer repeats (a smoke run)")
    args = parser.parse_args(argv)
    repeats, scenarios = (5, 60) if args.quick else (30, 600)

    def who_is_it():
        config = AuthConfig.from_secrets(SECRETS)
        return config.sso.roles.role_for(identity_from_claims(CLAIMS, config.sso.roles))

    assert who_is_it() == "editor"
    report("Sign-in settings read and the person's role worked out", timed(who_is_it, repeats * 20), 1)
    checks = ProviderChecks(check=lambda provider, redirect_uri: None)
    provider = AuthConfig.from_secrets(SECRETS).sso.providers[0]
    checks.problem(provider, SECRETS["auth"]["redirect_uri"])
    report("Provider check, answer kept (every rerun)", timed(lambda: checks.problem(provider, "x"), repeats * 20), 1)

    sc = load_scenario(DEFAULT_EXAMPLE)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        ids = []
        for i in range(scenarios):
            owner = store.as_viewer(team_member(i % 6, i))
            ids.append(owner.save(sc, author="x", message=f"saved {i}").scenario_id)
        ScenarioAccess(store.as_viewer(team_member(0, 0))).share(ids[0], "@team1.gov.uk", "viewer")
        member = store.as_viewer(team_member(1, 999))
        assert len(member.list_scenarios()) == scenarios // 6 + 1
        n = f"{scenarios} saved, 6 teams"
        everything = report(f"List scenarios, no sign-in ({n})", timed(store.list_scenarios, repeats))
        listed = report(f"List scenarios as one team's member ({n})", timed(member.list_scenarios, repeats), 100)
        print(f"{'':58} as a member / no sign-in: {listed['median_ms'] / everything['median_ms']:.2f}x (target <= 2x)")
        mine = ids[1]
        plain = report("Open a saved scenario, no sign-in", timed(lambda: store.load(mine), repeats))
        opened = report("Open a saved scenario as a member of its team", timed(lambda: member.load(mine), repeats))
        print(f"{'':58} as a member / no sign-in: {opened['median_ms'] / plain['median_ms']:.2f}x (target <= 2x)")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
