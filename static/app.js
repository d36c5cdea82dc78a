"use strict";

// Show-password toggles: rendered hidden (they need script), shown here.
// The button's name says what it will do next (show or hide), which is how
// assistive technology learns whether the password is visible.
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
    button.textContent = show ? button.dataset.hideText : button.dataset.showText;
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  } else {
    reveal(document);
  }
  document.addEventListener("htmx:after:swap", function () { reveal(document); });
})();

// What works only with script is rendered hidden ([data-needs-script]) beside
// what to say without it ([data-without-script]); script swaps the two.
(function () {
  function reveal(root) {
    root.querySelectorAll("[data-needs-script][hidden]").forEach(function (e) { e.hidden = false; });
    root.querySelectorAll("[data-without-script]:not([hidden])").forEach(function (e) { e.hidden = true; });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  } else {
    reveal(document);
  }
  document.addEventListener("htmx:after:swap", function () { reveal(document); });
})();

// "Did you mean …?": the suggestion is a button that puts the value in its
// field and checks it again (inline validation listens for change); it is
// rendered hidden beside the same words as plain text, for no script.
(function () {
  function reveal(root) {
    root.querySelectorAll("[data-fill-value][hidden]").forEach(function (b) {
      var text = b.parentNode.querySelector("[data-suggestion-text]");
      if (text) text.hidden = true;
      b.hidden = false;
    });
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-fill-value]");
    if (!button) return;
    var input = document.getElementById(button.dataset.fill);
    if (!input) return;
    input.value = button.dataset.fillValue;
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  } else {
    reveal(document);
  }
  document.addEventListener("htmx:after:swap", function () { reveal(document); });
})();

// Installable app: register the service worker (static/sw.js, served at
// /sw.js) once the page has loaded. Any failure is ignored: the site works
// the same without it.
(function () {
  if (!("serviceWorker" in navigator)) return;
  function register() {
    try {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    } catch (e) {
      // Ignored on purpose.
    }
  }
  if (document.readyState === "complete") {
    register();
  } else {
    window.addEventListener("load", register);
  }
})();

// After htmx swaps in a new step or a form with errors, move focus the way
// a page load would: to the error summary if there is one, else to the
// field the page puts the cursor in (autofocus: the password of a sign-in
// form whose address is filled in), else to the new step's heading, so
// screen readers announce what changed. Inline field swaps leave focus
// alone: the user has moved on to the next field.
(function () {
  document.addEventListener("htmx:after:swap", function (e) {
    var target = e.detail && e.detail.ctx && e.detail.ctx.target;
    var id = typeof target === "string" ? target.replace(/^#/, "") : target && target.id;
    if (id !== "content") return;
    var focus = document.getElementById("error-summary") || document.querySelector("#content [autofocus]") || document.getElementById("page-title");
    if (focus) focus.focus();
  });
})();

// Resend cooldowns: a button with data-cooldown-until (Unix seconds) stays
// disabled, counting down, until then. Without script the button is always
// enabled and the server enforces the same cooldown.
(function () {
  function tick(button) {
    var left = Math.ceil(Number(button.dataset.cooldownUntil) - Date.now() / 1000);
    var label = button.querySelector("[data-cooldown-label]");
    if (left > 0) {
      button.disabled = true;
      if (label) label.textContent = button.dataset.cooldownText.replace("{s}", String(left));
      setTimeout(function () { tick(button); }, 1000);
    } else {
      button.disabled = false;
      if (label) label.textContent = button.dataset.readyText;
    }
  }
  function start(root) {
    root.querySelectorAll("button[data-cooldown-until]").forEach(function (b) {
      if (!b.dataset.cooldownStarted) {
        b.dataset.cooldownStarted = "1";
        tick(b);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(document); });
  } else {
    start(document);
  }
  document.addEventListener("htmx:after:swap", function () { start(document); });
})();

// An error from the server (see handlers/render.go) lands in #page-error,
// above the form, which keeps what was typed. It is about the last
// attempt, so it goes when the next request starts; the region stays, so
// the next error is announced again.
(function () {
  document.addEventListener("htmx:before:request", function () {
    var region = document.getElementById("page-error");
    if (region && region.firstChild) region.replaceChildren();
  });
})();

// Language switcher, with script on. Its buttons post the choice to the
// switcher; on the sign-up page they submit the sign-up form, so what was
// typed comes back filled in. Script takes over the submission because
// htmx would send the sign-up form to its own hx-post, and because after
// an htmx swap the page the switcher was rendered for is no longer the
// one shown: the address bar and the form now in the page are.
(function () {
  document.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-language-switch]");
    if (!button) return;
    e.preventDefault();
    var post = document.createElement("form");
    post.method = "post";
    post.action = "/language";
    post.hidden = true;
    function add(name, value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      post.appendChild(input);
    }
    var draft = document.getElementById("register-form");
    if (draft) {
      new FormData(draft).forEach(function (value, name) {
        if (typeof value === "string" && name !== "lang" && name !== "back") add(name, value);
      });
    }
    add("back", location.pathname + location.search);
    add("lang", button.value);
    document.body.appendChild(post);
    post.submit();
  });
})();

