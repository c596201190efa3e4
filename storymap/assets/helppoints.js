/* storymap: help points (public libraries and the team's own) on a story's live map.
 * Written for this project; needs storymap.js, which announces each map ("storymap:map", its
 * data-map settings name the help points' file) and each step ("storymap:step": a step that
 * shows help points lists them in data-help, as places in that file, or says "area": every
 * point inside the area). Each point is a marker a
 * keyboard reaches (Tab), named for screen readers with what it is; Enter or a click tells its
 * details. The step's "Help points on this map" list, written by the build, names the same
 * points. Everything from the data is written as text, never as markup. */
(function () {
  "use strict";
  if (!window.Storymap || !window.L) { return; }

  function icon() {
    return L.divIcon({ className: "storymap-help-point", html: "<span></span>",
                       iconSize: [24, 24], iconAnchor: [12, 12] });
  }

  /* What a point is, as the build writes it (storymap.pages.helptext.point_details): a
   * library's hours open a week (a number), or the team's own point's details (text). */
  function what(point) {
    if (typeof point[1] !== "number") { return point[1]; }
    return point[1] > 0 ? "library open " + point[1] + " hours a week" : "public library";
  }

  function details(point) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = point[0];
    var what_ = document.createElement("p");
    what_.textContent = what(point);
    box.appendChild(name);
    box.appendChild(what_);
    return box;
  }

  /* The dots' size follows the zoom (a view of all London shows hundreds): storymap.css sizes
   * them by the map's data-help-zoom; the target a finger or pointer hits stays 24 px. */
  function zoomClass(map) {
    var z = map.getZoom();
    map.getContainer().setAttribute("data-help-zoom", z < 11 ? "far" : z < 13 ? "mid" : "near");
  }

  function HelpLayer(choropleth, file) {
    var map = this.map = choropleth.map;
    this.file = file;
    /* under the place names (the marker pane), over the wards */
    if (!map.getPane("storymap-help")) { map.createPane("storymap-help").style.zIndex = 550; }
    this.layer = L.layerGroup();
    zoomClass(map);
    map.on("zoomend", function () { zoomClass(map); });
    this.markers = {};  /* place in the file -> its marker, made when first shown */
    this.points = null;
  }

  HelpLayer.prototype.load = function () {
    var self = this;
    if (!this.loading) {
      this.loading = window.Storymap.loadFile(this.file).then(function (data) {
        self.points = data.points;
      });
    }
    return this.loading;
  };

  HelpLayer.prototype.marker = function (i) {
    var point = this.points[i];
    if (!point) { return null; }
    if (!this.markers[i]) {
      var m = L.marker([point[2] / 1e5, point[3] / 1e5], { icon: icon(), keyboard: true, title: point[0],
                                               pane: "storymap-help" });
      m.bindPopup(function () { return details(point); }, { maxWidth: 260 });
      m.on("add", function () {
        var el = m.getElement();
        el.setAttribute("aria-label", point[0] + ": " + what(point));
        el.setAttribute("data-help-point", String(i));
      });
      this.markers[i] = m;
    }
    return this.markers[i];
  };

  HelpLayer.prototype.show = function (places) {
    var self = this;
    this.layer.clearLayers();
    places.forEach(function (i) {
      var m = self.marker(i);
      if (m) { self.layer.addLayer(m); }
    });
    if (!this.map.hasLayer(this.layer)) { this.layer.addTo(this.map); }
    this.map.getContainer().setAttribute("data-help-shown", String(places.length));
  };

  HelpLayer.prototype.hide = function () {
    this.map.closePopup();
    this.layer.clearLayers();
    this.map.getContainer().setAttribute("data-help-shown", "0");
  };

  function update(event) {
    var c = event.detail.choropleth, state = event.detail.state || {};
    if (event.type === "storymap:map") {
      if (state.help && !c.helpLayer) { c.helpLayer = new HelpLayer(c, state.help); }
      return;
    }
    var layer = c.helpLayer;
    if (!layer) { return; }
    c.helpState = state;  /* the latest step wins when the file arrives */
    if (typeof state.help !== "string") { layer.hide(); return; }
    Promise.all([c.drawn, layer.load()]).then(function () {
      if (c.helpState !== state) { return; }
      /* "area": every point inside the area; else the places of the points, in the file */
      var places = [];
      if (state.help === "area") {
        layer.points.forEach(function (p, i) { if (p[4]) { places.push(i); } });
      } else if (state.help) {
        places = state.help.split(",").map(Number);
      }
      layer.show(places);
    });
  }
  document.addEventListener("storymap:map", update);
  document.addEventListener("storymap:step", update);
})();
