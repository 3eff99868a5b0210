// Certificate page.
// 1. Show only the extra fields of the chosen kind (all are shown without JavaScript).
// 2. Issue without leaving the page: the PDF downloads, a status message says so and the list of issued
//    certificates is refreshed (RGAA 7.5). Without JavaScript the form posts and the PDF downloads as before.
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
  document.addEventListener("change", function (event) {
    if (event.target.name === "kind" && event.target.form) { update(event.target.form); }
  });

  var busy = false;
  function say(text) {
    var status = document.getElementById("certificate-status");
    if (!status) { return; }
    status.textContent = "";
    if (text) {
      var p = document.createElement("p");
      p.className = "flash-success";
      p.textContent = text;
      status.appendChild(p);
    }
  }
  function filename(response) {
    var match = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "");
    return match ? match[1] : "attestation.pdf";
  }
  function download(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }
  function replaceFrom(html, id) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
    var current = document.getElementById(id);
    if (fresh && current) { current.replaceWith(document.importNode(fresh, true)); }
  }
  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (target.id !== "certificate-form" || !window.fetch || !window.FormData || !window.DOMParser || !window.URL) {
      return;
    }
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    var status = document.getElementById("certificate-status");
    say(status && status.getAttribute("data-working"));
    fetch(target.action, { method: "POST", body: new FormData(target), credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/pdf") === 0) {
          var name = filename(response);
          return response.blob().then(function (blob) {
            download(blob, name);
            return fetch(window.location.pathname, { credentials: "same-origin" })
              .then(function (r) { return r.text(); })
              .then(function (html) {
                replaceFrom(html, "issued");
                var number = name.replace(/^attestation-/, "").replace(/\.pdf$/, "");
                say(status.getAttribute("data-issued").replace("NUMBER", number));
              });
          });
        }
        return response.text().then(function (html) {
          // Refused (the errors are in the page that came back): show them, focus their summary.
          say("");
          replaceFrom(html, "new-certificate");
          var fresh = document.getElementById("certificate-form");
          if (fresh) { update(fresh); }
          var summary = document.querySelector("#new-certificate .error-summary");
          if (summary) {
            summary.setAttribute("tabindex", "-1");
            var prefix = document.documentElement.lang === "en" ? "Error: " : "Erreur : ";
            if (document.title.indexOf(prefix) !== 0) { document.title = prefix + document.title; }
            summary.focus();
          }
        });
      })
      .catch(function () { busy = false; target.submit(); })
      .then(function () { busy = false; });
  });
})();
