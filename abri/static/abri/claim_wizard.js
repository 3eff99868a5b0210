/* Claim declaration wizard: geolocation with consent, uploads one file at a time with progress and
   retry (idempotent token) sent through htmx, and a local copy of what is typed in case the connection drops.
   Everything works without this file: it only improves the experience. */
(function () {
  "use strict";

  // --- Local copy of the current step (restored only into empty fields) ---------------------
  var form = document.querySelector(".wizard-form");
  if (form && window.localStorage) {
    var storeKey = "abri-claim-" + form.dataset.draft + "-" + form.dataset.step;
    // Bank details are never copied to the device (data-no-local-copy): a shared computer keeps nothing.
    var fields = form.querySelectorAll("input[name]:not([type=hidden]):not([type=file]):not([data-no-local-copy]), " +
                                       "textarea[name]:not([data-no-local-copy]), select[name]");
    try {
      var saved = JSON.parse(localStorage.getItem(storeKey) || "{}");
      fields.forEach(function (el) {
        if (!(el.name in saved)) return;
        if (el.type === "radio" || el.type === "checkbox") {
          if (!form.querySelector("[name='" + el.name + "']:checked")) el.checked = saved[el.name] === el.value;
        } else if (!el.value) {
          el.value = saved[el.name];
        }
      });
    } catch (e) { /* ignore a corrupt copy */ }
    form.addEventListener("input", function () {
      var data = {};
      fields.forEach(function (el) {
        if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
        data[el.name] = el.value;
      });
      try { localStorage.setItem(storeKey, JSON.stringify(data)); } catch (e) { /* quota */ }
    });
    form.addEventListener("submit", function () { try { localStorage.removeItem(storeKey); } catch (e) {} });
  }

  // --- Geolocation, only when the customer asks for it ---------------------------------------
  var geoButton = document.getElementById("geo-button");
  var status = document.getElementById("geo-status");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  if (geoButton && navigator.geolocation && lat && lon) {
    geoButton.hidden = false;
    geoButton.addEventListener("click", function () {
      status.textContent = "Recherche de votre position…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        var radio = document.querySelector("input[name=location_mode][value=position]");
        if (radio) radio.checked = true;
        status.textContent = "Position enregistrée (précision " + Math.round(pos.coords.accuracy) + " m).";
      }, function () {
        status.textContent = "Position indisponible : choisissez une autre option ou saisissez l'adresse.";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // --- Uploads with progress and retry, through htmx (ADR 0009) ------------------------------
  // Each file is its own htmx request (multipart, the form's kind and CSRF token included by htmx); the
  // server answers HTML: « Reçu : … » swapped into the file's line, the file added to the list out of band,
  // or why it was refused (413/422/429). Only the queue, the progress bars and the retries live here.
  var uploadForm = document.querySelector(".upload-form");
  if (!uploadForm || !window.htmx || !window.FormData) return;
  var input = uploadForm.querySelector("input[type=file]");
  var progressList = document.getElementById("upload-progress");
  var texts = uploadForm.dataset;
  var maxBytes = parseInt(texts.maxMb, 10) * 1024 * 1024;
  var submit = uploadForm.querySelector(".upload-submit");
  if (submit) submit.hidden = true;

  function token() {
    var a = new Uint8Array(16);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // One file at a time: kinder to a weak mobile connection, and each gets its own retry.
  var queue = [];
  var busy = false;
  function next() {
    if (busy || !queue.length) return;
    busy = true;
    send(queue.shift(), 0);
  }
  function done() { busy = false; next(); }

  function send(job, attempt) {
    var text = job.item.querySelector(".upload-text");
    text.textContent = job.file.name + " : " + texts.textSending;
    window.htmx.ajax("POST", texts.uploadUrl, {
      source: job.item, target: text, swap: "innerHTML",
      values: { file: job.file }, headers: { "X-Upload-Token": job.token }
    });
    job.attempt = attempt;
  }

  function retry(job) {
    var text = job.item.querySelector(".upload-text");
    if (job.attempt >= 5) {
      text.textContent = job.file.name + " : " + texts.textGaveUp;
      job.item.classList.add("upload-error");
      done();
      return;
    }
    var delay = Math.min(30000, 1000 * Math.pow(2, job.attempt));
    text.textContent = job.file.name + " : " + texts.textRetry.replace("%s", Math.round(delay / 1000));
    setTimeout(function () { send(job, job.attempt + 1); }, delay);
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files);
    input.value = "";  // emptied first: htmx sends the form's fields with each file, not every chosen file again
    files.forEach(function (file) {
      var item = document.createElement("li");
      var text = document.createElement("span");
      text.className = "upload-text";
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", texts.textProgress.replace("%s", file.name));
      item.appendChild(text); item.appendChild(bar);
      progressList.appendChild(item);
      if (file.size > maxBytes) {
        text.textContent = file.name + " : " + texts.textTooBig;
        item.classList.add("upload-error");
        return;
      }
      text.textContent = file.name + " : " + texts.textWaiting;
      var job = { file: file, item: item, token: token(), attempt: 0 };
      item.addEventListener("htmx:xhr:progress", function (e) {
        if (e.detail.lengthComputable && e.detail.total) bar.value = Math.round((e.detail.loaded / e.detail.total) * 100);
      });
      item.addEventListener("htmx:afterRequest", function (e) {
        var status = e.detail.xhr ? e.detail.xhr.status : 0;
        if (status === 0 || status >= 500) { retry(job); return; }  // offline or server trouble: same token
        bar.value = 100;
        item.classList.add(status === 201 ? "upload-ok" : "upload-error");
        done();
      });
      queue.push(job);
    });
    next();
  });
})();
