// Every page: after a failed submit, focus moves to the error summary (RGAA 11.10, WCAG 3.3.1 / 2.4.3)
// and the title says « Erreur : » (the server already adds it for forms it knows; this covers the rest).
// Otherwise a message shown after a redirect (« Simulation enregistrée », « Vous êtes déconnecté »…) takes
// the focus, so that screen readers read it: a status region present at load is not announced reliably (RGAA 7.5).
(function () {
  "use strict";
  // Controls that only work with htmx (e.g. « Suspendre la mise à jour automatique ») are rendered hidden.
  if (window.htmx) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-needs-js][hidden]"), function (el) { el.hidden = false; });
  }
  // A link of an error summary takes focus to its field (not only scrolls to it); delegated, so that a
  // summary swapped in later by htmx (the certificates form) behaves the same.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (target) {
      event.preventDefault();
      target.focus();
      target.scrollIntoView({block: "center"});
    }
  });
  var summary = document.querySelector(".error-summary");
  if (!summary || summary.closest("[hidden]")) {
    var flash = document.getElementById("flash");
    if (flash && !flash.closest("[hidden]")) {
      flash.focus();
    }
    return;
  }
  if (!summary.hasAttribute("tabindex")) {
    summary.setAttribute("tabindex", "-1");
  }
  var prefix = document.documentElement.lang === "en" ? "Error: " : "Erreur : ";
  if (document.title.indexOf(prefix) !== 0) {
    document.title = prefix + document.title;
  }
  summary.focus();
})();
