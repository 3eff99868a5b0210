/* Claim page: refresh the timeline every 20 s without reloading (the page works without it).
   Only what changed is announced — « Nouvelle étape : … » in a status region — not the whole timeline
   (WCAG 4.1.3), and the automatic refresh can be paused (WCAG 2.2.2). */
(function () {
  "use strict";
  var live = document.getElementById("claim-live");
  if (!live || !window.fetch) return;
  var announce = document.getElementById("claim-announce");
  var toggle = document.getElementById("claim-refresh-toggle");
  var last = live.innerHTML;
  var paused = false;

  function currentStep(container) {
    var section = container.querySelector("[data-step]");
    return section ? section.getAttribute("data-step") : "";
  }

  function refresh() {
    if (paused || document.hidden) return;
    fetch(live.dataset.url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html || html === last || live.contains(document.activeElement)) return;
        var before = currentStep(live);
        var incoming = document.createElement("div");
        incoming.innerHTML = html;
        live.innerHTML = html;
        last = html;
        var section = incoming.querySelector("[data-step]");
        if (announce && toggle && section && section.getAttribute("data-step") !== before) {
          announce.textContent = toggle.getAttribute("data-label-new-step") + " " + section.getAttribute("data-step-label");
        }
      })
      .catch(function () { /* offline: try again later */ });
  }

  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      paused = !paused;
      toggle.textContent = toggle.getAttribute(paused ? "data-label-resume" : "data-label-pause");
      if (!paused) refresh();
    });
  }
  setInterval(refresh, 20000);
  document.addEventListener("visibilitychange", refresh);
})();
