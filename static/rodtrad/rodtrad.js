// Rodtrad's small progressive enhancements. Everything works without JavaScript.
(function () {
  "use strict";
  // Move focus to the first field with an error, so keyboard and screen-reader users land on it.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });
})();
