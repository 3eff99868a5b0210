"""The layers of DESIGN.md, enforced: the import contracts of `.importlinter` hold (ADR 0007)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept_and_the_demo_seed_is_not_imported_by_the_product():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the product never imports demo KEPT" in result.stdout
    assert "core imports no app of the project KEPT" in result.stdout


def test_production_staff_roles_live_in_accounts_not_in_the_demo_seed():
    source = (REPO / "abri/backoffice/management/commands/staff_create.py").read_text()
    assert "from abri.accounts.roles import ensure_staff_groups" in source
    assert "seed_demo" not in source
