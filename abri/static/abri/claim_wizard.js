/* Claim declaration wizard: geolocation with consent, uploads one file at a time with progress and
   retry (idempotent token), and a local copy of what is typed in case the connection drops.
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

  // --- Uploads with progress and retry -------------------------------------------------------
  var uploadForm = document.querySelector(".upload-form");
  if (!uploadForm || !window.XMLHttpRequest || !window.FormData) return;
  var input = uploadForm.querySelector("input[type=file]");
  var kind = uploadForm.querySelector("select[name=kind]");
  var progressList = document.getElementById("upload-progress");
  var list = document.getElementById("evidence-list");
  var csrf = uploadForm.querySelector("input[name=csrfmiddlewaretoken]").value;
  var maxBytes = parseInt(uploadForm.dataset.maxBytes, 10) * 1024 * 1024;
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
    var job = queue.shift();
    send(job.file, job.item, 0, job.token);
  }
  function done() { busy = false; next(); }

  function send(file, item, attempt, uploadToken) {
    var bar = item.querySelector("progress");
    var text = item.querySelector(".upload-text");
    var xhr = new XMLHttpRequest();
    var data = new FormData();
    data.append("file", file);
    data.append("kind", kind ? kind.value : "photo");
    xhr.open("POST", uploadForm.dataset.uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("X-Upload-Token", uploadToken);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) {}
      if (xhr.status === 201) {
        bar.value = 100;
        text.textContent = body.message || "Reçu";
        item.classList.add("upload-ok");
        var empty = list.querySelector(".empty-note");
        if (empty) empty.remove();
        var li = document.createElement("li");
        li.className = "evidence-item";
        if (body.thumbnail) {
          var img = document.createElement("img");
          img.src = body.thumbnail; img.alt = "Photo « " + body.name + " »"; img.width = 120; img.height = 120;
          li.appendChild(img);
        }
        var span = document.createElement("span");
        span.textContent = "Reçu : " + body.name;
        li.appendChild(span);
        list.appendChild(li);
        done();
      } else if (xhr.status >= 500 || xhr.status === 0) {
        retry(file, item, attempt, uploadToken);
      } else {
        text.textContent = file.name + " : " + (body.error || "fichier refusé.");
        item.classList.add("upload-error");
        done();
      }
    });
    xhr.addEventListener("error", function () { retry(file, item, attempt, uploadToken); });
    xhr.send(data);
  }

  function retry(file, item, attempt, uploadToken) {
    var text = item.querySelector(".upload-text");
    if (attempt >= 5) {
      text.textContent = file.name + " : envoi impossible pour l'instant. Vérifiez votre connexion puis réessayez.";
      item.classList.add("upload-error");
      done();
      return;
    }
    var delay = Math.min(30000, 1000 * Math.pow(2, attempt));
    text.textContent = file.name + " : connexion interrompue, nouvel essai dans " + Math.round(delay / 1000) + " s…";
    setTimeout(function () { send(file, item, attempt + 1, uploadToken); }, delay);
  }

  input.addEventListener("change", function () {
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      var text = document.createElement("span");
      text.className = "upload-text";
      text.textContent = file.name + " : envoi…";
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", "Progression de " + file.name);
      item.appendChild(text); item.appendChild(bar);
      progressList.appendChild(item);
      if (file.size > maxBytes) {
        text.textContent = file.name + " : ce fichier dépasse " + uploadForm.dataset.maxBytes + " Mo.";
        item.classList.add("upload-error");
        return;
      }
      text.textContent = file.name + " : en attente…";
      queue.push({ file: file, item: item, token: token() });
    });
    next();
    input.value = "";
  });
})();
