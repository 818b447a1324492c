"""Every figure of indicators.md, computed with aggregates in a fixed number of queries.

How it stays fast at city scale: each base table is read once by a query that groups by the
region an object belongs to and counts with conditional aggregates (``Count(filter=...)``).
Membership tests (org-covered, instructed, has members, ...) are *uncorrelated* ``IN
(subquery)`` conditions, which SQLite materialises once per statement and PostgreSQL turns
into a hashed semi-join. The handful of per-region rows that come back (one per region node,
never one per enterprise) are rolled up here into the subtree of the report region and of each
of its children, so the dashboard's child-region table costs nothing extra.

Scope: every base queryset starts from ``Model.objects.for_user(user)`` and is intersected
with the region subtree, so a township leader's figures cover only that township.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, DateField, F, Func, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from archives.models import ActivityRecord
from archives.selectors import compliance_for_organizations, last_full_quarter_before
from enterprises.models import Enterprise, EnterpriseKind, EnterpriseStatus
from instructors.models import Assignment, Instructor
from members.models import MASS_ORG_HEAD_ROLES, Person, PersonRole
from organizations.models import (
    SCHEME_ITEMS,
    TERM_YEARS,
    ActivitySite,
    Coverage,
    Evaluation,
    Formation,
    OrgLevel,
    Organization,
    Scheme,
)
from partybuild.dates import add_years
from partybuild.scoping import has_full_scope
from regions.models import Region, RegionKind, RegionStat

from .models import Comparison, DeadlineKind, Indicator, Target

OPERATING = EnterpriseStatus.OPERATING
CLOSED = EnterpriseStatus.CLOSED
TERM_DUE_SOON_DAYS = 90
SILENT_DAYS = 30
STAFF_THRESHOLDS = (25, 50, 100)
SHOULD_BUILD_FULL_MEMBERS = 3
TOWNSHIP_KINDS = (RegionKind.TOWNSHIP, RegionKind.SUBDISTRICT)


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Rate:
    """A rate as indicators.md defines it: ``rate`` is None when the denominator is 0."""

    num: int
    den: int

    @property
    def rate(self):
        return self.num / self.den if self.den else None

    @property
    def percent(self):
        """"15.58%" or "—" (never 100% for an empty denominator)."""
        value = self.rate
        return "—" if value is None else f"{value * 100:.2f}%"

    def as_dict(self):
        return {"num": self.num, "den": self.den, "rate": self.rate}

    def __str__(self):
        return self.percent


def as_json(value):
    if isinstance(value, Rate):
        return value.as_dict()
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    return value


# --------------------------------------------------------------------------- dates


def end_of_year(year):
    return datetime.date(year, 12, 31)


def year_bounds(year, as_of=None):
    """[1 January, 31 December] of ``year``, cut at ``as_of``: events dated after the report date do not count yet."""
    last = end_of_year(year)
    return datetime.date(year, 1, 1), min(last, as_of) if as_of else last


def earliest_start_not_due(day, years):
    """The first start date s with add_years(s, years) >= day: starts before it are overdue on ``day``.

    Worked out around add_years(day, -years) so that 29 February behaves as ``term_due_on`` does.
    """
    guess = add_years(day, -years)
    candidate = guess - datetime.timedelta(days=3)
    while add_years(candidate, years) < day:
        candidate += datetime.timedelta(days=1)
    return candidate


class PlusYears(Func):
    """``date_column`` + N years in SQL, 29 February → 28 February exactly as ``add_years`` does.

    Native date functions on both databases (no per-row Python function on SQLite).
    """

    output_field = DateField()

    def __init__(self, expression, years):
        self.years = int(years)
        super().__init__(expression)

    def as_sqlite(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"CASE WHEN strftime('%%m-%%d', {column}) = '02-29' "
            f"THEN date({column}, '-1 day', '+{self.years} years') ELSE date({column}, '+{self.years} years') END"
        )
        return sql, (*params, *params, *params)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({column} + INTERVAL '{self.years} years') AS date)", params


# --------------------------------------------------------------------------- the sets of indicators.md


def not_transferred_q(day):
    return Q(transferred_out_on__isnull=True) | Q(transferred_out_on__gt=day)


def member_q(day):
    """Same rows as ``Person.objects.members_on(day)``."""
    return (Q(admitted_on__lte=day) | Q(confirmed_on__lte=day)) & not_transferred_q(day)


def full_member_q(day):
    """Same rows as ``Person.objects.full_members_on(day)``."""
    return Q(confirmed_on__lte=day) & not_transferred_q(day)


def probationary_q(day):
    return Q(admitted_on__lte=day) & (Q(confirmed_on__isnull=True) | Q(confirmed_on__gt=day)) & not_transferred_q(day)


def activist_q(day):
    """Status on ``day`` is 入党积极分子 (``with_status_on`` read as a filter)."""
    later = Q()
    for milestone in ("candidate_on", "admitted_on", "confirmed_on"):
        later &= Q(**{f"{milestone}__isnull": True}) | Q(**{f"{milestone}__gt": day})
    return Q(activist_on__lte=day) & later & not_transferred_q(day)


def active_on_q(day, prefix=""):
    """An organization (or the one ``prefix`` points at) active on ``day`` (``active_on``)."""
    return Q(**{f"{prefix}founded_on__lte": day}) & (
        Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": day})
    )


def covered_enterprise_ids(day, **organization_filter):
    """org_covered(e): a coverage link active on ``day`` to an organization active on ``day``."""
    links = Coverage.objects.active_on(day).filter(active_on_q(day, "organization__"))
    if organization_filter:
        links = links.filter(**{f"organization__{key}": value for key, value in organization_filter.items()})
    return links.values("enterprise_id")


def instructed_enterprise_ids(day):
    return Assignment.objects.active_on(day).values("enterprise_id")


def member_enterprise_ids(day):
    return Person.objects.members_on(day).values("enterprise_id")


def should_build_enterprise_ids(day):
    """Enterprises with at least three full members on ``day``."""
    return (
        Person.objects.full_members_on(day)
        .order_by()
        .values("enterprise_id")
        .annotate(full_count=Count("pk"))
        .filter(full_count__gte=SHOULD_BUILD_FULL_MEMBERS)
        .values("enterprise_id")
    )


def new_activist_enterprise_ids(year, as_of=None):
    first, last = year_bounds(year, as_of)
    return Person.objects.filter(activist_on__gte=first, activist_on__lte=last).values("enterprise_id")


def attained_organization_ids(scheme, year):
    """Organizations whose evaluation of ``scheme`` for ``year`` has every item met."""
    codes = [code for code, _ in SCHEME_ITEMS[scheme]]
    return (
        Evaluation.objects.filter(scheme=scheme, year=year)
        .annotate(met=Count("items", filter=Q(items__met=True, items__item__in=codes), distinct=True))
        .filter(met=len(codes))
        .values("organization_id")
    )


def six_have_organization_ids():
    return ActivitySite.objects.filter(
        has_place=True, has_facilities=True, has_sign=True, has_flag=True, has_books=True, has_rules=True
    ).values("organization_id")


def recently_active_organization_ids(day):
    return ActivityRecord.objects.filter(
        held_on__gt=day - datetime.timedelta(days=SILENT_DAYS), held_on__lte=day
    ).values("organization_id")


def term_overdue_q(day):
    """上次换届日期 (or 成立日期) + term < day, by level (``term_due_on`` read as a filter)."""
    condition = Q()
    for level, years in TERM_YEARS.items():
        condition |= Q(level=level, term_start__lt=earliest_start_not_due(day, years))
    return condition


def term_due_soon_q(day):
    """Not overdue on ``day`` but due within the next 90 days."""
    horizon = day + datetime.timedelta(days=TERM_DUE_SOON_DAYS)
    condition = Q()
    for level, years in TERM_YEARS.items():
        condition |= Q(
            level=level,
            term_start__gte=earliest_start_not_due(day, years),
            term_start__lt=earliest_start_not_due(horizon + datetime.timedelta(days=1), years),
        )
    return condition


def closed_enterprise_org_q(day):
    """Active organization whose every enterprise covered on ``day`` is closed (and it covers some)."""
    links = Coverage.objects.active_on(day)
    closed = Enterprise.objects.filter(status=CLOSED).values("pk")  # small set, read through the status index
    return Q(pk__in=links.values("organization_id")) & ~Q(
        pk__in=links.exclude(enterprise_id__in=closed).values("organization_id")
    )


def mass_org_head_person_ids():
    return PersonRole.objects.filter(role__in=MASS_ORG_HEAD_ROLES).values("person_id")


def candidate_too_early_q(day):
    """积极分子培养不满一年即列为发展对象 (candidate_on < activist_on + 1 year), dated on or before ``day``."""
    return Q(candidate_on__lte=day) & Q(activist_on__isnull=False) & Q(candidate_on__lt=PlusYears("activist_on", 1))


def probation_overdue_q(day):
    """Probationary on ``day`` and admitted more than a year before it (转正逾期)."""
    return probationary_q(day) & Q(admitted_on__lt=earliest_start_not_due(day, 1))


# --------------------------------------------------------------------------- scoped base querysets


def scoped(model, user):
    """``for_user(user)``; ``user=None`` is the operator at the command line (coverage_report): everything."""
    return model.objects.all() if user is None else model.objects.for_user(user)


def region_enterprises(user, region):
    return scoped(Enterprise, user).filter(region__path__startswith=region.path).order_by()


def region_organizations(user, region):
    return scoped(Organization, user).filter(region__path__startswith=region.path).order_by()


def region_people(user, region):
    return scoped(Person, user).filter(enterprise__region__path__startswith=region.path).order_by()


def related_scope_q(model, user, prefix):
    """``model``'s own scope condition (``scope_q``) read through the relation ``prefix``.

    Lets a query over coverage links or assignments keep to the enterprises the user may see
    with a join instead of an ``IN`` over hundreds of thousands of enterprise ids.
    """
    if user is None or has_full_scope(user):
        return Q()
    condition = model.objects.all().scope_q(user)
    if condition is None:
        return Q(pk__in=[])
    return _prefixed(condition, prefix)


def _prefixed(condition, prefix):
    children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}{child[0]}", child[1])
        for child in condition.children
    ]
    return Q.create(children, connector=condition.connector, negated=condition.negated)


# --------------------------------------------------------------------------- raw counts per region node


def _grouped(queryset, region_field, **aggregates):
    """{region_id: Counter} from one GROUP BY query."""
    rows = queryset.values(region_field).annotate(**aggregates).order_by()
    result = defaultdict(Counter)
    for row in rows:
        counts = result[row.pop(region_field)]
        for key, value in row.items():
            counts[key] += value or 0
    return result


def _raw_counts(user, region, day, year, region_ids, member_dates=()):
    """Per region node id, every raw count the indicators are made of. A fixed number of queries.

    ``region_ids`` are the subtree's node ids (already loaded): ``region_id IN (...)`` lets SQLite
    read the enterprises through the covering index instead of joining the region table.
    """
    enterprises = scoped(Enterprise, user).filter(region_id__in=region_ids).order_by()
    operating = enterprises.filter(status=OPERATING)
    covered = covered_enterprise_ids(day)
    instructed = instructed_enterprise_ids(day)
    per_region = defaultdict(Counter)

    def merge(grouped):
        for region_id, counts in grouped.items():
            per_region[region_id].update(counts)

    # 1. Every enterprise once, grouped by region, status and kind (index-only with the metrics
    #    covering index); folded into registered / operating / by kind / staff bands here.
    rows = (
        enterprises.values("region_id", "status", "kind")
        .annotate(n=Count("pk"), **{f"staff{n}": Count("pk", filter=Q(employees__gte=n)) for n in STAFF_THRESHOLDS})
        .order_by()
    )
    for row in rows:
        counts = per_region[row["region_id"]]
        if row["status"] != CLOSED:
            counts["registered"] += row["n"]
        if row["status"] == OPERATING:
            counts["operating"] += row["n"]
            counts[f"op_{row['kind']}"] += row["n"]
            for n in STAFF_THRESHOLDS:
                counts[f"op_staff{n}"] += row[f"staff{n}"]
    # Link-driven counts keep to the enterprises the user may see, in the subtree, operating.
    in_scope = related_scope_q(Enterprise, user, "enterprise__") & Q(
        enterprise__region_id__in=region_ids, enterprise__status=OPERATING
    )

    def distinct(condition=None):
        return Count("enterprise_id", distinct=True, filter=condition)

    # 2. Operating enterprises that are org-covered: driven by the ~10k coverage links, joined to
    #    their enterprise (SQLite probes by primary key; PostgreSQL may prefer a hash join).
    merge(
        _grouped(
            Coverage.objects.active_on(day).filter(active_on_q(day, "organization__"), in_scope).order_by(),
            "enterprise__region_id",
            covered=distinct(),
            covered_standalone=distinct(Q(organization__formation=Formation.STANDALONE)),
            covered_instructed=distinct(Q(enterprise_id__in=instructed)),
            covered_staff100=distinct(Q(enterprise__employees__gte=100)),
            covered_new_activist=distinct(Q(enterprise_id__in=new_activist_enterprise_ids(year, day))),
        )
    )
    # 3. Operating enterprises with an instructor (enterprise rows probing the materialised
    #    set of instructed ids: cheaper than DISTINCT over 70k assignments on SQLite).
    merge(
        _grouped(
            operating.filter(pk__in=instructed),
            "region_id",
            instructed=Count("pk"),
            instructed_staff25=Count("pk", filter=Q(employees__gte=25)),
        )
    )
    # 4. Operating enterprises with three or more full members (应建).
    merge(
        _grouped(
            operating.filter(pk__in=should_build_enterprise_ids(day)),
            "region_id",
            should_build=Count("pk"),
            should_build_covered=Count("pk", filter=Q(pk__in=covered)),
        )
    )
    # 5. Operating enterprises with 50+ staff that have a member.
    merge(
        _grouped(
            operating.filter(employees__gte=50, pk__in=member_enterprise_ids(day)),
            "region_id",
            staff50_with_member=Count("pk"),
        )
    )
    # 6. People: members, pipeline, warnings 10 and 11.
    first, last = year_bounds(year, day)
    in_registered = ~Q(enterprise__status=CLOSED)
    merge(
        _grouped(
            scoped(Person, user).filter(enterprise__region_id__in=region_ids).order_by(),
            "enterprise__region_id",
            members=Count("pk", filter=member_q(day) & in_registered),
            members_full=Count("pk", filter=full_member_q(day) & in_registered),
            members_probationary=Count("pk", filter=probationary_q(day) & in_registered),
            new_in_year=Count("pk", filter=Q(admitted_on__gte=first, admitted_on__lte=last) & in_registered),
            activists=Count("pk", filter=activist_q(day)),  # everyone working in R, as indicators.md says
            warn_mass_head=Count("pk", filter=Q(pk__in=mass_org_head_person_ids()) & ~member_q(day) & in_registered),
            warn_probation_overdue=Count("pk", filter=probation_overdue_q(day)),
            warn_candidate_early=Count("pk", filter=candidate_too_early_q(day)),
            # The trend's member series rides on the same pass over people.
            **{f"members_on_{i}": Count("pk", filter=member_q(when) & in_registered) for i, when in enumerate(member_dates)},
        )
    )
    # 7. Instructors with an assignment active on the day, by the instructor's own region.
    merge(
        _grouped(
            scoped(Instructor, user)
            .filter(region_id__in=region_ids, pk__in=Assignment.objects.active_on(day).values("instructor_id"))
            .order_by(),
            "region_id",
            instructors=Count("pk"),
        )
    )
    # 8. Organizations active on the day.
    organizations = scoped(Organization, user).filter(region_id__in=region_ids).order_by()
    joint = (Formation.JOINT, Formation.HOSTED)
    merge(
        _grouped(
            organizations.filter(active_on_q(day)).alias(term_start=Coalesce("last_election_on", "founded_on")),
            "region_id",
            orgs=Count("pk"),
            orgs_standalone=Count("pk", filter=Q(formation=Formation.STANDALONE)),
            orgs_joint=Count("pk", filter=Q(formation__in=joint)),
            **{f"orgs_{level}": Count("pk", filter=Q(level=level)) for level in OrgLevel.values},
            orgs_six_have=Count("pk", filter=Q(pk__in=six_have_organization_ids())),
            terms_overdue=Count("pk", filter=term_overdue_q(day)),
            terms_due_soon=Count("pk", filter=term_due_soon_q(day)),
            warn_closed_enterprise=Count("pk", filter=closed_enterprise_org_q(day)),
            warn_no_secretary=Count("pk", filter=Q(secretary__isnull=True)),
            warn_silent=Count("pk", filter=~Q(pk__in=recently_active_organization_ids(day))),
        )
    )
    # 9. Organizations active at the end of the year, and their evaluations for it.
    merge(
        _grouped(
            organizations.filter(active_on_q(end_of_year(year))),
            "region_id",
            orgs_end_of_year=Count("pk"),
            double_strong_six_good=Count(
                "pk", filter=Q(pk__in=attained_organization_ids(Scheme.DOUBLE_STRONG_SIX_GOOD, year))
            ),
            five_good=Count("pk", filter=Q(pk__in=attained_organization_ids(Scheme.FIVE_GOOD, year))),
        )
    )
    # 10. 三会一课 in the last full quarter, active branches (archives selector: three queries).
    branches = organizations.filter(active_on_q(day), level=OrgLevel.BRANCH)
    start, end = last_full_quarter_before(day)
    compliance = compliance_for_organizations(branches, start, end)
    branch_regions = dict(branches.values_list("pk", "region_id"))
    for org_id, result in compliance.items():
        counts = per_region[branch_regions[org_id]]
        counts["branches"] += 1
        counts["branches_compliant"] += int(result.compliant)
    return per_region


# --------------------------------------------------------------------------- figures of one region subtree


@dataclass
class Figures:
    """All indicators of indicators.md for one region subtree, as of a day, for a year."""

    region: Region
    as_of: datetime.date
    year: int
    counts: Counter
    total_members_stat: int | None = None
    new_members_stat: int | None = None
    township_count: int = 0

    def __getitem__(self, key):
        """``figures["coverage.org_rate"]`` → a Rate, an int or None."""
        value = self.indicators
        for part in key.split("."):
            value = value[part]
        return value

    @property
    def indicators(self):
        c = self.counts
        operating = c["operating"]
        members = c["members"]
        return {
            "enterprises": {
                "registered": c["registered"],
                "operating": operating,
                "operating_by_kind": {kind: c[f"op_{kind}"] for kind in EnterpriseKind.values},
            },
            "orgs": {
                "total": c["orgs"],
                "standalone": c["orgs_standalone"],
                "joint": c["orgs_joint"],
                "by_level": {level: c[f"orgs_{level}"] for level in OrgLevel.values},
            },
            "coverage": {
                "covered": c["covered"],
                "org_rate": Rate(c["covered"], operating),
                "standalone_rate": Rate(c["covered_standalone"], operating),
                "should_build_rate": Rate(c["should_build_covered"], c["should_build"]),
                "two_coverage_rate": Rate(c["covered"] + c["instructed"] - c["covered_instructed"], operating),
                "staff100_org_rate": Rate(c["covered_staff100"], c["op_staff100"]),
            },
            "instructors": {
                "total": c["instructors"],
                "enterprises_covered": c["instructed"],
                "staff25_rate": Rate(c["instructed_staff25"], c["op_staff25"]),
            },
            "members": {
                "total": members,
                "full": c["members_full"],
                "probationary": c["members_probationary"],
                "share_of_region": Rate(members, self.total_members_stat) if self.total_members_stat else None,
                "new_in_year": c["new_in_year"],
                "new_share_of_region": Rate(c["new_in_year"], self.new_members_stat) if self.new_members_stat else None,
                "staff50_rate": Rate(c["staff50_with_member"], c["op_staff50"]),
                "activists": c["activists"],
                "activist_training_rate": Rate(c["covered_new_activist"], c["covered"]),
            },
            "evaluations": {
                "double_strong_six_good_rate": Rate(c["double_strong_six_good"], c["orgs_end_of_year"]),
                "five_good_rate": Rate(c["five_good"], c["orgs_end_of_year"]),
            },
            "sites": {"six_have_rate": Rate(c["orgs_six_have"], c["orgs"])},
            "meetings": {"compliance_rate": Rate(c["branches_compliant"], c["branches"])},
            "terms": {"overdue": c["terms_overdue"], "due_soon": c["terms_due_soon"]},
        }

    def as_json(self):
        return {
            "region": {"code": self.region.code, "name": self.region.name},
            "as_of": self.as_of.isoformat(),
            "year": self.year,
            **as_json(self.indicators),
        }

    def members_on(self, dates):
        """Members on each date, when the report was asked for them (``member_dates``)."""
        return [self.counts[f"members_on_{i}"] for i in range(len(dates))]

    @property
    def new_in_year_per_township(self):
        """members.new_in_year per township: the township's own figure, or the mean above it."""
        if self.region.kind in TOWNSHIP_KINDS or not self.township_count:
            return self.counts["new_in_year"]
        return round(self.counts["new_in_year"] / self.township_count, 1)

    @property
    def warning_counts(self):
        c = self.counts
        return {
            "should_build": c["should_build"] - c["should_build_covered"],
            "staff50_no_member": c["op_staff50"] - c["staff50_with_member"],
            "staff100_no_org": c["op_staff100"] - c["covered_staff100"],
            "staff25_no_instructor": c["op_staff25"] - c["instructed_staff25"],
            "closed_enterprise_org": c["warn_closed_enterprise"],
            "term_due": c["terms_overdue"] + c["terms_due_soon"],
            "meetings_incomplete": c["branches"] - c["branches_compliant"],
            "no_secretary": c["warn_no_secretary"],
            "six_have_unmet": c["orgs"] - c["orgs_six_have"],
            "mass_org_head": c["warn_mass_head"],
            "pipeline": c["warn_probation_overdue"] + c["warn_candidate_early"],
            "silent_org": c["warn_silent"],
        }


