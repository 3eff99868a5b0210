"""The insurer's signing material: PAdES signatures (pyHanko) and 2D-Doc signatures (raw ECDSA P-256).

Configuration (environment, see docs/signing.md):
- ABRI_SIGNING_KEY / ABRI_SIGNING_CERT: PEM files of the insurer's signing key and certificate;
  ABRI_SIGNING_KEY_PASSPHRASE if the key is encrypted; ABRI_SIGNING_CHAIN: PEM file of the
  intermediate/root certificates to embed.
- ABRI_2DDOC_KEY / ABRI_2DDOC_CERT: a separate ECDSA P-256 key for 2D-Doc barcodes (defaults to the
  signing key when that one is P-256); ABRI_2DDOC_CA_ID and ABRI_2DDOC_CERT_ID: the 4-character
  identifiers written in the 2D-Doc header.
- ABRI_TSA_URL: an RFC 3161 time-stamping authority; with it signatures are PAdES B-T, without it B-B
  and nothing is fetched from the network.

Without configuration, a self-signed demo CA and an ECDSA P-256 signing certificate are generated once
into var/pki/ so that `make run` works on a fresh machine; they are for demonstration only.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import logging
import os
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers
from pyhanko_certvalidator.registry import SimpleCertificateStore

logger = logging.getLogger(__name__)

DEMO_CA_NAME = "Abri Démo — AC de test (pas pour la production)"
DEMO_SIGNER_NAME = "Abri Démo — Signature des attestations"
# The demo PKI is valid from a fixed past day, not from the day it was generated: documents signed under a
# test clock set earlier than that day (frozen tests, a demo replayed at a given date) still validate.
# Built at each call: under a test clock `dt.datetime` is the clock's class, and cryptography checks the type.
def _demo_pki_valid_from() -> dt.datetime:
    return dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
SIGNATURE_BYTES_RESERVED = int(os.environ.get("ABRI_SIGNATURE_BYTES_RESERVED", 12_000))
TIMESTAMP_BYTES_RESERVED = 12_000


@dataclass(frozen=True)
class SigningMaterial:
    """Keys and certificates loaded once per process."""

    pades_signer: signers.SimpleSigner
    twoddoc_key: ec.EllipticCurvePrivateKey
    twoddoc_cert: x509.Certificate
    twoddoc_ca_id: str
    twoddoc_cert_id: str
    trust_roots_pem: bytes
    is_demo: bool

    @property
    def twoddoc_cert_pem(self) -> bytes:
        return self.twoddoc_cert.public_bytes(serialization.Encoding.PEM)

    def sign_twoddoc(self, message: bytes) -> bytes:
        """ECDSA P-256 / SHA-256 signature of a 2D-Doc message, as raw r‖s (64 bytes)."""
        der = self.twoddoc_key.sign(message, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


class UrllibTimeStamper(TimeStamper):
    """RFC 3161 client over the standard library (pyHanko's own clients need requests or aiohttp)."""

    def __init__(self, url: str, timeout: float = 10):
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("ABRI_TSA_URL must be an http(s) URL")
        self.url = url
        self.timeout = timeout
        super().__init__()

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        import asyncio

        def task():
            request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
                self.url, data=req.dump(), headers=set_tsp_headers({}), method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    if response.headers.get("Content-Type") != "application/timestamp-reply":
                        raise TimestampRequestError("Timestamp server response is malformed.")
                    return tsp.TimeStampResp.load(response.read())
            except OSError as exc:
                raise TimestampRequestError("Error in communication with timestamp server") from exc

        return await asyncio.to_thread(task)


_lock = threading.Lock()
_material: SigningMaterial | None = None
_material_key: tuple | None = None


def _config_key() -> tuple:
    return (
        os.environ.get("ABRI_SIGNING_KEY", ""),
        os.environ.get("ABRI_SIGNING_CERT", ""),
        os.environ.get("ABRI_2DDOC_KEY", ""),
        str(settings.VAR_DIR),
    )


def signing_material() -> SigningMaterial:
    """The process-wide signing material (loaded or generated on first use)."""
    global _material, _material_key
    key = _config_key()
    if _material is not None and _material_key == key:
        return _material
    with _lock:
        if _material is None or _material_key != key:
            _material = _load_material()
            _material_key = key
    return _material


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"Cannot read signing file {path}: {exc}") from exc


def _load_private_key(data: bytes, passphrase: str | None):
    try:
        return serialization.load_pem_private_key(data, password=passphrase.encode() if passphrase else None)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Cannot load the signing key: {exc}") from exc


