// Autosave of investigation drafts (htmx). The form works without this file: Save posts it.
// htmx does not swap error answers by default; the autosave endpoint answers a stale draft
// with 409 and an invalid one with 400, each with a message the user must see.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 409 || status === 400) && target && target.id === "autosave-status") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
