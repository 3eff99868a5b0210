"""Signing configuration: the insurer's own key from PEM files, PAdES B-T through an RFC 3161 TSA, bad keys."""

import datetime as dt
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from abri.certificates import twoddoc
from abri.certificates.services import certificate_issue
from abri.documents import signing

pytestmark = pytest.mark.django_db


def _self_signed(name: str, key, *, ca: bool = False, eku=None) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(key, hashes.SHA256())


def _write_pem(path, key, cert):
    path.joinpath("key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    path.joinpath("cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(path / "key.pem"), str(path / "cert.pem")


def _pdf(certificate) -> bytes:
    with certificate.document.file.open("rb") as handle:
        return handle.read()


def test_insurers_own_key_from_configuration_signs_pdf_and_2ddoc(alice, alice_contract, tmp_path, monkeypatch, client):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed("Assureur Exemple — cachet", key, ca=True)
    key_path, cert_path = _write_pem(tmp_path, key, cert)
    monkeypatch.setenv("ABRI_SIGNING_KEY", key_path)
    monkeypatch.setenv("ABRI_SIGNING_CERT", cert_path)
    monkeypatch.setenv("ABRI_2DDOC_CA_ID", "FR99")

    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")

    sig = PdfFileReader(io.BytesIO(_pdf(certificate)), strict=False).embedded_signatures[0]
    assert sig.signer_cert.subject.native["common_name"] == "Assureur Exemple — cachet"
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[translate_pyca_cryptography_cert_to_asn1(cert)]))
    assert status.bottom_line
    assert certificate.twoddoc_payload[4:8] == "FR99"
    published = x509.load_pem_x509_certificate(client.get("/verifier/certificat.pem").content)
    assert published == cert
    twoddoc.verify(certificate.twoddoc_payload, published)


def test_rsa_signing_key_needs_a_separate_2ddoc_key(tmp_path, monkeypatch):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path, cert_path = _write_pem(tmp_path, key, _self_signed("RSA seal", key))
    monkeypatch.setenv("ABRI_SIGNING_KEY", key_path)
    monkeypatch.setenv("ABRI_SIGNING_CERT", cert_path)
    with pytest.raises(ImproperlyConfigured, match="P-256"):
        signing.signing_material()


def test_key_without_certificate_is_a_configuration_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ABRI_SIGNING_KEY", str(tmp_path / "key.pem"))
    with pytest.raises(ImproperlyConfigured):
        signing.signing_material()


@pytest.fixture
def local_tsa():
    """An RFC 3161 time-stamping authority on 127.0.0.1 (pyHanko's DummyTimeStamper behind HTTP)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's dummy TSA is RSA-only
    cert = _self_signed("TSA de test", key, eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    stamper = DummyTimeStamper(
        tsa_cert=translate_pyca_cryptography_cert_to_asn1(cert), tsa_key=translate_pyca_cryptography_key_to_asn1(key)
    )
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(self.headers["Content-Type"])
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/tsa", cert, requests
    finally:
        server.shutdown()
        server.server_close()


def test_with_a_tsa_the_signature_is_timestamped_pades_b_t(alice, alice_contract, local_tsa, monkeypatch, settings):
    url, tsa_cert, requests = local_tsa
    monkeypatch.setenv("ABRI_TSA_URL", url)

    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")

    assert requests == ["application/timestamp-query"]
    from pyhanko.keys import load_cert_from_pemder

    demo_ca = load_cert_from_pemder(str(settings.VAR_DIR / "pki" / "demo-ca.pem"))
    context = ValidationContext(trust_roots=[demo_ca, translate_pyca_cryptography_cert_to_asn1(tsa_cert)])
    sig = PdfFileReader(io.BytesIO(_pdf(certificate)), strict=False).embedded_signatures[0]
    status = validate_pdf_signature(sig, context)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.valid


def test_without_a_tsa_no_timestamp_and_no_network(alice, alice_contract, monkeypatch):
    monkeypatch.delenv("ABRI_TSA_URL", raising=False)
    assert signing.timestamper() is None
    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    sig = PdfFileReader(io.BytesIO(_pdf(certificate)), strict=False).embedded_signatures[0]
    assert validate_pdf_signature(sig).timestamp_validity is None


def test_an_unreachable_tsa_still_delivers_a_signed_certificate(alice, alice_contract, monkeypatch, caplog):
    import socket

    with socket.socket() as probe:  # a local port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ABRI_TSA_URL", f"http://127.0.0.1:{port}/tsa")

    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")

    sig = PdfFileReader(io.BytesIO(_pdf(certificate)), strict=False).embedded_signatures[0]
    assert validate_pdf_signature(sig).intact
    assert "time-stamping authority unavailable" in caplog.text