@dataclass
class RegionReport:
    """The figures of a region subtree and of each of its child regions (one computation)."""

    total: Figures
    children: list = field(default_factory=list)


def default_day_and_year(as_of=None, year=None):
    as_of = as_of or timezone.localdate()
    return as_of, year or as_of.year


def region_report(user, region, as_of=None, year=None, member_dates=()):
    """Figures for ``region`` and its children, scoped to ``user``. A fixed number of queries.

    ``member_dates``: also count members on each of these dates (the trend's member series),
    in the same pass over people; read them back with ``figures.members_on(member_dates)``.
    """
    as_of, year = default_day_and_year(as_of, year)
    nodes = list(Region.objects.subtree(region).only("pk", "path", "code", "name", "kind", "parent_id", "depth"))
    per_region = _raw_counts(user, region, as_of, year, [node.pk for node in nodes], member_dates)
    stats = {
        row["region_id"]: row
        for row in RegionStat.objects.filter(year=year, region__path__startswith=region.path, region__depth__lte=region.depth + 1)
        .values("region_id", "total_members", "new_members")
    }
    heads = [node for node in nodes if node.pk == region.pk] + [node for node in nodes if node.parent_id == region.pk]
    figures = []
    for head in heads:
        counts = Counter()
        townships = 0
        for node in nodes:
            if node.path.startswith(head.path):
                counts.update(per_region.get(node.pk, {}))
                townships += node.kind in TOWNSHIP_KINDS
        stat = stats.get(head.pk, {})
        figures.append(
            Figures(
                region=head,
                as_of=as_of,
                year=year,
                counts=counts,
                total_members_stat=stat.get("total_members"),
                new_members_stat=stat.get("new_members"),
                township_count=townships,
            )
        )
    return RegionReport(total=figures[0], children=figures[1:])


