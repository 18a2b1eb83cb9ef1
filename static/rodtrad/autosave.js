// Autosave of drafts (htmx). Forms work without this file: the Save button posts them.
// htmx does not swap error answers by default; the autosave endpoints answer an invalid draft
// with 400 and a stale one with 409, each with a message the user must see.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 409) && target && target.id === "autosave-status") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
