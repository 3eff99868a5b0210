from django.apps import AppConfig

from abri.contracts.signals import contract_changed
from abri.documents.renderers import renderer_register


class CertificatesConfig(AppConfig):
    name = "abri.certificates"
    label = "certificates"
    verbose_name = "Attestations"

    def ready(self):
        # A contract's status change or amendment revokes, in the same transaction, the certificates whose
        # facts no longer hold (ADR 0008): contracts send `contract_changed`, certificates listen.
        from abri.certificates.rendering import certificate_pdf
        from abri.certificates.services import RENDERER, certificates_on_contract_changed

        # The vault's task renders certificates by this name (a registry: documents imports no app above it).
        renderer_register(RENDERER, certificate_pdf)

        contract_changed.connect(certificates_on_contract_changed, dispatch_uid="certificates_sweep")
