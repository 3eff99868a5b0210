// Certificate page. Issuing without leaving the page is done by htmx (ADR 0009: hx-post on the form, the
// server answers HTML: the list of issued certificates and a status sentence out of band, or the form section
// with its errors). This script only does what htmx cannot:
// 1. show only the extra fields of the chosen kind (all are shown without JavaScript);
// 2. start the download when the server says a certificate is issued (HX-Trigger « certificate-issued »):
//    the link is a same-origin URL answered as an attachment, so the page stays;
// 3. after a refusal swapped in, focus the error summary and say « Erreur : » in the title (RGAA 11.10).
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector("[name=kind]:checked");
    var kind = checked ? checked.value : "";
    form.querySelectorAll(".certificate-extra").forEach(function (fieldset) {
      var show = fieldset.getAttribute("data-kind") === kind;
      fieldset.hidden = !show;
      fieldset.disabled = !show;
    });
  }
  var form = document.getElementById("certificate-form");
  if (!form) { return; }
  update(form);
  // A summary rendered with the page is focused by page.js; only those swapped in later are handled here.
  document.querySelectorAll("#new-certificate .error-summary").forEach(function (s) { s.setAttribute("data-announced", ""); });
  document.addEventListener("change", function (event) {
    if (event.target.name === "kind" && event.target.form) { update(event.target.form); }
  });

  document.addEventListener("certificate-issued", function (event) {
    var url = event.detail && event.detail.url;
    if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") {
      window.location.assign(url);
    }
  });

  // The form section is replaced (outerHTML): its new content fires htmx:load (and the swap htmx:afterSettle,
  // possibly on the body); either way, look for a summary not yet announced.
  function afterSwap() {
    var fresh = document.getElementById("certificate-form");
    if (fresh) { update(fresh); }
    var summary = document.querySelector("#new-certificate .error-summary:not([data-announced])");
    if (!summary) { return; }
    summary.setAttribute("data-announced", "");
    summary.setAttribute("tabindex", "-1");
    var prefix = document.documentElement.lang === "en" ? "Error: " : "Erreur : ";
    if (document.title.indexOf(prefix) !== 0) { document.title = prefix + document.title; }
    summary.focus();
  }
  document.addEventListener("htmx:load", afterSwap);
  document.addEventListener("htmx:afterSettle", afterSwap);
})();
