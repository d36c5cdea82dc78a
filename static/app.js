"use strict";

// Show-password toggles: rendered hidden (they need script), shown here.
// aria-pressed tells assistive technology whether the text is visible.
(function () {
  function reveal(root) {
    root.querySelectorAll("[data-toggle-password][hidden]").forEach(function (b) {
      b.hidden = false;
    });
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-toggle-password]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("aria-controls"));
    if (!input) return;
    var show = input.type === "password";
    input.type = show ? "text" : "password";
    button.setAttribute("aria-pressed", String(show));
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  } else {
    reveal(document);
  }
  document.addEventListener("htmx:after:swap", function () { reveal(document); });
})();
