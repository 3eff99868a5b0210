"""Moving Certificate and VerificationLog from documents to certificates keeps every row (state-only migrations)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from abri.certificates.models import Certificate, VerificationLog

BEFORE = [("documents", "0003_certificates")]


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_migrates_without_losing_certificates(alice, alice_contract):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # the database as it was when certificates lived in documents
    old_apps = executor.loader.project_state(BEFORE).apps
    old_certificate = old_apps.get_model("documents", "Certificate")
    old_log = old_apps.get_model("documents", "VerificationLog")
    today = timezone.localdate()
    row = old_certificate.objects.create(
        number="ATT-2026-ABCDEFGH", customer_id=alice.pk, contract_id=alice_contract.pk, kind="tenant",
        valid_from=today, valid_until=today, insured_initials="A.D.", city="Lyon",
    )
    old_log.objects.create(number="ATT-2026-ABCDEFGH", certificate=row, outcome="valid", ip_address="192.0.2.1")

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    certificate = Certificate.objects.get(number="ATT-2026-ABCDEFGH")
    assert certificate.pk == row.pk and certificate.contract_id == alice_contract.pk and certificate.city == "Lyon"
    log = VerificationLog.objects.get()
    assert log.certificate_id == certificate.pk and log.ip_address == "192.0.2.1"
    assert Certificate._meta.db_table == "documents_certificate"
    from django.contrib.contenttypes.models import ContentType

    assert ContentType.objects.get_for_model(Certificate).app_label == "certificates"
