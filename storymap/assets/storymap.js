/* storymap: draws ward choropleths from the site's shared geometry and data scripts.
 * Written for this project; needs only Leaflet. Every map on a page reuses the same geometry. */
(function () {
  "use strict";
  var GEO = window.STORYMAP_GEO;
  var DATA = window.STORYMAP_DATA;
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

  function wardStyle(ind, i, highlighted) {
    var colour = ind.values[i] === null ? DATA.noData : ind.palette[ind.colour[i]];
    return {
      fillColor: colour,
      fillOpacity: 0.9,
      color: highlighted ? "#000000" : "#ffffff",
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
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (animate && !reduce) {
      this.map.flyToBounds(bounds, { padding: [12, 12], duration: 0.8 });
    } else {
      this.map.fitBounds(bounds, { padding: [12, 12], animate: false });
    }
    this.map.getContainer().setAttribute("data-focus", focus || "");
  };

  window.Storymap = {
    data: DATA,
    formatValue: formatValue,
    maps: {},
    choropleth: function (map, options) {
      var c = new Choropleth(map, options);
      window.Storymap.maps[map.getContainer().id] = c;
      return c;
    }
  };
})();
