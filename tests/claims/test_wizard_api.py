"""The claim wizard's public step API (`abri.claims.wizard`), shared by the pages and the API."""

import ast
from pathlib import Path

import abri
from abri.claims import wizard

ROOT = Path(abri.__file__).parent


def test_pages_and_api_use_only_the_public_step_api():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path == Path(wizard.__file__):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "abri.claims.wizard":
                offenders += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names if a.name.startswith("_")]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and \
                    isinstance(node.value, ast.Name) and node.value.id == "wizard":
                offenders.append(f"{path.relative_to(ROOT)}: wizard.{node.attr}")
    assert offenders == []


def test_both_faces_import_the_step_api():
    for module in ("claims/views.py", "api/routers/claim_declaration.py"):
        imported = {a.name for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8")))
                    if isinstance(node, ast.ImportFrom) and node.module == "abri.claims.wizard" for a in node.names}
        assert {"step_form", "step_values", "step_next"} <= imported, module


def test_step_next_and_previous_stay_within_the_wizard():
    assert wizard.step_next("home") == "event"
    assert wizard.step_next("summary") == "summary"
    assert wizard.step_previous("event") == "home"
    assert wizard.step_previous("home") == "home"
    assert set(wizard.__all__) >= {"step_form", "step_values", "step_next", "step_previous"}
