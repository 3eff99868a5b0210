"""The registered-mail adapters (L113-3's formal notice): the outbox keeps one letter per key; the HTTP skeleton
sends the idempotency key and reads the proof — with the network replaced, never reached in tests."""

import io
import json

import pytest

from abri.dunning import registered_mail as rm

LETTER = rm.RegisteredLetter(idempotency_key="formal_notice:42", recipient=["Alice Durand", "1 rue de la Paix"],
                             pdf=b"%PDF-1.7 test", title="Mise en demeure", email="alice@exemple.fr")


def test_outbox_adapter_keeps_one_letter_and_one_proof_per_key(settings, tmp_path):
    settings.ABRI_REGISTERED_MAIL_DIR = str(tmp_path / "lr")
    adapter = rm.get_registered_mail()
    assert isinstance(adapter, rm.OutboxRegisteredMail)
    first, again = adapter.send(LETTER), adapter.send(LETTER)
    assert first == again and first.proof_id.startswith("LR-")
    assert sorted(p.name for p in (tmp_path / "lr").iterdir()) == ["formal_notice_42.json", "formal_notice_42.pdf"]


def test_http_adapter_sends_the_key_and_reads_the_proof(settings, monkeypatch):
    settings.ABRI_REGISTERED_MAIL_URL = "https://lre.example/v1/letters"
    settings.ABRI_REGISTERED_MAIL_TOKEN = "secret-token"
    seen = {}

    def fake_urlopen(request, timeout):
        seen.update(url=request.full_url, headers=dict(request.header_items()), body=json.loads(request.data))
        return io.BytesIO(json.dumps({"id": "LRE-0001", "sent_at": "2026-11-15T08:00:00+00:00"}).encode())

    monkeypatch.setattr(rm.urllib.request, "urlopen", fake_urlopen)
    proof = rm.HttpRegisteredMail().send(LETTER)
    assert (proof.provider, proof.proof_id, proof.sent_at.isoformat()) == ("http", "LRE-0001",
                                                                            "2026-11-15T08:00:00+00:00")
    assert seen["headers"]["Idempotency-key"] == "formal_notice:42"
    assert seen["headers"]["Authorization"] == "Bearer secret-token"
    assert seen["body"]["reference"] == "formal_notice:42" and seen["body"]["recipient"][0] == "Alice Durand"


def test_http_adapter_refuses_plain_http_and_a_bad_answer(settings, monkeypatch):
    settings.ABRI_REGISTERED_MAIL_URL = "http://lre.example/v1/letters"
    settings.ABRI_REGISTERED_MAIL_TOKEN = "secret-token"
    with pytest.raises(rm.RegisteredMailError):
        rm.HttpRegisteredMail().send(LETTER)
    settings.ABRI_REGISTERED_MAIL_URL = "https://lre.example/v1/letters"
    monkeypatch.setattr(rm.urllib.request, "urlopen", lambda request, timeout: io.BytesIO(b'{"oops": 1}'))
    with pytest.raises(rm.RegisteredMailError):
        rm.HttpRegisteredMail().send(LETTER)