def region_figures(user, region, as_of=None, year=None):
    return region_report(user, region, as_of, year).total


# --------------------------------------------------------------------------- targets


STATUS_MET, STATUS_PENDING, STATUS_MISSED, STATUS_NO_DATA = "达标", "进行中", "未达标", "无数据"
BANDS = {STATUS_MET: "success", STATUS_PENDING: "warning", STATUS_MISSED: "danger", STATUS_NO_DATA: "secondary"}
COUNT_INDICATORS = {"members.new_in_year"}


def _decimal_float(value):
    return None if value is None else float(value)


def plan_start_for(region):
    """The region's 党建规划起始日期, or its nearest ancestor's. One query."""
    return (
        Region.objects.filter(path__in=region.ancestor_paths(), plan_start__isnull=False)
        .order_by("-depth")
        .values_list("plan_start", flat=True)
        .first()
    )


def targets_in_force(region):
    """{indicator: Target}: the nearest region's override wins over the default. One query."""
    chosen = {}
    for target in Target.objects.applying_to(region):
        depth = target.region.depth if target.region_id else -1
        current = chosen.get(target.indicator)
        if current is None or depth > (current.region.depth if current.region_id else -1):
            chosen[target.indicator] = target
    return chosen


def target_deadline(target, plan_start, year):
    if target.deadline_kind == DeadlineKind.AFTER_PLAN_START:
        return add_years(plan_start, target.years_after_plan_start) if plan_start and target.years_after_plan_start else None
    if target.deadline_kind == DeadlineKind.EVERY_YEAR:
        return end_of_year(year)
    if target.deadline_kind == DeadlineKind.FIXED_DATE:
        return target.deadline
    return None


