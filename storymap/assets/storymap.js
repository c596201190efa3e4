/* storymap: draws ward choropleths from the site's map files (storymap/pages/mapfiles.py).
 * Written for this project; needs only Leaflet. Every map on a page shares the same shapes and
 * figures, each file fetched once, when a map first needs it: the index and the overview of
 * every ward's shapes at once, an indicator's figures when a map shows it, a borough's shapes
 * at full detail when a map is zoomed in on it (where the overview is simplified further), the
 * wards' codes and names when a step highlights wards or a tooltip opens. Decoding and drawing
 * run in slices between frames; wards are painted on one canvas (Leaflet's Canvas renderer),
 * so the page keeps no element per ward: keyboard and screen-reader readers get the same
 * figures from each step's summary and table. */
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

  /* Decoding goes a step at a time, so it can be spread over idle moments: each decoder's
   * step() does a little and returns true when it is done; its result is then in .result. */

  /* Arcs of [lon, lat] points on the grid, each point a step from the one before. */
  function arcDecoder(text, scale) {
    var n = null, x = 0, y = 0, at = 0, arcs = [];
    function point() { return [x / scale[0], y / scale[1]]; }
    return { result: arcs, step: function () {
      if (!n) { n = numbers(text); return n.length === 0; }
      for (var stop = at + 2000; at < n.length && at < stop;) {
        var head = n[at++], points = head % 2 ? [point()] : [];
        for (var k = Math.floor(head / 2); k > 0; k--) {
          x += signed(n[at++]);
          y += signed(n[at++]);
          points.push(point());
        }
        arcs.push(points);
      }
      return at >= n.length;
    } };
  }

  /* Each ward's polygons (lists of rings) joined from its arcs; uses[arc]: wards using it. */
  function wardDecoder(text, arcs, count) {
    var n = null, at = 0, stored = 0, once = [], wards = [], w = 0;
    var uses = arcs.map(function () { return []; });
    function arc() {
      var ref = n[at++], index;
      if (ref === 0) { index = stored++; once.push(index); }
      else { index = once.splice(once.length - 1 - Math.floor((ref - 1) / 2), 1)[0]; }
      uses[index].push(w);
      return ref === 0 || (ref - 1) % 2 ? arcs[index] : arcs[index].slice().reverse();
    }
    function list(item) {
      var items = [];
      for (var k = n[at++]; k > 0; k--) { items.push(item()); }
      return items;
    }
    function ring() {  /* its arcs share their end points */
      var points = [];
      list(arc).forEach(function (part) {
        Array.prototype.push.apply(points, points.length ? part.slice(1) : part);
      });
      return points;
    }
    return { result: { wards: wards, uses: uses }, step: function () {
      if (!n) { n = numbers(text); return count === 0; }
      for (var stop = w + 60; w < count && w < stop; w++) {
        wards.push(list(function () { return list(ring); }));
      }
      return w >= count;
    } };
  }

  /* Wards' shapes from a geometry payload: each ward {i: its index, c: its code once the codes
   * are loaded, g: GeoJSON}, and each borough's outline where all its wards are in the payload
   * (an arc its wards use once: across it another borough, or none). */
  function geoDecoder(raw, boroughOf, ids) {
    var arcs = arcDecoder(raw.arcs, raw.scale), wards = null, out = {};
    var count = ids ? ids.length : boroughOf.length;
    return { result: out, step: function () {
      if (!wards) {
        if (!arcs.step()) { return false; }
        wards = wardDecoder(raw.wards, arcs.result, count);
        return false;
      }
      if (!wards.step()) { return false; }
      var outlines = {};
      wards.result.uses.forEach(function (users, index) {
        var times = {};
        users.forEach(function (k) {
          var b = boroughOf[ids ? ids[k] : k];
          times[b] = (times[b] || 0) + 1;
        });
        Object.keys(times).forEach(function (b) {
          if (times[b] % 2) { (outlines[b] = outlines[b] || []).push(arcs.result[index]); }
        });
      });
      out.wards = wards.result.wards.map(function (polygons, k) {
        var i = ids ? ids[k] : k;
        var g = polygons.length === 1 ? { type: "Polygon", coordinates: polygons[0] }
                                      : { type: "MultiPolygon", coordinates: polygons };
        return { i: i, c: DATA.wards.codes ? DATA.wards.codes[i] : null, g: g };
      });
      out.boroughs = Object.keys(outlines).map(function (b) {
        return { b: +b, c: DATA.boroughs.codes[b],
                 g: { type: "MultiLineString", coordinates: outlines[b] } };
      }).sort(function (x, y) { return x.b - y.b; });
      return true;
    } };
  }

  function finish(decoder) {
    while (!decoder.step()) { /* all at once */ }
    return decoder.result;
  }

  function decodeGeo(raw, boroughOf, ids) { return finish(geoDecoder(raw, boroughOf, ids)); }

  /* Figures as shown; ranks from them (1 = most at risk, wards shown alike share the lowest,
   * as the pages rank them); colours from the ranks (the most at risk take the last colour). ``meta``: labels and colours; ``raw``: the figures' file. */
  function decodeIndicator(meta, raw) {
    var ind = {}, shown = [], figure = 0, above = 0, scale = Math.pow(10, raw.places);
    Object.keys(meta).forEach(function (key) { ind[key] = meta[key]; });
    Object.keys(raw).forEach(function (key) { ind[key] = raw[key]; });
    numbers(raw.values).forEach(function (n) { figure += signed(n); shown.push(figure); });
    var higher = meta.direction === "higher_is_more_risk";
    var order = shown.map(function (v, i) { return i; }).sort(function (a, b) {
      return higher ? shown[b] - shown[a] : shown[a] - shown[b];
    });
    ind.rank = [];
    order.forEach(function (i, j) {
      if (j > 0 && shown[i] !== shown[order[j - 1]]) { above = j; }
      ind.rank[i] = above + 1;
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

  /* each code: how many first characters it shares with the one before, then the rest */
  function decodeCodes(texts) {
    var previous = "";
    return texts.map(function (text) {
      previous = previous.slice(0, DIGIT[text.charAt(0)]) + text.slice(1);
      return previous;
    });
  }

  /* ---- loading the map files, each when a map first needs it --------------------------- */

  var DATA = null;   /* area, boroughs, wards {borough, codes, names}, indicators, noData */
  var GEO = null;    /* the overview: every ward's shapes and every borough's outline */
  var INDEX = null;  /* the index file: where the other files are, and the tiles */
  var BASE = "";     /* the folder of the map files */
  var loading = {};  /* file name -> promise of its contents */
  var READY = null;  /* promise of GEO */
  var codeIndex = null;
  var boroughIndex = {};

  function getJSON(name) {
    if (!loading[name]) {
      loading[name] = fetch(BASE + name, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error(name + ": " + r.status); }
        return r.json();
      });
    }
    return loading[name];
  }

  /* A decoder's steps run when the page is idle, about SLICE ms at a time, so no long task
   * holds up reading (on a slow phone as on a fast one: the slices are timed, not counted). */
  var SLICE = 8;
  function sliced(decoder) {
    return new Promise(function (resolve, reject) {
      function run() {
        try {
          var end = performance.now() + SLICE;
          while (performance.now() < end) {
            if (decoder.step()) { resolve(decoder.result); return; }
          }
          later(run);
        } catch (error) { reject(error); }
      }
      later(run);
    });
  }

  function later(run) {
    if (window.requestIdleCallback) { window.requestIdleCallback(run, { timeout: 100 }); }
    else { setTimeout(run, 0); }
  }

  function setData(data) {
    DATA = data;
    boroughIndex = {};
    DATA.boroughs.codes.forEach(function (code, b) { boroughIndex[code] = b; });
    window.Storymap.data = DATA;
  }

  function start() {
    if (window.STORYMAP_DATA && window.STORYMAP_GEO) {  /* a page with the payloads inline */
      var raw = window.STORYMAP_DATA;
      var indicators = {};
      Object.keys(raw.indicators).forEach(function (id) {
        indicators[id] = decodeIndicator(raw.indicators[id], raw.indicators[id]);
      });
      setData({ area: raw.area, noData: raw.noData, boroughs: raw.boroughs,
                wards: { borough: raw.wards.borough, codes: decodeCodes(raw.wards.codes),
                         names: raw.wards.names }, indicators: indicators });
      INDEX = { tiles: [], overview: { metres: 0 } };
      GEO = decodeGeo(window.STORYMAP_GEO, DATA.wards.borough);
      window.Storymap.geo = GEO;
      return Promise.resolve(GEO);
    }
    var link = document.querySelector('link[data-storymap="index"]');
    if (!link) { return Promise.reject(new Error("no map index on this page")); }
    BASE = link.href.replace(/[^/]*$/, "");
    return fetch(link.href, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("map index: " + r.status); }
      return r.json();
    }).then(function (index) {
      INDEX = index;
      index.tiles = index.tiles.map(function (box, b) {  /* thousandths: west, south, w, h */
        var bbox = [box[0] / 1e3, box[1] / 1e3, (box[0] + box[2]) / 1e3, (box[1] + box[3]) / 1e3];
        return { bbox: bbox, file: "tile-" + b + "." + index.tilesHash + ".json" };
      });
      var borough = [];  /* from runs: [[borough, how many wards in a row], ...] */
      index.wards.borough.forEach(function (run) {
        for (var k = 0; k < run[1]; k++) { borough.push(run[0]); }
      });
      setData({ area: index.area, noData: index.noData, boroughs: index.boroughs,
                wards: { borough: borough, codes: null, names: null },
                indicators: index.indicators });
      return getJSON(index.overview.file);
    }).then(function (raw) {
      return sliced(geoDecoder(raw, DATA.wards.borough));
    }).then(function (geo) {
      GEO = geo;
      window.Storymap.geo = GEO;
      return GEO;
    });
  }

  /* An indicator's figures, ranks and colours. */
  function loadIndicator(id) {
    var ind = DATA.indicators[id];
    if (!ind) { return Promise.reject(new Error("no indicator " + id)); }
    if (ind.rank) { return Promise.resolve(ind); }
    return getJSON(ind.file).then(function (raw) {
      if (!DATA.indicators[id].rank) { DATA.indicators[id] = decodeIndicator(ind, raw); }
      return DATA.indicators[id];
    });
  }

  function loadCodes() {
    var done = DATA.wards.codes ? Promise.resolve(DATA.wards.codes)
      : getJSON(INDEX.codes).then(function (texts) {
        if (!DATA.wards.codes) { DATA.wards.codes = decodeCodes(texts); }
        return DATA.wards.codes;
      });
    return done.then(function (codes) {
      if (!codeIndex) {
        codeIndex = {};
        codes.forEach(function (code, i) { codeIndex[code] = i; });
        GEO.wards.forEach(function (w) { w.c = codes[w.i]; });
      }
      return codes;
    });
  }

  function loadNames() {
    if (DATA.wards.names) { return Promise.resolve(DATA.wards.names); }
    return getJSON(INDEX.names).then(function (names) {
      DATA.wards.names = names;
      return names;
    });
  }

  /* A tile's wards at full detail and its borough's outline. */
  function loadTile(tile) {
    if (!tile.loaded) {
      tile.loaded = getJSON(tile.file).then(function (raw) {
        return sliced(geoDecoder(raw, DATA.wards.borough, raw.ids));
      });
    }
    return tile.loaded;
  }

  /* Everything: every indicator, the codes and names (tests, and readers of all of it). */
  function loadAll() {
    return READY.then(function () {
      return Promise.all([loadCodes(), loadNames()].concat(
        Object.keys(DATA.indicators).map(loadIndicator)));
    }).then(function () { return DATA; });
  }

  /* The index of the ward whose shape holds the point (-1 if none), from the shapes at full
   * detail: where the site has tiles, those around the point are fetched first. */
  function wardAt(lon, lat) {
    return READY.then(function () {
      var tiles = INDEX.tiles.filter(function (t) {
        return lon >= t.bbox[0] && lat >= t.bbox[1] && lon <= t.bbox[2] && lat <= t.bbox[3];
      });
      if (!tiles.length) { return GEO.wards; }
      return Promise.all(tiles.map(loadTile)).then(function (parts) {
        return [].concat.apply([], parts.map(function (part) { return part.wards; }));
      });
    }).then(function (wards) {
      for (var k = 0; k < wards.length; k++) {
        if (holds(wards[k].g, lon, lat)) { return wards[k].i; }
      }
      return -1;
    });
  }

  function holds(geometry, x, y) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.some(function (rings) {
      var inside = false;
      rings.forEach(function (ring) {  /* even-odd: a hole's crossings undo the outer ring's */
        for (var a = 0, b = ring.length - 1; a < ring.length; b = a++) {
          var p = ring[a], q = ring[b];
          if ((p[1] > y) !== (q[1] > y) &&
              x < (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]) + p[0]) { inside = !inside; }
        }
      });
      return inside;
    });
  }

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

  /* faded: a ward outside the borough a step focuses on (maplabels.js sets the emphasis). */
  function wardStyle(ind, i, highlighted, faded) {
    var colour = ind.values[i] === null ? DATA.noData : ind.palette[ind.colour[i]];
    var style = {
      fillColor: colour,
      fillOpacity: 0.9,
      color: edgeColour(colour, highlighted),
      weight: highlighted ? 3 : 0.6,
      opacity: 1
    };
    if (faded && !highlighted) {
      style.fillOpacity = 0.3;
      style.weight = 0.3;
      style.opacity = 0.5;
    }
    return style;
  }

  function styleKey(style) {
    return style.fillColor + style.color + style.weight + "/" + style.fillOpacity;
  }

  function tooltipFor(ind, i) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = DATA.wards.names[i];
    box.appendChild(name);
    var tied = 0;  /* wards sharing this rank: a tie is told as one */
    ind.rank.forEach(function (r) { if (r === ind.rank[i]) { tied++; } });
    var lines = [
      DATA.boroughs.names[DATA.wards.borough[i]],
      ind.short + ": " + formatValue(ind, ind.values[i]),
      (tied > 1 ? "Joint rank " : "Rank ") + ind.rank[i] + " of " + DATA.wards.borough.length +
        " in " + DATA.area + " (1 = most at risk)"
    ];
    lines.forEach(function (text) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(text));
    });
    return box;
  }

  /* ---- the choropleth: every ward on one canvas -------------------------------------------- */

  var EARTH = 40075016.686;  /* metres round the equator */

  function Choropleth(map, options) {
    var self = this;
    this.map = map;
    this.indicator = null;
    this.highlights = {};  /* ward index -> true */
    this.emphasis = null;  /* index of the borough a step sets apart, or null */
    this.layers = [];      /* ward index -> its layer */
    this.outlines = [];    /* borough index -> its outline */
    this.styled = [];      /* ward index -> the style it has */
    this.detailed = {};    /* tile file -> true, once its shapes replace the overview's */
    this.version = 0;
    this.renderer = L.canvas({ padding: 0.3 });
    this.state = { indicator: options.indicator, highlight: options.highlight || [],
                   focus: options.focus || null };
    this.drawn = READY.then(function () {
      return loadIndicator(self.state.indicator);
    }).then(function () { return self.draw(); });
    this.ready = this.drawn.then(function () {
      wardActions(self);
      return self.view(self.state, false, true);  /* draw() set the view already */
    }).then(function () { return self; });
    map.on("moveend", function () { self.detail(); });
  }

  /* The view is set first; the wards' layers are made a slice at a time, each styled as it is
   * made, and painted once, together. */
  Choropleth.prototype.draw = function () {
    var self = this;
    this.indicator = this.state.indicator;
    this.wardLayer = L.geoJSON(null, {
      renderer: this.renderer,
      style: function (feature) {
        var i = feature.properties.i, style = wardStyle(DATA.indicators[self.indicator], i, false,
                                                        self.faded(i));
        self.styled[i] = styleKey(style);
        return style;
      },
      onEachFeature: function (feature, layer) {
        var i = feature.properties.i;
        self.layers[i] = layer;
        layer.bindTooltip(function () {
          if (!DATA.wards.names) {  /* the names arrive with the first tooltip */
            loadNames().then(function () {
              if (layer.isTooltipOpen()) { layer.getTooltip().update(); }
            });
            return "\u2026";
          }
          return tooltipFor(DATA.indicators[self.indicator], i);
        }, { sticky: true });
      }
    });
    this.wardLayer.once("mouseover", function () { loadNames(); });
    this.boroughLayer = L.geoJSON(null, {
      renderer: this.renderer,
      interactive: false,
      style: function () { return { color: "#1a1a1a", weight: 1.4, fill: false }; },
      onEachFeature: function (feature, layer) { self.outlines[feature.properties.b] = layer; }
    });
    var first = this.state.focus && this.state.focus in boroughIndex ?
      GEO.wards.filter(function (w) {
        return DATA.wards.borough[w.i] === boroughIndex[self.state.focus];
      }) : GEO.wards;
    var bounds = shapesBounds(first);
    if (bounds && this.map.getSize().x > 0) {
      this.map.fitBounds(bounds, { padding: [12, 12], animate: false });
    }
    /* Leaflet 1.9's Canvas renderer paints what changed in the next frame; while the layers
     * are added, a slice at a time, it is held back, then paints them all once. */
    var renderer = this.renderer, holding = true;
    renderer._requestRedraw = function (layer) {
      if (!holding) { return L.Canvas.prototype._requestRedraw.call(this, layer); }
    };
    this.wardLayer.addTo(this.map);
    this.boroughLayer.addTo(this.map);
    var items = GEO.wards.map(function (w) {
      return [self.wardLayer, { type: "Feature", properties: { i: w.i }, geometry: w.g }];
    }).concat(GEO.boroughs.map(function (b) {
      return [self.boroughLayer, { type: "Feature", properties: { b: b.b }, geometry: b.g }];
    }));
    var at = 0;
    return sliced({ result: null, step: function () {
      var item = items[at++];
      if (item) { item[0].addData(item[1]); }
      return at >= items.length;
    } }).then(function () {
      holding = false;
      self.repaint();
      var el = self.map.getContainer();
      el.setAttribute("data-ward-count", String(GEO.wards.length));
      el.setAttribute("data-drawn", "true");
    });
  };

  /* The bounds of decoded shapes, before any layer is made of them. */
  function shapesBounds(wards) {
    var s = 90, w = 180, n = -90, e = -180;
    function walk(c) {
      if (typeof c[0] === "number") {
        if (c[0] < w) { w = c[0]; }
        if (c[0] > e) { e = c[0]; }
        if (c[1] < s) { s = c[1]; }
        if (c[1] > n) { n = c[1]; }
      } else { c.forEach(walk); }
    }
    wards.forEach(function (ward) { walk(ward.g.coordinates); });
    return e >= w ? L.latLngBounds([s, w], [n, e]) : null;
  }

  /* Show ``state`` (indicator, highlight: ward codes, focus: none, a borough or a ward code)
   * once what it needs is loaded; a later call wins over one still loading. */
  Choropleth.prototype.view = function (state, animate, keepView) {
    var self = this, version = ++this.version;
    this.state = state;
    var wards = state.highlight.length > 0 || (!!state.focus && !(state.focus in boroughIndex));
    return this.drawn.then(function () {
      return Promise.all([loadIndicator(state.indicator), wards ? loadCodes() : null]);
    }).then(function () {
      if (version !== self.version) { return; }
      self.indicator = state.indicator;
      self.highlights = {};
      state.highlight.forEach(function (code) {
        if (codeIndex && code in codeIndex) { self.highlights[codeIndex[code]] = true; }
      });
      self.restyle();
      self.map.getContainer().setAttribute("data-indicator", state.indicator);
      if (keepView) {
        self.map.getContainer().setAttribute("data-focus", state.focus || "");
        self.detail();
      } else {
        self.fit(state.focus, animate);
      }
    });
  };

  Choropleth.prototype.setIndicator = function (id) {
    if (!DATA || !DATA.indicators[id]) { return Promise.resolve(); }
    return this.view({ indicator: id, highlight: this.state.highlight, focus: this.state.focus });
  };

  Choropleth.prototype.setHighlights = function (codes) {
    return this.view({ indicator: this.state.indicator, highlight: codes, focus: this.state.focus });
  };

  Choropleth.prototype.setFocus = function (focus, animate) {
    return this.view({ indicator: this.state.indicator, highlight: this.state.highlight,
                       focus: focus }, animate);
  };

  /* Each ward's style for the indicator shown, kept on its layer (layer.options); the canvas
   * is painted again once, in the next frame, if any changed. */
  Choropleth.prototype.restyle = function () {
    var ind = DATA.indicators[this.indicator], changed = false;
    for (var i = 0; i < this.layers.length; i++) {
      var layer = this.layers[i];
      if (!layer) { continue; }
      var style = wardStyle(ind, i, !!this.highlights[i], this.faded(i));
      var key = styleKey(style);
      if (this.styled[i] !== key) {
        var thicker = layer.options.weight !== style.weight;
        L.Util.extend(layer.options, style);  /* what setStyle does, without a repaint each */
        if (thicker && layer._map) { layer._updateBounds(); }
        this.styled[i] = key;
        changed = true;
      }
    }
    var self = this;
    Object.keys(this.highlights).forEach(function (i) { self.layers[i].bringToFront(); });
    if (changed) { this.repaint(); }
  };

  Choropleth.prototype.faded = function (i) {
    return this.emphasis !== null && DATA.wards.borough[i] !== this.emphasis;
  };

  /* All of the canvas painted again in the next frame (Leaflet 1.9's Canvas renderer). */
  Choropleth.prototype.repaint = function () {
    var renderer = this.renderer;
    if (!renderer._map) { return; }
    renderer._redrawBounds = null;
    renderer._redrawRequest = renderer._redrawRequest ||
      L.Util.requestAnimFrame(renderer._redraw, renderer);
  };

  /* focus: null (the whole area), a borough code or a ward code. */
  Choropleth.prototype.fit = function (focus, animate) {
    var layers = [], self = this;
    if (focus && focus in boroughIndex) {
      var b = boroughIndex[focus];
      DATA.wards.borough.forEach(function (wb, i) {
        if (wb === b && self.layers[i]) { layers.push(self.layers[i]); }
      });
    } else if (focus && codeIndex && focus in codeIndex) {
      layers.push(this.layers[codeIndex[focus]]);
    } else {
      layers.push(this.wardLayer);
    }
    var bounds = null;
    layers.forEach(function (layer) {
      bounds = bounds ? bounds.extend(layer.getBounds()) : L.latLngBounds(layer.getBounds());
    });
    var size = this.map.getSize();
    this.map.getContainer().setAttribute("data-focus", focus || "");
    if (!bounds || !bounds.isValid() || size.x === 0 || size.y === 0) { return; }
    if (animate && !reducedMotion()) {
      this.map.flyToBounds(bounds, { padding: [12, 12], duration: 0.8 });
    } else {
      this.map.fitBounds(bounds, { padding: [12, 12], animate: false });
      this.detail();
    }
  };

  /* Zoomed in so far that the overview's shapes would be more than four pixels off (they are
   * simplified for a map of the whole area): the shapes of the tiles in view at full detail,
   * unless the view spans more than MAX_DETAIL tiles' boroughs (a view of much of England,
   * whose wards are a few pixels across: their detail would cost more than it shows). */
  var MAX_DETAIL = 60;
  Choropleth.prototype.detail = function () {
    if (!INDEX || !INDEX.tiles.length || !this.wardLayer) { return; }
    var centre = this.map.getCenter();
    var perPixel = EARTH * Math.cos(centre.lat * Math.PI / 180) /
      (256 * Math.pow(2, this.map.getZoom()));
    if (4 * perPixel >= INDEX.overview.metres) { return; }  /* off by four pixels at most */
    var view = this.map.getBounds(), self = this;
    var inView = INDEX.tiles.filter(function (tile) {
      return view.intersects(L.latLngBounds([tile.bbox[1], tile.bbox[0]],
                                            [tile.bbox[3], tile.bbox[2]]));
    });
    if (inView.length > MAX_DETAIL) { return; }
    inView.forEach(function (tile) {
      if (self.detailed[tile.file]) { return; }
      self.detailed[tile.file] = true;
      loadTile(tile).then(function (part) {
        part.wards.forEach(function (w) {
          var layer = self.layers[w.i];
          if (layer) {
            layer.setLatLngs(L.GeoJSON.coordsToLatLngs(w.g.coordinates,
                                                       w.g.type === "Polygon" ? 1 : 2));
          }
        });
        part.boroughs.forEach(function (b) {
          if (self.outlines[b.b]) {
            self.outlines[b.b].setLatLngs(L.GeoJSON.coordsToLatLngs(b.g.coordinates, 1));
          }
        });
      });
    });
  };

  /* ---- story steps: one sticky map per chapter, changed by the step in view ---------------- */

  /* Tell other scripts (maplabels.js: names and the focused borough) about a map and its steps:
   * an event on the map's element, with the map's settings or the step's state. */
  function announce(choropleth, name, detail) {
    var event = document.createEvent("CustomEvent");
    event.initCustomEvent(name, true, false, { choropleth: choropleth, state: detail });
    choropleth.map.getContainer().dispatchEvent(event);
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function stepState(step) {
    var highlight = step.getAttribute("data-highlight");
    return {
      indicator: step.getAttribute("data-indicator"),
      focus: step.getAttribute("data-focus") || null,
      highlight: highlight ? highlight.split(",") : [],
      help: step.getAttribute("data-help")  /* the help points it shows (helppoints.js), or null */
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
    if ("IntersectionObserver" in window) { this.watch(); }
    var resized = null;
    window.addEventListener("resize", function () {
      clearTimeout(resized);
      resized = setTimeout(function () { if (self.observer) { self.watch(); } }, 200);
    });
    /* Previous and Next (steps.step_turn): by click, touch or keyboard, as buttons are */
    root.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest(".step-go") : null;
      var step = button && self.steps[Number(button.getAttribute("data-go")) - 1];
      if (step) { self.go(step); }
    });
    if (this.steps.length) { this.activate(this.steps[0], false); }
  }

  /* Phones: the map sits above the steps (it spans the page's width); wider, beside them. */
  Story.prototype.mapAbove = function () {
    if (!this.sticky) { return 0; }
    var s = this.sticky.getBoundingClientRect();
    return s.width > 0.8 * document.documentElement.clientWidth ? s.height : 0;
  };

  /* A step becomes the active one as it crosses the reading line: the middle of the screen, or
   * on a phone a quarter of the way down the part the map leaves free, so the active step's
   * heading is never under the map. */
  Story.prototype.watch = function () {
    var self = this;
    if (this.observer) { this.observer.disconnect(); }
    var height = window.innerHeight, above = this.mapAbove();
    var line = above ? Math.round(above + 0.25 * (height - above)) : Math.round(height / 2);
    var inside = [];  /* the steps on the line now: a batch may tell of one that came and went */
    this.observer = new IntersectionObserver(function (entries) {
      var last = null;
      entries.forEach(function (entry) {
        var k = inside.indexOf(entry.target);
        if (entry.isIntersecting) {
          if (k < 0) { inside.push(entry.target); }
          last = entry.target;
        } else if (k >= 0) {
          inside.splice(k, 1);
        }
      });
      if (last && inside.indexOf(last) >= 0 && !self.going) { self.activate(last, true); }
    }, { rootMargin: -line + "px 0px " + -(height - line - 1) + "px 0px", threshold: 0 });
    this.steps.forEach(function (step) { self.observer.observe(step); });
  };

  /* Previous/Next: the step shown on the map at once, scrolled to with its heading clear of the
   * map (in one jump when the reader asks for reduced motion), and focused for the keyboard. */
  Story.prototype.go = function (step) {
    var self = this;
    this.activate(step, true);
    /* the steps the page passes on its way (or the click's own scrolling) do not take over */
    this.going = true;
    function arrived() { self.going = false; window.removeEventListener("scrollend", arrived); }
    window.addEventListener("scrollend", arrived);
    setTimeout(arrived, 1500);
    step.focus({ preventScroll: true });
    var above = this.mapAbove();
    var top = step.getBoundingClientRect().top + window.scrollY -
      (above ? above + 16 : 0.1 * window.innerHeight);
    window.scrollTo({ top: Math.max(0, top), behavior: reducedMotion() ? "auto" : "smooth" });
  };

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
    this.map.view(state, animate && !reducedMotion());
    announce(this.map, "storymap:step", state);
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

  /* Both the codes and the names of the wards, for a ward's box and its page's address. */
  function wardFacts() { return Promise.all([loadCodes(), loadNames()]); }

  function wardActions(choropleth) {
    var container = choropleth.map.getContainer();
    function openWard(i) {
      wardFacts().then(function () {
        var ind = DATA.indicators[choropleth.indicator];
        if (window.matchMedia && window.matchMedia(TAP_QUERY).matches) {
          wardBox(ind, i);
        } else {
          window.location.href = ROOT + wardPage(i);
        }
      });
    }
    choropleth.wardLayer.on("click", function (event) {
      var i = event.layer && event.layer.feature && event.layer.feature.properties.i;
      if (i !== undefined && DATA.wards.borough[i] !== undefined) { openWard(i); }
    });
    /* Keyboard: the map itself takes focus (Leaflet's arrow keys move it, + and - zoom); the
     * ward under the cross at its centre is told in words, and Enter opens its page. */
    var live = document.createElement("p");
    live.className = "storymap-centre-ward";
    live.setAttribute("aria-live", "polite");
    container.parentNode.insertBefore(live, container.nextSibling);
    var asked = 0;
    function centreWard() {
      var c = choropleth.map.getCenter();
      return wardAt(c.lng, c.lat);
    }
    function tellCentre() {
      var mine = ++asked;
      centreWard().then(function (i) {
        return wardFacts().then(function () {
          if (mine !== asked || document.activeElement !== container) { return; }
          var ind = DATA.indicators[choropleth.indicator];
          live.textContent = i < 0 ? "No ward at the centre of the map: move it with the arrow keys."
            : DATA.wards.names[i] + ", " + DATA.boroughs.names[DATA.wards.borough[i]] + ", " +
              ind.short + " " + formatValue(ind, ind.values[i]) + ". Press Enter to open its page.";
        });
      });
    }
    container.addEventListener("focus", function () {
      if (container.matches && container.matches(":focus-visible")) { tellCentre(); }
    });
    container.addEventListener("blur", function () { asked++; live.textContent = ""; });
    choropleth.map.on("moveend", function () {
      if (document.activeElement === container) { tellCentre(); }
    });
    container.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        var box = document.querySelector(".storymap-wardbox");
        if (box) { box.hidden = true; }
      } else if (event.key === "Enter" && event.target === container) {
        centreWard().then(function (i) { if (i >= 0) { openWard(i); } });
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
    window.addEventListener("pointerdown", function () { moved = true; });  /* Previous/Next */
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
   * no ward holds it, the nearest ward (on the overview's shapes) and how far it is. Nothing
   * leaves the browser. */
  function locate(lon, lat) {
    return wardAt(lon, lat).then(function (found) {
      return wardFacts().then(function () {
        var i = found, best = 0;
        if (found < 0) {
          best = Infinity;
          GEO.wards.forEach(function (w) {
            var km = kmToRings(polygonsOf(w.g), lon, lat);
            if (km < best) { best = km; i = w.i; }
          });
        }
        return { inside: found >= 0, code: DATA.wards.codes[i], name: DATA.wards.names[i],
                 borough: DATA.boroughs.names[DATA.wards.borough[i]], page: wardPage(i),
                 area: DATA.area, km: best };
      });
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
          attributionControl: !!settings.basemap, preferCanvas: true
        });
        if (settings.basemap) {
          L.tileLayer(settings.basemap.url, { attribution: settings.basemap.attribution }).addTo(map);
        }
        window.Storymap.choropleth(map, settings).ready.catch(function (error) {
          fallback();
          throw error;
        });
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

  window.Storymap = {
    Story: Story,
    data: null,  /* the index's data once it is loaded, figures as they are (loadAll) */
    geo: null,   /* the overview's shapes once they are loaded */
    formatValue: formatValue,
    tooltipFor: tooltipFor,
    loadAll: loadAll,
    /* each waits for the map index, so any script may call them as soon as it runs */
    loadIndicator: function (id) { return READY.then(function () { return loadIndicator(id); }); },
    loadNames: function () { return READY.then(loadNames); },
    loadCodes: function () { return READY.then(loadCodes); },
    loadFile: function (name) { return READY.then(function () { return getJSON(name); }); },
    wardAt: wardAt,
    locate: locate,
    wardPage: wardPage,
    maps: {},
    choropleth: function (map, options) {
      var c = new Choropleth(map, options);
      window.Storymap.maps[map.getContainer().id] = c;
      announce(c, "storymap:map", options);
      return c;
    }
  };
  READY = start();
  READY.catch(function () { fallback(); });
  window.Storymap.ready = READY;

  if (!window.L) { return; }  /* decoding only (a page that loads no Leaflet) */
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startStories);
  } else {
    setTimeout(startStories, 0);
  }
})();
