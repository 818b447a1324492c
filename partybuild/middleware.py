"""Request-level security and observability helpers.

- ``RequestIdMiddleware``: every request gets an id (the proxy's ``X-Request-ID`` when it is a
  plausible token, else a fresh one), echoed in the response header and in every log line.
- ``lockout_response``: django-axes' ``AXES_LOCKOUT_CALLABLE``: the sign-in page with a Chinese
  lockout message and status 429, instead of axes' English one-liner.
"""

import re
import uuid

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.shortcuts import render

from partybuild.logging import request_id_var

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get(self.header, "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # Left set until the response is finished: Django logs 4xx/5xx ("django.request") after
        # the middleware chain has returned, and those lines should carry the id too.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


@receiver(request_finished)
def _clear_request_id(sender, **kwargs):
    request_id_var.set("-")


def lockout_minutes():
    return int(round(float(settings.AXES_COOLOFF_TIME) * 60))


def lockout_response(request, original_response=None, credentials=None):
    """Chinese lockout page (429) shown on the sign-in URL while the lock lasts."""
    return render(
        request,
        "partybuild/lockout.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": lockout_minutes()},
        status=429,
    )
