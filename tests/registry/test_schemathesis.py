"""Property-based API testing against the OpenAPI spec: no input makes the server fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from beian.crypto import KeyRing
from beian.registry import Registry, Settings
from beian.registry.api import create_app
from beian.registry.domain import Policy
from tests.registry.conftest import World, populate, write_package, zip_dir


@pytest.fixture(scope="module")
def api_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[str, Any]]]:
    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    KeyRing.generate().save(tmp / "keys.json")
    reg = Registry.open(Settings(data_dir=tmp / "data", key_file=tmp / "keys.json",
                                 policy=Policy(argon2_time_cost=1, argon2_memory_kib=1024,
                                               login_max_failures=10_000)))
    world = populate(reg)
    pid = reg.applications.create(world.actors["applicant"], zip_dir(write_package(tmp / "p")))
    reg.lifecycle.act(world.actors["applicant"], pid, "submit")
    headers = {}
    for who in ("admin", "applicant", "reviewer"):
        pw, secret = world.users[who]
        token = reg.accounts.login(who, pw, pyotp.TOTP(secret).now() if secret else None, "127.0.0.1")[0]
        headers[who] = {"Authorization": f"Bearer {token}"}
    yield world, headers
    reg.close()


@pytest.mark.slow
def test_no_server_errors(api_world: tuple[World, dict[str, Any]]) -> None:
    world, headers = api_world
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(world.reg))
    ran = []
    for result in schema.get_all_operations():
        op = result.ok()
        if op.path in ("/api/v1/auth/logout", "/api/v1/auth/sessions/revoke"):
            continue  # would end the sessions the other cases use; covered in test_accounts.py

        @given(op.as_strategy())
        @settings(max_examples=10, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            for h in headers.values():
                case.call_and_validate(headers=h, checks=[not_a_server_error])

        run()
        ran.append(f"{op.method.upper()} {op.path}")
    assert len(ran) == 33  # every operation but the two that end the callers' sessions
