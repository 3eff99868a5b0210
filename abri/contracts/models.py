"""Homes, contracts and their guarantees."""

import builtins
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from abri.contracts.choices import (
    CONTRACT_IN_FORCE,
    CapitalRequestStatus,
    ContractStatus,
    Formula,
    GuaranteeCode,
    OccupantStatus,
    PaymentFrequency,
    PropertyKind,
    Residence,
    TerminationReason,
    TerminationStatus,
)
from abri.core.querysets import CustomerOwnedQuerySet


class ContractQuerySet(CustomerOwnedQuerySet):
    """Contracts, scoped to their owner, and the one definition of « in force »."""

    def in_force(self):
        return self.filter(status__in=CONTRACT_IN_FORCE)


class Property(models.Model):
    """An insured home and the features that rate it."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="properties")
    kind = models.CharField(max_length=12, choices=PropertyKind.choices)
    occupant_status = models.CharField(max_length=8, choices=OccupantStatus.choices)
    residence = models.CharField(max_length=10, choices=Residence.choices, default=Residence.MAIN)
    address_line = models.CharField(max_length=200)
    postcode = models.CharField(max_length=10)
    city = models.CharField(max_length=100)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    rooms = models.PositiveSmallIntegerField(default=2)
    surface_m2 = models.PositiveIntegerField(default=50)
    floor = models.SmallIntegerField(null=True, blank=True)
    risk_zone = models.PositiveSmallIntegerField(default=3)
    has_garden = models.BooleanField(default=False)
    has_pool = models.BooleanField(default=False)
    outbuildings_m2 = models.PositiveIntegerField(default=0)
    has_alarm = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "logement"
        verbose_name_plural = "logements"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.address_line}, {self.postcode} {self.city}"

    @property
    def full_address(self) -> str:
        return f"{self.address_line}, {self.postcode} {self.city}"


class Contract(models.Model):
    """A home-insurance contract (MRH) on one property."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="contracts")
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(max_length=20, unique=True)
    formula = models.CharField(max_length=12, choices=Formula.choices)
    tariff_version = models.CharField(max_length=20, default="2026-01")
    options = models.JSONField(default=list, blank=True)
    deductible = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("150.00"))
    contents_capital = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    building_capital = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"),
        help_text="Capital bâtiment en valeur de reconstruction à neuf (propriétaires) ; 0 pour un locataire",
    )
    valuables_capital = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    annual_premium = models.DecimalField(max_digits=10, decimal_places=2)
    payment_frequency = models.CharField(
        max_length=12, choices=PaymentFrequency.choices, default=PaymentFrequency.MONTHLY
    )
    start_date = models.DateField()
    first_subscription_date = models.DateField(
        null=True, blank=True,
        help_text="First subscription with the insurer, kept when the contract follows a move (Hamon clock, L113-15-2)")
    main_due_date = models.DateField(help_text="Prochaine échéance principale")
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=24, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic locking counter")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat"
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_formula_display()})"

    @builtins.property
    def subscribed_since(self):
        """Where the one-year Hamon clock starts (L113-15-2): the first subscription, kept across a move."""
        return self.first_subscription_date or self.start_date

    @builtins.property  # the `property` field shadows the builtin inside this class
    def is_active(self) -> bool:
        """In force: covered today or until a requested end date."""
        return self.status in CONTRACT_IN_FORCE

    @builtins.property
    def is_changeable(self) -> bool:
        """Can be amended, moved or terminated: in force with no termination requested."""
        return self.status == ContractStatus.ACTIVE

    @builtins.property
    def is_ending(self) -> bool:
        """A termination was requested: covered until its end date."""
        return self.status == ContractStatus.TERMINATION_REQUESTED