@dataclass
class TargetStatus:
    """One target against the figure it concerns: value, gap, status, time left."""

    target: Target
    value: object  # Rate, int or float
    deadline: datetime.date | None
    as_of: datetime.date
    plan_start_missing: bool = False
    per_township_mean: bool = False

    @property
    def indicator(self):
        return self.target.indicator

    @property
    def label(self):
        label = self.target.get_indicator_display()
        return f"{label}（平均每镇）" if self.per_township_mean else label

    @property
    def is_count(self):
        return self.indicator in COUNT_INDICATORS

    @property
    def number(self):
        """The figure as a plain number comparable with the target (a rate as a fraction)."""
        if isinstance(self.value, Rate):
            return self.value.rate
        return self.value

    @property
    def met(self):
        number = self.number
        if number is None:
            return None
        low, high = float(self.target.value), _decimal_float(self.target.value_max)
        if self.target.comparison == Comparison.AT_MOST:
            return number <= low + 1e-9
        if self.target.comparison == Comparison.BETWEEN:
            return low - 1e-9 <= number <= high + 1e-9
        return number >= low - 1e-9

    @property
    def status(self):
        met = self.met
        if met is None:
            return STATUS_NO_DATA
        if met:
            return STATUS_MET
        if self.deadline and self.as_of <= self.deadline:
            return STATUS_PENDING
        return STATUS_MISSED

    @property
    def band(self):
        return BANDS[self.status]

    def _show(self, number):
        if number is None:
            return "—"
        if self.is_count:
            return f"{number:g}"
        return f"{number * 100:.2f}%".replace(".00%", "%")

    @property
    def value_display(self):
        return self._show(self.number)

    @property
    def target_display(self):
        low = float(self.target.value)
        if self.target.comparison == Comparison.BETWEEN:
            unit = "名" if self.is_count else ""
            return f"{self._show(low)}～{self._show(float(self.target.value_max))}{unit}"
        sign = "≤" if self.target.comparison == Comparison.AT_MOST else "≥"
        return f"{sign} {self._show(low)}"

    @property
    def gap_display(self):
        """How far from the target: percentage points for rates, a count for counts."""
        number = self.number
        if number is None or self.met:
            return "—"
        low, high = float(self.target.value), _decimal_float(self.target.value_max)
        if self.target.comparison == Comparison.AT_MOST:
            gap = number - low
        elif self.target.comparison == Comparison.BETWEEN and number > high:
            gap = number - high
        else:
            gap = low - number
        if self.is_count:
            return f"{'多' if number > low else '差'} {gap:g}"
        return f"差 {gap * 100:.2f} 个百分点"

    @property
    def time_left(self):
        if self.deadline is None:
            return "未设规划起始日期" if self.plan_start_missing else "长期"
        days = (self.deadline - self.as_of).days
        if days < 0:
            return f"已于 {self.deadline:%Y-%m-%d} 到期"
        return f"剩余 {days} 天（{self.deadline:%Y-%m-%d}）"


