"""python manage.py import_xlsx KIND PATH [--dry-run] [--json] [--user USERNAME]

Exit status 0 when imported (or when a dry run finds no error), 1 when refused.
Without --user the import runs with full scope.
"""

import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from imports.engine import run_import
from imports.kinds import KIND_ORDER


class Command(BaseCommand):
    help = "导入 Excel/CSV 文件（import-formats.md）：KIND 为 " + "、".join(KIND_ORDER) + " 或 workbook"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KIND_ORDER + ["workbook"])
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计，不写入")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--user", help="按该账户的管辖范围导入（默认：全部范围）")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"账户“{options['user']}”不存在")
        result = run_import(options["kind"], options["path"], user=user, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        else:
            self._print_summary(result)
        if result.errors:
            sys.exit(1)

    def _print_summary(self, result):
        verb = "预览" if result.dry_run else "导入"
        if result.errors:
            self.stdout.write(f"{verb}被拒绝：{len(result.errors)} 个错误，未写入任何数据")
            for error in result.errors[:200]:
                where = f"第 {error['row']} 行" if error["row"] else "文件"
                sheet = f"[{error['sheet']}] " if error.get("sheet") else ""
                self.stdout.write(f"  {sheet}{where} {error['column']}：{error['message']}")
        else:
            self.stdout.write(
                f"{verb}完成：共 {result.rows} 行，新增 {result.created}，更新 {result.updated}，"
                f"未变 {result.unchanged}，空行 {result.skipped_blank}"
            )
        if result.unknown_columns:
            self.stdout.write("未识别的列（已忽略）：" + "、".join(result.unknown_columns))
