"""The vault's front door: `document_file` builds the row, and its task renders, signs, stores and indexes."""

import io

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from abri.core.models import AuditLog
from abri.documents.models import Document
from abri.documents.services import document_file, document_render_and_store
from abri.documents.tasks import document_render

pytestmark = pytest.mark.django_db

LINES = ["Assurée : Alice Durand.", "Montant dû : 20,44 €."]


def _pdf(document) -> bytes:
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        return handle.read()


def test_a_text_document_is_rendered_signed_stored_indexed_and_audited_once(alice, alice_contract):
    document = document_file(customer=alice, contract=alice_contract, property=alice_contract.property,
                             kind="amendment", title="Avenant AVT-1", lines=LINES, sign=True, sign_reason="Avenant AVT-1")

    data = _pdf(document)
    assert "Montant dû : 20,44 €." in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert len(PdfFileReader(io.BytesIO(data)).embedded_signatures) == 1
    assert document.size_bytes == len(data) and not document.is_pending
    assert "avenant" in document.search_text
    assert AuditLog.objects.filter(action="document.filed", target_id=str(document.pk)).count() == 1
    # The task is idempotent: a second run (a retried job) stores nothing more.
    assert document_render_and_store(document_id=document.pk, renderer="documents.text",
                                     renderer_args={"title": "x", "lines": []}, filename="x.pdf", sign=False,
                                     sign_reason="") is False
    assert _pdf(document) == data


def test_a_signing_failure_leaves_the_document_in_preparation_not_a_broken_file(alice, monkeypatch):
    monkeypatch.setattr("abri.documents.services.pdf_sign", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("HSM")))
    pending = document_file(customer=alice, kind="other", title="Lettre", lines=LINES, sign=True)
    unsigned = document_file(customer=alice, kind="termination", title="Accusé", lines=LINES, sign=True,
                             unsigned_if_signing_fails=True)
    pending.refresh_from_db()
    assert pending.is_pending
    assert "Assurée : Alice Durand." in PdfReader(io.BytesIO(_pdf(unsigned))).pages[0].extract_text()


def test_with_the_database_queue_the_task_commits_or_rolls_back_with_the_document(alice, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with pytest.raises(RuntimeError), transaction.atomic():
        document_file(customer=alice, kind="other", title="Annulé", lines=LINES)
        raise RuntimeError("the business change failed")
    assert not Document.objects.filter(title="Annulé").exists() and not DBTaskResult.objects.exists()

    document = document_file(customer=alice, kind="other", title="Lettre", lines=LINES)
    assert document.is_pending  # in the request: nothing rendered yet
    assert DBTaskResult.objects.get().task_path == document_render.module_path
    document_render.call(**DBTaskResult.objects.get().args_kwargs["kwargs"])  # what the worker does
    assert "Montant dû : 20,44 €." in PdfReader(io.BytesIO(_pdf(document))).pages[0].extract_text()
