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


def test_guarantee_label_filter_shows_the_french_label_the_contracts_app_registers():
    from django.template import Context, Template

    html = Template("{% load abri %}{{ 'water'|guarantee_label }}|{{ 'nope'|guarantee_label }}").render(Context())
    assert html == "Dégâts des eaux|nope"


def test_step_up_problem_is_built_by_core_and_the_api_still_answers_problem_json():
    from abri.api import problems as api_problems
    from abri.core import problems as core_problems

    assert api_problems.problem is core_problems.problem
    response = core_problems.problem(403, "Confirmation requise", "x")
    assert response["Content-Type"] == "application/problem+json"
