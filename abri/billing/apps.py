from django.apps import AppConfig

from abri.documents.renderers import renderer_register
from abri.documents.verification import register_document_verifier


class BillingConfig(AppConfig):
    name = "abri.billing"
    label = "billing"
    verbose_name = "Paiements"

    def ready(self):
        from abri.billing.direct_debit import MANDATE_RENDERER, mandate_render
        from abri.billing.invoices import NUMBER_PREFIX, invoice_render, invoice_verify
        from abri.billing.invoices import RENDERER as INVOICE_RENDERER
        from abri.billing.services import YEARLY_STATEMENT_RENDERER, yearly_statement_render

        # The vault's task renders the yearly statement by this name (a registry: documents imports no app above).
        renderer_register(YEARLY_STATEMENT_RENDERER, yearly_statement_render)
        renderer_register(MANDATE_RENDERER, mandate_render)
        renderer_register(INVOICE_RENDERER, invoice_render)
        # Invoice numbers answer on the public /verifier/ page (the certificates app's; a registry).
        register_document_verifier(NUMBER_PREFIX, invoice_verify)