def target_value(figures, indicator):
    if indicator == "members.new_in_year":
        return figures.new_in_year_per_township
    return figures[indicator]


def target_statuses(figures):
    """Every target in force for the figures' region, in indicator order. Two queries."""
    plan_start = plan_start_for(figures.region)
    in_force = targets_in_force(figures.region)
    statuses = []
    for indicator in Indicator.values:
        target = in_force.get(indicator)
        if target is None:
            continue
        statuses.append(
            TargetStatus(
                target=target,
                value=target_value(figures, indicator),
                deadline=target_deadline(target, plan_start, figures.year),
                as_of=figures.as_of,
                plan_start_missing=target.deadline_kind == DeadlineKind.AFTER_PLAN_START and not plan_start,
                per_township_mean=indicator == "members.new_in_year" and figures.region.kind not in TOWNSHIP_KINDS,
            )
        )
    return statuses


# --------------------------------------------------------------------------- warnings (工作提醒)


@dataclass(frozen=True)
class WarningKind:
    key: str
    number: int
    label: str
    subject: str  # "enterprise", "organization" or "person"
    description: str


WARNINGS = [
    WarningKind("should_build", 1, "应建未建", "enterprise", "在营企业有3名以上正式党员但尚未建立（覆盖）党组织（新企业应同步建立）"),
    WarningKind("staff50_no_member", 2, "职工50人以上无党员", "enterprise", "在营企业职工50人以上但没有党员"),
    WarningKind("staff100_no_org", 3, "职工100人以上无党组织", "enterprise", "在营企业职工100人以上但未被党组织覆盖"),
    WarningKind("staff25_no_instructor", 4, "职工25人以上无指导员", "enterprise", "在营企业职工25人以上但没有选派党建工作指导员"),
    WarningKind("closed_enterprise_org", 5, "企业已关闭但党组织未撤销", "organization", "党组织所覆盖的企业均已关闭，党组织仍未撤销"),
    WarningKind("term_due", 6, "换届逾期或将到期", "organization", "已超过任期未换届，或90天内到期"),
    WarningKind("meetings_incomplete", 7, "上季度三会一课不全", "organization", "党支部上一个完整季度的三会一课未按频次开展"),
    WarningKind("no_secretary", 8, "无书记的党组织", "organization", "党组织尚未配备书记"),
    WarningKind("six_have_unmet", 9, "六有未达标", "organization", "活动阵地“六有”未全部达标或未填报"),
    WarningKind("mass_org_head", 10, "工青妇负责人非党员", "person", "工会、共青团、妇委会负责人不是党员，应列为重点培养对象"),
    WarningKind("pipeline", 11, "发展党员程序提醒", "person", "预备党员转正逾期；积极分子培养不满一年即列为发展对象"),
    WarningKind("silent_org", 12, "静默党组织", "organization", f"近{SILENT_DAYS}天没有记录任何活动"),
]
WARNINGS_BY_KEY = {kind.key: kind for kind in WARNINGS}


