/* tlnotes author pages: arriving at an author's entry (#author-id, from a paper page or a co-author link) unfolds
   their papers, so the link lands on what it promised. Without JavaScript the entry is still there, folded. */
(function () {
  "use strict";

  function unfold() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var entry = id && document.getElementById(id);
    if (!entry || !entry.classList.contains("tln-author")) return;
    var details = entry.querySelector("details");
    if (details) details.open = true;
  }

  window.addEventListener("hashchange", unfold);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", unfold);
  else unfold();
})();
