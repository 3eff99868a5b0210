// Certificate request form: show only the extra fields of the chosen kind (all are shown without JavaScript).
(function () {
  "use strict";
  var form = document.querySelector("form [name=kind]") && document.querySelector("form [name=kind]").form;
  if (!form) { return; }
  var extras = form.querySelectorAll(".certificate-extra");
  function update() {
    var checked = form.querySelector("[name=kind]:checked");
    var kind = checked ? checked.value : "";
    extras.forEach(function (fieldset) {
      var show = fieldset.getAttribute("data-kind") === kind;
      fieldset.hidden = !show;
      fieldset.disabled = !show;
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") { update(); }
  });
  update();
})();
