"""``python manage.py backup_data [--output DIR]``: database + media + manifest in one .tar.gz."""

from django.conf import settings
from django.core.management.base import BaseCommand

from partybuild.management.backup import create_backup


class Command(BaseCommand):
    help = "备份数据库和上传文件（照片、附件）到一个 .tar.gz 文件"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(settings.BASE_DIR / "backups"),
            help="备份文件存放目录（默认：项目目录下的 backups/）",
        )

    def handle(self, *args, output, **options):
        path, manifest = create_backup(output)
        rows = sum(count for label, count in manifest["counts"].items() if label != "migrations")
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{path}（数据库 {manifest['database']['vendor']}，{rows} 行数据，"
                f"{len(manifest['media'])} 个文件）"
            )
        )
