/* storymap: draws ward choropleths from the site's shared geometry and data scripts.
 * Written for this project; needs only Leaflet. Every map on a page reuses the same geometry. */
(function () {
  "use strict";
  document.documentElement.classList.add("storymap-js");
  var HERE = document.currentScript ? document.currentScript.src.replace(/[^/]*$/, "") : "";

  /* The live map cannot start (a script missing or failing): show each step's own image,
   * legend and summary, as readers without scripts see them. */
  function fallback() {
    if (document.querySelector("link[data-storymap-nojs]")) { return; }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = HERE + "nojs.css";
    link.setAttribute("data-storymap-nojs", "");
    document.head.appendChild(link);
  }

  /* ---- decoding the compact map scripts (the format: storymap/mapcodec.py) --------------- */

  var DIGIT = {};
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("")
    .forEach(function (ch, d) { DIGIT[ch] = d; });

  /* Unsigned integers from text: 5-bit chunks, least significant first; digits 32-63 say more
   * chunks follow. */
  function numbers(text) {
    var out = [], value = 0, unit = 1;
    for (var i = 0; i < text.length; i++) {
      var d = DIGIT[text.charAt(i)];
      if (d >= 32) { value += (d - 32) * unit; unit *= 32; }
      else { out.push(value + d * unit); value = 0; unit = 1; }
    }
    return out;
  }
  function signed(n) { return n % 2 ? -(n + 1) / 2 : n / 2; }

  /* Arcs of [lon, lat] points on the grid, each point a step from the one before. */
  function decodeArcs(text, scale) {
    var n = numbers(text), arcs = [], x = 0, y = 0, at = 0;
    function point() { return [x / scale[0], y / scale[1]]; }
    while (at < n.length) {
      var head = n[at++], points = head % 2 ? [point()] : [];
      for (var k = Math.floor(head / 2); k > 0; k--) {
        x += signed(n[at++]);
        y += signed(n[at++]);
        points.push(point());
      }
      arcs.push(points);
    }
    return arcs;
  }

  /* Each ward's polygons (lists of rings) joined from its arcs; uses[arc]: wards using it. */
  function decodeWards(text, arcs, count) {
    var n = numbers(text), at = 0, stored = 0, once = [], wards = [];
    var uses = arcs.map(function () { return []; });
    function arc(ward) {
      var ref = n[at++], index;
      if (ref === 0) { index = stored++; once.push(index); }
      else { index = once.splice(once.length - 1 - Math.floor((ref - 1) / 2), 1)[0]; }
      uses[index].push(ward);
      return ref === 0 || (ref - 1) % 2 ? arcs[index] : arcs[index].slice().reverse();
    }
    function list(item) {
      var items = [];
      for (var k = n[at++]; k > 0; k--) { items.push(item()); }
      return items;
    }
    for (var w = 0; w < count; w++) {
      wards.push(list(function () {
        return list(function () {  /* a ring: its arcs share their end points */
          var ring = [];
          list(function () { return arc(w); }).forEach(function (points) {
            Array.prototype.push.apply(ring, ring.length ? points.slice(1) : points);
          });
          return ring;
        });
      }));
    }
    return { wards: wards, uses: uses };
  }

  function decodeGeo(raw, data) {
    var arcs = decodeArcs(raw.arcs, raw.scale), codes = data.wards.codes;
    var decoded = decodeWards(raw.wards, arcs, codes.length);
    /* A borough's outline: the arcs its wards use once (across it: another borough, or none). */
    var outlines = data.boroughs.codes.map(function () { return []; });
    decoded.uses.forEach(function (wards, index) {
      var times = {};
      wards.forEach(function (w) {
        var b = data.wards.borough[w];
        times[b] = (times[b] || 0) + 1;
      });
      Object.keys(times).forEach(function (b) {
        if (times[b] % 2) { outlines[b].push(arcs[index]); }
      });
    });
    return {
      wards: decoded.wards.map(function (polygons, i) {
        var g = polygons.length === 1 ? { type: "Polygon", coordinates: polygons[0] }
                                      : { type: "MultiPolygon", coordinates: polygons };
        return { c: codes[i], g: g };
      }),
      boroughs: data.boroughs.codes.map(function (code, b) {
        return { c: code, g: { type: "MultiLineString", coordinates: outlines[b] } };
      })
    };
  }

  /* Figures as shown; ranks from them (1 = most at risk, ties share the lowest) and, among
   * wards shown alike, how many are truly more at risk; colours from the ranks (the most at
   * risk take the last colour). */
  function decodeIndicator(raw) {
    var ind = {}, shown = [], figure = 0, above = 0, scale = Math.pow(10, raw.places);
    Object.keys(raw).forEach(function (key) { ind[key] = raw[key]; });
    numbers(raw.values).forEach(function (n) { figure += signed(n); shown.push(figure); });
    var ties = numbers(raw.ties), higher = raw.direction === "higher_is_more_risk";
    var order = shown.map(function (v, i) { return i; }).sort(function (a, b) {
      return higher ? shown[b] - shown[a] : shown[a] - shown[b];
    });
    ind.rank = [];
    order.forEach(function (i, j) {
      if (j > 0 && shown[i] !== shown[order[j - 1]]) { above = j; }
      ind.rank[i] = above + 1 + ties[i];
    });
    ind.colour = ind.rank.map(function (r) {
      var c = raw.bands.length - 1, upto = raw.bands[c];
      while (r > upto && c > 0) { c--; upto += raw.bands[c]; }
      return c;
    });
    ind.values = shown.map(function (v) { return v / scale; });
    raw.minusZero.forEach(function (i) { ind.values[i] = -0; });
    return ind;
  }

  function decodeData(raw) {
    var previous = "", indicators = {};
    Object.keys(raw.indicators).forEach(function (id) {
      indicators[id] = decodeIndicator(raw.indicators[id]);
    });
    return {
      area: raw.area,
      wards: {
        /* each code: how many first characters it shares with the one before, then the rest */
        codes: raw.wards.codes.map(function (text) {
          previous = previous.slice(0, DIGIT[text.charAt(0)]) + text.slice(1);
          return previous;
        }),
        names: raw.wards.names,
        borough: raw.wards.borough
      },
      boroughs: raw.boroughs,
      indicators: indicators,
      noData: raw.noData
    };
  }

  var DATA, GEO;
  try {
    DATA = decodeData(window.STORYMAP_DATA);
    GEO = decodeGeo(window.STORYMAP_GEO, DATA);
  } catch (error) {
    fallback();
    throw error;
  }
  var wardIndex = {};
  DATA.wards.codes.forEach(function (code, i) { wardIndex[code] = i; });
  var boroughIndex = {};
  DATA.boroughs.codes.forEach(function (code, i) { boroughIndex[code] = i; });

  function formatValue(ind, v) {
    if (v === null || v === undefined) { return "no data"; }
    var text = v.toLocaleString("en-GB", {
      minimumFractionDigits: ind.unit === "count" ? 0 : ind.decimals,
      maximumFractionDigits: ind.unit === "count" ? 0 : ind.decimals
    });
    return ind.unit === "percent" ? text + "%" : text;
  }

  /* WCAG relative luminance and contrast of #rrggbb colours. */
  function luminance(hex) {
    var c = [1, 3, 5].map(function (k) {
      var v = parseInt(hex.substr(k, 2), 16) / 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  /* Ward outlines contrast at least 3:1 with the ward's fill (WCAG 1.4.11): white on dark and
   * mid fills, near-black on light ones; highlights take whichever of black or white stands out. */
  function edgeColour(fill, highlighted) {
    if (highlighted) { return contrast(fill, "#000000") >= contrast(fill, "#ffffff") ? "#000000" : "#ffffff"; }
    return contrast(fill, "#ffffff") >= 3 ? "#ffffff" : "#1a1a1a";
  }

  function wardStyle(ind, i, highlighted) {
    var colour = ind.values[i] === null ? DATA.noData : ind.palette[ind.colour[i]];
    return {
      fillColor: colour,
      fillOpacity: 0.9,
      color: edgeColour(colour, highlighted),
      weight: highlighted ? 3 : 0.6,
      opacity: 1,
      className: "storymap-ward"
    };
  }

  function tooltipFor(ind, i) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = DATA.wards.names[i];
    box.appendChild(name);
    var lines = [
      DATA.boroughs.names[DATA.wards.borough[i]],
      ind.short + ": " + formatValue(ind, ind.values[i]),
      "Rank " + ind.rank[i] + " of " + DATA.wards.codes.length + " in " + DATA.area +
        " (1 = most at risk)"
    ];
    lines.forEach(function (text) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(text));
    });
    return box;
  }

  function boundsOf(layers) {
    var bounds = null;
    layers.forEach(function (layer) {
      bounds = bounds ? bounds.extend(layer.getBounds()) : L.latLngBounds(layer.getBounds());
    });
    return bounds;
  }

  function Choropleth(map, options) {
    var self = this;
    this.map = map;
    this.indicator = null;
    this.highlights = {};
    this.layers = {};
    this.wardLayer = L.geoJSON(null, {
      style: function () { return { className: "storymap-ward" }; },
      onEachFeature: function (feature, layer) {
        self.layers[feature.properties.c] = layer;
        layer.bindTooltip(function () {
          return tooltipFor(DATA.indicators[self.indicator], wardIndex[feature.properties.c]);
        }, { sticky: true });
      }
    });
    GEO.wards.forEach(function (w) {
      self.wardLayer.addData({ type: "Feature", properties: { c: w.c }, geometry: w.g });
    });
    this.wardLayer.addTo(map);
    /* Leaflet makes every ward with a tooltip a tab stop: 680 of them would bury the story.
       Keyboard users get the same figures from each step's table instead. */
    this.wardLayer.eachLayer(function (layer) {
      var el = layer.getElement && layer.getElement();
      if (el) { el.setAttribute("tabindex", "-1"); }
    });
    this.boroughLayer = L.geoJSON(null, {
      interactive: false,
      style: function () {
        return { color: "#1a1a1a", weight: 1.4, fill: false, className: "storymap-borough" };
      }
    });
    GEO.boroughs.forEach(function (b) {
      self.boroughLayer.addData({ type: "Feature", properties: { c: b.c }, geometry: b.g });
    });
    this.boroughLayer.addTo(map);
    map.getContainer().setAttribute("data-ward-count", String(GEO.wards.length));
    wardActions(this);
    this.setIndicator(options.indicator);
    this.setHighlights(options.highlight || []);
    this.setFocus(options.focus || null, false);
  }

  Choropleth.prototype.setIndicator = function (id) {
    var ind = DATA.indicators[id];
    if (!ind) { return; }
    this.indicator = id;
    this.restyle();
    this.map.getContainer().setAttribute("data-indicator", id);
  };

  Choropleth.prototype.restyle = function () {
    var self = this;
    var ind = DATA.indicators[this.indicator];
    Object.keys(this.layers).forEach(function (code) {
      self.layers[code].setStyle(wardStyle(ind, wardIndex[code], !!self.highlights[code]));
    });
    Object.keys(this.highlights).forEach(function (code) {
      if (self.layers[code]) { self.layers[code].bringToFront(); }
    });
  };

  Choropleth.prototype.setHighlights = function (codes) {
    var self = this;
    this.highlights = {};
    codes.forEach(function (c) { self.highlights[c] = true; });
    this.restyle();
  };

  /* focus: null (the whole area), a borough code or a ward code. */
  Choropleth.prototype.setFocus = function (focus, animate) {
    var self = this;
    var layers = [];
    if (focus && boroughIndex[focus] !== undefined) {
      var b = boroughIndex[focus];
      DATA.wards.codes.forEach(function (code, i) {
        if (DATA.wards.borough[i] === b) { layers.push(self.layers[code]); }
      });
    } else if (focus && this.layers[focus]) {
      layers.push(this.layers[focus]);
    } else {
      layers.push(this.wardLayer);
    }
    var bounds = boundsOf(layers);
    var size = this.map.getSize();
    if (!bounds || !bounds.isValid() || size.x === 0 || size.y === 0) { return; }
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (animate && !reduce) {
      this.map.flyToBounds(bounds, { padding: [12, 12], duration: 0.8 });
    } else {
      this.map.fitBounds(bounds, { padding: [12, 12], animate: false });
    }
    this.map.getContainer().setAttribute("data-focus", focus || "");
  };

  /* ---- story steps: one sticky map per chapter, changed by the step in view ---------------- */

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function stepState(step) {
    var highlight = step.getAttribute("data-highlight");
    return {
      indicator: step.getAttribute("data-indicator"),
      focus: step.getAttribute("data-focus") || null,
      highlight: highlight ? highlight.split(",") : []
    };
  }

  function Story(root, choropleth) {
    var self = this;
    this.root = root;
    this.map = choropleth;
    this.steps = Array.prototype.slice.call(root.querySelectorAll(".storymap-step"));
    this.live = root.querySelector(".storymap-live");
    this.legend = root.querySelector(".storymap-legend-live");
    this.active = null;
    root.classList.add("is-scripted");
    choropleth.map.invalidateSize(false);
    if (L.Browser.mobile) {
      /* one finger scrolls the page; two fingers still zoom the map */
      choropleth.map.dragging.disable();
      if (choropleth.map.tap) { choropleth.map.tap.disable(); }
    }
    this.sticky = root.querySelector(".storymap-sticky");
    this.steps.forEach(function (step) {
      step.addEventListener("focusin", function (event) {
        self.activate(step, true);
        self.reveal(event.target);
      });
    });
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) { self.activate(entry.target, true); }
        });
      }, { rootMargin: "-45% 0px -45% 0px", threshold: 0 });
      this.steps.forEach(function (step) { observer.observe(step); });
    }
    if (this.steps.length) { this.activate(this.steps[0], false); }
  }

  /* Keep the focused element out from under the sticky map (phones: the map sits on top). */
  Story.prototype.reveal = function (el) {
    if (!this.sticky) { return; }
    var s = this.sticky.getBoundingClientRect();
    var r = el.getBoundingClientRect();
    var covered = r.top < s.bottom && r.bottom > s.top && r.left < s.right && r.right > s.left;
    if (covered) { window.scrollBy(0, r.top - s.bottom - 16); }
  };

  Story.prototype.activate = function (step, animate) {
    if (this.active === step) { return; }
    if (this.active) { this.active.classList.remove("is-active"); }
    this.active = step;
    step.classList.add("is-active");
    var state = stepState(step);
    this.map.setIndicator(state.indicator);
    this.map.setHighlights(state.highlight);
    this.map.setFocus(state.focus, animate && !reducedMotion());
    var legend = step.querySelector(".storymap-legend");
    if (this.legend && legend) { this.legend.innerHTML = legend.outerHTML; }
    var summary = step.querySelector(".step-summary");
    if (this.live && summary) { this.live.textContent = summary.textContent; }
    this.root.setAttribute("data-active-step", step.id);
  };

  /* ---- a ward's page: tap (phones), click (desktop), Enter (keyboard) ---------------------- */

  var ROOT = HERE.replace(/assets\/storymap\/$/, "");
  /* Phones: a tap shows the ward's box (Leaflet's tooltip is hidden by storymap.css for the
   * same media query); elsewhere a click opens the page. */
  var TAP_QUERY = "(pointer: coarse), (max-width: 640px)";

  function wardPage(i) {
    return "wards/" + DATA.boroughs.slugs[DATA.wards.borough[i]] + "/" + DATA.wards.codes[i] + ".html";
  }

  /* The box a tapped ward shows, fixed to the foot of the screen so it is always wholly on it:
   * name, borough, value, rank (as the tooltip says them) and a link to the ward's page. */
  function wardBox(ind, i) {
    var box = document.querySelector(".storymap-wardbox");
    if (!box) {
      box = document.createElement("div");
      box.className = "storymap-wardbox";
      box.setAttribute("role", "region");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    box.textContent = "";
    box.setAttribute("aria-label", DATA.wards.names[i]);
    box.appendChild(tooltipFor(ind, i));
    var open = document.createElement("a");
    open.className = "storymap-wardbox-open";
    open.href = ROOT + wardPage(i);
    open.textContent = "Open the " + DATA.wards.names[i] + " page";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "storymap-wardbox-close";
    close.textContent = "Close";
    close.addEventListener("click", function () { box.hidden = true; });
    var actions = document.createElement("p");
    actions.appendChild(open);
    actions.appendChild(close);
    box.appendChild(actions);
    box.hidden = false;
    return box;
  }

  function wardActions(choropleth) {
    var container = choropleth.map.getContainer();
    function openWard(code) {
      var i = wardIndex[code];
      var ind = DATA.indicators[choropleth.indicator];
      if (window.matchMedia && window.matchMedia(TAP_QUERY).matches) {
        wardBox(ind, i);
      } else {
        window.location.href = ROOT + wardPage(i);
      }
    }
    choropleth.wardLayer.on("click", function (event) {
      var code = event.layer && event.layer.feature && event.layer.feature.properties.c;
      if (code !== undefined && wardIndex[code] !== undefined) { openWard(code); }
    });
    container.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        var box = document.querySelector(".storymap-wardbox");
        if (box) { box.hidden = true; }
      }
      if (event.key !== "Enter") { return; }
      var codes = Object.keys(choropleth.layers);
      for (var k = 0; k < codes.length; k++) {
        var el = choropleth.layers[codes[k]].getElement && choropleth.layers[codes[k]].getElement();
        if (el && el === event.target) {
          event.preventDefault();
          window.location.href = ROOT + wardPage(wardIndex[codes[k]]);
          return;
        }
      }
    });
  }

  /* ---- step addresses: chapter.html#step-N opens step N; the address follows the reader ---- */

  function stepAddresses(story) {
    var steps = story.steps;
    var asked = /^#step-(\d+)$/.exec(window.location.hash);
    var first = asked ? steps[Number(asked[1]) - 1] : null;
    if (first) {
      story.activate(first, false);
      first.scrollIntoView({ block: "center" });
    }
    var moved = false;
    window.addEventListener("scroll", function () { moved = true; }, { passive: true });
    window.addEventListener("keydown", function () { moved = true; });
    var activate = story.activate;
    story.activate = function (step, animate) {
      activate.call(story, step, animate);
      var want = "#step-" + (steps.indexOf(step) + 1);
      if (moved && window.history.replaceState && window.location.hash !== want) {
        window.history.replaceState(window.history.state, "", want);  /* no new history entry */
      }
    };
  }

  /* ---- locate: which ward holds a point (for "Use my location") --------------------------- */

  function ringHolds(ring, x, y) {
    var inside = false;
    for (var a = 0, b = ring.length - 1; a < ring.length; b = a++) {
      var xa = ring[a][0], ya = ring[a][1], xb = ring[b][0], yb = ring[b][1];
      if ((ya > y) !== (yb > y) && x < (xb - xa) * (y - ya) / (yb - ya) + xa) { inside = !inside; }
    }
    return inside;
  }

  function polygonsOf(g) { return g.type === "Polygon" ? [g.coordinates] : g.coordinates; }

  /* Kilometres from (x, y) to the nearest edge of the rings, on a local flat projection. */
  function kmToRings(polygons, x, y) {
    var kx = 111.32 * Math.cos(y * Math.PI / 180), ky = 110.57, best = Infinity;
    polygons.forEach(function (rings) {
      rings.forEach(function (ring) {
        for (var a = 0; a + 1 < ring.length; a++) {
          var ax = (ring[a][0] - x) * kx, ay = (ring[a][1] - y) * ky;
          var bx = (ring[a + 1][0] - x) * kx, by = (ring[a + 1][1] - y) * ky;
          var dx = bx - ax, dy = by - ay, len = dx * dx + dy * dy;
          var t = len ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len)) : 0;
          var px = ax + t * dx, py = ay + t * dy;
          best = Math.min(best, Math.sqrt(px * px + py * py));
        }
      });
    });
    return best;
  }

  /* Promise of the ward holding (lon, lat): {inside, code, name, borough, page, area, km}; when
   * no ward holds it, the nearest ward and how far it is. Nothing leaves the browser. */
  function locate(lon, lat) {
    return new Promise(function (resolve) {
      var found = -1, nearest = -1, best = Infinity;
      GEO.wards.forEach(function (w, i) {
        if (found >= 0) { return; }
        var polygons = polygonsOf(w.g);
        var holds = polygons.some(function (rings) {
          var inside = ringHolds(rings[0], lon, lat);
          for (var h = 1; inside && h < rings.length; h++) {
            if (ringHolds(rings[h], lon, lat)) { inside = false; }
          }
          return inside;
        });
        if (holds) { found = i; return; }
        var km = kmToRings(polygons, lon, lat);
        if (km < best) { best = km; nearest = i; }
      });
      var i = found >= 0 ? found : nearest;
      resolve({ inside: found >= 0, code: DATA.wards.codes[i], name: DATA.wards.names[i],
                borough: DATA.boroughs.names[DATA.wards.borough[i]], page: wardPage(i),
                area: DATA.area, km: found >= 0 ? 0 : best });
    });
  }

  /* Each map element names what it shows in data-map; the map is made here, so pages need no
   * inline script (the site's Content-Security-Policy is script-src 'self'). */
  function startMaps() {
    Array.prototype.forEach.call(document.querySelectorAll(".storymap-leaflet[data-map]"),
      function (el) {
        if (window.Storymap.maps[el.id]) { return; }
        var settings = JSON.parse(el.getAttribute("data-map"));
        var map = L.map(el, {
          center: [51.49, -0.11], zoom: 10, zoomSnap: 0.25, scrollWheelZoom: false,
          attributionControl: !!settings.basemap
        });
        if (settings.basemap) {
          L.tileLayer(settings.basemap.url, { attribution: settings.basemap.attribution }).addTo(map);
        }
        window.Storymap.choropleth(map, settings);
      });
  }

  function startStories() {
    try {
      startMaps();
    } catch (error) {
      fallback();
      throw error;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".storymap-scrolly"), function (root) {
      var div = root.querySelector(".storymap-leaflet");
      var choropleth = div && window.Storymap.maps[div.id];
      if (choropleth) {
        root.storymap = new Story(root, choropleth);
        stepAddresses(root.storymap);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startStories);
  } else {
    setTimeout(startStories, 0);
  }

  window.Storymap = {
    Story: Story,
    data: DATA,
    geo: GEO,
    formatValue: formatValue,
    tooltipFor: tooltipFor,
    locate: locate,
    wardPage: wardPage,
    maps: {},
    choropleth: function (map, options) {
      var c = new Choropleth(map, options);
      window.Storymap.maps[map.getContainer().id] = c;
      return c;
    }
  };
})();
