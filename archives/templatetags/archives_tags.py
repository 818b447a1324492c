"""``{% org_archive_panel organization %}``: this quarter's 三会一课, this year's record counts and links."""

from django import template
from django.db.models import Count
from django.utils import timezone

from organizations.models import ActivitySite
from partybuild.scoping import role_can

from ..models import ActivityRecord, Category
from ..selectors import compliance_for_organizations, quarter_bounds

register = template.Library()


@register.inclusion_tag("archives/_org_panel.html", takes_context=True)
def org_archive_panel(context, organization):
    """Four queries: requirements, the compliance aggregate, counts per category, the site sheet
    (three when the page already put this organization's ``site`` in its context)."""
    user = context["request"].user
    today = timezone.localdate()
    start, end = quarter_bounds(today)
    compliance = compliance_for_organizations([organization], start, end, as_of=today)[organization.pk]
    counts = dict(
        ActivityRecord.objects.for_user(user)
        .filter(organization=organization, held_on__year=today.year)
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    labels = dict(Category.choices)
    site = context.get("site")
    page_loaded_site = context.get("organization") == organization and "site" in context and (
        site is None or (isinstance(site, ActivitySite) and site.organization_id == organization.pk)
    )
    if not page_loaded_site:
        site = ActivitySite.objects.for_user(user).filter(organization=organization).first()
    return {
        "organization": organization,
        "year": today.year,
        "start": start,
        "end": end,
        "compliance": compliance,
        "counts": [(labels[code], counts[code]) for code in Category.values if counts.get(code)],
        "total": sum(counts.values()),
        "site": site,
        "can_add": role_can(user, "add", ActivityRecord) and organization.is_active,
        "can_view_site": role_can(user, "view", ActivitySite),
    }
