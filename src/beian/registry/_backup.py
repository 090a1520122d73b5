"""Backup and restore: the database (SQLite online backup, or pg_dump for PostgreSQL) plus the
content-addressed materials. Keys are not in the backup: keep the key file separately.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text

from beian.errors import ConfigError, InputError
from beian.io import atomic_write_text
from beian.registry._core import Settings
from beian.registry._storage import private_dir, private_file
from beian.registry.db import Base, make_engine

__all__ = ["BACKUP_FORMAT", "backup", "restore", "table_counts"]

BACKUP_FORMAT = "beian-registry-backup/1"


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
                for t in Base.metadata.sorted_tables}


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _pg_url(settings: Settings) -> str:
    return settings.url.replace("postgresql+psycopg://", "postgresql://", 1)


def _run(cmd: list[str], what: str) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except FileNotFoundError:
        raise ConfigError(f"找不到 {cmd[0]}", fix="请安装 PostgreSQL 客户端（postgresql-client）") from None
    if proc.returncode != 0:
        raise ConfigError(f"{what}失败：{proc.stderr.strip()[:500]}", where=cmd[0],
                          fix="请检查数据库连接与客户端版本")


def backup(settings: Settings, out: Path) -> dict[str, Any]:
    """Write a backup directory ``out`` (must not exist); returns its description."""
    if out.exists() and any(out.iterdir()):
        raise InputError("备份目录已存在且非空", where=str(out), fix="请指定新目录")
    tmp = out.with_name(f".{out.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    private_dir(tmp)
    engine = make_engine(settings.url, schema=settings.schema)
    try:
        counts = table_counts(engine)
        dialect = engine.dialect.name
        if dialect == "sqlite":
            src = sqlite3.connect(_sqlite_path(settings.url))
            dst = sqlite3.connect(private_file(tmp / "registry.sqlite3"))
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        else:
            cmd = ["pg_dump", "-Fc", "--no-owner", "-f", str(private_file(tmp / "registry.pgdump"))]
            if settings.schema:
                cmd += ["-n", settings.schema]
            _run([*cmd, _pg_url(settings)], "pg_dump ")
    finally:
        engine.dispose()
    blobs = settings.data_dir / "blobs"
    n_blobs = 0
    if blobs.is_dir():
        shutil.copytree(blobs, tmp / "blobs")
        n_blobs = sum(1 for p in (tmp / "blobs").rglob("*") if p.is_file())
    meta = {"format": BACKUP_FORMAT, "created": dt.datetime.now(dt.UTC).isoformat(),
            "dialect": dialect, "schema": settings.schema, "counts": counts, "blobs": n_blobs}
    atomic_write_text(tmp / "backup.json", json.dumps(meta, ensure_ascii=False, indent=2))
    if out.exists():
        out.rmdir()
    os.replace(tmp, out)
    return meta


def restore(settings: Settings, src: Path) -> dict[str, Any]:
    """Restore a backup into the configured database and data directory, then check counts."""
    try:
        meta = json.loads((src / "backup.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("不是 beian 备份目录（缺少 backup.json）", where=str(src),
                         fix="请指向 `beian registry backup` 生成的目录") from None
    if meta.get("format") != BACKUP_FORMAT:
        raise InputError("不支持的备份格式", where=f"{src}/backup.json", fix=BACKUP_FORMAT)
    private_dir(settings.data_dir)
    engine = make_engine(settings.url, schema=settings.schema)
    dialect = engine.dialect.name
    if dialect != meta["dialect"]:
        raise InputError(f"备份来自 {meta['dialect']}，当前数据库是 {dialect}", where=str(src),
                         fix="请恢复到同类数据库")
    try:
        if dialect == "sqlite":
            engine.dispose()
            s = sqlite3.connect(src / "registry.sqlite3")
            d = sqlite3.connect(private_file(Path(_sqlite_path(settings.url))))
            with d:
                s.backup(d)
            s.close()
            d.close()
        else:
            if settings.schema:
                with engine.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{settings.schema}" CASCADE'))
            _run(["pg_restore", "--no-owner", "--clean", "--if-exists", "-d", _pg_url(settings),
                  str(src / "registry.pgdump")], "pg_restore ")
        engine.dispose()
        blobs = src / "blobs"
        if blobs.is_dir():
            shutil.copytree(blobs, settings.data_dir / "blobs", dirs_exist_ok=True)
        engine = make_engine(settings.url, schema=settings.schema)
        counts = table_counts(engine)
    finally:
        engine.dispose()
    if counts != meta["counts"]:
        raise InputError("恢复后的行数与备份记录不符", where=str(src),
                         fix=f"备份：{meta['counts']}；恢复后：{counts}")
    return {**meta, "restored_counts": counts}
