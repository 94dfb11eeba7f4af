/* tlnotes: math with KaTeX (loaded only on a page with math) and search (Pagefind, loaded only on the search page).
   Nothing from other hosts, no eval. */
(function () {
  "use strict";

  // KaTeX's files sit beside this script; they are fetched only by a page that has math
  var HERE = document.currentScript ? document.currentScript.src : window.location.href;
  var katex = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function loadKatex() {
    if (!katex) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = new URL("katex/katex.min.css", HERE).href;
      document.head.appendChild(css);
      katex = loadScript(new URL("katex/katex.min.js", HERE).href).then(function () {
        return loadScript(new URL("katex/auto-render.min.js", HERE).href);
      });
    }
    return katex;
  }

  function renderMath(root) {
    var math = root.querySelectorAll(".arithmatex");
    if (!math.length) return;
    loadKatex().then(function () {
      math.forEach(function (el) {
        window.renderMathInElement(el, {
          delimiters: [
            { left: "\\(", right: "\\)", display: false },
            { left: "\\[", right: "\\]", display: true },
          ],
          throwOnError: false,
          trust: false,
        });
      });
    }).catch(function (err) { console.warn("tlnotes: math stays as written: " + err.message); });
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
    if (!document.getElementById("tln-search-input")) headerSuggestions(form, input); // the search page lists them itself
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

  var HIGHLIGHT = "highlight"; // a result's link carries ?highlight=WORDS: its page marks them, as Material's did
  var pagefind = null;
  function loadPagefind() {
    if (!pagefind) {
      var base = siteBase();
      pagefind = import(new URL("pagefind/pagefind.js", base).href).then(function (pf) {
        return pf.options({ baseUrl: base.pathname, excerptLength: 24, highlightParam: HIGHLIGHT }).then(function () { return pf; });
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

  function resultItem(data, withExcerpt) {
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
    if (withExcerpt) {
      var excerpt = document.createElement("div");
      excerpt.className = "tln-search-excerpt";
      excerpt.appendChild(markedText(data.excerpt || ""));
      li.appendChild(excerpt);
    }
    return li;
  }

  // up to `limit` results of `query`, as Pagefind's data, best first; null when a newer query superseded it
  function findPages(query, extra, limit, isLatest) {
    var parsed = parseQuery(query);
    Object.keys(extra).forEach(function (k) { parsed.filters[k] = extra[k]; });
    if (!parsed.text && !Object.keys(parsed.filters).length) return Promise.resolve({ total: 0, pages: [] });
    var total = 0;
    return loadPagefind().then(function (pf) {
      return searchAll(pf, parsed);
    }).then(function (results) {
      if (!isLatest()) return null;
      total = results.length;
      return Promise.all(results.slice(0, limit).map(function (r) { return r.data(); }));
    }).then(function (pages) {
      return pages && isLatest() ? { total: total, pages: pages } : null;
    });
  }

  // arrows move from a search box through its results' links and back
  function arrowKeys(input, list) {
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
  }

  // the header box suggests as the reader types (Pagefind is fetched then, not before); Enter opens the search page
  function headerSuggestions(form, input) {
    var list = document.createElement("ul");
    list.className = "tln-suggest";
    list.id = "tln-suggest";
    list.hidden = true;
    list.setAttribute("aria-label", "Suggestions");
    form.appendChild(list);
    input.setAttribute("aria-controls", list.id);
    var latest = 0, timer = null;
    function hide() { list.hidden = true; }
    function run() {
      var query = input.value.trim(), mine = ++latest;
      if (!query) { list.textContent = ""; hide(); return; }
      findPages(query, {}, 6, function () { return mine === latest; }).then(function (found) {
        if (!found) return;
        list.textContent = "";
        found.pages.forEach(function (data) { list.appendChild(resultItem(data, false)); });
        var all = document.createElement("li");
        all.className = "tln-suggest__all";
        var a = document.createElement("a");
        a.href = form.action + "?q=" + encodeURIComponent(query);
        a.textContent = found.total ? "All " + found.total + " results" : "No results: search page";
        all.appendChild(a);
        list.appendChild(all);
        list.hidden = false;
      }).catch(function () { hide(); }); // the search page says why
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") hide();
      if (e.key === "ArrowDown" && list.childNodes.length) list.hidden = false; // before the arrows move into it
    });
    list.addEventListener("keydown", function (e) { if (e.key === "Escape") { hide(); input.focus(); } });
    form.addEventListener("focusout", function (e) { if (!form.contains(e.relatedTarget)) hide(); });
    input.addEventListener("focus", function () { if (list.childNodes.length) list.hidden = false; });
    arrowKeys(input, list);
  }

  // arriving from a result: mark the searched words on the page (Pagefind's own highlighter, fetched only then)
  function highlightArrival() {
    if (!new URLSearchParams(window.location.search).get(HIGHLIGHT)) return;
    import(new URL("pagefind/pagefind-highlight.js", siteBase()).href).then(function (m) {
      // in the page's indexed text, as <mark> in Material's colors
      new m.default({ highlightParam: HIGHLIGHT, addStyles: false, markOptions: { className: "tln-highlight" } });
    }).catch(function () { /* the page reads as it is */ });
  }

  function setupSearchPage() {
    var input = document.getElementById("tln-search-input");
    if (!input || input.dataset.tlnReady) return;
    input.dataset.tlnReady = "1";
    var facets = Array.prototype.slice.call(document.querySelectorAll(".tln-search-facets [data-field]"));
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
      showFacets(query);
      findPages(query, {}, 30, function () { return mine === latest; }).then(function (found) {
        if (!found) return;
        count.textContent = !found.pages.length && !query ? "" :
          found.total + (found.total === 1 ? " result" : " results"); // with the list, never before it
        list.textContent = "";
        found.pages.forEach(function (data) { list.appendChild(resultItem(data, true)); });
      }).catch(function (err) {
        count.textContent = "Search is unavailable: " + (err && err.message ? err.message : err);
      });
    }

    var timer = null;
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    // a control writes its field into the query, and the query sets the controls: the URL says the whole search
    function showFacets(query) {
      var filters = parseQuery(query).filters;
      facets.forEach(function (el) {
        if (el === document.activeElement && el.tagName === "INPUT") return; // the reader is typing in it
        var values = (filters[el.dataset.field] || { any: [] }).any.slice().sort();
        var value = el.dataset.part === "to" ? values[values.length - 1] : values[0];
        el.value = value || "";
      });
    }
    function fromFacets() {
      var year = { from: "", to: "" }, tokens = {};
      facets.forEach(function (el) {
        var value = el.value.trim().split(/\s+/)[0] || "";
        if (el.dataset.field === "year") year[el.dataset.part] = value;
        else tokens[el.dataset.field] = value ? el.dataset.field + ":" + value.toLowerCase() : "";
      });
      var from = year.from || year.to, to = year.to || year.from;
      if (from && to && +from > +to) { var t = from; from = to; to = t; }
      tokens.year = from ? "year:" + (from === to ? from : from + ".." + to) : "";
      // each field's token stays where the reader wrote it; a new one goes at the end
      var placed = {}, kept = [];
      input.value.split(/\s+/).filter(Boolean).forEach(function (token) {
        var m = /^([a-z]+):/i.exec(token), f = m && m[1].toLowerCase();
        if (!f || !Object.prototype.hasOwnProperty.call(tokens, f)) { kept.push(token); return; }
        if (tokens[f] && !placed[f]) kept.push(tokens[f]);
        placed[f] = true;
      });
      Object.keys(tokens).forEach(function (f) { if (tokens[f] && !placed[f]) kept.push(tokens[f]); });
      input.value = kept.join(" ");
      if (header) header.value = input.value;
      run();
    }
    facets.forEach(function (el) {
      el.addEventListener(el.tagName === "SELECT" ? "change" : "input", function () {
        clearTimeout(timer);
        timer = setTimeout(fromFacets, el.tagName === "SELECT" ? 0 : 300);
      });
    });
    document.querySelector(".tln-search").addEventListener("submit", function (e) { e.preventDefault(); });
    input.form && input.form.addEventListener("submit", function (e) { e.preventDefault(); });

    arrowKeys(input, list);
    run();
  }

  window.tlnParseQuery = parseQuery; // for the tests of the query syntax
  window.tlnSiteBase = siteBase; // for tlnotes-preview.js, loaded after this file

  function init() {
    renderMath(document.body);
    headerSearch();
    setupSearchPage();
    highlightArrival();
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
