"""Filing and registration numbers: published form, uniqueness under concurrent approvals."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from beian.errors import InputError
from beian.registry import Registry, Settings
from beian.registry.domain import filing_number, name_segment, registration_number


@pytest.mark.parametrize(("province", "model", "day", "serial", "expected"), [
    ("北京", "deepseek-chat", dt.date(2024, 4, 28), 16, "Beijing-DeepseekChat-202404280016"),
    ("浙江省", "通义千问", dt.date(2023, 9, 1), 1, "ZheJiang-TongYiQianWen-202309010001"),
    ("国资委", "九天", dt.date(2024, 1, 23), 2, "ZhongYangQiYe-JiuTian-202401230002"),
    ("北京市", "云雀", dt.date(2023, 8, 21), 3, "Beijing-YunQue-202308210003"),
    ("陕西", "Qwen2.5 大模型", dt.date(2025, 1, 2), 9999, "Shaanxi-Qwen25DaMoXing-202501029999"),
])
def test_filing_number(province: str, model: str, day: dt.date, serial: int,
                       expected: str) -> None:
    assert filing_number(province, model, day, serial) == expected


def test_registration_number_is_distinct() -> None:
    assert registration_number("上海", "智能客服", dt.date(2025, 3, 4), 7) == \
        "ShangHai-DJ-ZhiNengKeFu-202503040007"


@pytest.mark.parametrize(("args", "needle"), [
    (("火星", "m", dt.date(2025, 1, 1), 1), "属地"),
    (("北京", "m", dt.date(2025, 1, 1), 10000), "流水号"),
])
def test_bad_number_inputs(args: tuple[str, str, dt.date, int], needle: str) -> None:
    with pytest.raises(InputError) as exc:
        filing_number(*args)
    assert needle in exc.value.what


def test_name_without_letters_is_refused() -> None:
    with pytest.raises(InputError):
        name_segment("——")


def _hammer(reg: Registry, key: str, n_threads: int = 8, per: int = 10) -> list[int]:
    got: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(per):
            v = reg.lifecycle.take_serial(key)
            with lock:
                got.append(v)

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_serials_unique_under_concurrency_sqlite(registry: Registry) -> None:
    got = _hammer(registry, "filing:Beijing:20250101")
    assert sorted(got) == list(range(1, 81))


@pytest.mark.postgres
def test_serials_unique_under_concurrency_postgres(
        settings: Settings, pg_schema: tuple[str, str]) -> None:
    url, schema = pg_schema
    settings.database_url, settings.schema = url, schema
    reg = Registry.open(settings)
    try:
        got = _hammer(reg, "filing:Beijing:20250101")
        assert sorted(got) == list(range(1, 81))
        assert reg.lifecycle.take_serial("other") == 1
    finally:
        reg.close()


def test_concurrent_approvals_get_distinct_numbers(world: object, tmp_path: object) -> None:
    from pathlib import Path

    from tests.registry.conftest import World, write_package, zip_dir

    assert isinstance(world, World) and isinstance(tmp_path, Path)
    reg, a = world.reg, world.actors
    z = zip_dir(write_package(tmp_path / "p", kind="registration", service="智能客服"))
    ids = []
    for _ in range(6):
        pid = reg.applications.create(a["applicant"], z)
        reg.lifecycle.act(a["applicant"], pid, "submit")
        reg.lifecycle.act(a["reviewer"], pid, "start_review")
        for c in reg.applications.checklist(a["reviewer"], pid):
            reg.applications.set_check(a["reviewer"], pid, c["id"], "ok", "")
        ids.append(pid)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def approve(pid: str) -> None:
        try:
            r = reg.lifecycle.act(a["approver"], pid, "approve_registration", "准予登记",
                        today=dt.date(2025, 3, 4))
            numbers.append(r["number"])
        except BaseException as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(pid,)) for pid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"Beijing-DJ-ZhiNengKeFu-20250304{i:04d}" for i in range(1, 7)]
