"""Template helpers shared by every page of the interface."""

from django import template

from accounts.pages import url_or_none
from partybuild.validators import mask_id_number

register = template.Library()


@register.simple_tag
def url_if_exists(name, *args):
    """The URL named ``name`` or "" while the app that owns it has not built it yet.

    ``{% url_if_exists "metrics:warnings" as warnings_url %}{% if warnings_url %}...``
    """
    return url_or_none(name, *args) or ""


@register.filter
def id_for(value, user):
    """An ID number as this user may see it: full for staff and admins, masked otherwise."""
    if not value:
        return ""
    return value if getattr(user, "sees_full_id", False) else mask_id_number(value)


@register.filter
def yesno_cn(value):
    if value is None:
        return "—"
    return "是" if value else "否"


@register.simple_tag(takes_context=True)
def sort_url(context, key):
    """Query string that sorts by ``key`` (toggling to descending when already sorted by it)."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("o", "")
    params["o"] = f"-{key}" if current == key else key
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_mark(context, key):
    current = context["request"].GET.get("o", "")
    if current == key:
        return "▲"
    if current == f"-{key}":
        return "▼"
    return ""
