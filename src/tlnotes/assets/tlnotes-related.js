/* tlnotes: on a page outside the nav (a paper, an author initial), mark in the sidebar the page it belongs to,
   the last link of its breadcrumb. The MkDocs plugin has already opened that section. */
(function () {
  "use strict";

  function mark() {
    var crumbs = document.querySelectorAll(".tln-breadcrumb a");
    if (!crumbs.length) return;
    var target = crumbs[crumbs.length - 1].href;
    document.querySelectorAll(".md-nav--primary a.md-nav__link").forEach(function (a) {
      if (a.href === target) {
        a.classList.add("tln-nav-here");
        a.setAttribute("aria-current", "location");
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
})();
