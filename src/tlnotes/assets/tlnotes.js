/* tlnotes: math with KaTeX, and the filters of the all-papers table. No network, no eval. */
(function () {
  "use strict";

  function renderMath(root) {
    if (!window.renderMathInElement) return;
    root.querySelectorAll(".arithmatex").forEach(function (el) {
      window.renderMathInElement(el, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true },
        ],
        throwOnError: false,
        trust: false,
      });
    });
  }

  function setupFilters(root) {
    var table = root.querySelector("#tln-papers");
    if (!table || table.dataset.tlnReady) return;
    table.dataset.tlnReady = "1";
    var text = root.querySelector("#tln-filter-text");
    var topic = root.querySelector("#tln-filter-topic");
    var year = root.querySelector("#tln-filter-year");
    var status = root.querySelector("#tln-filter-status"); // only on a site with reading status
    var count = root.querySelector("#tln-filter-count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) text.value = params.get("q");
    if (params.get("topic")) topic.value = params.get("topic");
    if (params.get("year")) year.value = params.get("year");
    if (status && params.get("status")) status.value = params.get("status");

    function apply() {
      var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
      var t = topic.value, y = year.value, s = status ? status.value : "", shown = 0;
      rows.forEach(function (row) {
        var hay = row.getAttribute("data-text");
        var ok = words.every(function (w) { return hay.indexOf(w) !== -1; }) &&
          (!t || row.getAttribute("data-topics").split(" ").indexOf(t) !== -1) &&
          (!y || row.getAttribute("data-year") === y) &&
          (!s || row.getAttribute("data-status") === s);
        row.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + (shown === 1 ? " paper" : " papers");
    }
    text.addEventListener("input", apply);
    topic.addEventListener("change", apply);
    year.addEventListener("change", apply);
    if (status) status.addEventListener("change", apply);
    apply();
  }

  function init() {
    renderMath(document.body);
    setupFilters(document);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
