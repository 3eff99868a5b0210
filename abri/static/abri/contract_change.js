/* Contract change: reprice on every edit without reloading (the « Calculer le prix » button does the same
   without JavaScript). */
(function () {
  "use strict";
  var form = document.getElementById("change-form");
  var panel = document.getElementById("price-panel");
  if (!form || !panel || !window.fetch || !window.URLSearchParams) return;
  var timer = null;
  var counter = 0;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    params.set("partial", "1");
    var mine = ++counter;
    panel.setAttribute("aria-busy", "true");
    fetch(form.dataset.partialUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && mine === counter) panel.innerHTML = html;
        panel.removeAttribute("aria-busy");
      })
      .catch(function () { panel.removeAttribute("aria-busy"); });
  }
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
  form.addEventListener("input", function (e) {
    if (e.target.type === "text" || e.target.type === "number") { clearTimeout(timer); timer = setTimeout(refresh, 400); }
  });
})();
