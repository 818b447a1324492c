import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The shared ``users`` fixture hashes seven passwords; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
