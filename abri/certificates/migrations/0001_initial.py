"""Certificate and VerificationLog, moved from the documents app without copying a row.

The state is created here over the existing tables (`db_table` keeps their names, the indexes keep
theirs); documents 0004 removed the models from the documents state first. The content types are
renamed so that permissions granted on them follow the models.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def content_types_follow(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ("certificate", "verificationlog"):
        if not content_type.objects.filter(app_label="certificates", model=model).exists():
            content_type.objects.filter(app_label="documents", model=model).update(app_label="certificates")


def content_types_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ("certificate", "verificationlog"):
        if not content_type.objects.filter(app_label="documents", model=model).exists():
            content_type.objects.filter(app_label="certificates", model=model).update(app_label="documents")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0002_mfa_devices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("contracts", "0001_initial"),
        ("documents", "0004_certificates_move_to_their_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Certificate",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.CharField(max_length=20, unique=True)),
                        ("kind", models.CharField(choices=[("tenant", "Attestation locative (pour le bailleur)"), ("lender", "Attestation pour l'organisme prêteur"), ("temporary", "Attestation temporaire"), ("school", "Attestation responsabilité civile scolaire")], max_length=12)),
                        ("valid_from", models.DateField()),
                        ("valid_until", models.DateField()),
                        ("issued_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("revocation_reason", models.CharField(blank=True, max_length=200)),
                        ("child_first_name", models.CharField(blank=True, max_length=80)),
                        ("child_last_name", models.CharField(blank=True, max_length=80)),
                        ("school_year", models.CharField(blank=True, help_text="e.g. 2026-2027", max_length=9)),
                        ("insured_initials", models.CharField(blank=True, help_text="Shown on public verification", max_length=12)),
                        ("city", models.CharField(blank=True, help_text="Shown on public verification", max_length=100)),
                        ("twoddoc_payload", models.TextField(blank=True, help_text="Signed 2D-Doc barcode content")),
                        ("contract", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="certificates", to="contracts.contract")),
                        ("customer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="certificates", to="accounts.customer")),
                        ("document", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="certificate", to="documents.document")),
                    ],
                    options={
                        "verbose_name": "attestation",
                        "ordering": ["-issued_at", "-id"],
                        "db_table": "documents_certificate",
                        "indexes": [
                            models.Index(fields=["customer", "-issued_at"], name="documents_c_custome_c6fcd0_idx"),
                            models.Index(fields=["contract", "revoked_at"], name="documents_c_contrac_b7fa7c_idx"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="VerificationLog",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.CharField(help_text="As typed (truncated)", max_length=40)),
                        ("outcome", models.CharField(choices=[("valid", "Valide"), ("not_yet_valid", "Pas encore en vigueur"), ("expired", "Expirée"), ("revoked", "Révoquée"), ("unknown", "Inconnue"), ("malformed", "Numéro mal formé")], max_length=16)),
                        ("channel", models.CharField(default="web", max_length=8)),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("certificate", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="verifications", to="certificates.certificate")),
                    ],
                    options={
                        "verbose_name": "vérification d'attestation",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "documents_verificationlog",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
