from django import template

from metrics.reports import display
from metrics.selectors import Rate

register = template.Library()


@register.filter
def indicator(figures, key):
    """``{{ figures|indicator:"coverage.org_rate" }}`` → the figure as it reads in a table."""
    return display(figures[key])


@register.filter
def rate_detail(figures, key):
    value = figures[key]
    if isinstance(value, Rate) and value.den:
        return f"{value.num:,}/{value.den:,}"
    return ""


@register.filter
def lookup(mapping, key):
    return mapping.get(key, "")
