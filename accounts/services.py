"""Account management by staff and admins (roles.md: accounts row)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User


def password_errors(password, user):
    """The password validators' messages (Chinese: accounts/validators.py fills zh-hans' gap)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


def validated_save(instance, actor):
    """full_clean, then save with ``actor`` recorded as the author of the history row."""
    instance.full_clean()
    instance._history_user = actor
    instance.save()
    return instance


@transaction.atomic
def user_create(*, actor, user: User, password):
    errors = password_errors(password, user)
    if errors:
        raise ValidationError({"password1": errors})
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user._history_user = actor
    user.save()
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password):
    errors = password_errors(password, user)
    if errors:
        raise ValidationError({"new_password1": errors})
    user.set_password(password)
    user._history_user = actor
    user.save()
    return user


@transaction.atomic
def user_set_active(*, actor, user: User, active):
    if user.pk == actor.pk and not active:
        raise ValidationError("不能停用自己的账户")
    user.is_active = active
    user._history_user = actor
    user.save(update_fields=["is_active"])
    return user
