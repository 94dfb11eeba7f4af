/* tlnotes: graph views of topics and papers (home, topic and paper pages).
   A `.tln-graph[data-graph]` box is drawn only once it is shown: when it scrolls into view, or (home page,
   `data-button`) on its button. Only then are force-graph (vendored) and the graph's JSON fetched, so a page
   without a graph fetches nothing. The graph is decorative: every node's page is linked from the lists beside it,
   so the canvas takes no keyboard focus and the box is one image to a screen reader. */
(function () {
  "use strict";
  var HERE = document.currentScript ? document.currentScript.src : window.location.href;
  var library = null;

  function loadLibrary() {
    if (!library) {
      library = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = new URL("vendor/force-graph/force-graph.min.js", HERE).href;
        s.onload = function () { resolve(window.ForceGraph); };
        s.onerror = function () { reject(new Error("force-graph did not load")); };
        document.head.appendChild(s);
      });
    }
    return library;
  }

  function escapeHtml(text) {  // force-graph shows a node's label as HTML
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function palette(box) {
    var css = getComputedStyle(box);
    function v(name, fallback) { return css.getPropertyValue(name).trim() || fallback; }
    return {
      topic: v("--tln-graph-topic", "#4051b5"),
      paper: v("--tln-graph-paper", "#666"),
      focus: v("--tln-graph-focus", "#e91e63"),
      link: v("--tln-graph-link", "rgba(128,128,128,.35)"),
      text: v("--tln-graph-text", "#000"),
    };
  }

  /* The compact JSON of graph.py as force-graph's nodes and links. */
  function decode(data, url) {
    var root = new URL(data.r, url);
    var T = data.t.length;
    var nodes = [], links = [];
    data.t.forEach(function (t, i) {
      nodes.push({ id: i, topic: true, label: t[1], href: new URL("topics/" + t[0] + "/", root).href, size: 1 });
      if (t[2] >= 0) links.push({ source: i, target: t[2] });
      t[3].forEach(function (p) { links.push({ source: i, target: T + p }); });
    });
    data.p.forEach(function (p, i) {
      nodes.push({ id: T + i, label: p[1] || p[0], href: new URL("papers/" + p[0] + "/", root).href });
      p[2].forEach(function (t) { links.push({ source: T + i, target: t }); nodes[t].size += 1; });
      p[3].forEach(function (q) { links.push({ source: T + i, target: T + q }); });
    });
    if (data.f >= 0) nodes[data.f].focus = true;
    return { nodes: nodes, links: links };
  }

  function draw(box) {
    if (box.dataset.state !== "waiting") return;
    box.dataset.state = "loading";
    var started = performance.now();
    var url = new URL(box.dataset.graph, window.location.href).href;
    var button = box.previousElementSibling;
    if (button && button.classList.contains("tln-graph-show")) button.remove();
    Promise.all([loadLibrary(), fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    })]).then(function (both) {
      var graph = decode(both[1], url);
      var colors = palette(box);
      var big = graph.nodes.length > 500;
      var fg = both[0]()(box)
        .width(box.clientWidth)
        .height(box.clientHeight)
        .backgroundColor("rgba(0,0,0,0)")
        .nodeRelSize(big ? 2 : 4)
        .nodeVal(function (n) { return n.topic ? 2 + Math.sqrt(n.size) : 1; })
        .nodeColor(function (n) { return n.focus ? colors.focus : n.topic ? colors.topic : colors.paper; })
        .nodeLabel(function (n) { return escapeHtml(n.label); })
        .linkColor(function () { return colors.link; })
        .linkWidth(big ? 0.5 : 1)
        .cooldownTicks(big ? 120 : 300)
        .enableNodeDrag(!big)
        .onNodeClick(function (n) { window.location.href = n.href; })
        .nodeCanvasObjectMode(function (n) { return n.topic || n.focus || !big ? "after" : undefined; })
        .nodeCanvasObject(function (n, ctx, scale) {
          if (!n.topic && !n.focus && scale < 1.5) return;
          var size = (n.topic || n.focus ? 12 : 9) / scale;
          ctx.font = size + "px sans-serif";
          ctx.textAlign = "center";
          ctx.textBaseline = "top";
          ctx.fillStyle = colors.text;
          ctx.fillText(n.label.length > 30 ? n.label.slice(0, 29) + "…" : n.label, n.x, n.y + 5 / scale + 2);
        })
        .onEngineStop(function () { box.dataset.settled = "true"; })
        .onRenderFramePost(function () {
          if (!box.dataset.drawnMs) box.dataset.drawnMs = String(Math.round(performance.now() - started));
        })
        .graphData(graph);
      box.dataset.state = "drawn";
      box.tlnGraph = fg;  // for tests and benchmarks: screen positions of nodes
      box.dataset.nodes = String(graph.nodes.length);
      box.querySelectorAll("canvas, [tabindex]").forEach(function (el) {
        el.setAttribute("tabindex", "-1");
        el.setAttribute("aria-hidden", "true");
      });
      new MutationObserver(function () { colors = palette(box); fg.nodeColor(fg.nodeColor()); })
        .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
      window.addEventListener("resize", function () { fg.width(box.clientWidth).height(box.clientHeight); });
    }).catch(function (err) {
      box.dataset.state = "failed";
      box.textContent = "The graph could not be loaded.";
      console.warn("tlnotes graph:", err);
    });
  }

  function init() {
    var boxes = document.querySelectorAll(".tln-graph[data-graph]");
    if (!boxes.length) return;
    var seen = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { seen.unobserve(e.target); draw(e.target); }
      });
    }, { rootMargin: "100px" }) : null;
    boxes.forEach(function (box) {
      box.dataset.state = "waiting";
      if (box.hasAttribute("data-button")) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "md-button tln-graph-show";
        b.textContent = "Show the graph";
        b.addEventListener("click", function () { draw(box); });
        box.parentNode.insertBefore(b, box);
      }
      if (seen) seen.observe(box);
      else if (!box.hasAttribute("data-button")) draw(box);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
