import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo district creates a dozen accounts per test; hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