class ContractEvent(models.Model):
    """One step of a contract's life (the timeline): written by `contract_transition` and nothing else."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=24, choices=ContractStatus.choices)
    to_status = models.CharField(max_length=24, choices=ContractStatus.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "étape du contrat"
        verbose_name_plural = "historique du contrat"

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.from_status} → {self.to_status}"


class ContractGuarantee(models.Model):
    """One guarantee of a contract, with its ceiling and deductible."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="guarantees")
    code = models.CharField(max_length=20, choices=GuaranteeCode.choices)
    ceiling = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    deductible = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    is_option = models.BooleanField(default=False)
    sub_limits = models.JSONField(
        default=dict, blank=True, help_text="Sous-plafonds (responsabilité civile : bodily, material), en euros",
    )

    class Meta:
        unique_together = [("contract", "code")]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_code_display()

    @builtins.property
    def sub_limit_rows(self) -> list[tuple[str, Decimal]]:
        """The sub-limits with their French labels, bodily injury first."""
        from abri.contracts.choices import SUB_LIMIT_LABELS

        return [(str(label), Decimal(self.sub_limits[key])) for key, label in SUB_LIMIT_LABELS.items()
                if key in (self.sub_limits or {})]


class Simulation(models.Model):
    """A frozen quote the customer saved: valid two months under the tariff version it was made with."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="simulations")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="simulations")
    name = models.CharField(max_length=80)
    tariff_version = models.CharField(max_length=20)
    choices = models.JSONField(help_text="formula, options, deductible, capitals, frequency")
    quote = models.JSONField(help_text="totals and per-guarantee breakdown, amounts as strings")
    total_annual = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateField()

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Amendment(models.Model):
    """An avenant: a change of the contract with its effective date, pro-rata amount and signed PDF."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="amendments")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="amendments")
    number = models.CharField(max_length=30, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    effective_date = models.DateField()
    kind = models.CharField(max_length=20, default="change")
    before = models.JSONField()
    after = models.JSONField()
    old_total_annual = models.DecimalField(max_digits=10, decimal_places=2)
    new_total_annual = models.DecimalField(max_digits=10, decimal_places=2)
    prorata_amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="> 0 due, < 0 refunded")
    tariff_version = models.CharField(max_length=20)
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class TerminationRequest(models.Model):
    """A termination requested online (L113-14): reason, dates, acknowledgement and refund."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="terminations")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="terminations")
    number = models.CharField(max_length=30, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=12, choices=TerminationReason.choices)
    reason_text = models.TextField(blank=True)
    requested_date = models.DateField(null=True, blank=True, help_text="Date wished by the customer")
    effective_date = models.DateField()
    rule = models.CharField(max_length=200)
    refund_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    basis = models.CharField(max_length=12, blank=True, help_text="The legal basis of the end date (hamon, chatel…)")
    new_insurer = models.CharField(max_length=120, blank=True,
                                   help_text="A tenant's Hamon termination: the insurer taking over (compulsory cover)")
    new_policy_number = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=16, choices=TerminationStatus.choices, default=TerminationStatus.RECEIVED)
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ContractRenewal(models.Model):
    """One tacit renewal at a main due date: when its notice was sent (L113-15-1) and when it was done."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="renewals")
    due_date = models.DateField(help_text="The main due date the contract renews on")
    notice_sent_on = models.DateField(null=True, blank=True,
                                      help_text="When the renewal notice (avis d'échéance) was sent; empty: never")
    renewed_at = models.DateTimeField(null=True, blank=True)
    tariff_version = models.CharField(max_length=20, blank=True)
    old_annual_premium = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    new_annual_premium = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-due_date"]
        constraints = [models.UniqueConstraint(fields=["contract", "due_date"], name="one_renewal_per_due_date")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.due_date}"


class CapitalRequest(models.Model):
    """A contents capital asked above the online ceiling: kept with the choices and referred to an advisor."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="capital_requests")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="capital_requests")
    requested_capital = models.DecimalField(max_digits=10, decimal_places=2)
    online_ceiling = models.DecimalField(max_digits=10, decimal_places=2)
    choices = models.JSONField(default=dict, help_text="The other choices of the change page, kept as typed.")
    status = models.CharField(max_length=10, choices=CapitalRequestStatus.choices,
                              default=CapitalRequestStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de capital à étudier"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.requested_capital} € ({self.status})"
