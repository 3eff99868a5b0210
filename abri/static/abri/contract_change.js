/* Contract change: reprice on every edit without reloading (the « Calculer le prix » button does the same
   without JavaScript). Screen readers hear one short sentence (« Nouveau prix : 873,04 € par an, aujourd'hui
   953,18 € »), not the whole panel again (RGAA 7.5, WCAG 4.1.3). */
(function () {
  "use strict";
  var form = document.getElementById("change-form");
  var panel = document.getElementById("price-panel");
  var status = document.getElementById("price-status");
  if (!form || !panel || !window.fetch || !window.URLSearchParams) return;
  var timer = null;
  var counter = 0;
  function summary() {
    var card = panel.querySelector("[data-announce]");
    return card ? { text: card.getAttribute("data-announce"), same: card.getAttribute("data-announce-same") } : null;
  }
  var last = summary();
  function announce() {
    var now = summary();
    if (!status || !now) return;
    var text = last && now.text === last.text && now.same ? now.same : now.text;
    last = now;
    // Emptied first, so that the same sentence twice in a row is still announced.
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  }
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    params.set("partial", "1");
    var mine = ++counter;
    panel.setAttribute("aria-busy", "true");
    fetch(form.dataset.partialUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && mine === counter) {
          panel.innerHTML = html;
          announce();
        }
        panel.removeAttribute("aria-busy");
      })
      .catch(function () { panel.removeAttribute("aria-busy"); });
  }
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
  form.addEventListener("input", function (e) {
    if (e.target.type === "text" || e.target.type === "number") { clearTimeout(timer); timer = setTimeout(refresh, 400); }
  });
})();
