"""`python -m abri` is Django's manage.py for the Abri project."""

import os
import sys


def main() -> None:
    """Run a Django management command with Abri's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abri.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
