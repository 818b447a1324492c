"""Cross-region suite: every URL of the project, requested by every outsider with town A's objects.

Outsiders: town B's staff, leader, secretary and instructor, and a secretary and an instructor of
another organization/enterprise inside town A.

For each URL pattern (walked from the resolver, so new pages are covered as they land):
- URLs naming an object: GET and POST with town A's object answer 403 or 404, and exactly what the
  same request answers for an object that does not exist (existence never leaks); an admin (in
  scope everywhere) does not get 404 for the same path, which proves the path names a real object.
- URLs without an object: GET (plain and with town A's ids/codes in the query string) and POST
  (with town A's ids in the body) never fail with an error, and no answer shows town A's
  enterprise, organization, instructor, member, ID number or activity.
- After all of it, every town-A object is unchanged and town A's scope holds no new rows.
"""

import pytest
from django.test import Client

from tests.security.probes import attack_body, fingerprint, response_text
from tests.security.urls import paths_for, project_urls

URLS = project_urls()


class Probe:
    """Sends requests as one user and collects every failure with its exact reason."""

    def __init__(self, client, role, markers):
        self.client, self.role, self.markers, self.failures = client, role, markers, []

    def send(self, method, path, data=None):
        try:
            return getattr(self.client, method)(path, data or {})
        except Exception as error:  # noqa: BLE001 - a crash is a finding, reported with the request
            self.failures.append(f"{self.role} {method.upper()} {path}: raised {type(error).__name__}: {error}")
            return None

    def check_leak(self, method, path, response):
        if response is None:
            return
        if response.status_code >= 500:
            self.failures.append(f"{self.role} {method.upper()} {path}: status {response.status_code}")
            return
        if response.status_code != 200:
            return
        text = response_text(response)
        shown = [marker for marker in self.markers if marker and marker in text]
        if shown:
            self.failures.append(f"{self.role} {method.upper()} {path}: 200 shows town A data {shown}")
        if "text/html" in response.get("Content-Type", "") and "Content-Security-Policy" not in response:
            self.failures.append(f"{self.role} {method.upper()} {path}: HTML without Content-Security-Policy")

    def check_object(self, method, path, missing_path):
        real = self.send(method, path)
        missing = self.send(method, missing_path)
        if real is None or missing is None:
            return
        # 405: the URL does not take this method at all (a POST-only action, a read-only page).
        allowed = {403, 404, 405}
        if real.status_code not in allowed:
            self.failures.append(
                f"{self.role} {method.upper()} {path}: status {real.status_code}, expected 404 (or 403 for a page the role may not use)"
            )
            self.check_leak(method, path, real)
        elif real.status_code != missing.status_code:
            self.failures.append(
                f"{self.role} {method.upper()} {path}: status {real.status_code} but {missing.status_code} "
                "for a missing object (existence leaks)"
            )


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS, ids=str)
def test_it_hides_town_a_objects_from_every_outsider(url, town_a, outsiders, users, leak_markers):
    """Town B's four roles and town A's other secretary/instructor neither see nor change town A's objects via this URL."""
    paths = paths_for(url, town_a)
    inside_town_a = [user for name, user in outsiders.items() if not name.endswith("_b")]
    before = fingerprint(town_a, users["staff"], inside_town_a)
    query = (
        # Search terms that match town A's rows without being a leak marker themselves (pages echo them).
        f"?q=甪直&search=甪直&name=甪直&region={town_a['town'].code}"
        f"&region_id={town_a['town'].pk}&organization={town_a['organization'].pk}&enterprise={town_a['enterprise'].pk}"
        f"&instructor={town_a['instructor'].pk}&year=2025"
    )
    failures = []
    for name, user in outsiders.items():
        client = Client()
        client.force_login(user)
        probe = Probe(client, name, leak_markers)
        for path, missing_path, objects in paths:
            in_scope = [obj for obj in objects if type(obj).objects.for_user(user).filter(pk=obj.pk).exists()]
            if in_scope and name.endswith("_b"):
                failures.append(f"{name}: town A's {in_scope} in scope (scope_q is wrong)")
            if in_scope:
                continue  # e.g. town A's target applies to every organization in town A: not an outsider here
            if objects:
                probe.check_object("get", path, missing_path)
                probe.check_object("post", path, missing_path)
            else:
                for method, target, data in (("get", path, None), ("get", path + query, None), ("post", path, attack_body(town_a))):
                    probe.check_leak(method, target, probe.send(method, target, data))
        failures += probe.failures
    after = fingerprint(town_a, users["staff"], inside_town_a)
    if after != before:
        changed = [key for key in before[0] if before[0][key] != after[0][key]]
        counts = {label: (before[1][label], after[1][label]) for label in before[1] if before[1][label] != after[1][label]}
        failures.append(f"town A changed: objects {changed}, row counts (before, after) {counts}")
    assert failures == [], "\n".join(failures)

    if any(objects for _, _, objects in paths):
        admin = Client()
        admin.force_login(users["admin"])
        control = admin.get(paths[0][0])
        if control.status_code == 405:  # a POST-only action: the admin may take it (the test is over)
            control = admin.post(paths[0][0])
        assert control.status_code != 404, f"{paths[0][0]} is 404 even for the admin: the rule names the wrong object"
