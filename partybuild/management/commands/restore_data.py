"""``python manage.py restore_data PATH [--force]``: restore a backup made by ``backup_data``.

The archive is verified whole (every checksum) before anything is written. A database that
already holds data is only overwritten with ``--force``.
"""

import tempfile

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from partybuild.management.backup import (
    business_row_count,
    current_counts,
    read_and_verify,
    restore_database,
    restore_media,
)


class Command(BaseCommand):
    help = "从 backup_data 生成的备份文件恢复数据库和上传文件"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件（.tar.gz）路径")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然覆盖")

    def handle(self, *args, path, force, **options):
        with tempfile.TemporaryDirectory(prefix="pb-restore-") as workdir:
            manifest = read_and_verify(path, workdir)
            existing = business_row_count()
            if existing and not force:
                raise CommandError(
                    f"目标数据库不是空的（已有 {existing} 条业务数据），恢复将覆盖全部现有数据。"
                    "确认无误后请加 --force 参数重新运行。"
                )
            restore_database(manifest, workdir)
        files = restore_media(path, manifest)

        expected = manifest["counts"]
        restored = current_counts(expected)
        different = {label: (expected[label], restored.get(label)) for label in expected if restored.get(label) != expected[label]}
        if different:
            details = "，".join(f"{label} 备份 {want} 行、恢复后 {got} 行" for label, (want, got) in different.items())
            raise CommandError(f"恢复后的行数与备份清单不符：{details}")
        rows = sum(count for label, count in expected.items() if label != "migrations")
        self.stdout.write(self.style.SUCCESS(f"恢复完成：{rows} 行数据，{files} 个文件（备份时间 {manifest['created_at']}）"))
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write(self.style.WARNING("备份来自较早的版本：请运行 python manage.py migrate 完成数据库升级"))