@dataclass
class WarningRows:
    """The filtered list behind a warning, and a short note per object id where one is known."""

    kind: WarningKind
    queryset: object
    notes: dict = field(default_factory=dict)

    def note_for(self, obj):
        if obj.pk in self.notes:
            return self.notes[obj.pk]
        return getattr(obj, "warning_note", "") or ""


def warning_rows(user, region, key, as_of=None):
    """The queryset behind warning ``key`` (ordered, ready to paginate)."""
    day, _ = default_day_and_year(as_of)
    kind = WARNINGS_BY_KEY[key]
    enterprises = region_enterprises(user, region).filter(status=OPERATING).select_related("region")
    organizations = region_organizations(user, region).filter(active_on_q(day)).select_related("region")
    people = region_people(user, region).select_related("enterprise", "enterprise__region")
    notes = {}
    if key == "should_build":
        full_count = (
            Person.objects.full_members_on(day).filter(enterprise_id=OuterRef("pk")).order_by().values("enterprise_id")
        )
        queryset = (
            enterprises.filter(pk__in=should_build_enterprise_ids(day))
            .exclude(pk__in=covered_enterprise_ids(day))
            .annotate(full_count=Subquery(full_count.annotate(n=Count("pk")).values("n")))
        )
    elif key == "staff50_no_member":
        queryset = enterprises.filter(employees__gte=50).exclude(pk__in=member_enterprise_ids(day))
    elif key == "staff100_no_org":
        queryset = enterprises.filter(employees__gte=100).exclude(pk__in=covered_enterprise_ids(day))
    elif key == "staff25_no_instructor":
        queryset = enterprises.filter(employees__gte=25).exclude(pk__in=instructed_enterprise_ids(day))
    elif key == "closed_enterprise_org":
        queryset = organizations.filter(closed_enterprise_org_q(day))
    elif key == "term_due":
        queryset = (
            organizations.alias(term_start=Coalesce("last_election_on", "founded_on"))
            .filter(term_overdue_q(day) | term_due_soon_q(day))
            .annotate(
                warning_note=Case(
                    When(term_overdue_q(day), then=Value("换届逾期")),
                    default=Value("90天内到期"),
                    output_field=CharField(),
                )
            )
        )
    elif key == "meetings_incomplete":
        branches = organizations.filter(level=OrgLevel.BRANCH)
        start, end = last_full_quarter_before(day)
        compliance = compliance_for_organizations(branches, start, end)
        notes = {org_id: "缺：" + result.missing_text for org_id, result in compliance.items() if not result.compliant}
        queryset = branches.filter(pk__in=list(notes))
    elif key == "no_secretary":
        queryset = organizations.filter(secretary__isnull=True)
    elif key == "six_have_unmet":
        queryset = organizations.exclude(pk__in=six_have_organization_ids())
    elif key == "mass_org_head":
        queryset = (
            people.filter(pk__in=mass_org_head_person_ids())
            .exclude(enterprise__status=CLOSED)
            .exclude(member_q(day))
            .prefetch_related("roles")
        )
    elif key == "pipeline":
        queryset = (
            people.filter(probation_overdue_q(day) | candidate_too_early_q(day))
            .annotate(
                warning_note=Case(
                    When(probation_overdue_q(day), then=Value("预备党员转正逾期")),
                    default=Value("积极分子培养不满一年即列为发展对象"),
                    output_field=CharField(),
                )
            )
        )
    elif key == "silent_org":
        queryset = organizations.exclude(pk__in=recently_active_organization_ids(day)).annotate(
            last_activity=Max("activities__held_on", filter=Q(activities__held_on__lte=day))
        )
    else:  # pragma: no cover - WARNINGS_BY_KEY already refused unknown keys
        raise KeyError(key)
    region_path = "enterprise__region__path" if kind.subject == "person" else "region__path"
    return WarningRows(kind=kind, queryset=queryset.order_by(region_path, "name", "pk"), notes=notes)


