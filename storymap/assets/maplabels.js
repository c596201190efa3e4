/* storymap: place names on the live maps, and the borough a step focuses on set apart.
 * Written for this project; needs storymap.js, which announces each map ("storymap:map", with
 * its data-map settings) and each step's state ("storymap:step") on the map's element. */
(function () {
  "use strict";
  if (!window.Storymap || !window.L) { return; }
  var DATA = null, wardIndex = {}, boroughIndex = {};
  /* The map's data arrives after the page (storymap.js loads it); the wards' codes only when
   * a step names wards (a view of boroughs does not fetch them). */
  var ready = window.Storymap.ready.then(function () {
    DATA = window.Storymap.data;
    DATA.boroughs.codes.forEach(function (code, i) { boroughIndex[code] = i; });
  });
  var codes = null;
  function wardCodes(state) {
    var named = (state.highlight && state.highlight.length) ||
      (state.focus && boroughIndex[state.focus] === undefined);
    if (!named) { return null; }
    if (!codes) {
      codes = window.Storymap.loadCodes().then(function (list) {
        list.forEach(function (code, i) { wardIndex[code] = i; });
      });
    }
    return codes;
  }

  /* The boroughs' names and places: a file every chapter shares (its name in the settings),
   * fetched when a view of the whole area first shows them. */
  function boroughLabels(settings, state) {
    if (!settings || state.focus || typeof settings.boroughs !== "string") { return null; }
    if (!settings.loading) {
      /* [b, lat, lon, dlat, dlon, ...]: the borough's place in the index, its first place
       * in ten-thousandths of a degree, then the others as differences from it */
      settings.loading = window.Storymap.loadFile(settings.boroughs).then(function (rows) {
        settings.boroughs = rows.map(function (row) {
          var places = [[row[1] / 1e4, row[2] / 1e4]];
          for (var k = 3; k + 1 < row.length; k += 2) {
            places.push([(row[1] + row[k]) / 1e4, (row[2] + row[k + 1]) / 1e4]);
          }
          return [DATA.boroughs.codes[row[0]], DATA.boroughs.names[row[0]], places];
        });
      }, function () { settings.boroughs = []; });  /* no names rather than no map */
    }
    return settings.loading;
  }

  /* A step focused on a borough (or on one of its wards) fades the wards outside it and draws
   * its boundary heavier. */
  function setEmphasis(choropleth, focus) {
    var b = null;
    if (focus && boroughIndex[focus] !== undefined) { b = boroughIndex[focus]; }
    else if (focus && wardIndex[focus] !== undefined) { b = DATA.wards.borough[wardIndex[focus]]; }
    if (b === choropleth.emphasis) { return; }  /* Choropleth.restyle fades by emphasis */
    choropleth.emphasis = b;
    choropleth.restyle();
    choropleth.boroughLayer.eachLayer(function (layer) {
      var mine = layer.feature.properties.b === b;
      layer.setStyle({ weight: mine ? 3.5 : 1.4, color: mine ? "#000000" : "#1a1a1a",
                       opacity: b === null || mine ? 1 : 0.5 });
      if (mine) { layer.bringToFront(); }
    });
    choropleth.map.getContainer().setAttribute("data-emphasis", b === null ? "" :
      DATA.boroughs.codes[b]);
  }

  /* Names on the map as HTML text (so they scale, translate and read aloud): the wards a step
   * highlights (or focuses on), then on a view of the whole area the boroughs, largest first;
   * a name that would overlap one already placed, or run off the map, is left out, except a
   * ward's, which moves beside its ward instead; a borough's name tries a few places inside
   * the borough. The build gives the names and their points
   * (storymap/pages/staticmap.py: the same labels as the step images). */
  function MapLabels(choropleth, labels) {
    var self = this;
    this.map = choropleth.map;
    this.labels = labels;
    this.layer = L.layerGroup().addTo(this.map);
    this.markers = {};
    this.shown = [];
    this.map.on("zoomend moveend resize", function () { self.place(); });
  }

  /* A long name on two lines, broken at the space nearest its middle (as the images do). */
  function wrapped(name) {
    if (name.length <= 11 || name.indexOf(" ") < 0) { return [name]; }
    var best = -1;
    for (var i = 0; i < name.length; i++) {
      if (name.charAt(i) === " " && (best < 0 ||
          Math.abs(i - name.length / 2) < Math.abs(best - name.length / 2))) { best = i; }
    }
    return [name.slice(0, best), name.slice(best + 1)];
  }

  MapLabels.prototype.marker = function (key, kind, name, lat, lon) {
    if (!this.markers[key]) {
      var text = document.createElement("span");
      text.className = "storymap-label-text";
      wrapped(name).forEach(function (line, k) {
        if (k) { text.appendChild(document.createElement("br")); }
        text.appendChild(document.createTextNode(line));
      });
      this.markers[key] = L.marker([lat, lon], {
        icon: L.divIcon({ className: "storymap-label storymap-label-" + kind, html: text,
                          iconSize: null }),
        interactive: false, keyboard: false
      });
    }
    return this.markers[key];
  };

  /* state: {focus, highlight} as a step sets them. */
  MapLabels.prototype.show = function (state) {
    var self = this, wards = this.labels.wards || {}, wanted = [];
    var named = (state.focus && wardIndex[state.focus] !== undefined ? [state.focus] : [])
      .concat(state.highlight || []);
    named.forEach(function (code) {
      var w = wards[code];
      if (w && wanted.indexOf(code) < 0) { wanted.push(code); }
    });
    this.shown = wanted.map(function (code) {
      var w = wards[code];
      return { kind: "ward", marker: self.marker("w" + code, "ward", w[0], w[1], w[2]) };
    });
    if (!state.focus) {
      (Array.isArray(this.labels.boroughs) ? this.labels.boroughs : []).forEach(function (b) {
        self.shown.push({ kind: "borough", places: b[2],
                          marker: self.marker("b" + b[0], "borough", b[1], b[2][0][0],
                                              b[2][0][1]) });
      });
    }
    this.layer.clearLayers();
    this.shown.forEach(function (item) { self.layer.addLayer(item.marker); });
    this.place();
  };

  var NUDGES = [[0, 0], [0, -1], [0, 1], [-1, 0], [1, 0], [0, -2], [0, 2], [-1, -1], [1, -1],
                [-1, 1], [1, 1]];

  MapLabels.prototype.place = function () {
    var box = this.map.getContainer(), frame = box.getBoundingClientRect();
    var placed = Array.prototype.map.call(box.querySelectorAll(".leaflet-control"),
      function (control) { return control.getBoundingClientRect(); });  /* keep clear of them */
    function free(r) {
      if (r.left < frame.left || r.right > frame.right || r.top < frame.top ||
          r.bottom > frame.bottom) { return false; }
      return !placed.some(function (p) {
        return r.left < p.right + 1 && p.left < r.right + 1 && r.top < p.bottom &&
          p.top < r.bottom;
      });
    }
    this.shown.forEach(function (item) {
      var el = item.marker.getElement();
      if (!el) { return; }
      var text = el.firstChild, ok = false, t;
      if (item.places) {  /* a borough's name: at one of its places inside it (the build's) */
        for (t = 0; t < item.places.length && !ok; t++) {
          item.marker.setLatLng(item.places[t]);
          ok = free(text.getBoundingClientRect());
        }
      }
      for (t = 0; !item.places && t < NUDGES.length && !ok; t++) {
        text.style.transform = "translate(-50%, -50%) translate(" + (NUDGES[t][0] * 55) + "%, " +
          (NUDGES[t][1] * 110) + "%)";
        ok = free(text.getBoundingClientRect());
      }
      if (!ok && item.kind === "ward") {  /* a ward the step names is always named */
        text.style.transform = "translate(-50%, -50%)";
        ok = true;
      }
      el.style.visibility = ok ? "" : "hidden";
      if (ok) { placed.push(text.getBoundingClientRect()); }
    });
  };

  function update(event) {
    var c = event.detail.choropleth, state = event.detail.state || {};
    if (event.type === "storymap:map") { c.labelSettings = state.labels || null; }
    c.labelState = state;  /* the latest wins when the data arrive */
    Promise.all([ready, c.drawn]).then(function () {
      return Promise.all([wardCodes(state), boroughLabels(c.labelSettings, state)]);
    }).then(function () {
      if (c.labelState !== state) { return; }
      setEmphasis(c, state.focus || null);
      if (c.labelSettings && !c.labels) { c.labels = new MapLabels(c, c.labelSettings); }
      if (c.labels) { c.labels.show({ focus: state.focus || null, highlight: state.highlight }); }
    });
  }
  document.addEventListener("storymap:map", update);
  document.addEventListener("storymap:step", update);
})();
