/* tlnotes: a preview card for every link to a paper page, on hover or keyboard focus, or, on a touch screen, a tap on
   the small "i" control beside the link (the link itself still navigates).
   The card's text comes from the paper page itself (same origin, fetched on first use and cached): the attributes of
   its hidden `.tln-card` element, read with getAttribute and written with textContent, never parsed as HTML into this
   page. Why not Material's navigation.instant.preview: it needs navigation.instant, which changes how every page loads,
   and it shows a section of the page, not these fields; why not data attributes on each link: a listing of 3,000
   papers would carry 3,000 cards. */
(function () {
  "use strict";

  var cache = {}; // URL -> Promise of the card's fields (or null)
  var card = null, shownFor = null, hideTimer = null;
  var touch = window.matchMedia && window.matchMedia("(hover: none)").matches;

  function base() { return window.tlnSiteBase(); } // one reading of the site's base, in tlnotes.js

  // the URL of the paper page a link leads to, or null: same origin, /papers/KEY/ under the site's base
  function paperUrl(a) {
    if (!a || !a.href || a.closest(".tln-preview")) return null;
    var url = new URL(a.href, window.location.href), root = base();
    if (url.origin !== window.location.origin || url.pathname.indexOf(root.pathname) !== 0) return null;
    var rest = url.pathname.slice(root.pathname.length);
    if (!/^papers\/[^/]+\/(index\.html)?$/.test(rest)) return null;
    url.hash = "";
    url.search = "";
    return url.href;
  }

  function fields(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (text) {
          var el = text && new DOMParser().parseFromString(text, "text/html").querySelector(".tln-card");
          if (!el) return null;
          var out = {};
          ["title", "authors", "year", "venue", "gist"].forEach(function (k) { out[k] = el.getAttribute("data-" + k) || ""; });
          return out;
        })
        .catch(function () { return null; });
    }
    return cache[url];
  }

  function cardElement() {
    if (!card || !document.body.contains(card)) {
      card = document.createElement("div");
      card.className = "tln-preview";
      card.id = "tln-preview";
      card.setAttribute("role", "tooltip");
      card.hidden = true;
      ["title", "meta", "gist"].forEach(function (part) {
        var p = document.createElement("p");
        p.className = "tln-preview__" + part;
        card.appendChild(p);
      });
      document.body.appendChild(card);
    }
    return card;
  }

  function show(a) {
    var url = paperUrl(a);
    if (!url) return;
    clearTimeout(hideTimer);
    shownFor = a;
    fields(url).then(function (f) {
      if (!f || shownFor !== a) return;
      var c = cardElement();
      c.querySelector(".tln-preview__title").textContent = f.title;
      c.querySelector(".tln-preview__meta").textContent =
        [f.authors, f.year, f.venue].filter(Boolean).join(" · ");
      c.querySelector(".tln-preview__gist").textContent = f.gist;
      c.hidden = false;
      var r = a.getBoundingClientRect(), width = c.offsetWidth, bottom = r.bottom;
      var info = a.nextElementSibling; // below the link's info control too, so the card never covers it
      if (info && info.classList.contains("tln-info")) bottom = Math.max(bottom, info.getBoundingClientRect().bottom);
      var left = Math.max(4, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 4));
      c.style.left = left + "px";
      c.style.top = (bottom + window.scrollY + 4) + "px";
      a.setAttribute("aria-describedby", "tln-preview");
    });
  }

  function hide() {
    if (shownFor) shownFor.removeAttribute("aria-describedby");
    shownFor = null;
    if (card) card.hidden = true;
    document.querySelectorAll(".tln-info[aria-expanded=true]").forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
  }

  function linkOf(target) { return target && target.closest ? target.closest("a[href]") : null; }

  document.addEventListener("mouseover", function (e) {
    var a = linkOf(e.target);
    if (a && a !== shownFor && paperUrl(a)) show(a);
  });
  document.addEventListener("mouseout", function (e) {
    var a = linkOf(e.target);
    if (a && a === shownFor && !a.contains(e.relatedTarget)) hideTimer = setTimeout(hide, 150);
  });
  document.addEventListener("focusin", function (e) {
    var a = linkOf(e.target);
    if (a && paperUrl(a)) show(a);
  });
  document.addEventListener("focusout", function (e) {
    if (shownFor && e.target === shownFor) hide();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && shownFor) hide();
  });

  // touch: a small control after each paper link shows the card; a tap anywhere else hides it
  function addInfoControls() {
    if (!touch) return;
    document.querySelectorAll("article a[href]").forEach(function (a) {
      if (a.dataset.tlnInfo || !paperUrl(a)) return;
      a.dataset.tlnInfo = "1";
      var b = document.createElement("button");
      b.type = "button";
      b.className = "tln-info";
      b.textContent = "i";
      b.setAttribute("aria-label", "About this paper: " + a.textContent.trim());
      b.setAttribute("aria-expanded", "false");
      b.addEventListener("click", function (e) {
        e.preventDefault();
        e.stopPropagation();
        if (shownFor === a) { hide(); return; }
        hide();
        b.setAttribute("aria-expanded", "true");
        show(a);
      });
      a.insertAdjacentElement("afterend", b);
    });
  }
  document.addEventListener("click", function (e) {
    if (touch && shownFor && !e.target.closest(".tln-info")) hide();
  });

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { hide(); addInfoControls(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addInfoControls);
  } else {
    addInfoControls();
  }
})();
