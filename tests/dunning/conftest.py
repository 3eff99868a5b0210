from tests.billing.conftest import *  # noqa: F401,F403 - the billing fixtures (customers, contracts, schedules)
