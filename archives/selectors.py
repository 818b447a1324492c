"""Reads over activity records that span organizations: 三会一课 compliance.

``compliance_for_organizations`` is a stable API (the metrics app calls it for
``meetings.compliance_rate`` and the warning 上季度三会一课不全); keep its signature.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import ActivityRecord, Category, MeetingRequirement, Period

CATEGORY_LABELS = dict(Category.choices)


@dataclass(frozen=True)
class PeriodSpan:
    """One calendar month, quarter or year: [first, last] inclusive."""

    kind: str
    first: datetime.date
    last: datetime.date

    @property
    def label(self):
        if self.kind == Period.MONTH:
            return f"{self.first.year}年{self.first.month}月"
        if self.kind == Period.QUARTER:
            return f"{self.first.year}年第{(self.first.month - 1) // 3 + 1}季度"
        return f"{self.first.year}年度"


@dataclass
class Compliance:
    """三会一课 compliance of one organization over [start, end].

    ``expected`` and ``recorded`` map a category code to a number of meetings; ``gaps`` holds
    (category label, period label, shortfall) per period short of its requirement, and
    ``missing`` spells them out in Chinese ("支委会（2026年2月）"), built only when read: the
    city indicator asks ``compliant`` of thousands of branches and never needs the words.
    """

    organization_id: int
    expected: dict = field(default_factory=dict)
    recorded: dict = field(default_factory=dict)
    gaps: list = field(default_factory=list)

    @property
    def compliant(self):
        return not self.gaps

    @property
    def missing(self):
        return [
            f"{label}（{period_label}{f'，差{shortfall}次' if times > 1 else ''}）"
            for label, period_label, shortfall, times in self.gaps
        ]

    @property
    def missing_text(self):
        return "、".join(self.missing)

    @property
    def missing_summary(self):
        """One entry per category, e.g. "支委会（2026年7月、2026年8月）": short enough for a table cell."""
        periods = {}
        for label, period_label, _, _ in self.gaps:
            periods.setdefault(label, []).append(period_label)
        return "；".join(f"{label}（{'、'.join(spans)}）" for label, spans in periods.items())


def _next_month(day):
    return day.replace(year=day.year + 1, month=1, day=1) if day.month == 12 else day.replace(month=day.month + 1, day=1)


def _period_first(kind, day):
    if kind == Period.MONTH:
        return day.replace(day=1)
    if kind == Period.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _period_after(kind, first):
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[kind]
    total = first.year * 12 + first.month - 1 + months
    return datetime.date(total // 12, total % 12 + 1, 1)


def periods_within(kind, start, end):
    """The calendar periods of ``kind`` lying wholly inside [start, end]."""
    spans = []
    first = _period_first(kind, start)
    if first < start:
        first = _period_after(kind, first)
    while True:
        following = _period_after(kind, first)
        last = following - datetime.timedelta(days=1)
        if last > end:
            return spans
        spans.append(PeriodSpan(kind, first, last))
        first = following


class YearMonth(Func):
    """A date's year * 100 + month, in native SQL on both databases (Django's TruncMonth runs a
    Python function per row on SQLite: 0.08 s of the city dashboard's 8,800 record groups)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%Y%%%%m', %(expressions)s) AS INTEGER)", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection,
            template="(EXTRACT(YEAR FROM %(expressions)s) * 100 + EXTRACT(MONTH FROM %(expressions)s))::integer",
            **extra_context,
        )


def _existed_throughout(org, span):
    """An organization is held to a period only if it existed for all of it (new ones get a grace period)."""
    if org["founded_on"] and org["founded_on"] > span.first:
        return False
    return not (org["dissolved_on"] and org["dissolved_on"] <= span.last)