// Offline: a request htmx could not send (no network) would otherwise
// fail silently, leaving only a console error. Say so in the page's error
// region, in the page's language (the server put the text on the region);
// nothing was swapped, so the form keeps what was typed for the next try.
(function () {
  document.addEventListener("htmx:error", function (e) {
    // A request that could not be sent fails with a TypeError from fetch
    // (its detail has the request's ctx); other htmx errors are not ours.
    var d = e.detail || {};
    if (!d.ctx || (navigator.onLine && !(d.error instanceof TypeError))) return;
    var region = document.getElementById("page-error");
    if (!region || !region.dataset.offlineText) return;
    var notice = document.createElement("div");
    notice.className = "notice-error mb-6";
    notice.setAttribute("data-testid", "offline-notice");
    notice.textContent = region.dataset.offlineText;
    region.replaceChildren(notice);
  });
})();

// Submit buttons show they are busy while their form's request runs, and a
// second click meanwhile does nothing: htmx disables the button of an htmx
// form (hx-disable); a plain form (sign-in) is held here, without disabling
// its button, whose name and value must still be sent. The page coming back
// from the back-forward cache is ready again.
(function () {
  function submitter(form) {
    return form && form.querySelector && form.querySelector("[type=submit]");
  }
  function busy(form, on) {
    var b = submitter(form);
    if (!b) return;
    if (on) b.setAttribute("aria-busy", "true");
    else b.removeAttribute("aria-busy");
  }
  function formOf(e) {
    var elt = e.detail && e.detail.ctx && e.detail.ctx.sourceElement;
    elt = elt || e.target;
    return elt && elt.tagName === "FORM" ? elt : null;
  }
  // Once a form is sent, a check that one of its fields still had pending
  // (the password checklist waits 300 ms after the last key) is not sent:
  // answered after the form, it would ask about a link the form has used
  // and show "this link no longer works" over the next page. The form is
  // replaced by the answer (a field gone with it sends nothing either); an
  // error, which may leave it, frees it again.
  document.addEventListener("htmx:before:request", function (e) {
    var form = formOf(e);
    var elt = e.detail && e.detail.ctx && e.detail.ctx.sourceElement;
    if (!form && elt && (!elt.isConnected || (elt.form && elt.form.dataset.sent))) {
      e.preventDefault();
      return;
    }
    if (form) form.dataset.sent = "1";
    busy(form, true);
  });
  document.addEventListener("htmx:finally:request", function (e) {
    var form = formOf(e);
    var res = e.detail && e.detail.ctx && e.detail.ctx.response;
    if (form && (!res || res.status >= 400)) delete form.dataset.sent;
    busy(form, false);
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute("hx-post") || e.defaultPrevented) return;
    if (form.dataset.submitting) {
      e.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    busy(form, true);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (f) {
      delete f.dataset.submitting;
      busy(f, false);
    });
  });
})();

// The emailed code's field (data-code-input="6"): whatever is typed or
// pasted ("123456", "123 456", "123-456") is kept to its digits and shown
// in two groups, as the email shows it; once all six are in, the form is
// sent, once per complete code. The server ignores spaces, so without
// script the same field takes the code as pasted.
(function () {
  function format(input) {
    var size = Number(input.dataset.codeInput) || 6;
    var digits = input.value.replace(/\D/g, "").slice(0, size);
    var half = Math.ceil(size / 2);
    var shown = digits.length > half ? digits.slice(0, half) + " " + digits.slice(half) : digits;
    if (shown !== input.value) input.value = shown;
    return digits.length === size ? digits : "";
  }
  document.addEventListener("input", function (e) {
    var input = e.target;
    if (!input.matches || !input.matches("[data-code-input]")) return;
    var code = format(input);
    if (code && input.form && input.dataset.codeSent !== code) {
      input.dataset.codeSent = code;
      input.form.requestSubmit();
    } else if (!code) {
      delete input.dataset.codeSent;
    }
  });
})();

// The browser's time zone goes into the hidden time_zone field of the
// sign-up and sign-in forms, so the account's emails and account page show
// times in the person's own zone; without script the field stays empty and
// the server shows UTC.
(function () {
  function fill(root) {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
    if (!zone) return;
    root.querySelectorAll("input[data-time-zone]").forEach(function (input) {
      if (!input.value) input.value = zone;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { fill(document); });
  } else {
    fill(document);
  }
  document.addEventListener("htmx:after:swap", function () { fill(document); });
})();
