"""htmx (ADR 0009): vendored as published, configured for the strict CSP, and no template relies on what
that configuration switches off (eval: hx-on, trigger filters, js: values)."""

import hashlib
import json
import re
from pathlib import Path

import pytest

import abri
from abri.core.middleware import CSP

VENDOR = Path(abri.__file__).parent / "static" / "vendor" / "htmx"
TEMPLATES = Path(abri.__file__).parent / "templates"


def test_vendored_htmx_is_the_published_file_with_its_licence():
    note = (VENDOR / "VERSION").read_text(encoding="utf-8")
    expected = re.search(r"sha256 ([0-9a-f]{64})  htmx.min.js", note).group(1)
    assert hashlib.sha256((VENDOR / "htmx.min.js").read_bytes()).hexdigest() == expected
    assert "htmx.org 2." in note and "Zero-Clause BSD" in (VENDOR / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_every_page_loads_htmx_configured_for_the_strict_csp(client):
    response = client.get("/connexion/")
    html = response.content.decode()
    assert response["Content-Security-Policy"] == CSP and "'unsafe-eval'" not in CSP and "'unsafe-inline'" not in CSP
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in html
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1))
    assert config["allowEval"] is False and config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False  # htmx would inject a <style> the CSP refuses
    assert config["historyCacheSize"] == 0 and config["historyEnabled"] is False  # no personal page in localStorage
    assert config["selfRequestsOnly"] is True
    swapped = {rule["code"]: rule["swap"] for rule in config["responseHandling"]}
    assert swapped["^204$"] is False and swapped["^[45]..$"] is False


def test_no_template_needs_eval():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\bhx-on[:-]", r"\bdata-hx-on", r"hx-(vals|headers)=['\"]\s*js:", r"hx-trigger=\"[^\"]*\["):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == [], offenders
