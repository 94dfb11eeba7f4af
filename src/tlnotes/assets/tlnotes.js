/* tlnotes: math with KaTeX, the filters of the all-papers table, and search (Pagefind, loaded only on the search page).
   Nothing from other hosts, no eval. */
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


  // ------------------------------------------------------------ search

  function siteBase() {
    var config = document.getElementById("__config");
    var base = config ? JSON.parse(config.textContent).base : ".";
    return new URL(base.replace(/\/?$/, "/"), window.location.href);
  }

  var FIELDS = ["author", "year", "topic", "status"];

  // `author:hinton year:2019..2021 topic:attention status:to-read words` -> {text, filters} for Pagefind;
  // a bare year (`Burns 2022`) ranks that year's papers first: no page's text says its year, so as a word it would
  // match nothing, and as a strict filter it would miss the paper whose record has the year it was published, 2023
  function parseQuery(query) {
    var words = [], filters = {}, years = [];
    query.split(/\s+/).filter(Boolean).forEach(function (token) {
      var m = /^([a-z]+):(.+)$/i.exec(token);
      var field = m && m[1].toLowerCase();
      if (!m && /^(19|20)\d\d$/.test(token)) { years.push(token); return; }
      if (!m || FIELDS.indexOf(field) === -1) { words.push(token); return; }
      var value = m[2].toLowerCase(), values = [value];
      var range = field === "year" && /^(\d{4})\.\.(\d{4})$/.exec(value);
      if (range) {
        values = [];
        for (var y = +range[1]; y <= +range[2] && values.length < 500; y++) values.push(String(y));
      }
      filters[field] = { any: (filters[field] ? filters[field].any : []).concat(values) };
    });
    if (years.length && !words.length) filters.year = { any: (filters.year ? filters.year.any : []).concat(years) };
    return { text: words.join(" "), filters: filters, years: words.length ? years : [] };
  }

  function headerSearch() {
    var inner = document.querySelector(".md-header__inner");
    if (!inner || inner.querySelector(".tln-header-search")) return;
    var form = document.createElement("form");
    form.className = "tln-header-search md-header__option";
    form.setAttribute("role", "search");
    form.action = new URL("search/", siteBase()).href;
    var input = document.createElement("input");
    input.type = "search";
    input.name = "q";
    input.placeholder = "Search";
    input.setAttribute("aria-label", "Search the papers");
    input.className = "tln-header-search__input";
    form.appendChild(input);
    var title = inner.querySelector(".md-header__title");
    inner.insertBefore(form, title ? title.nextSibling : null);
  }

  function searchBox() {
    return document.getElementById("tln-search-input") || document.querySelector(".tln-header-search__input");
  }

  function onShortcut(event) {
    var t = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (event.key !== "/" && event.key !== "s" && event.key !== "S") return;
    var box = searchBox();
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  }

  function markedText(excerpt) {
    // Pagefind's excerpt: escaped page text with <mark> around the matching words; nothing else is kept
    var frag = document.createDocumentFragment();
    excerpt.split(/(<mark>.*?<\/mark>)/).forEach(function (part) {
      var marked = /^<mark>(.*)<\/mark>$/.exec(part);
      var text = new DOMParser().parseFromString(marked ? marked[1] : part, "text/html").body.textContent;
      var node = document.createTextNode(text);
      if (marked) { var mark = document.createElement("mark"); mark.appendChild(node); node = mark; }
      frag.appendChild(node);
    });
    return frag;
  }

  var pagefind = null;
  function loadPagefind() {
    if (!pagefind) {
      var base = siteBase();
      pagefind = import(new URL("pagefind/pagefind.js", base).href).then(function (pf) {
        return pf.options({ baseUrl: base.pathname, excerptLength: 24 }).then(function () { return pf; });
      });
    }
    return pagefind;
  }

  var FEW = 3;

  // Pagefind matches every word; a reader's words are not all in the paper they mean ("vision transformer image is
  // worth 16x16 words": ViT's page never says "worth"). When every word finds few pages, each word is searched on
  // its own too, and the pages are ranked by how many of the words they have, then by the sum of their scores,
  // after those that had every word.
  function searchAll(pf, parsed) {
    var base = searchWords(pf, parsed.text, parsed.filters);
    if (!parsed.years.length || parsed.filters.year) return base; // `year:` says it exactly
    var filters = Object.assign({}, parsed.filters, { year: { any: parsed.years } });
    return Promise.all([searchWords(pf, parsed.text, filters), base]).then(function (both) {
      var seen = {};
      return both[0].concat(both[1]).filter(function (r) { return seen[r.id] ? false : (seen[r.id] = true); });
    });
  }

  function searchWords(pf, text, filters) {
    var options = { filters: filters };
    return pf.search(text || null, options).then(function (all) {
      var words = text.split(/\s+/).filter(Boolean);
      if (all.results.length >= FEW || words.length < 2) return all.results;
      return Promise.all(words.map(function (w) { return pf.search(w, options); })).then(function (each) {
        var byId = {}, seen = {};
        all.results.forEach(function (r) { seen[r.id] = true; });
        each.forEach(function (s) {
          s.results.forEach(function (r) {
            if (seen[r.id]) return;
            byId[r.id] = byId[r.id] || { result: r, score: 0, words: 0 };
            byId[r.id].score += r.score;
            byId[r.id].words += 1;
          });
        });
        var more = Object.keys(byId).map(function (id) { return byId[id]; });
        more.sort(function (a, b) { return b.words - a.words || b.score - a.score; });
        return all.results.concat(more.map(function (m) { return m.result; }));
      });
    });
  }

  function setupSearchPage() {
    var input = document.getElementById("tln-search-input");
    if (!input || input.dataset.tlnReady) return;
    input.dataset.tlnReady = "1";
    var topic = document.getElementById("tln-search-topic");
    var list = document.getElementById("tln-search-results");
    var count = document.getElementById("tln-search-count");
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    var header = document.querySelector(".tln-header-search__input");
    if (header) header.value = input.value;
    var latest = 0;

    function run() {
      var query = input.value.trim(), mine = ++latest;
      var url = new URL(window.location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.href);
      var parsed = parseQuery(query);
      if (topic.value) parsed.filters.topic = { any: [topic.value] };
      if (!parsed.text && !Object.keys(parsed.filters).length) {
        list.textContent = "";
        count.textContent = "";
        return;
      }
      var total = 0;
      loadPagefind().then(function (pf) {
        return searchAll(pf, parsed);
      }).then(function (results) {
        if (mine !== latest) return null;
        total = results.length;
        return Promise.all(results.slice(0, 30).map(function (r) { return r.data(); }));
      }).then(function (pages) {
        if (!pages || mine !== latest) return;
        count.textContent = total + (total === 1 ? " result" : " results"); // with the list, never before it
        list.textContent = "";
        pages.forEach(function (data) {
          var meta = data.meta || {};
          var li = document.createElement("li");
          li.className = "tln-search-result";
          var a = document.createElement("a");
          a.href = data.url;
          a.textContent = meta.title || data.url;
          li.appendChild(a);
          var by = document.createElement("div");
          by.className = "tln-search-meta";
          by.textContent = meta.kind === "topic" ? "Topic" : [meta.authors, meta.year].filter(Boolean).join(", ");
          li.appendChild(by);
          var excerpt = document.createElement("div");
          excerpt.className = "tln-search-excerpt";
          excerpt.appendChild(markedText(data.excerpt || ""));
          li.appendChild(excerpt);
          list.appendChild(li);
        });
      }).catch(function (err) {
        count.textContent = "Search is unavailable: " + (err && err.message ? err.message : err);
      });
    }

    var timer = null;
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    topic.addEventListener("change", run);
    document.querySelector(".tln-search").addEventListener("submit", function (e) { e.preventDefault(); });
    input.form && input.form.addEventListener("submit", function (e) { e.preventDefault(); });

    function move(event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      if (!links.length) return;
      var at = links.indexOf(document.activeElement);
      var next = event.key === "ArrowDown" ? at + 1 : at - 1;
      if (next < 0) { input.focus(); event.preventDefault(); return; }
      links[Math.min(next, links.length - 1)].focus();
      event.preventDefault();
    }
    input.addEventListener("keydown", move);
    list.addEventListener("keydown", move);
    run();
  }

  window.tlnParseQuery = parseQuery; // for the tests of the query syntax

  function init() {
    renderMath(document.body);
    setupFilters(document);
    headerSearch();
    setupSearchPage();
  }

  document.addEventListener("keydown", onShortcut);

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
