"""Create (or update) a staff account with its role: `python -m abri staff_create --email … --role advisor`.

The password is checked by Django's validators (12 characters at least, not common, not numeric,
not close to the e-mail). The TOTP app is enrolled by the staff member at their first login.
"""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from abri.accounts.choices import StaffRole
from abri.accounts.roles import ensure_staff_groups
from abri.core.services import audit_record

User = get_user_model()


class Command(BaseCommand):
    help = "Crée ou met à jour un compte du personnel (conseiller, gestionnaire sinistres, administrateur)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=[r.value for r in StaffRole])
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--password-env", default="ABRI_STAFF_PASSWORD",
                            help="variable d'environnement contenant le mot de passe (sinon il est demandé)")

    def handle(self, *args, email, role, first_name, last_name, password_env, **options):
        email = email.strip().lower()
        password = os.environ.get(password_env) or getpass.getpass("Mot de passe : ")
        user = User.objects.filter(username=email).first() or User(username=email, email=email)
        if user.pk and user.is_customer:
            raise CommandError("Ce compte est un compte client.")
        user.first_name = first_name or user.first_name
        user.last_name = last_name or user.last_name
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            groups = ensure_staff_groups()
            user.is_staff = True
            user.is_customer = False
            user.staff_role = role
            user.is_superuser = role == StaffRole.ADMINISTRATOR
            user.set_password(password)
            user.save()
            user.groups.set([groups[StaffRole(role)]])
            audit_record(action="staff.account.saved", actor_label="commande staff_create",
                         data={"email": email, "role": role})
        self.stdout.write(self.style.SUCCESS(f"Compte {email} ({role}) prêt : l'application d'authentification "
                                             "sera activée à la première connexion."))
