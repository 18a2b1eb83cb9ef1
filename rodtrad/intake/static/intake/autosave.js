// Show the autosave endpoint's answer also when it is an error (400 bad input, 409 conflict):
// htmx does not swap error responses by default. Everything works without this script.
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
