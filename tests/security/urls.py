"""Every URL pattern of the project, and which town-A object each URL keyword names.

The security suites parametrize over ``project_urls()``, so a page added by any app is
covered the moment its URL exists. A URL with a keyword this table cannot place fails its
test with a message naming the keyword: add a rule here.
"""

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Left out on purpose, each with its reason.
SKIPPED = {
    "accounts:login": "the sign-in page itself (lockout tested in test_settings.py)",
    "accounts:logout": "signs the user out; no object, no data",
    "accounts:password_change": "the user's own password; Django's view, no other user's data",
    "accounts:password_change_done": "static confirmation page",
}
SKIPPED_NAMESPACES = {"admin": "Django admin: ScopedAdmin, tested with the admin"}

# (URL name pattern, keyword) → key of the ``town_a`` fixture. First match wins.
OBJECT_RULES = [
    (r"^enterprises:", "pk", "enterprise"),
    (r"^organizations:coverage_", "pk", "coverage"),
    (r"^organizations:", "pk", "organization"),
    (r"^instructors:assignment_", "pk", "assignment"),
    (r"^instructors:", "pk", "instructor"),
    (r"^members:", "pk", "person"),
    (r"^archives:(record_\w+|photo_add|attachment_add)$", "pk", "record"),
    (r"^archives:(photo|thumbnail|photo_delete|photo_edit)$", "pk", "photo"),
    (r"^archives:attachment", "pk", "attachment"),
    (r"^archives:export_(detail|download)$", "pk", "export"),
    (r"^archives:year_reopen$", "pk", "year_closing"),
    (r"^archives:site_(photo|thumbnail|photo_delete)$", "pk", "site_photo"),
    (r"^archives:centre_", "pk", "centre"),
    (r"^archives:visit_", "pk", "visit"),
    (r"^metrics:target_", "pk", "target"),
    (r"^regions:regionstat_edit$", "pk", "region_stat"),
    (r"^regions:", "pk", "town"),
    (r"^accounts:user_", "pk", "user"),
    (r"^imports:(job|job_status|confirm|error_report)$", "pk", "import_job"),
    (r".*", "organization_id", "organization"),
    (r".*", "enterprise_id", "enterprise"),
    (r".*", "instructor_id", "instructor"),
    (r".*", "person_id", "person"),
    (r".*", "record_id", "record"),
    (r".*", "region_id", "town"),
]
# Keywords that are not objects: a value to use.
PLAIN_KWARGS = {"year": 2025}
MISSING_PK = 987654321


@dataclass(frozen=True)
class ProjectUrl:
    name: str
    route: str
    kwargs: tuple

    def __str__(self):
        return self.name


def _walk(patterns, route="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route + str(pattern.pattern), prefix)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else route
            yield ProjectUrl(name, route + str(pattern.pattern), tuple(pattern.pattern.regex.groupindex))


def project_urls():
    return [url for url in _walk(get_resolver().url_patterns) if url.name not in SKIPPED]


def object_key(url_name, kwarg):
    for name_pattern, rule_kwarg, key in OBJECT_RULES:
        if rule_kwarg == kwarg and re.search(name_pattern, url_name):
            return key
    return None


def plain_values(kwarg):
    if kwarg == "key":
        from metrics.selectors import WARNINGS

        return [kind.key for kind in WARNINGS]
    if kwarg == "kind":
        from imports.kinds import KIND_ORDER

        return KIND_ORDER
    return [PLAIN_KWARGS[kwarg]] if kwarg in PLAIN_KWARGS else None


def paths_for(url, town_a):
    """(path with town A's objects, path with missing objects, the objects) per combination of plain values."""
    object_kwargs, objects, plain = {}, [], {}
    for kwarg in url.kwargs:
        values = plain_values(kwarg)
        if values is not None:
            plain[kwarg] = values
            continue
        key = object_key(url.name, kwarg)
        if key is None:
            pytest.fail(f"{url.name} ({url.route}): no town-A object for keyword {kwarg!r}; add a rule to tests/security/urls.py")
        object_kwargs[kwarg] = town_a[key].pk
        objects.append(town_a[key])
    combos = [{}]
    for kwarg, values in plain.items():
        combos = [{**combo, kwarg: value} for combo in combos for value in values]
    return [
        (
            reverse(url.name, kwargs={**combo, **object_kwargs}),
            reverse(url.name, kwargs={**combo, **{kwarg: MISSING_PK for kwarg in object_kwargs}}),
            objects,
        )
        for combo in combos
    ]
