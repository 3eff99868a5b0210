"""The accounts e-mails, one named function each (templates in templates/accounts/emails/)."""

from __future__ import annotations

from abri.notifications.emails import email_enqueue


def code_email(*, customer, text: str):
    """A one-time code by e-mail (`text`: the same sentence as the SMS, purpose and "never share it")."""
    return email_enqueue("accounts/code", to=customer.email, customer=customer,
                         context={"first_name": customer.first_name, "text": text})


def recovery_link_email(*, customer, link: str):
    """The single-use link (1 hour) to choose a new PIN."""
    return email_enqueue("accounts/recovery_link", to=customer.email, customer=customer,
                         context={"first_name": customer.first_name, "link": link})


def number_reminder_email(*, customer):
    """A forgotten customer number, to the e-mail on file."""
    return email_enqueue("accounts/number_reminder", to=customer.email, customer=customer, context={
        "first_name": customer.first_name, "customer_number": customer.customer_number})


def contact_changed_email(*, customer, to: str, text: str):
    """Alert to the previous e-mail address that the contact details changed."""
    return email_enqueue("accounts/contact_changed", to=to, customer=customer,
                         context={"first_name": customer.first_name, "text": text})
