"""Delete archive exports (rows and zip files) older than --days (default 7): run daily from cron."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from archives.models import ArchiveExport


class Command(BaseCommand):
    help = "删除超过指定天数的档案导出压缩包（默认 7 天）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, days, **options):
        cutoff = timezone.now() - datetime.timedelta(days=days)
        removed = 0
        for export in ArchiveExport.objects.filter(created_at__lt=cutoff).iterator():
            if export.file:
                export.file.storage.delete(export.file.name)
            export.delete()
            removed += 1
        self.stdout.write(f"已删除 {removed} 个过期的档案导出")
