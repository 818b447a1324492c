import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Tests sign users in many times; a cheap hasher keeps them quick (the real one is unchanged)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
