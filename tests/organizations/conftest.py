from tests.accounts.conftest import fast_password_hasher  # noqa: F401
