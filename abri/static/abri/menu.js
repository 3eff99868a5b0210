// Phone menu (base.html): without JavaScript the « Menu » link opens the menu through #site-menu:target.
// Here the link gives way to a real button whose aria-expanded says whether the menu is open; Escape
// closes it and gives the focus back to the button. On a wide screen the menu is always shown (CSS).
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  var button = document.querySelector("button.menu-button[aria-controls='site-menu']");
  var link = document.querySelector("a.menu-link");
  if (!menu || !button) {
    return;
  }
  if (link) {
    link.hidden = true;
  }
  var close = menu.querySelector(".nav-close");
  if (close) {
    close.hidden = true;
  }
  button.hidden = false;
  if (window.location.hash === "#site-menu") {
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    setOpen(open);
    if (open) {
      var first = menu.querySelector("a");
      if (first) {
        first.focus();
      }
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    if (button.getAttribute("aria-expanded") === "true" && getComputedStyle(button).display !== "none") {
      setOpen(false);
      button.focus();
      return;
    }
    // Wide screen: Escape hides a sub-menu shown by hover or focus until the pointer or focus leaves it (WCAG 1.4.13).
    var group = document.activeElement && document.activeElement.closest(".nav-group");
    var hovered = menu.querySelector(".nav-group:hover");
    [group, hovered].forEach(function (g) {
      if (g) {
        g.classList.add("sub-dismissed");
      }
    });
  });
  menu.addEventListener("focusout", function (event) {
    var group = event.target.closest(".nav-group");
    if (group && !group.contains(event.relatedTarget)) {
      group.classList.remove("sub-dismissed");
    }
  });
  menu.addEventListener("mouseout", function (event) {
    var group = event.target.closest(".nav-group");
    if (group && !group.contains(event.relatedTarget)) {
      group.classList.remove("sub-dismissed");
    }
  });
})();