def compliance_for_organizations(organizations, start, end, *, as_of=None):
    """三会一课 compliance per organization over the calendar periods inside [start, end].

    ``organizations``: a queryset (preferred for many: the record filter is then a subquery,
    not an IN list of ids) or an iterable of Organization objects. Returns
    ``{organization_id: Compliance}``. Queries: one for the requirements, one aggregate over
    ActivityRecord (records counted per organization, category and month, then folded into
    quarters and years here), plus one to read the organizations when a queryset is given:
    three at most, whatever the number of organizations.

    A period (month / quarter / year per the requirement's ``period``) counts only when it lies
    wholly inside [start, end] and the organization existed for all of it. The frequencies are
    written for branches (党支部); a 党委 or 党总支 is held to the same frequencies, because its
    subordinate branches are not modelled separately and its own meetings (党委会 recorded as
    支委会, 党员大会, 党课 ...) are what its archive shows. Callers that want branches only (the
    indicator ``meetings.compliance_rate``) filter ``level="branch"`` before calling.

    ``as_of`` (optional, for "this quarter so far" pages): periods that have not begun by that
    day are left out; the period in progress still counts, so what remains to be held shows.
    """
    if isinstance(organizations, QuerySet):
        orgs = list(organizations.values("pk", "founded_on", "dissolved_on"))
        org_filter = {"organization__in": organizations.values("pk")}
    else:
        orgs = [{"pk": o.pk, "founded_on": o.founded_on, "dissolved_on": o.dissolved_on} for o in organizations]
        org_filter = {"organization_id__in": [o["pk"] for o in orgs]}
    result = {org["pk"]: Compliance(organization_id=org["pk"]) for org in orgs}
    if not orgs or start > end:
        return result

    requirements = list(MeetingRequirement.objects.order_by("pk").values_list("category", "period", "times"))
    # Each period once, with its label and its months (the loop below runs per organization).
    spans_by_kind = {}
    for kind in {period for _, period, _ in requirements}:
        spans_by_kind[kind] = []
        for span in periods_within(kind, start, end):
            if as_of is None or span.first <= as_of:
                months, month = [], span.first
                while month <= span.last:
                    months.append(month)
                    month = _next_month(month)
                spans_by_kind[kind].append((span, span.label, months))

    rows = (
        ActivityRecord.objects.filter(
            held_on__gte=start, held_on__lte=end, category__in=[category for category, _, _ in requirements], **org_filter
        )
        .annotate(month=YearMonth("held_on"))
        .values("organization_id", "category", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month = defaultdict(int)  # (org_id, category, month first day) -> count
    for row in rows:
        month = datetime.date(row["month"] // 100, row["month"] % 100, 1)
        by_month[(row["organization_id"], row["category"], month)] += row["n"]

    for org in orgs:
        org_id = org["pk"]
        compliance = result[org_id]
        for category, period, times in requirements:
            label = CATEGORY_LABELS.get(category, category)
            expected = recorded = 0
            for span, span_label, months in spans_by_kind[period]:
                if not _existed_throughout(org, span):
                    continue
                held = sum(by_month.get((org_id, category, month), 0) for month in months)
                expected += times
                recorded += held
                if held < times:
                    compliance.gaps.append((label, span_label, times - held, times))
            compliance.expected[category] = expected
            compliance.recorded[category] = recorded
    return result


def count_related(model, field="record"):
    """A correlated COUNT subquery (NetBox's count_related): no GROUP BY over the whole list,
    so a page of 25 rows costs 25 small index lookups whatever the size of the table."""
    counts = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def records_with_counts(queryset):
    """Activity records annotated with ``photo_count`` and ``attachment_count``."""
    from .models import ActivityAttachment, ActivityPhoto

    return queryset.annotate(photo_count=count_related(ActivityPhoto), attachment_count=count_related(ActivityAttachment))


def quarter_bounds(day):
    """First and last day of the calendar quarter containing ``day``."""
    first = _period_first(Period.QUARTER, day)
    return first, _period_after(Period.QUARTER, first) - datetime.timedelta(days=1)


def last_full_quarter_before(day):
    """The last calendar quarter that ended before ``day`` (the indicator's window)."""
    first, _ = quarter_bounds(day)
    return quarter_bounds(first - datetime.timedelta(days=1))
