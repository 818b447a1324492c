"""Consistent backups: the database (one snapshot) plus the media files, in one .tar.gz.

Archive layout::

    database.sqlite3 | database.pgdump   the database (SQLite online backup / ``pg_dump -Fc``)
    media/<name>                         every file of the default storage (through the storage API,
                                         so S3-compatible stores work the same as a directory)
    manifest.json                        format, versions, row counts per table and SHA-256 of every member

Row counts are taken inside the same snapshot as the dump (SQLite: from the copy itself;
PostgreSQL: in the REPEATABLE READ transaction whose exported snapshot ``pg_dump --snapshot``
uses), so the manifest describes exactly what the dump holds.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import django
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
# Scratch files of the health check are not data.
SKIPPED_MEDIA_DIRS = {"healthcheck"}

# A database is "not empty" when it holds any of these (migrations alone create default rows
# in other tables, such as meeting frequencies and targets).
BUSINESS_MODELS = (
    "accounts.User",
    "regions.Region",
    "enterprises.Enterprise",
    "organizations.Organization",
    "instructors.Instructor",
    "members.Person",
    "archives.ActivityRecord",
)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_names():
    """label → table name of every concrete table Django manages (auto-created m2m tables too)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables[model._meta.label] = model._meta.db_table
    tables["migrations"] = MigrationRecorder.Migration._meta.db_table
    return dict(sorted(tables.items()))


def count_rows(cursor, tables, existing):
    quote = connection.ops.quote_name
    counts = {}
    for label, table in tables.items():
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[label] = cursor.fetchone()[0]
    return counts


def business_row_count():
    existing = set(connection.introspection.table_names())
    total = 0
    for label in BUSINESS_MODELS:
        model = apps.get_model(label)
        if model._meta.db_table in existing:
            total += model._base_manager.count()
    return total


def pg_environment(settings_dict):
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def pg_connection_args(settings_dict):
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    return args + ["-d", settings_dict["NAME"]]


def run_tool(command, settings_dict, what):
    if shutil.which(command[0]) is None:
        raise CommandError(f"找不到 {command[0]} 命令：请安装与数据库版本一致的 PostgreSQL 客户端工具")
    result = subprocess.run(command, env=pg_environment(settings_dict), capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{what}失败：{result.stderr.strip()}")


def dump_database(workdir):
    """Dump the database into ``workdir``; returns (member name, row counts in the same snapshot)."""
    tables = table_names()
    if connection.vendor == "sqlite":
        target = Path(workdir) / SQLITE_MEMBER
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            existing = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            counts = count_rows(copy.cursor(), tables, existing)
        finally:
            copy.close()
        return SQLITE_MEMBER, counts
    if connection.vendor == "postgresql":
        if connection.in_atomic_block:
            raise CommandError("备份不能在事务中运行")
        target = Path(workdir) / PG_MEMBER
        settings_dict = connection.settings_dict
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                run_tool(
                    ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(target)]
                    + pg_connection_args(settings_dict),
                    settings_dict,
                    "数据库导出（pg_dump）",
                )
                existing = set(connection.introspection.table_names(cursor))
                counts = count_rows(cursor, tables, existing)
        return PG_MEMBER, counts
    raise CommandError(f"不支持的数据库类型：{connection.vendor}（仅支持 SQLite 和 PostgreSQL）")


