// Citizen portal: progressive enhancements only; every page works without them.
(function () {
  "use strict";
  function ready() {
    // A second click on "Send" would replace the response that shows the PIN
    // (the server answers a repeated form with the same case, without the
    // PIN), so the first request is kept unless it takes very long.
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) {
          event.preventDefault();
          return;
        }
        form.dataset.sent = "1";
        window.setTimeout(function () { delete form.dataset.sent; }, 20000);
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
