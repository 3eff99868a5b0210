import pytest
from django.core.cache import cache


def _clear_rate_limits():
    if hasattr(cache, "delete_pattern"):  # Redis: only our counters, never the whole shared database
        cache.delete_pattern("abri:rl:*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _no_identity_check_floor(settings):
    """The fixed answer time of identity checks is tested on its own (test_identity_checks_reveal_nothing);
    elsewhere it would only slow the tests down."""
    settings.ABRI_IDENTITY_CHECK_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: each test starts from zero."""
    _clear_rate_limits()
    yield
    _clear_rate_limits()