# --------------------------------------------------------------------------- trends


def trend_dates(as_of, by="month", points=12):
    """Month ends (or year ends) up to ``as_of``, the last point being ``as_of`` itself."""
    dates = [as_of]
    if by == "year":
        for back in range(1, points):
            dates.append(end_of_year(as_of.year - back))
    else:
        first = as_of.replace(day=1)
        for _ in range(1, points):
            first_of_previous = (first - datetime.timedelta(days=1)).replace(day=1)
            dates.append(first - datetime.timedelta(days=1))
            first = first_of_previous
    return sorted(dates)


@dataclass
class Trend:
    dates: list
    series: dict  # label -> list of counts, one per date
    by_year: bool = False

    @property
    def labels(self):
        return [f"{day.year}年" if self.by_year else f"{day:%Y-%m}" for day in self.dates]

    def as_chart(self):
        return {"labels": self.labels, "series": [{"name": name, "data": values} for name, values in self.series.items()]}


def trend(user, region, as_of=None, by="month", points=12, members=None):
    """Organizations, covered and instructed enterprises and members on each date: one query per series.

    ``members``: the member series already counted by ``region_report(member_dates=...)``.
    Enterprise series count distinct enterprises: active links per date, minus the surplus of the
    few enterprises with several links (two queries per series, whatever the data size).
    """
    as_of, _ = default_day_and_year(as_of)
    dates = trend_dates(as_of, by, points)
    keys = [f"d{i}" for i in range(len(dates))]

    def link_active(day, prefix=""):
        return Q(**{f"{prefix}start_on__lte": day}) & (
            Q(**{f"{prefix}end_on__isnull": True}) | Q(**{f"{prefix}end_on__gt": day})
        )

    def counted(queryset, condition):
        row = queryset.order_by().aggregate(**{key: Count("pk", filter=condition(day)) for key, day in zip(keys, dates)})
        return [row[key] for key in keys]

    def distinct_enterprises(links, condition):
        """Enterprises with at least one link active on each date: links active minus the surplus
        of enterprises with several links (a small set), so the big pass is a plain filtered count."""
        links = links.filter(
            related_scope_q(Enterprise, user, "enterprise__"),
            enterprise__region__path__startswith=region.path,
            enterprise__status=OPERATING,
        ).order_by()
        per_date = {key: Count("pk", filter=condition(day)) for key, day in zip(keys, dates)}
        totals = links.aggregate(**per_date)
        several = links.model.objects.order_by().values("enterprise_id").annotate(n=Count("pk")).filter(n__gte=2)
        surplus = (
            links.filter(enterprise_id__in=several.values("enterprise_id"))
            .values("enterprise_id")
            .annotate(**per_date)
            .aggregate(**{f"surplus_{key}": Sum(Greatest(F(key) - 1, Value(0))) for key in keys})
        )
        return [totals[key] - (surplus[f"surplus_{key}"] or 0) for key in keys]

    return Trend(
        dates=dates,
        by_year=by == "year",
        series={
            "党组织数": counted(region_organizations(user, region), active_on_q),
            "党组织覆盖企业数": distinct_enterprises(
                Coverage.objects.all(), lambda day: link_active(day) & active_on_q(day, "organization__")
            ),
            "指导员覆盖企业数": distinct_enterprises(Assignment.objects.all(), link_active),
            "党员数": members
            if members is not None
            else counted(region_people(user, region).exclude(enterprise__status=CLOSED), member_q),
        },
    )


