"""2D-Doc payloads (ANTS layout) for certificates: build, sign, parse and verify.

Layout, as read by independent decoders such as py2ddoc:

    DC03 <CA id:4> <cert id:4> <issue date:4> <signature date:4> <document type:4>
    <field id:2><value> GS <field id:2><value> ... US <signature, base32 without padding>

- Dates in the header are days since 2000-01-01 written as 4 base-36 characters. The ANTS
  specification writes 4 hexadecimal digits; py2ddoc (the open decoder we verify against) reads
  base 36, so Abri follows py2ddoc (the signature check does not depend on it; the dates shown by
  py2ddoc do). Switch `encode_date` if a reader that follows the hexadecimal rule must be served.
- Document type "0023" is « Attestation d'assurance » in py2ddoc's table.
- Values are upper-case ASCII without accents (as 2D-Doc's C40 alphabet expects), never containing
  GS (0x1D) or US (0x1F); the signed message is the ASCII bytes of everything before US.
- The signature is ECDSA P-256 / SHA-256, raw r‖s (2 × 32 bytes), base32 without padding.

Field ids (Abri's own table; docs/signing.md points here):
    A0 certificate number   A1 contract number   A2 kind   A7 insurer
    10 insured person(s)    22 street address    24 postcode   25 city
    A3 valid from (DDMMYYYY)   A4 valid until (DDMMYYYY)   A5 child (school)   A6 school year
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

GS = "\x1d"
US = "\x1f"
VERSION = "03"
DOC_TYPE_INSURANCE_CERTIFICATE = "0023"
EPOCH = dt.date(2000, 1, 1)
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

FIELD_NUMBER = "A0"
FIELD_CONTRACT = "A1"
FIELD_KIND = "A2"
FIELD_VALID_FROM = "A3"
FIELD_VALID_UNTIL = "A4"
FIELD_CHILD = "A5"
FIELD_SCHOOL_YEAR = "A6"
FIELD_INSURER = "A7"
FIELD_INSURED = "10"
FIELD_STREET = "22"
FIELD_POSTCODE = "24"
FIELD_CITY = "25"


class TwoDDocError(ValueError):
    """A payload that is not a well-formed or authentic Abri 2D-Doc."""


def encode_date(day: dt.date) -> str:
    """Days since 2000-01-01 as 4 base-36 characters."""
    days = (day - EPOCH).days
    if not 0 <= days < 36**4:
        raise ValueError("date out of 2D-Doc range")
    out = ""
    for _ in range(4):
        days, digit = divmod(days, 36)
        out = _B36[digit] + out
    return out


def decode_date(raw: str) -> dt.date:
    return EPOCH + dt.timedelta(days=int(raw, 36))


def clean_value(value: str, max_length: int = 60) -> str:
    """Upper-case ASCII without accents or control characters (2D-Doc's alphabet)."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").upper()
    text = re.sub(r"[^A-Z0-9 '\-/.,]", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:max_length]


def format_date(day: dt.date) -> str:
    return day.strftime("%d%m%Y")


@dataclass(frozen=True)
class Payload:
    """A parsed 2D-Doc."""

    version: str
    ca_id: str
    cert_id: str
    issued_on: dt.date
    signed_on: dt.date
    doc_type: str
    fields: dict[str, str]
    message: str
    signature: bytes


def build_message(
    *, ca_id: str, cert_id: str, issued_on: dt.date, signed_on: dt.date, fields: list[tuple[str, str]]
) -> str:
    """The signed part: header then the fields separated by GS."""
    if len(ca_id) != 4 or len(cert_id) != 4:
        raise ValueError("CA id and certificate id are 4 characters")
    header = f"DC{VERSION}{ca_id}{cert_id}{encode_date(issued_on)}{encode_date(signed_on)}{DOC_TYPE_INSURANCE_CERTIFICATE}"
    parts = []
    for field_id, value in fields:
        if len(field_id) != 2:
            raise ValueError("field ids are 2 characters")
        cleaned = clean_value(value)
        if cleaned:
            parts.append(field_id + cleaned)
    return header + GS.join(parts)


def sign_message(message: str, signer) -> str:
    """The full barcode text: message, US, base32 signature (signer: bytes -> raw r‖s)."""
    signature = signer(message.encode("ascii"))
    return message + US + base64.b32encode(signature).decode("ascii").rstrip("=")


def parse(text: str) -> Payload:
    """Split a barcode text into header, fields and signature (no verification)."""
    if US not in text:
        raise TwoDDocError("no signature separator")
    message, signature_b32 = text.split(US, 1)
    if len(message) < 24 or not message.startswith("DC"):
        raise TwoDDocError("not a 2D-Doc header")
    try:
        signature = base64.b32decode(signature_b32 + "=" * (-len(signature_b32) % 8))
        issued_on, signed_on = decode_date(message[12:16]), decode_date(message[16:20])
    except ValueError as exc:
        raise TwoDDocError("malformed 2D-Doc") from exc
    fields = {}
    for part in message[24:].split(GS):
        if len(part) >= 2:
            fields[part[:2]] = part[2:]
    return Payload(
        version=message[2:4], ca_id=message[4:8], cert_id=message[8:12], issued_on=issued_on,
        signed_on=signed_on, doc_type=message[20:24], fields=fields, message=message, signature=signature,
    )


def verify(text: str, certificate: x509.Certificate) -> Payload:
    """Parse and check the signature with the published 2D-Doc certificate; raises TwoDDocError."""
    payload = parse(text)
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or len(payload.signature) != 64:
        raise TwoDDocError("unexpected signature")
    r = int.from_bytes(payload.signature[:32], "big")
    s = int.from_bytes(payload.signature[32:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), payload.message.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise TwoDDocError("signature does not match") from exc
    return payload
