/* storymap: draws the neighbourhood maps of ward and borough pages from the borough's shared
 * shape file (window.STORYMAP_NB; format: storymap/pages/neighbourhood_map.py), loaded when a
 * map first comes near the screen. */
(function () {
  "use strict";
  var DIGIT = {};
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("")
    .forEach(function (ch, d) { DIGIT[ch] = d; });

  /* varints: 5-bit chunks, least significant first; digits 32-63 say more follow */
  function read(text) {
    var out = [], value = 0, unit = 1;
    for (var i = 0; i < text.length; i++) {
      var d = DIGIT[text.charAt(i)];
      if (d >= 32) { value += (d - 32) * unit; unit *= 32; } else {
        out.push(value + d * unit);
        value = 0;
        unit = 1;
      }
    }
    return out;
  }
  function unzig(n) { return n % 2 ? -(n + 1) / 2 : n / 2; }

  /* arcs as flat [x0, y0, x1, y1, ...] lists, each point a step from the one before */
  function arcsOf(text) {
    var n = read(text), arcs = [], at = 0, x = 0, y = 0;
    while (at < n.length) {
      var points = [];
      for (var k = n[at++]; k > 0; k--) {
        x += unzig(n[at++]);
        y += unzig(n[at++]);
        points.push(x, y);
      }
      arcs.push(points);
    }
    return arcs;
  }

  /* each area's SVG path by code: per ring its arcs joined end to start */
  function pathsOf(data, arcs) {
    var n = read(data.areas), at = 0, stored = 0, paths = {}, number = 0;
    var codes = read(data.codes.steps).map(function (step) {
      number += step;
      var digits = String(number);
      while (digits.length < data.codes.width) { digits = "0" + digits; }
      return data.codes.prefix + digits;
    });
    codes.forEach(function (code) {
      var d = [];
      for (var polygons = n[at++]; polygons > 0; polygons--) {
        for (var rings = n[at++]; rings > 0; rings--) {
          var ring = [];
          for (var count = n[at++]; count > 0; count--) {
            var ref = n[at++], index = ref ? stored - 1 - Math.floor((ref - 1) / 2) : stored++;
            var pts = arcs[index], step = [];
            for (var p = 0; p < pts.length; p += 2) { step.push(pts[p] + " " + pts[p + 1]); }
            if (ref && (ref - 1) % 2 === 0) { step.reverse(); }
            Array.prototype.push.apply(ring, ring.length ? step.slice(1) : step);
          }
          d.push("M" + ring.join("L") + "Z");
        }
      }
      paths[code] = d.join("");
    });
    return paths;
  }

  function draw() {
    var data = window.STORYMAP_NB;
    if (!data) { return; }
    var paths = pathsOf(data, arcsOf(data.arcs)), codes = Object.keys(paths).sort();
    Array.prototype.forEach.call(document.querySelectorAll('svg[data-map="neighbourhoods"]'),
      function (svg) {
        var all = svg.hasAttribute("data-all");  /* every area of the file, in its order */
        Array.prototype.forEach.call(svg.querySelectorAll(".nb-shapes path"), function (path, k) {
          if (all) { path.setAttribute("data-code", codes[k]); }
          var d = paths[path.getAttribute("data-code")];
          if (d) { path.setAttribute("d", d); }
        });
        svg.classList.add("is-drawn");
      });
  }

  /* The borough's shape file (its data-shapes, on this script's element) is fetched when a
   * neighbourhood map comes near the screen, so opening a page costs only its HTML; the static
   * image stands in until then, and without scripts. */
  var shapes = document.currentScript && document.currentScript.getAttribute("data-shapes");
  var asked = false;
  function load() {
    if (asked || !shapes) { return; }
    asked = true;
    var script = document.createElement("script");
    script.src = shapes;
    script.onload = draw;
    document.head.appendChild(script);
  }

  function start() {
    var maps = document.querySelectorAll('svg[data-map="neighbourhoods"]');
    if (!maps.length) { return; }
    if (!("IntersectionObserver" in window)) { load(); return; }
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        load();
      }
    }, { rootMargin: "100% 0px" });
    Array.prototype.forEach.call(maps, function (svg) { observer.observe(svg); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
