// Idle warning: 2 minutes before the 15-minute idle timeout, an alert offers « Rester connecté ».
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var box = document.getElementById("idle-warning");
  if (!idle || !box) { return; }
  var form = box.querySelector("form");
  var counter = document.getElementById("idle-remaining");
  var warnBefore = Math.min(120, Math.floor(idle / 2));
  var deadline, warnTimer, tickTimer, lastFocus;

  function schedule() {
    deadline = Date.now() + idle * 1000;
    clearTimeout(warnTimer);
    clearInterval(tickTimer);
    warnTimer = setTimeout(warn, (idle - warnBefore) * 1000);
  }
  function remaining() { return Math.max(0, Math.round((deadline - Date.now()) / 1000)); }
  function render() {
    var s = remaining();
    var m = Math.floor(s / 60), r = s % 60;
    counter.textContent = (m ? m + " min " : "") + (r < 10 && m ? "0" : "") + r + " s";
    if (s === 0) { expire(); }
  }
  function warn() {
    lastFocus = document.activeElement;
    box.hidden = false;
    render();
    var button = box.querySelector("button");
    if (button) { button.focus(); }
    tickTimer = setInterval(render, 15000);
  }
  function expire() {
    clearInterval(tickTimer);
    window.location.assign("/connexion/?next=" + encodeURIComponent(window.location.pathname));
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.status === 204) {
        box.hidden = true;
        schedule();
        if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
      } else { expire(); }
    }).catch(function () { form.submit(); });
  });
  schedule();
})();
