// Autosave of drafts (htmx). Forms work without this file: the Save button posts them.
// htmx does not swap error answers by default; the autosave endpoints answer an invalid draft
// with 400 and a stale one with 409, each with a message the user must see.
//
// When the session has ended (401, see rodtrad.js) nothing is swapped and nothing typed is
// lost: the status line says so, autosaving pauses, and the next keystroke or a click on Save
// first asks whether the user has signed in again (in another tab). If so, the form gets the
// new CSRF token and the save goes ahead; if not, the page stays as it is.
//
// Each autosave raises the draft's version and swaps the new one into the form's hidden
// version field (hx-swap-oob). A click on a submit button right after an answer (the answer's
// change or blur starts an autosave) would post the version from before that autosave and get
// the conflict page (409) for the user's own save. So posting the page stops autosaving and
// waits for the autosave in flight to be answered, then posts with the version it swapped in.
// A save from another tab still changes the version behind the page's back: that is a real
// conflict and still gets the conflict page.
(function () {
  "use strict";

  function session() {
    return window.Rodtrad && window.Rodtrad.session;
  }

  function isAutosave(target) {
    return Boolean(target && target.id === "autosave-status");
  }

  function isPosting(element) {
    return Boolean(element && element.getAttribute &&
      element.getAttribute("data-autosave-posting") === "true");
  }

  // Call `then` once the form has no autosave in flight (htmx marks the requesting element with
  // htmx-request until the answer, version included, has been swapped in).
  function afterAutosaves(form, then) {
    if (!form.classList.contains("htmx-request")) { then(); return; }
    form.addEventListener("htmx:afterRequest", function done() {
      form.removeEventListener("htmx:afterRequest", done);
      window.setTimeout(function () { afterAutosaves(form, then); }, 0);
    });
  }

  // While the page is being posted no new autosave starts (a queued or delayed one included):
  // it would raise the version the post carries.
  document.addEventListener("htmx:confirm", function (event) {
    if (isAutosave(event.detail.target) && isPosting(event.detail.elt)) {
      event.preventDefault();
    }
  });

  // Back to a page kept in the browser's cache: autosaving goes on.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-autosave-posting]"), function (form) {
      form.removeAttribute("data-autosave-posting");
    });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 409) && isAutosave(target)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Before each autosave: if the session may have ended, ask first (and refresh the token).
  document.addEventListener("htmx:confirm", function (event) {
    var current = session();
    if (!current || !isAutosave(event.detail.target) || isPosting(event.detail.elt) ||
        !current.maybeEnded()) { return; }
    event.preventDefault();
    current.recheck().then(function (signedIn) {
      if (signedIn !== false) { event.detail.issueRequest(true); }
    });
  });

  // A 403 on an autosave is a stale CSRF token (a sign-in in another tab rotated it) or a real
  // refusal. Fetch the current token and try once more; a second 403 stays an error.
  document.addEventListener("htmx:responseError", function (event) {
    var detail = event.detail;
    var current = session();
    if (!current || detail.xhr.status !== 403 || !isAutosave(detail.target)) { return; }
    var element = detail.elt;
    if (element.getAttribute("data-autosave-retried") === "true") { return; }
    element.setAttribute("data-autosave-retried", "true");
    current.recheck().then(function (signedIn) {
      if (signedIn && window.htmx) {
        window.htmx.ajax("POST", detail.requestConfig.path, {
          source: element,
          target: "#autosave-status",
          swap: "innerHTML"
        });
      }
    });
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail.elt;
    if (event.detail.successful && element && element.removeAttribute) {
      element.removeAttribute("data-autosave-retried");
    }
  });

  // The Save and Sign buttons post the whole page. After the session has ended that post
  // would land on the login page and the text would be gone: check first, refresh the CSRF
  // token, then submit; if the user is still signed out, keep the page. Before posting, stop
  // autosaving and wait for the autosave in flight (its new version goes with the post).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var current = session();
    if (!form.querySelector || !form.querySelector("#autosave-status")) { return; }
    if (form.getAttribute("data-session-checked") === "true") {
      form.removeAttribute("data-session-checked");
      return;
    }
    event.preventDefault();
    var submitter = event.submitter || null;
    var checked = current ? current.recheck() : Promise.resolve(true);
    checked.then(function (signedIn) {
      if (signedIn === false) { return; }
      form.setAttribute("data-autosave-posting", "true");
      afterAutosaves(form, function () {
        form.setAttribute("data-session-checked", "true");
        if (typeof form.requestSubmit === "function") {
          if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
        } else {
          form.submit();
        }
      });
    });
  });
})();