def iter_media(storage, directory=""):
    """Every file name in the storage, depth first, in a stable order."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(directories):
        if not directory and sub in SKIPPED_MEDIA_DIRS:
            continue
        yield from iter_media(storage, f"{directory}/{sub}" if directory else sub)


class HashingReader:
    """Reads a file object while hashing what passes through (tarfile reads exactly ``size`` bytes)."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def create_backup(output_dir, stdout=None):
    """Write the backup archive into ``output_dir``; returns (path, manifest)."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    final = output_dir / f"partybuild-backup-{stamp}.tar.gz"
    partial = final.with_name(final.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="pb-backup-") as workdir:
        db_member, counts = dump_database(workdir)
        db_path = Path(workdir) / db_member
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "django": django.get_version(),
            "database": {
                "vendor": connection.vendor,
                "member": db_member,
                "sha256": sha256_file(db_path),
                "size": db_path.stat().st_size,
            },
            "counts": counts,
            "media": {},
        }
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(db_path, arcname=db_member)
            for name in iter_media(default_storage):
                info = tarfile.TarInfo(MEDIA_PREFIX + name)
                info.size = default_storage.size(name)
                info.mtime = int(datetime.datetime.now().timestamp())
                with default_storage.open(name, "rb") as handle:
                    reader = HashingReader(handle)
                    archive.addfile(info, reader)
                manifest["media"][name] = {"sha256": reader.digest.hexdigest(), "size": info.size}
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
    os.replace(partial, final)
    return final, manifest


def _safe_media_name(member_name):
    name = member_name[len(MEDIA_PREFIX):]
    parts = Path(name).parts
    if not name or name.startswith("/") or ".." in parts:
        raise CommandError(f"备份文件中含有不安全的路径：{member_name}")
    return name


def read_and_verify(archive_path, workdir):
    """Check every member against the manifest and extract the database dump into ``workdir``.

    Nothing is written to the database or the storage here: a damaged archive is refused whole.
    """
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise CommandError(f"备份文件不存在：{archive_path}")
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            try:
                manifest = json.load(archive.extractfile(MANIFEST))
            except KeyError:
                raise CommandError("备份文件缺少 manifest.json，不是本系统生成的备份") from None
            if manifest.get("format") != FORMAT_VERSION:
                raise CommandError(f"不支持的备份格式版本：{manifest.get('format')}")
            seen_media = set()
            db_member = manifest["database"]["member"]
            for member in archive:
                if member.name == MANIFEST:
                    continue
                if not member.isfile():
                    raise CommandError(f"备份文件中含有非普通文件：{member.name}")
                if member.name == db_member:
                    target = Path(workdir) / db_member
                    with archive.extractfile(member) as source, open(target, "wb") as sink:
                        shutil.copyfileobj(source, sink, CHUNK)
                    if sha256_file(target) != manifest["database"]["sha256"]:
                        raise CommandError("数据库备份的校验和不符，备份文件已损坏")
                elif member.name.startswith(MEDIA_PREFIX):
                    name = _safe_media_name(member.name)
                    expected = manifest["media"].get(name)
                    digest = hashlib.sha256()
                    with archive.extractfile(member) as source:
                        for chunk in iter(lambda: source.read(CHUNK), b""):
                            digest.update(chunk)
                    if expected is None or digest.hexdigest() != expected["sha256"]:
                        raise CommandError(f"文件 {name} 的校验和不符，备份文件已损坏")
                    seen_media.add(name)
                else:
                    raise CommandError(f"备份文件中含有未知内容：{member.name}")
            missing = set(manifest["media"]) - seen_media
            if missing or not (Path(workdir) / db_member).exists():
                raise CommandError("备份文件不完整：缺少数据库或部分文件")
    except (tarfile.TarError, EOFError, OSError, json.JSONDecodeError) as error:
        raise CommandError(f"无法读取备份文件：{error}") from error
    return manifest


def restore_database(manifest, workdir):
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise CommandError(f"备份来自 {vendor} 数据库，不能恢复到 {connection.vendor} 数据库")
    dump = Path(workdir) / manifest["database"]["member"]
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            # One step: the destination is replaced page for page inside one SQLite transaction.
            source.backup(connection.connection)
        finally:
            source.close()
        return
    settings_dict = connection.settings_dict
    connection.close()
    run_tool(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error"]
        + pg_connection_args(settings_dict)
        + [str(dump)],
        settings_dict,
        "数据库恢复（pg_restore）",
    )
    # pg_restore brings no planner statistics; without them the first reports plan nested loops
    # over whole tables (seconds instead of milliseconds) until autovacuum gets round to it.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def restore_media(archive_path, manifest):
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive:
            if not member.name.startswith(MEDIA_PREFIX):
                continue
            name = _safe_media_name(member.name)
            if default_storage.exists(name):
                default_storage.delete(name)
            with archive.extractfile(member) as source:
                saved = default_storage.save(name, source)
            if saved != name:
                raise CommandError(f"文件 {name} 未能按原名恢复（存储返回 {saved}）")
    return len(manifest["media"])


def current_counts(labels):
    tables = table_names()
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        return count_rows(cursor, {label: tables[label] for label in labels if label in tables}, existing)
