/* Claim page: refresh the timeline every 20 s without reloading (the page works without it). */
(function () {
  "use strict";
  var live = document.getElementById("claim-live");
  if (!live || !window.fetch) return;
  var last = live.innerHTML;
  function refresh() {
    if (document.hidden) return;
    fetch(live.dataset.url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html && html !== last && !live.contains(document.activeElement)) {
          live.innerHTML = html;
          last = html;
        }
      })
      .catch(function () { /* offline: try again later */ });
  }
  setInterval(refresh, 20000);
  document.addEventListener("visibilitychange", refresh);
})();
