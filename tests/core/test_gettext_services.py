"""Every French sentence that services, rules, forms and pricing show to people goes through gettext.

An AST scan of those modules: a string constant that reads as French (an accented letter, « », or a common
French word) must sit inside a gettext call (`_`, `gettext`, `gettext_lazy`, `ngettext`, …). Docstrings, log
calls, dictionary keys (codes) and URL paths are not shown to people. The allow-lists are short and explicit.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCOPE = ["abri/*/services.py", "abri/*/rules.py", "abri/*/forms.py", "abri/*/pricing.py", "abri/*/conditions.py",
         "abri/*/guarantees.py", "abri/billing/*.py", "abri/dunning/*.py"]
FRENCH = re.compile(
    r"[àâçéèêëîïôûùüÿœæÀÂÇÉÈÊÎÔÛ«»]|\b(?:votre|vos|vous|nous|le|la|les|du|des|une?|est|sont|pour|avec|dans|sur|pas|"
    r"aucune?|de|et|au|aux|cette|ces|ne|par|contrat|sinistre|avenant|cotisation|remboursement|garanties?|dossier|"
    r"logement)\b", re.IGNORECASE)
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "npgettext",
           "gettext_noop"}
LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "log"}

# Data, not sentences: the terms of the general conditions are the French keys of the conditions file.
NOT_SHOWN = {
    ("abri/contracts/conditions.py", "<module>"),  # the [[term]] pattern
    ("abri/contracts/conditions.py", "conditions_for"),
    # The remittance text a bank prints on the debtor's statement: SEPA's Latin character set, no accents.
    ("abri/billing/direct_debit.py", "collection_run_build"),
    ("abri/billing/facturx.py", "<module>"),  # the UN/CEFACT namespaces (urn:un:unece:…) of the Factur-X XML
}
# Nothing pending: every service's French goes through gettext (the list only shrinks, and it is empty).
PENDING: set[tuple[str, str]] = set()


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def unmarked_french(root: Path = REPO, patterns=SCOPE) -> list[tuple[str, str, int, str]]:
    """(path, top-level function or '<module>', line, text) of each French literal outside gettext."""
    found = []
    paths = sorted({p for pattern in patterns for p in root.glob(pattern)})
    for path in paths:
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text())
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        docstrings = {node.body[0].value for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or node in docstrings:
                continue
            text = node.value
            if not FRENCH.search(text) or text.startswith("/"):
                continue
            marked, top, child = False, "<module>", node
            while child in parents:
                parent = parents[child]
                if isinstance(parent, ast.Dict) and child in parent.keys:
                    marked = True  # a key is a code
                if isinstance(parent, ast.Call):
                    name = _call_name(parent)
                    if name in GETTEXT:
                        marked = True
                    elif name in LOGGING and isinstance(parent.func, ast.Attribute) and "log" in ast.unparse(
                            parent.func.value).lower():
                        marked = True
                if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and isinstance(
                        parents.get(parent), ast.Module):
                    top = parent.name
                child = parent
            if not marked:
                found.append((rel, top, node.lineno, text))
    return sorted(found)


def test_french_shown_to_people_is_marked_for_translation():
    unmarked = [(path, function, line, text[:60]) for path, function, line, text in unmarked_french()
                if (path, function) not in NOT_SHOWN | PENDING]
    assert unmarked == [], "Wrap these in gettext/gettext_lazy/ngettext with named placeholders: " + repr(unmarked)


def test_allow_lists_only_shrink():
    still = {(path, function) for path, function, _line, _text in unmarked_french()}
    assert (NOT_SHOWN | PENDING) - still == set(), "Nothing to allow here any more: delete these entries"


def test_the_scan_tells_marked_from_unmarked_french(tmp_path):
    app = tmp_path / "abri" / "claims"
    app.mkdir(parents=True)
    (app / "services.py").write_text(
        'from django.utils.translation import gettext as _\nimport logging\nlogger = logging.getLogger(__name__)\n\n\n'
        'def f(claim):\n    """Déclare un sinistre (docstring)."""\n'
        '    logger.info("Sinistre déclaré %s", claim)\n'
        '    raise ValueError(_("Cette déclaration a déjà été envoyée."))\n\n\n'
        'def g(claim):\n    return {"expert": claim, "url": "/tableau-de-bord/"}, f"Dossier clos {claim}"\n\n\n'
        'def h():\n    return "Proposition de remboursement", "claim.transition"\n')
    found = [(function, line, text) for _path, function, line, text in unmarked_french(tmp_path, ["abri/*/services.py"])]
    assert found == [("g", 13, "Dossier clos "), ("h", 17, "Proposition de remboursement")]
