"""Property-based API testing against the OpenAPI spec, on SQLite and on PostgreSQL: no input
makes the server fail (no 5xx).

Every operation is fuzzed from its schema as three callers (admin, applicant, reviewer); an
operation with an application id in its path is also called with a real application's id, so
its handler runs past the lookup. Package intake is fed by :mod:`tests.registry.packages`:
well-formed packages (which the applicant must get a 201 for) and broken ones (4xx).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from beian.crypto import KeyRing
from beian.registry import Registry, Settings
from beian.registry.api import create_app
from beian.registry.domain import Policy
from tests.registry.conftest import World, fresh_schema, populate, write_package, zip_dir
from tests.registry.packages import broken_packages, valid_packages

CALLERS = ("admin", "applicant", "reviewer")
# would end the sessions the other cases use; covered in test_accounts.py
SKIPPED = ("/api/v1/auth/logout", "/api/v1/auth/sessions/revoke")
EXAMPLES = 8  # per operation and id source; x3 callers: the module runs in about a minute


@pytest.fixture(scope="module")
def pg_url_schema() -> Iterator[tuple[str, str]]:
    """A fresh PostgreSQL schema for the module (the URL from BEIAN_TEST_POSTGRES_URL)."""
    url = os.environ.get("BEIAN_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("BEIAN_TEST_POSTGRES_URL must be set in CI")
        pytest.skip("BEIAN_TEST_POSTGRES_URL not set (CI always sets it)")
    with fresh_schema(url, "st") as schema:
        yield url, schema


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def api_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[World, dict[str, dict[str, str]], str]]:
    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    KeyRing.generate().save(tmp / "keys.json")
    cfg = Settings(data_dir=tmp / "data", key_file=tmp / "keys.json",
                   policy=Policy(argon2_time_cost=1, argon2_memory_kib=1024,
                                 login_max_failures=10_000))
    if request.param == "postgres":
        cfg.database_url, cfg.schema = request.getfixturevalue("pg_url_schema")
    reg = Registry.open(cfg)
    assert reg.core.engine.dialect.name == ("postgresql" if request.param == "postgres"
                                            else "sqlite")
    world = populate(reg)
    pid = reg.applications.create(world.actors["applicant"], zip_dir(write_package(tmp / "p")))
    reg.lifecycle.act(world.actors["applicant"], pid, "submit")
    headers = {}
    for who in CALLERS:
        pw, secret = world.users[who]
        token = reg.accounts.login(who, pw, pyotp.TOTP(secret).now() if secret else None,
                                   "127.0.0.1")[0]
        headers[who] = {"Authorization": f"Bearer {token}"}
    yield world, headers, pid
    reg.close()


def _strategy(op: Any, pid: str) -> Any:
    """The operation's cases from its schema, plus (with an application id in the path) cases
    for the real application."""
    strategy = op.as_strategy()
    if "{app_id}" in op.path:
        strategy = strategy | op.as_strategy(path_parameters={"app_id": pid})
    return strategy


@pytest.mark.slow
def test_no_server_errors(api_world: tuple[World, dict[str, dict[str, str]], str]) -> None:
    world, headers, pid = api_world
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(world.reg))
    ran = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        op = result.ok()
        if op.path in SKIPPED:
            continue

        @given(_strategy(op, pid))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            for h in headers.values():
                case.call_and_validate(headers=h, checks=[not_a_server_error])

        run()
        ran.append(f"{op.method.upper()} {op.path}")
    assert len(ran) == 33  # every operation but the two that end the callers' sessions


@pytest.mark.slow
@pytest.mark.parametrize(("valid", "examples"), [(True, 15), (False, 30)])
def test_package_intake_never_fails(api_world: tuple[World, dict[str, dict[str, str]], str],
                                    valid: bool, examples: int) -> None:
    """Generated packages through the schema's intake operation: a well-formed package is
    filed as a draft for the applicant (201) and refused to the others (403); a broken one is
    a 4xx for everyone (a damage that leaves the package readable may still be filed)."""
    world, headers, _ = api_world
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(world.reg))
    op = schema["/api/v1/applications"]["POST"]
    statuses: dict[int, int] = {}

    @given((valid_packages() if valid else broken_packages()).flatmap(
        lambda blob: op.as_strategy(body={"package": blob}, media_type="multipart/form-data")))
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        for who in CALLERS:
            response = case.call_and_validate(headers=headers[who], checks=[not_a_server_error])
            if who != "applicant":
                assert response.status_code == 403, response.text
                continue
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if valid:
                assert response.status_code == 201, response.text
            else:
                assert 400 <= response.status_code < 500 or response.status_code == 201, \
                    response.text

    run()
    if valid:
        assert set(statuses) == {201} and sum(statuses.values()) >= examples // 2, statuses
    else:  # most damage is refused with its reason
        assert statuses.get(400, 0) >= examples // 2, statuses
