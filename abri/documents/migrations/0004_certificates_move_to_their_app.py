"""Certificate and VerificationLog moved to the certificates app (issue 10, point 2): state only.

The tables `documents_certificate` and `documents_verificationlog` stay where they are, with their
rows; certificates 0001 takes the models over in the state (it depends on this migration).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0003_certificates"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="VerificationLog"),
                migrations.DeleteModel(name="Certificate"),
            ],
            database_operations=[],
        ),
    ]
