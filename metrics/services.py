"""Writes of the metrics app (targets)."""

from django.db import transaction


def target_save(*, actor, form):
    """Save a target override from a valid TargetForm, atomically and fully validated."""
    with transaction.atomic():
        target = form.save(commit=False)
        target.full_clean()
        target._history_user = actor
        target.save()
    return target