# --------------------------------------------------------------------------- organization view (secretaries)


def organization_overview(organization, as_of=None):
    """Evaluations, last quarter's compliance and warnings of one organization."""
    day, _ = default_day_and_year(as_of)
    evaluations = list(
        Evaluation.objects.filter(organization=organization).prefetch_related("items").order_by("-year", "scheme")
    )
    start, end = last_full_quarter_before(day)
    compliance = compliance_for_organizations(Organization.objects.filter(pk=organization.pk), start, end)[organization.pk]
    full_members = Person.objects.full_members_on(day).filter(organization=organization).count()
    open_links = Coverage.objects.active_on(day).filter(organization=organization).count()
    warnings = organization.warnings(full_member_count=full_members, open_coverage_count=open_links)
    if organization.is_active and level_is_branch(organization) and not compliance.compliant:
        warnings.append("上季度三会一课不全：" + compliance.missing_text)
    site = ActivitySite.objects.filter(organization=organization).first()
    if site is None:
        warnings.append("尚未填报活动阵地“六有”情况")
    elif not site.is_compliant:
        warnings.append("六有未达标：缺" + "、".join(site.missing_items))
    return {
        "evaluations": [(evaluation, evaluation.is_attained()) for evaluation in evaluations],
        "compliance": compliance,
        "quarter": (start, end),
        "warnings": warnings,
        "full_members": full_members,
        "covered_enterprises": open_links,
    }


def level_is_branch(organization):
    return organization.level == OrgLevel.BRANCH


def organization_table(user, region, as_of=None):
    """A township's active organizations with what each covers (the dashboard's last drill level)."""
    day, _ = default_day_and_year(as_of)
    covered = (
        Coverage.objects.active_on(day).filter(organization_id=OuterRef("pk")).order_by().values("organization_id")
    )
    members = Person.objects.members_on(day).filter(organization_id=OuterRef("pk")).order_by().values("organization_id")
    return (
        region_organizations(user, region)
        .filter(active_on_q(day))
        .select_related("region")
        .annotate(
            covered_count=Coalesce(Subquery(covered.annotate(n=Count("pk")).values("n")), 0),
            member_count=Coalesce(Subquery(members.annotate(n=Count("pk")).values("n")), 0),
            six_have=Q(pk__in=six_have_organization_ids()),
        )
        .order_by("name", "pk")
    )
