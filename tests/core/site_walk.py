"""Every customer and staff page of the URLconf, with real sample arguments, for site-wide sweeps.

`customer_pages(world)` and `staff_pages(world)` resolve each named pattern with objects from `make_world`;
a pattern added later is walked without editing this module (an unknown argument name fails loudly).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

# Not pages of a logged-in person: the API (its own sweep in tests/api/test_fuzz.py), Django's admin,
# the language switch, the public verification, the health probe and the demo outbox.
SKIPPED_NAMESPACES = {"admin", "api", "verify"}
SKIPPED_NAMES = {"unknown", "set_language", "healthz", "demo_outbox", "demo_outbox_json", "home"}
STAFF_MODULES = ("abri.backoffice.",)


@dataclass
class World:
    customer: object
    contract: object
    claim: object
    draft: object
    simulation: object
    document: object
    notification: object
    staff: object


def make_world() -> World:
    """Alice with a contract, a claim, a draft, a simulation, a document, a notification; an administrator."""
    from abri.accounts.roles import ensure_staff_groups
    from abri.claims import services as claim_services
    from abri.contracts import services as contract_services
    from abri.notifications.services import notification_create
    from tests.accounts.factories import CustomerFactory, StaffFactory
    from tests.claims.factories import make_claim
    from tests.contracts.factories import make_contract
    from tests.documents.factories import make_document

    customer = CustomerFactory(first_name="Alice", last_name="Durand")
    contract = make_contract(customer=customer, start_date=timezone.localdate() - timedelta(days=500),
                             main_due_date=timezone.localdate() + timedelta(days=90), payment_frequency="annual")
    simulation = contract_services.simulation_save(
        customer=customer, contract=contract, name="Essai",
        choices={"formula": "confort", "deductible": "150", "payment_frequency": "annual", "contents_capital": "",
                 "valuables_capital": "0", "options": []})
    staff = StaffFactory(staff_role="administrator", is_superuser=True)
    staff.groups.add(ensure_staff_groups()["administrator"])
    return World(
        customer=customer, contract=contract, claim=make_claim(contract=contract),
        draft=claim_services.draft_start(customer=customer), simulation=simulation,
        document=make_document(customer=customer),
        notification=notification_create(customer=customer, title="Bienvenue"), staff=staff,
    )


def _kwargs(name: str, pattern: URLPattern, world: World) -> dict:
    values = {}
    for key in pattern.pattern.converters:
        if key == "number":
            values[key] = world.claim.number if "claims" in name else world.contract.number
        elif key == "key":
            values[key] = world.draft.key if name.startswith("claims:declare") or name.startswith("claims:draft") \
                or name == "claims:evidence_upload" else uuid.uuid4()
        elif key == "step":
            values[key] = "bank"
        elif key == "pk":
            values[key] = {"contracts:simulation_delete": world.simulation.pk,
                           "notifications:read": world.notification.pk}.get(name, world.document.pk)
        elif key in {"session_id", "device_id", "token_id", "item_id", "mandate_id", "payment_id", "run_id"}:
            values[key] = 1
        elif key == "fmt":
            values[key] = "csv"
        elif key == "year":
            values[key] = 2026
        elif key == "item_id":
            values[key] = world.schedule_item.pk if getattr(world, "schedule_item", None) else 1
        elif key == "token":
            values[key] = "INCONNU"
        elif key == "customer_number":
            values[key] = world.customer.customer_number
        elif key == "fmt":
            values[key] = "csv"
        elif key == "year":
            values[key] = 2025
        elif key in {"termination", "challenge", "token"}:
            values[key] = "INCONNU"
        else:
            raise AssertionError(f"site_walk: no sample value for <{key}> in {name}: add one")
    return values


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif entry.name and entry.name not in SKIPPED_NAMES:
            yield f"{namespace}{entry.name}", entry


def pages(world: World) -> list[tuple[str, str, str]]:
    """(audience, url name, url) for every named page: audience is "staff" or "customer"."""
    found = []
    for name, pattern in _walk(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "")
        audience = "staff" if module.startswith(STAFF_MODULES) else "customer"
        found.append((audience, name, reverse(name, kwargs=_kwargs(name, pattern, world)), pattern.callback))
    return [(audience, name, url) for audience, name, url, _callback in found]


def callbacks() -> dict[str, object]:
    """url name → view function, for the sweep's completeness check."""
    return {name: pattern.callback for name, pattern in _walk(get_resolver().url_patterns)}


def customer_pages(world: World) -> list[tuple[str, str]]:
    return [(name, url) for audience, name, url in pages(world) if audience == "customer"]


def staff_pages(world: World) -> list[tuple[str, str]]:
    return [(name, url) for audience, name, url in pages(world) if audience == "staff"]
