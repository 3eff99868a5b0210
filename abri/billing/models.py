"""The premium schedule: each instalment due, and how it was paid."""

from django.db import models

from abri.billing.choices import PaymentMethod, ScheduleStatus


class ScheduleQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(customer=customer)


class ScheduleItem(models.Model):
    """One instalment of a contract's premium."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="schedule_items")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="schedule_items")
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=10, choices=ScheduleStatus.choices, default=ScheduleStatus.UPCOMING)
    method = models.CharField(max_length=14, choices=PaymentMethod.choices, default=PaymentMethod.DIRECT_DEBIT)
    paid_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=35, blank=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = "échéance"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["customer", "status", "due_date"]),
            models.Index(fields=["contract", "due_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.due_date} {self.amount} €"
