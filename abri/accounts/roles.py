"""The production staff roles: one Django group per `StaffRole`, with its permissions.

Used by `staff_create` (production) and by the demo seed; `ensure_staff_groups()` is idempotent.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from abri.accounts.choices import StaffRole

ROLE_GROUPS = {
    # change_customer: the advisor's back-office actions (unlock an access, start a PIN reset);
    # change_contract: a change applied on the customer's behalf;
    # add_document: a certificate issued (or revoked) on the customer's behalf, e.g. on the phone.
    StaffRole.ADVISOR: ("Conseillers", ["view_customer", "change_customer", "view_contract", "change_contract", "view_claim",
                                        "view_document", "add_document", "view_scheduleitem", "view_banktransaction",
                                        "view_auditlog"]),
    StaffRole.CLAIMS_HANDLER: ("Gestionnaires sinistres", ["view_customer", "view_contract", "view_claim",
                                                           "change_claim", "view_document", "add_document",
                                                           "view_scheduleitem", "view_auditlog"]),
    # The finance team: billing only (collection runs, rejected debits, transfers, manual payments, card
    # refunds, payment-method changes on the customer's behalf); customers in read-only to find them.
    StaffRole.ACCOUNTING: ("Comptabilité", ["view_customer", "view_contract", "view_scheduleitem",
                                            "change_scheduleitem", "view_sepamandate", "change_sepamandate",
                                            "view_collectionrun", "change_collectionrun", "view_collection",
                                            "change_collection", "view_banktransaction", "change_banktransaction",
                                            "view_cardpayment", "change_cardpayment", "view_auditlog"]),
    StaffRole.ADMINISTRATOR: ("Administrateurs", None),
}


def ensure_staff_groups() -> dict[str, Group]:
    """The staff roles as groups with their permissions."""
    groups = {}
    for role, (name, codenames) in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.all() if codenames is None else Permission.objects.filter(codename__in=codenames)
        group.permissions.set(perms)
        groups[role] = group
    return groups