def _load_material() -> SigningMaterial:
    key_path = os.environ.get("ABRI_SIGNING_KEY", "")
    cert_path = os.environ.get("ABRI_SIGNING_CERT", "")
    if bool(key_path) != bool(cert_path):
        raise ImproperlyConfigured("ABRI_SIGNING_KEY and ABRI_SIGNING_CERT must be set together")
    is_demo = not key_path
    if is_demo:
        paths = demo_pki_ensure(Path(settings.VAR_DIR) / "pki")
        key_path, cert_path, chain_path = str(paths["key"]), str(paths["cert"]), str(paths["ca"])
    else:
        chain_path = os.environ.get("ABRI_SIGNING_CHAIN", "")
    passphrase = os.environ.get("ABRI_SIGNING_KEY_PASSPHRASE") or None

    private_key = _load_private_key(_read(key_path), passphrase)
    cert = x509.load_pem_x509_certificate(_read(cert_path))
    chain_pem = _read(chain_path) if chain_path else b""
    chain = list(load_certs_from_pemder_data(chain_pem)) if chain_pem else []
    registry = SimpleCertificateStore()
    registry.register_multiple(chain)
    pades_signer = signers.SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(cert),
        signing_key=translate_pyca_cryptography_key_to_asn1(private_key),
        cert_registry=registry,
    )

    twoddoc_key_path = os.environ.get("ABRI_2DDOC_KEY", "")
    if twoddoc_key_path:
        twoddoc_key = _load_private_key(_read(twoddoc_key_path), os.environ.get("ABRI_2DDOC_KEY_PASSPHRASE"))
        twoddoc_cert = x509.load_pem_x509_certificate(_read(os.environ.get("ABRI_2DDOC_CERT", "")))
    else:
        twoddoc_key, twoddoc_cert = private_key, cert
    if not (isinstance(twoddoc_key, ec.EllipticCurvePrivateKey) and isinstance(twoddoc_key.curve, ec.SECP256R1)):
        raise ImproperlyConfigured(
            "2D-Doc needs an ECDSA P-256 key: set ABRI_2DDOC_KEY / ABRI_2DDOC_CERT (the signing key is not P-256)"
        )
    fingerprint = twoddoc_cert.fingerprint(hashes.SHA256()).hex().upper()
    return SigningMaterial(
        pades_signer=pades_signer,
        twoddoc_key=twoddoc_key,
        twoddoc_cert=twoddoc_cert,
        twoddoc_ca_id=_four_chars(os.environ.get("ABRI_2DDOC_CA_ID", "FR00"), "ABRI_2DDOC_CA_ID"),
        twoddoc_cert_id=_four_chars(os.environ.get("ABRI_2DDOC_CERT_ID", fingerprint[:4]), "ABRI_2DDOC_CERT_ID"),
        trust_roots_pem=chain_pem,
        is_demo=is_demo,
    )


def _four_chars(value: str, name: str) -> str:
    value = value.strip().upper()
    if len(value) != 4 or not value.isalnum() or not value.isascii():
        raise ImproperlyConfigured(f"{name} must be 4 letters or digits")
    return value


def timestamper() -> TimeStamper | None:
    """The configured RFC 3161 time-stamping client, or None (then no network access at all)."""
    url = os.environ.get("ABRI_TSA_URL", "").strip()
    return UrllibTimeStamper(url) if url else None


def pdf_sign(pdf_bytes: bytes, *, reason: str, location: str = "France", field_name: str = "Signature") -> bytes:
    """Sign a rendered PDF once (PAdES B-B, or B-T with a configured TSA); the input is not re-rendered."""
    material = signing_material()
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=settings.ABRI_INSURER_NAME,
    )
    stamper = timestamper()
    if stamper is not None:
        try:
            return _sign(pdf_bytes, meta, material, stamper)
        except (TimestampRequestError, SigningError, OSError) as exc:
            # A customer waiting for a certificate gets one: PAdES B-B is a valid signature, the
            # timestamp only dates it independently. The failure is logged for operations.
            logger.warning("time-stamping authority unavailable, signing without timestamp: %s", exc)
    return _sign(pdf_bytes, meta, material, None)


def _sign(pdf_bytes: bytes, meta, material: SigningMaterial, stamper: TimeStamper | None) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    # Reserving the signature's room up front spares pyHanko a dummy signature to estimate it
    # (half of the signing time); an ECDSA CMS with its chain is ~3 KB, a timestamp token adds ~6 KB.
    output = signers.sign_pdf(
        writer, meta, signer=material.pades_signer, timestamper=stamper,
        bytes_reserved=SIGNATURE_BYTES_RESERVED + (TIMESTAMP_BYTES_RESERVED if stamper else 0),
    )
    return output.getvalue()


# --- Demo PKI ---------------------------------------------------------------------------------


def demo_pki_ensure(directory: Path) -> dict[str, Path]:
    """Generate the demo CA and signing certificate into `directory` once (safe across processes)."""
    paths = {"ca": directory / "demo-ca.pem", "key": directory / "signing-key.pem", "cert": directory / "signing.pem"}
    if all(p.exists() for p in paths.values()):
        return paths
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all(p.exists() for p in paths.values()):
            _demo_pki_generate(paths)
    return paths


def _demo_pki_generate(paths: dict[str, Path]) -> None:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Abri (démo)"),
        x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CA_NAME),
    ])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_demo_pki_valid_from())
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Abri (démo)"),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_SIGNER_NAME),
        ]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_demo_pki_valid_from())
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_atomic(paths["key"], key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ), mode=0o600)
    _write_atomic(paths["cert"], cert.public_bytes(serialization.Encoding.PEM))
    _write_atomic(paths["ca"], ca_cert.public_bytes(serialization.Encoding.PEM))


def _write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def certificate_fingerprint(pem: bytes) -> str:
    """SHA-256 fingerprint of a PEM certificate, as colon-separated hex (shown on the verification page)."""
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
