/* tlnotes: the all-papers table. Filters by text, topic, year and status, kept in the URL (?text= ?topic= ?year=
   ?status=; an old link's ?q= is read as text); a sort button in each column header, with aria-sort.
   A few dozen lines of our own: a sorting library (tablesort) makes the header cell itself the click target, where a
   button gives keyboard users and screen readers a control they know. */
(function () {
  "use strict";

  var FIELDS = ["text", "topic", "year", "status"];

  function setupTable() {
    var table = document.getElementById("tln-papers");
    if (!table || table.dataset.tlnReady) return;
    table.dataset.tlnReady = "1";
    var controls = {};
    FIELDS.forEach(function (f) { controls[f] = document.getElementById("tln-filter-" + f); }); // status: only with status
    var count = document.getElementById("tln-filter-count");
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var col = {};
    heads.forEach(function (th, i) { col[th.getAttribute("data-col")] = i; });
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (tr, i) {
      var cells = tr.cells;
      return {
        tr: tr,
        order: i, // the page's order (newest first, then title): ties keep it, so every sort is stable
        text: (tr.textContent + " " + (tr.getAttribute("data-text") || "")).toLowerCase(),
        topics: (tr.getAttribute("data-topics") || "").split(" "),
        status: tr.getAttribute("data-status") || "",
        year: cells[col.year].textContent.trim(),
        keys: heads.map(function (th, c) {
          var t = cells[c] ? cells[c].textContent.trim() : "";
          return th.hasAttribute("data-numeric") ? Number(t) : t;
        }),
      };
    });

    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (f) {
      var value = params.get(f);
      if (f === "text" && value === null) value = params.get("q"); // links from before ?text=
      if (controls[f] && value) controls[f].value = value; // a value a select does not offer selects nothing
    });

    function apply() {
      var words = controls.text.value.toLowerCase().split(/\s+/).filter(Boolean);
      var t = controls.topic.value, y = controls.year.value, s = controls.status ? controls.status.value : "";
      var shown = 0;
      rows.forEach(function (row) {
        var ok = words.every(function (w) { return row.text.indexOf(w) !== -1; }) &&
          (!t || row.topics.indexOf(t) !== -1) && (!y || row.year === y) && (!s || row.status === s);
        row.tr.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + (shown === 1 ? " paper" : " papers");
    }

    function remember() {
      var url = new URL(window.location.href);
      url.searchParams.delete("q"); // read, never written
      FIELDS.forEach(function (f) {
        var value = controls[f] ? controls[f].value.trim() : "";
        if (value) url.searchParams.set(f, value); else url.searchParams.delete(f);
      });
      if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url.href);
    }

    function changed() { apply(); remember(); }
    controls.text.addEventListener("input", changed);
    ["topic", "year", "status"].forEach(function (f) { if (controls[f]) controls[f].addEventListener("change", changed); });

    var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
    function sortBy(c, descending) {
      var numeric = heads[c].hasAttribute("data-numeric");
      rows.sort(function (a, b) {
        var x = a.keys[c], z = b.keys[c];
        var d = numeric ? x - z : collator.compare(x, z);
        return (descending ? -d : d) || a.order - b.order;
      });
      var frag = document.createDocumentFragment();
      rows.forEach(function (row) { frag.appendChild(row.tr); });
      body.appendChild(frag);
      heads.forEach(function (th, i) {
        if (i === c) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        else th.removeAttribute("aria-sort");
      });
    }

    heads.forEach(function (th, c) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tln-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      button.setAttribute("aria-label", "Sort by " + button.textContent.toLowerCase());
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(c, th.getAttribute("aria-sort") === "ascending"); });
    });

    apply();
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setupTable);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupTable);
  } else {
    setupTable();
  }
})();
