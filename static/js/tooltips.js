/* Escape hides the rating and direction explanations until focus moves (WCAG 1.4.13). */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { document.body.classList.add("tips-dismissed"); }
  });
  document.addEventListener("focusin", function () { document.body.classList.remove("tips-dismissed"); });
  document.addEventListener("mousemove", function () { document.body.classList.remove("tips-dismissed"); });
})();
