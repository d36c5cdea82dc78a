"use strict";

// Passkeys: the WebAuthn ceremonies through navigator.credentials. The
// server (go-webauthn) makes the options and checks the answers; this file
// only carries them, turning the base64url strings of the JSON into the
// ArrayBuffers the browser API takes and back.
//
//   [data-passkey-add]    adds a passkey (account page, the offer after a
//                         password is set)
//   [data-passkey-login]  signs in with one: its button, and the browser's
//                         autofill of passkeys in the address field
//                         (autocomplete="username webauthn", conditional
//                         mediation), started when the page loads.
//
// Each holds its endpoints and its translated messages as data attributes;
// [data-passkey-status] inside it is where a problem is said.
(function () {
  function supported() {
    return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
  }

  function decode(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function encode(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var out = { type: d.type, id: decode(d.id) };
      if (d.transports) out.transports = d.transports;
      return out;
    });
  }

  function creationOptions(pk) {
    var o = Object.assign({}, pk);
    o.challenge = decode(pk.challenge);
    o.user = Object.assign({}, pk.user, { id: decode(pk.user.id) });
    o.excludeCredentials = descriptors(pk.excludeCredentials);
    return o;
  }

  function requestOptions(pk) {
    var o = Object.assign({}, pk);
    o.challenge = decode(pk.challenge);
    if (pk.allowCredentials) o.allowCredentials = descriptors(pk.allowCredentials);
    return o;
  }

  // credentialJSON is the credential as the server reads it (the
  // WebAuthn JSON form, which toJSON gives where the browser has it).
  function credentialJSON(cred) {
    if (typeof cred.toJSON === "function") return cred.toJSON();
    var r = cred.response;
    var response = { clientDataJSON: encode(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = encode(r.attestationObject);
      if (typeof r.getTransports === "function") response.transports = r.getTransports();
    } else {
      response.authenticatorData = encode(r.authenticatorData);
      response.signature = encode(r.signature);
      if (r.userHandle) response.userHandle = encode(r.userHandle);
    }
    return {
      id: cred.id, rawId: encode(cred.rawId), type: cred.type, response: response,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
    };
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: body === undefined ? "{}" : JSON.stringify(body),
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var err = new Error(data.error || res.statusText);
          err.server = true;
          err.status = res.status;
          throw err;
        }
        return data;
      });
    });
  }

  function status(box, text) {
    var s = box.querySelector("[data-passkey-status]");
    if (s) s.textContent = text || "";
  }

  // fail says what went wrong: the server's translated words, or the
  // page's own for a ceremony the person cancelled or the browser refused.
  function fail(box, err) {
    if (err && err.name === "AbortError") return;
    if (err && err.server) status(box, err.message);
    else if (err && err.name === "NotAllowedError") status(box, box.dataset.msgCancelled);
    else status(box, box.dataset.msgFailed);
  }

  function busy(box, on) {
    var b = box.querySelector("[data-passkey-button]");
    if (b) {
      b.disabled = on;
      if (on) b.setAttribute("aria-busy", "true"); else b.removeAttribute("aria-busy");
    }
    if (on) status(box, "");
  }

  // One ceremony at a time: the button aborts the autofill's request.
  var pending = null;

  function add(box) {
    // A pending autofill request would hold the authenticator.
    if (pending) pending.abort();
    busy(box, true);
    post(box.dataset.passkeyAdd)
      .then(function (opts) { return navigator.credentials.create({ publicKey: creationOptions(opts.publicKey) }); })
      .then(function (cred) { return post(box.dataset.passkeyFinish, credentialJSON(cred)); })
      .then(function (res) { window.location.assign(res.redirect); })
      .catch(function (err) { busy(box, false); fail(box, err); });
  }

  function optionsURL(box, conditional) {
    var q = [];
    if (conditional) q.push("mediation=conditional");
    if (box.dataset.returnTo) q.push("return_to=" + encodeURIComponent(box.dataset.returnTo));
    return box.dataset.passkeyLogin + (q.length ? "?" + q.join("&") : "");
  }

  function signIn(box, conditional) {
    if (pending) pending.abort();
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    pending = ctrl;
    if (!conditional) busy(box, true);
    return post(optionsURL(box, conditional))
      .then(function (opts) {
        var req = { publicKey: requestOptions(opts.publicKey) };
        if (conditional) req.mediation = "conditional";
        if (ctrl) req.signal = ctrl.signal;
        return navigator.credentials.get(req);
      })
      .then(function (cred) {
        busy(box, true);
        return post(box.dataset.passkeyFinish, credentialJSON(cred));
      })
      .then(function (res) { window.location.assign(res.redirect); })
      .catch(function (err) {
        busy(box, false);
        if (pending === ctrl) pending = null;
        // The autofill stays quiet unless the server refused a passkey
        // the person chose: nothing chosen, none held, or aborted.
        if (conditional && !(err && err.server)) return;
        fail(box, err);
        // A refused passkey: the person may choose another. Not after a
        // limit or a server error, which would only repeat.
        if (conditional && err.status === 401) autofill(box);
      });
  }

  function autofill(box) {
    var PKC = window.PublicKeyCredential;
    if (!PKC || typeof PKC.isConditionalMediationAvailable !== "function") return;
    PKC.isConditionalMediationAvailable().then(function (ok) {
      if (ok) signIn(box, true);
    }).catch(function () {});
  }

  function unsupported(box) {
    var b = box.querySelector("[data-passkey-button]");
    if (b) b.hidden = true;
    status(box, box.dataset.msgUnsupported);
  }

  function init() {
    var boxes = document.querySelectorAll("[data-passkey-add], [data-passkey-login]");
    boxes.forEach(function (box) {
      if (box.dataset.passkeyReady) return;
      box.dataset.passkeyReady = "1";
      if (!supported()) {
        unsupported(box);
        return;
      }
      if (box.hasAttribute("data-passkey-login")) autofill(box);
    });
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-passkey-button]");
    if (!button) return;
    var box = button.closest("[data-passkey-add], [data-passkey-login]");
    if (!box || !supported()) return;
    if (box.hasAttribute("data-passkey-add")) add(box);
    else signIn(box, false);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  document.addEventListener("htmx:after:swap", init);
})();
