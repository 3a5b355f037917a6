import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo district creates a dozen accounts per test; hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    """The demo district loaded for a browser walk (committed, so the live server sees it)."""
    from core.demo import run_demo_loaders

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    run_demo_loaders(lambda _msg: None)
