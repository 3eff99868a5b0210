"""The accessibility statement, and an automated check of the RGAA 4.1 criteria a machine can test.

axe-core (run in every journey test) covers WCAG rules; this adds the RGAA criteria that are
mechanically checkable, by number, on every page of the essential journeys, public and logged in:
1.1 images have a text alternative, 2.1 frames have a title, 6.2 links have a name, 8.2 ids are unique,
8.3 / 8.4 the page language is given and valid, 8.5 / 8.6 the title is present and plain text,
9.1 one h1 and no skipped heading level, 11.1 every field has a label, 12.6 landmarks, 12.7 a skip link
to the content.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RGAA_CHECKS = r"""() => {
  const problems = [];
  const add = (criterion, text) => problems.push(criterion + " " + text);
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const name = (el) => {
    const byIds = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean)
      .map((id) => (document.getElementById(id) || {}).textContent || "").join(" ");
    const label = el.id ? Array.from(document.querySelectorAll("label")).filter((l) => l.htmlFor === el.id)
      .map((l) => l.textContent).join(" ") : "";
    const wrapping = el.closest("label") ? el.closest("label").textContent : "";
    const img = Array.from(el.querySelectorAll ? el.querySelectorAll("img[alt]") : []).map((i) => i.alt).join(" ");
    return [el.getAttribute("aria-label") || "", byIds, label, wrapping, el.textContent || "", img,
            el.getAttribute("title") || ""].join(" ").trim();
  };
  // 1.1
  document.querySelectorAll("img").forEach((img) => { if (!img.hasAttribute("alt")) add("1.1", img.src); });
  document.querySelectorAll("svg[role=img]").forEach((svg) => { if (!name(svg)) add("1.1", "svg sans nom"); });
  // 2.1
  document.querySelectorAll("iframe, frame").forEach((f) => { if (!f.title) add("2.1", f.src); });
  // 6.2
  document.querySelectorAll("a[href]").forEach((a) => { if (visible(a) && !name(a)) add("6.2", a.outerHTML.slice(0, 80)); });
  // 8.2 (unique ids)
  const seen = new Set();
  document.querySelectorAll("[id]").forEach((el) => { if (seen.has(el.id)) add("8.2", "#" + el.id); seen.add(el.id); });
  // 8.3 / 8.4
  const lang = document.documentElement.getAttribute("lang") || "";
  if (!/^(fr|en)(-[A-Za-z]{2})?$/.test(lang)) add("8.3", "lang=" + JSON.stringify(lang));
  document.querySelectorAll("[lang]").forEach((el) => { if (!/^[a-z]{2}(-[A-Za-z]{2})?$/.test(el.lang)) add("8.4", el.lang); });
  // 8.5 / 8.6
  if (!document.title.trim()) add("8.5", "titre vide");
  if (/[<>]/.test(document.title)) add("8.6", "titre avec du HTML : " + document.title.slice(0, 80));
  // 9.1
  const headings = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6")).filter(visible);
  if (headings.filter((h) => h.tagName === "H1").length !== 1) add("9.1", "nombre de h1 : " + headings.filter((h) => h.tagName === "H1").length);
  let previous = 0;
  headings.forEach((h) => { const level = Number(h.tagName[1]); if (previous && level > previous + 1) add("9.1", h.tagName + " après H" + previous + " : " + h.textContent.trim().slice(0, 40)); previous = level; });
  // 11.1
  document.querySelectorAll("input, select, textarea").forEach((el) => {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button" || !visible(el)) return;
    const labelled = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") ||
      (el.id && document.querySelector("label[for='" + CSS.escape(el.id) + "']")) || el.closest("label") || el.title;
    if (!labelled) add("11.1", (el.name || el.id || el.tagName));
  });
  // 12.6
  if (!document.querySelector("main, [role=main]")) add("12.6", "pas de zone principale");
  if (!document.querySelector("header, [role=banner]")) add("12.6", "pas d'en-tête");
  if (!document.querySelector("footer, [role=contentinfo]")) add("12.6", "pas de pied de page");
  // 12.7
  const skip = document.querySelector("a.skip-link[href^='#']");
  if (!skip) add("12.7", "pas de lien d'évitement");
  else if (!document.getElementById(skip.getAttribute("href").slice(1))) add("12.7", "cible absente");
  return problems;
}"""

PUBLIC_PAGES = ["/connexion/", "/activation/", "/identifiants-oublies/", "/verifier/", "/accessibilite/",
                "/backoffice/connexion/"]
CUSTOMER_PAGES = ["/tableau-de-bord/", "/contrats/", "/contrats/MRH-2024-000101/",
                  "/contrats/MRH-2024-000101/conditions/", "/contrats/MRH-2024-000101/comparer/",
                  "/contrats/MRH-2024-000101/modifier/", "/sinistres/", "/sinistres/declarer/", "/paiements/",
                  "/documents/", "/documents/attestations/", "/notifications/", "/assistance/", "/mon-compte/",
                  "/securite/", "/accessibilite/"]


def rgaa_problems(page) -> list[str]:
    return page.evaluate(RGAA_CHECKS)


def test_rgaa_testable_criteria_hold_on_public_and_customer_pages(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, **DESKTOP)
    failures = {}
    for path in PUBLIC_PAGES:
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        if problems := rgaa_problems(page):
            failures[path] = problems
    login_as(page, base_url, "DEMO0001G", "246810")
    for path in CUSTOMER_PAGES:
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        if problems := rgaa_problems(page):
            failures[path] = problems
    context.close()
    assert not failures, "\n".join(f"{path}: {problems}" for path, problems in failures.items())


def test_the_checker_catches_what_it_looks_for(browser, base_url):
    """The checker itself: a page with one fault per criterion is reported for each."""
    context, page = _new_page(browser, **DESKTOP)
    page.set_content("""<html><head><title>a <b> title</b></title></head><body>
      <img src="x.png"><iframe src="about:blank"></iframe><a href="/x"></a><p id="d"></p><p id="d"></p>
      <h1>Un</h1><h1>Deux</h1><h4>Saut</h4><input name="orphan"></body></html>""")
    problems = " | ".join(rgaa_problems(page))
    for criterion in ("1.1", "2.1", "6.2", "8.2", "8.3", "8.6", "9.1", "11.1", "12.6", "12.7"):
        assert f"{criterion} " in problems, (criterion, problems)
    context.close()


def test_accessibility_statement_is_public_and_linked_from_every_footer(browser, base_url, demo_data, login_as,
                                                                         axe_check):
    """Loi 2005-102 art. 47 and décret 2019-768: a statement with the compliance level, the audit, the
    non-compliant criteria, a contact and the Défenseur des droits, linked from every page."""
    context, page = _new_page(browser, **DESKTOP)
    for path in ("/connexion/", "/verifier/", "/backoffice/connexion/"):
        page.goto(f"{base_url}{path}")
        expect(page.locator("footer").get_by_role("link", name="Accessibilité : partiellement conforme")).to_be_visible()
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/tableau-de-bord/")
    page.locator("footer").get_by_role("link", name="Accessibilité : partiellement conforme").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    main = page.locator("main")
    for text in ("partiellement conforme", "RGAA", "Contenus non accessibles", "Critère 13.3",
                 "Dérogations pour charge disproportionnée", "Retour d'information et contact",
                 "Défenseur des droits", "Libre réponse 71120", "accessibilite@abri.example",
                 "Établissement de cette déclaration"):
        expect(main).to_contain_text(text)
    axe_check(page)
    context.close()
