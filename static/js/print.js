/* Buttons marked data-print print the page (no inline onclick: the
 * Content-Security-Policy refuses inline script). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
