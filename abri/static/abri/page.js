// Every page: after a failed submit, focus moves to the error summary (RGAA 11.10, WCAG 3.3.1 / 2.4.3)
// and the title says « Erreur : » (the server already adds it for forms it knows; this covers the rest).
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary || summary.closest("[hidden]")) {
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
  // A link of the summary takes focus to its field (not only scrolls to it).
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
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
})();
