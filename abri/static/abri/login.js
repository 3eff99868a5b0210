// Login page: show/hide the PIN (a real button, announced with aria-pressed; the page works without it).
(function () {
  "use strict";
  var toggle = document.getElementById("pin-toggle");
  if (!toggle) { return; }
  var input = document.getElementById(toggle.getAttribute("aria-controls"));
  if (!input) { return; }
  var showText = toggle.textContent;
  var hideText = document.documentElement.lang === "en" ? "Hide the PIN" : "Masquer le code secret";
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var show = input.type === "password";
    input.type = show ? "text" : "password";
    toggle.setAttribute("aria-pressed", show ? "true" : "false");
    toggle.textContent = show ? hideText : showText;
    input.focus();
  });
  // Before sending, hide the PIN again so that the browser never keeps it as visible text.
  var form = input.form;
  if (form) {
    form.addEventListener("submit", function () { input.type = "password"; });
  }
})();
