"""Issue 15 points 2 and 3: nothing in the demo journey shows a person an internal code, an English identifier
or a non-French format — pages of the portal and the back-office, PDFs, e-mails and SMS."""

import pytest

from abri.core.models import AuditLog
from tests.core.journey_text import demo_journey, problems, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000
    return demo_journey(capture_on_commit=django_capture_on_commit_callbacks)


def test_demo_journey_shows_labels_and_french_formats_only(journey):
    sources = {reading.source.split(" ")[0] for reading in journey.readings}
    assert {"client", "personnel", "PDF", "email", "sms"} <= sources, sources
    assert len(journey.pages) > 40 and len(journey.pdfs) > 20
    findings = problems(journey.readings, audit_actions=AuditLog.objects.values_list("action", flat=True))
    assert not findings, f"{len(findings)} problems:\n{report(findings)}"
