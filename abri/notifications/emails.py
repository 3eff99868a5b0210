"""E-mails as named functions: each renders `templates/<app>/emails/<name>_subject.txt`, `_body.txt` and
`_body.html` and writes the result to the outbox (text and HTML alternative), in the current transaction.

The owning app keeps its e-mails in its own `emails.py` (abri.accounts.emails, ...) and calls
`email_enqueue`; this module holds the renderer and the notification e-mail.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from abri.notifications.choices import Channel
from abri.notifications.models import OutboxMessage
from abri.notifications.services import outbox_enqueue


def email_render(name: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of the e-mail `<app>/<name>`: one-line subject, text without trailing blank line."""
    app, _, short = name.partition("/")
    prefix = f"{app}/emails/{short}"
    context = {"insurer": settings.ABRI_INSURER_NAME, **context}
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    text = render_to_string(f"{prefix}_body.txt", context).rstrip("\n")
    html = render_to_string(f"{prefix}_body.html", {**context, "subject": subject})
    return subject, text, html


def email_enqueue(name: str, *, to: str, context: dict, customer=None) -> OutboxMessage | None:
    """Render the e-mail `<app>/<name>` and write it to the outbox (delivered after commit)."""
    subject, text, html = email_render(name, context)
    return outbox_enqueue(channel=Channel.EMAIL, to=to, subject=subject, body=text, html_body=html,
                          customer=customer)


def notification_email(*, customer, title: str, body: str, url: str = "") -> OutboxMessage | None:
    """The e-mail copy of an in-app notification: its title, its text and a link to the page."""
    link = f"{settings.ABRI_BASE_URL}{url}" if url else ""
    return email_enqueue("notifications/notification", to=customer.email, customer=customer, context={
        "first_name": customer.first_name, "title": title, "body": body, "link": link})
