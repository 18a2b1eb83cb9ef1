// Rodtrad's small progressive enhancements. Everything works without JavaScript.
(function () {
  "use strict";
  // Move focus to the first field with an error, so keyboard and screen-reader users land on it.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });
})();

// The session on the page (docs/architecture.md, "Sessions on the page").
//
// The server says how many seconds the session has left (data-session-seconds-left on <body>,
// the X-Session-Seconds-Left header on every answer, and the session-status endpoint). The page
// measures only durations from that figure with the monotonic performance.now(), never the
// wall clock, and asks the server again before it warns or declares the session over: another
// tab may have kept the session alive. Two minutes before the idle limit it shows a dialog with
// "Fortsätt vara inloggad" (a POST that restarts the idle clock); if the user has typed or
// clicked on the page since the server last heard from it, the session is extended without
// asking, since the user is clearly there. When the session has ended, what the user typed
// stays in the page (nothing is written to browser storage); after a sign-in in another tab
// the next save fetches the new CSRF token (the sign-in rotated it) and goes through.
// autosave.js uses window.Rodtrad.session.
(function () {
  "use strict";

  var state = {
    statusUrl: "",
    extendUrl: "",
    deadline: 0,        // performance.now() at which the server's session ends
    warnMs: 120000,
    ended: false,
    lastInteraction: 0,  // the user's last key press, input or click on this page
    lastActivity: 0,     // the last request from this page that restarted the idle clock
    timer: null,
    dialogKind: "",
    returnFocus: null
  };

  function now() { return window.performance.now(); }

  function texts(id) {
    var template = document.getElementById(id);
    return template ? template.content.cloneNode(true) : document.createDocumentFragment();
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  // A sign-in rotates the CSRF token: every form on the page and htmx's header get the new one.
  function updateCsrfToken(token) {
    if (!token) { return; }
    var headers = {};
    try { headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (error) { headers = {}; }
    headers["X-CSRFToken"] = token;
    document.body.setAttribute("hx-headers", JSON.stringify(headers));
    var inputs = document.querySelectorAll("input[name='csrfmiddlewaretoken']");
    for (var i = 0; i < inputs.length; i++) { inputs[i].value = token; }
  }

  function request(method, url) {
    return window.fetch(url, {
      method: method,
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (response.status !== 200) { return { status: response.status }; }
      return response.json().then(function (data) { return { status: 200, data: data }; });
    }).catch(function () {
      return { status: 0 };  // offline or unreadable: decide nothing
    });
  }

  function announce(id) {
    var notice = document.getElementById("session-notice");
    if (!notice) { return; }
    notice.textContent = "";
    notice.appendChild(texts(id));
  }

  // --- the dialog ------------------------------------------------------------------------
  function dialog() { return document.getElementById("session-dialog"); }

  function openDialog(kind) {
    var element = dialog();
    if (!element || typeof element.showModal !== "function") { return; }
    if (state.dialogKind === kind && element.open) { return; }
    element.textContent = "";
    element.appendChild(texts("session-" + kind));
    state.dialogKind = kind;
    if (!element.open) {
      state.returnFocus = document.activeElement;
      element.showModal();
    }
    var first = element.querySelector("button, a");
    if (first) { first.focus(); }
  }

  function closeDialog() {
    var element = dialog();
    state.dialogKind = "";
    if (element && element.open) { element.close(); }
    if (state.returnFocus && typeof state.returnFocus.focus === "function") {
      state.returnFocus.focus();
    }
    state.returnFocus = null;
  }

  // --- the clock -------------------------------------------------------------------------
  function schedule() {
    window.clearTimeout(state.timer);
    if (state.ended || !state.statusUrl) { return; }
    var left = state.deadline - now();
    var wait;
    if (left > state.warnMs) {
      wait = left - state.warnMs;
    } else if (left > 0) {
      wait = left + 1500;   // just after the end, to ask whether it really ended
    } else {
      wait = 30000;         // the server could not be asked: try again
    }
    state.timer = window.setTimeout(check, Math.min(wait, 2147483647));
  }

  function setSecondsLeft(seconds) {
    var value = parseInt(seconds, 10);
    if (isNaN(value)) { return; }
    state.deadline = now() + value * 1000;
    schedule();
  }

  function apply(data) {
    updateCsrfToken(data.csrf_token);
    if (data.warn_seconds) { state.warnMs = data.warn_seconds * 1000; }
    state.ended = false;
    setSecondsLeft(data.seconds_left);
    if (data.seconds_left * 1000 > state.warnMs) {
      if (state.dialogKind) { closeDialog(); }
      return;
    }
    var idleEndsFirst = data.idle_seconds_left <= data.absolute_seconds_left;
    if (idleEndsFirst && state.lastInteraction > state.lastActivity) {
      extend();
      return;
    }
    openDialog(idleEndsFirst ? "warning-idle" : "warning-absolute");
  }

  function check() {
    return request("GET", state.statusUrl).then(function (result) {
      if (result.status === 401) { end({ quiet: false }); return false; }
      if (result.status !== 200) { schedule(); return null; }
      apply(result.data);
      return true;
    });
  }

  function extend(retried) {
    return request("POST", state.extendUrl).then(function (result) {
      if (result.status === 401) { end({ quiet: false }); return false; }
      if (result.status === 403 && !retried) {
        // A stale CSRF token (a sign-in in another tab): fetch the new one and try again.
        return request("GET", state.statusUrl).then(function (status) {
          if (status.status === 200) { updateCsrfToken(status.data.csrf_token); return extend(true); }
          if (status.status === 401) { end({ quiet: false }); return false; }
          return null;
        });
      }
      if (result.status !== 200) { schedule(); return null; }
      state.lastActivity = now();
      closeDialog();
      apply(result.data);
      announce("session-extended");
      return true;
    });
  }

  // The session is over: say so where the user is working, keep the page as it is.
  function end(options) {
    state.ended = true;
    window.clearTimeout(state.timer);
    var autosave = document.getElementById("autosave-status");
    if (autosave) {
      autosave.textContent = "";
      autosave.appendChild(texts("session-ended-inline"));
    }
    if (!(options && options.quiet) || !autosave) {
      openDialog("ended");
    }
  }

  // Before saving: is the session there (again)? Resolves true (go ahead, token refreshed),
  // false (still signed out, the user has been told) or null (the server could not be asked).
  function recheck() {
    var wasEnded = state.ended;
    return request("GET", state.statusUrl).then(function (result) {
      if (result.status === 401) {
        state.ended = true;
        window.clearTimeout(state.timer);
        var autosave = document.getElementById("autosave-status");
        if (autosave) {
          autosave.textContent = "";
          autosave.appendChild(texts("session-still-out"));
        } else {
          openDialog("ended");
        }
        return false;
      }
      if (result.status !== 200) { return null; }
      if (state.dialogKind === "ended") { closeDialog(); }
      apply(result.data);
      if (wasEnded) {
        var status = document.getElementById("autosave-status");
        if (status) { status.textContent = ""; status.appendChild(texts("session-resumed")); }
      }
      return true;
    });
  }

  // Is it worth asking the server before the next save? After a 401, or once the page's
  // own count says the session should be over.
  function maybeEnded() {
    return state.ended || now() >= state.deadline;
  }

  function start() {
    var body = document.body;
    state.statusUrl = body.getAttribute("data-session-status-url") || "";
    state.extendUrl = body.getAttribute("data-session-extend-url") || "";
    if (!state.statusUrl) { return; }  // not signed in
    var warn = parseInt(body.getAttribute("data-session-warn-seconds"), 10);
    if (!isNaN(warn) && warn > 0) { state.warnMs = warn * 1000; }
    state.lastActivity = now();  // this page's own request
    var seconds = parseInt(body.getAttribute("data-session-seconds-left"), 10);
    if (isNaN(seconds) || seconds <= 0) { check(); } else { setSecondsLeft(seconds); }

    ["keydown", "input", "pointerdown"].forEach(function (name) {
      document.addEventListener(name, function () { state.lastInteraction = now(); }, true);
    });
    // Timers sleep in background tabs: coming back is a good moment to ask.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && !state.ended &&
          state.deadline - now() <= state.warnMs) {
        check();
      }
    });
    var element = dialog();
    if (element) {
      element.addEventListener("click", function (event) {
        var action = event.target.closest ? event.target.closest("[data-session-action]") : null;
        if (!action) { return; }
        var name = action.getAttribute("data-session-action");
        if (name === "extend") { extend(); }
        if (name === "close") { closeDialog(); }
      });
      // Escape closes a modal dialog; while the warning shows, pressing it means "still here".
      element.addEventListener("cancel", function (event) {
        if (state.dialogKind === "warning-idle") {
          event.preventDefault();
          extend();
        } else {
          state.dialogKind = "";
        }
      });
    }
    // Every htmx answer says how long the session has left now.
    document.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail && event.detail.xhr;
      var header = xhr && xhr.getResponseHeader("X-Session-Seconds-Left");
      if (header !== null && header !== undefined && header !== "") {
        state.lastActivity = now();
        setSecondsLeft(header);
      }
    });
    // A script request after the session ended gets 401 and a status text: never swap it.
    document.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.xhr.status !== 401) { return; }
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      var target = event.detail.target;
      end({ quiet: Boolean(target && target.id === "autosave-status") });
    });
  }

  window.Rodtrad = window.Rodtrad || {};
  window.Rodtrad.session = {
    recheck: recheck,
    maybeEnded: maybeEnded,
    isEnded: function () { return state.ended; },
    updateCsrfToken: updateCsrfToken
  };
  document.addEventListener("DOMContentLoaded", start);
})();
