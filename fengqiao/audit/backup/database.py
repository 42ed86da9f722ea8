"""Dumping and loading the database, one way per engine.

SQLite: the online backup API copies a consistent snapshot page by page while the platform
runs. PostgreSQL: ``pg_dump -Fc`` in a snapshot exported from a repeatable-read transaction, so
the row counts of the manifest are those of the dump, not of a moment later.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from fengqiao.audit.backup.archive import BackupError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DUMP_NAMES = {SQLITE: "database.sqlite3", POSTGRESQL: "database.pgdump"}
# pg_restore of the whole county runs longer than any request; a hung tool must still end.
TOOL_TIMEOUT = 6 * 3600


def engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor in {SQLITE, POSTGRESQL}:
        return str(connection.vendor)
    raise BackupError(_("不支持备份此类数据库：%(vendor)s") % {"vendor": connection.vendor})


def _outside_transaction(connection: BaseDatabaseWrapper) -> None:
    # A snapshot taken inside a caller's transaction would hold its uncommitted rows (SQLite)
    # or could not choose its isolation (PostgreSQL).
    if connection.in_atomic_block:
        raise BackupError(_("备份与恢复不能在数据库事务中进行。"))


def tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == SQLITE:
            return _sqlite_tables(cursor)
        return sorted(connection.introspection.table_names(cursor))


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor: Any, names: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for name in names:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608 — a table's name
        counts[name] = int(cursor.fetchone()[0])
    return counts


def table_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    names = tables(connection)
    with connection.cursor() as cursor:
        return _counts(cursor, names, connection.ops.quote_name)


class Dump(NamedTuple):
    counts: dict[str, int]
    info: dict[str, str]
    # The rows each of the caller's queries read in the dumped snapshot.
    results: list[list[tuple[Any, ...]]]


def dump(connection: BaseDatabaseWrapper, target: Path, queries: list[str]) -> Dump:
    """Write a consistent dump of the database to ``target``: the row count of every table and
    the answer of each query (no parameters) are those of the dump itself."""
    _outside_transaction(connection)
    if engine(connection) == SQLITE:
        return _sqlite_dump(connection, target, queries)
    return _pg_dump(connection, target, queries)


def _answers(cursor: Any, queries: list[str]) -> list[list[tuple[Any, ...]]]:
    results = []
    for query in queries:
        cursor.execute(query)
        results.append([tuple(row) for row in cursor.fetchall()])
    return results


def _sqlite_dump(connection: BaseDatabaseWrapper, target: Path, queries: list[str]) -> Dump:
    connection.ensure_connection()
    out = sqlite3.connect(target)
    try:
        # One step: the source stays read-locked for the copy, so the copy is one moment.
        connection.connection.backup(out)
        cursor = out.cursor()
        counts = _counts(cursor, _sqlite_tables(cursor), connection.ops.quote_name)
        info = {"engine": SQLITE, "version": sqlite3.sqlite_version}
        return Dump(counts, info, _answers(cursor, queries))
    finally:
        out.close()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("找不到 %(tool)s：请安装与数据库服务器同一主版本的 PostgreSQL 客户端工具。")
            % {"tool": name}
        )
    return path


def tool_major(name: str) -> int:
    output = subprocess.run(  # noqa: S603
        [_tool(name), "--version"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    if found is None:
        raise BackupError(
            _("无法识别 %(tool)s 的版本：%(output)s") % {"tool": name, "output": output}
        )
    return int(found.group(1))


def _pg_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    params = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(params["NAME"])}
    for key, var in (("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST")):
        if params.get(key):
            env[var] = str(params[key])
    if params.get("PORT"):
        env["PGPORT"] = str(params["PORT"])
    sslmode = (params.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603
        args, env=env, capture_output=True, text=True, check=False, timeout=TOOL_TIMEOUT
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-10:])
        raise BackupError(_("%(what)s失败：%(error)s") % {"what": what, "error": tail})


def _pg_dump(connection: BaseDatabaseWrapper, target: Path, queries: list[str]) -> Dump:
    connection.ensure_connection()
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    client_major = tool_major("pg_dump")
    # pg_dump reads servers of its own major version and older ones only.
    if client_major < server_major:
        raise BackupError(
            _(
                "pg_dump 的版本（%(client)s）低于数据库服务器（%(server)s）：请安装 "
                "postgresql-client-%(server)s。"
            )
            % {"client": client_major, "server": server_major}
        )
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        names = sorted(connection.introspection.table_names(cursor))
        counts = _counts(cursor, names, connection.ops.quote_name)
        results = _answers(cursor, queries)
        # The transaction stays open while pg_dump reads the snapshot it exported.
        _run(
            [_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(target)],
            _pg_env(connection),
            _("pg_dump 导出数据库"),
        )
    info = {"engine": POSTGRESQL, "version": str(server_major), "pg_dump": str(client_major)}
    return Dump(counts, info, results)


def is_empty(connection: BaseDatabaseWrapper) -> list[str]:
    """The tables already in the database (an empty list: it may be restored into)."""
    return tables(connection)


def load(connection: BaseDatabaseWrapper, source: Path, info: dict[str, Any]) -> None:
    """Load a dump into the (empty) database of ``connection``."""
    _outside_transaction(connection)
    kind = engine(connection)
    if info.get("engine") != kind:
        raise BackupError(
            _("备份来自 %(source)s 数据库，不能恢复到 %(target)s 数据库。")
            % {"source": info.get("engine"), "target": kind}
        )
    if kind == SQLITE:
        connection.ensure_connection()
        src = sqlite3.connect(source)
        try:
            src.backup(connection.connection)
        finally:
            src.close()
        return
    needed = int(info.get("pg_dump") or 0)
    client_major = tool_major("pg_restore")
    if client_major < needed:
        raise BackupError(
            _("pg_restore 的版本（%(client)s）低于写这个备份的 pg_dump（%(needed)s）。")
            % {"client": client_major, "needed": needed}
        )
    connection.close()
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            str(connection.settings_dict["NAME"]),
            str(source),
        ],
        _pg_env(connection),
        _("pg_restore 导入数据库"),
    )


def wipe(connection: BaseDatabaseWrapper) -> None:
    """Empty again a database this restore filled and that failed its checks."""
    if connection.vendor == SQLITE:
        connection.ensure_connection()
        empty = sqlite3.connect(":memory:")
        try:
            empty.backup(connection.connection)
        finally:
            empty.close()
        return
    names = tables(connection)
    if names:
        quoted = ", ".join(connection.ops.quote_name(name) for name in names)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")
