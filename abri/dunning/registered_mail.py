"""Registered mail (lettre recommandée) for the formal notice of L113-3: an interface and two adapters.

- `OutboxRegisteredMail` (default, demo and tests): keeps each letter and its proof of sending as files under
  `ABRI_REGISTERED_MAIL_DIR` (default: `<MEDIA_ROOT>/registered-mail/`), for an operator to post by hand or
  to inspect. No network.
- `HttpRegisteredMail`: a skeleton for a postal or electronic registered-mail provider (LRE, art. L100 du
  Code des postes et des communications électroniques) over HTTPS, configured by the environment:
  `ABRI_REGISTERED_MAIL_URL` (the provider's « send a letter » endpoint), `ABRI_REGISTERED_MAIL_TOKEN`
  (bearer token). Map its request and answer to the provider's API before use.

Choose with `ABRI_REGISTERED_MAIL_BACKEND` (a dotted path). Each sending carries the step's idempotency key:
a retried sending (worker killed after the provider accepted it) must give back the same proof, not post a
second letter — the outbox adapter does, a provider adapter passes the key to the provider.
"""

from __future__ import annotations

import hashlib
import json
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class RegisteredMailError(Exception):
    """The provider refused or could not be reached: the worker tries again at its next run."""


@dataclass(frozen=True)
class RegisteredLetter:
    """A letter to send by registered mail: the PDF, its addressee and the key that identifies the sending."""

    idempotency_key: str
    recipient: list[str]
    pdf: bytes
    title: str
    email: str = ""


@dataclass(frozen=True)
class SendingProof:
    """The provider's proof of sending: the legal clock (L113-3) runs from `sent_at`."""

    provider: str
    proof_id: str
    sent_at: datetime


class RegisteredMailAdapter:
    """Sends one registered letter and returns its proof; raises RegisteredMailError on failure."""

    name = "abstract"

    def send(self, letter: RegisteredLetter) -> SendingProof:
        raise NotImplementedError


def _safe_name(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in key)[:80]


class OutboxRegisteredMail(RegisteredMailAdapter):
    """Records the letter and a proof id in files (no provider): the same key gives back the same proof."""

    name = "outbox"

    def directory(self) -> Path:
        configured = getattr(settings, "ABRI_REGISTERED_MAIL_DIR", "")
        return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "registered-mail"

    def send(self, letter: RegisteredLetter) -> SendingProof:
        folder = self.directory()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        receipt = folder / f"{_safe_name(letter.idempotency_key)}.json"
        if receipt.exists():  # a retried sending: one letter, one proof
            data = json.loads(receipt.read_text())
            return SendingProof(self.name, data["proof_id"], datetime.fromisoformat(data["sent_at"]))
        proof_id = "LR-" + hashlib.sha256(letter.idempotency_key.encode() + letter.pdf).hexdigest()[:20].upper()
        sent_at = datetime.now(UTC)
        (folder / f"{_safe_name(letter.idempotency_key)}.pdf").write_bytes(letter.pdf)
        receipt.write_text(json.dumps({"proof_id": proof_id, "sent_at": sent_at.isoformat(), "title": letter.title,
                                       "recipient": letter.recipient, "key": letter.idempotency_key}))
        return SendingProof(self.name, proof_id, sent_at)


class HttpRegisteredMail(RegisteredMailAdapter):
    """Skeleton of a provider adapter over HTTPS (JSON body, PDF in base64, `Idempotency-Key` header).

    Expected answer: `{"id": "<proof id>", "sent_at": "<ISO 8601>"}`. Providers differ: adapt `_request` and
    `_proof` to the chosen one's documentation; keep the idempotency key and the timeout.
    """

    name = "http"
    timeout = 20

    def _request(self, letter: RegisteredLetter) -> urllib.request.Request:
        import base64

        url = getattr(settings, "ABRI_REGISTERED_MAIL_URL", "")
        token = getattr(settings, "ABRI_REGISTERED_MAIL_TOKEN", "")
        if not url.startswith("https://") or not token:
            raise RegisteredMailError("ABRI_REGISTERED_MAIL_URL (https) and ABRI_REGISTERED_MAIL_TOKEN are required")
        body = json.dumps({"reference": letter.idempotency_key, "recipient": letter.recipient, "email": letter.email,
                           "title": letter.title, "document": base64.b64encode(letter.pdf).decode()}).encode()
        return urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 - https only, checked
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Idempotency-Key": letter.idempotency_key})

    def _proof(self, answer: dict) -> SendingProof:
        try:
            return SendingProof(self.name, str(answer["id"])[:120], datetime.fromisoformat(answer["sent_at"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise RegisteredMailError("unexpected answer from the registered-mail provider") from exc

    def send(self, letter: RegisteredLetter) -> SendingProof:
        request = self._request(letter)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - https only
                return self._proof(json.loads(response.read()))
        except (OSError, ValueError) as exc:
            raise RegisteredMailError(type(exc).__name__) from exc


def get_registered_mail() -> RegisteredMailAdapter:
    """The configured registered-mail adapter (ABRI_REGISTERED_MAIL_BACKEND)."""
    return import_string(getattr(settings, "ABRI_REGISTERED_MAIL_BACKEND",
                                 "abri.dunning.registered_mail.OutboxRegisteredMail"))()
