"""Homes, contracts and their guarantees."""

import builtins
from decimal import Decimal

from django.db import models
from django.utils import timezone

from abri.contracts.choices import (
    ContractStatus,
    Formula,
    GuaranteeCode,
    OccupantStatus,
    PaymentFrequency,
    PropertyKind,
    Residence,
)


class OwnedQuerySet(models.QuerySet):
    """Querysets of customer data are always scoped to their owner."""

    def for_customer(self, customer):
        return self.filter(customer=customer)


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

    objects = OwnedQuerySet.as_manager()

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
    valuables_capital = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    annual_premium = models.DecimalField(max_digits=10, decimal_places=2)
    payment_frequency = models.CharField(
        max_length=12, choices=PaymentFrequency.choices, default=PaymentFrequency.MONTHLY
    )
    start_date = models.DateField()
    main_due_date = models.DateField(help_text="Prochaine échéance principale")
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=24, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic locking counter")
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat"
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_formula_display()})"

    @builtins.property  # the `property` field shadows the builtin inside this class
    def is_active(self) -> bool:
        return self.status in {ContractStatus.ACTIVE, ContractStatus.TERMINATION_REQUESTED}


class ContractGuarantee(models.Model):
    """One guarantee of a contract, with its ceiling and deductible."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="guarantees")
    code = models.CharField(max_length=20, choices=GuaranteeCode.choices)
    ceiling = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    deductible = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    is_option = models.BooleanField(default=False)

    class Meta:
        unique_together = [("contract", "code")]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_code_display()
