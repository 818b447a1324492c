"""coverage_report: the figures of indicators.md for a region, as a Chinese table or as JSON."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from metrics.reports import report_rows
from metrics.selectors import region_figures
from regions.models import Region


class Command(BaseCommand):
    help = "输出区域非公企业党建覆盖情况（indicators.md 的全部指标）"

    def add_arguments(self, parser):
        parser.add_argument("--region", help="区域代码（默认为最上级区域）")
        parser.add_argument("--as-of", dest="as_of", help="统计日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--year", type=int, help="统计年度（默认为统计日期所在年度）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        region = self._region(options["region"])
        as_of = self._day(options["as_of"])
        figures = region_figures(None, region, as_of=as_of, year=options["year"])
        if options["json"]:
            self.stdout.write(json.dumps(figures.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{figures.region.name}（{figures.region.code}）非公企业党建情况")
        self.stdout.write(f"统计日期：{figures.as_of:%Y-%m-%d}　统计年度：{figures.year}")
        width = max(len(label) for label, _ in report_rows(figures)) + 2
        for label, value in report_rows(figures):
            self.stdout.write(f"{label.ljust(width, '　')}{value}")

    def _region(self, code):
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise CommandError(f"区域代码“{code}”不存在")
            return region
        region = Region.objects.filter(parent__isnull=True).order_by("path").first()
        if region is None:
            raise CommandError("尚未建立任何区域")
        return region

    def _day(self, text):
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"日期“{text}”格式错误，应为 YYYY-MM-DD")
