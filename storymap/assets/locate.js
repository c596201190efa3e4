/* storymap: "Use my location" (written for this project; no dependencies).
 * search.js loads this file the first time a reader presses the button, so a search by name or
 * postcode does not download it. The browser's position (never sent anywhere) is looked up in
 * the ward shapes the site ships (Storymap.locate, storymap.js, loaded on demand): the answer
 * names the ward, links its page and names the three nearest help points with their
 * straight-line distances from where the reader is.
 */
(function () {
  "use strict";

  var loadScript = window.StorymapSearch.loadScript;  /* search.js, which loads this file */

  /* Storymap.locate, loading the ward shapes and storymap.js first on pages without a map. */
  function locator(form, root) {
    if (window.Storymap && window.Storymap.locate) { return Promise.resolve(window.Storymap.locate); }
    return fetch(form.getAttribute("data-map-scripts")).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (list) {
      if (list.index && !document.querySelector('link[data-storymap="index"]')) {
        var link = document.createElement("link");  /* where storymap.js finds the map files */
        link.rel = "preload";
        link.as = "fetch";
        link.crossOrigin = "anonymous";
        link.href = root + list.index;
        link.setAttribute("data-storymap", "index");
        document.head.appendChild(link);
      }
      return list.scripts.reduce(function (done, src) {
        return done.then(function () { return loadScript(root + src); });
      }, Promise.resolve());
    }).then(function () { return window.Storymap.locate; });
  }

  /* The help points (their file is named in map-scripts.json), fetched once, when first used. */
  var helpFile = null;
  function helpPoints(form, root) {
    if (!helpFile) {
      helpFile = fetch(form.getAttribute("data-map-scripts")).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (list) {
        if (!list.help) { return null; }
        return fetch(root + list.help).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        });
      });
      helpFile.catch(function () { helpFile = null; });
    }
    return helpFile;
  }

  /* A straight-line distance as the pages say it, rounded once: "450 m" (to 10 m) under 1 km,
   * else "1.4 km" (to 100 m). */
  function distanceText(m) {
    if (m < 995) { return (Math.floor(m / 10 + 0.5) * 10).toLocaleString("en-GB") + " m"; }
    return (Math.floor(m / 100 + 0.5) / 10).toFixed(1) + " km";
  }

  /* The three help points nearest a position, as a sentence ("" if none is within 10 km or the
   * file cannot be had): metres on the ground from the lengths of a degree of latitude and
   * longitude there (WGS 84), which over a few kilometres is within a metre or two of the
   * British National Grid distances the postcode answers give. */
  var NEAR_ENOUGH = 10000;
  function helpNear(form, root, lat, lon) {
    return helpPoints(form, root).then(function (data) {
      if (!data || !data.points.length) { return ""; }
      var phi = lat * Math.PI / 180;
      var ky = 111132.954 - 559.822 * Math.cos(2 * phi) + 1.175 * Math.cos(4 * phi);
      var kx = 111412.84 * Math.cos(phi) - 93.5 * Math.cos(3 * phi) + 0.118 * Math.cos(5 * phi);
      var near = data.points.map(function (p, i) {
        var dx = (p[3] / 1e5 - lon) * kx, dy = (p[2] / 1e5 - lat) * ky;
        return { d: Math.sqrt(dx * dx + dy * dy), i: i };
      }).sort(function (a, b) { return a.d - b.d || a.i - b.i; }).slice(0, 3);
      if (near[0].d > NEAR_ENOUGH) { return ""; }
      return " Nearest help, in a straight line from where you are: " + near.map(function (n) {
        var p = data.points[n.i];  /* p[1]: a library's hours (helppoints.js writes the same) */
        var what = typeof p[1] !== "number" ? p[1] :
          p[1] > 0 ? "library open " + p[1] + " hours a week" : "public library";
        return p[0] + ", " + distanceText(n.d) + " (" + what + ")";
      }).join(". ") + ".";
    }).catch(function () { return ""; });
  }

  /* What a press of the button does, for the search box ``form`` (search.js calls this when
   * the button is first pressed, then calls what it returns on each press). */
  function makeLocate(form, status, list, root, item) {
    function tell(text) {
      form.classList.add("is-telling");  /* keep the message in view after the button */
      status.textContent = text;
    }
    var FAILED = {
      1: "You did not allow this site to use your location, so nothing was looked up. You " +
         "can allow it in your browser\u2019s settings, or search by postcode or ward name.",
      2: "Your device could not tell where it is. Search by postcode or ward name instead.",
      3: "Finding your location took too long. Try again, or search by postcode or ward name."
    };
    function press() {
      list.textContent = "";
      tell("Finding your location\u2026 (it stays on this device)");
      navigator.geolocation.getCurrentPosition(function (position) {
        var lon = position.coords.longitude, lat = position.coords.latitude;
        var help = helpNear(form, root, lat, lon);
        locator(form, root).then(function (locate) { return locate(lon, lat); }).then(function (got) {
          return help.then(function (near) {
            if (got.inside) {
              tell("You are in " + got.name + ", " + got.borough + "." + near);
              item({ title: got.name, url: root + got.page,
                     where: "Ward in " + got.borough + " (where you are)" });
              return;
            }
            tell("Your location is outside " + got.area + ". The nearest ward is " + got.name +
                 ", " + got.borough + ", about " + got.km.toLocaleString("en-GB",
                 { maximumFractionDigits: got.km < 10 ? 1 : 0 }) + " km away." + near);
            item({ title: got.name, url: root + got.page, where: "Nearest ward, in " + got.borough });
          });
        }).catch(function () {
          tell("The ward shapes could not be loaded. Search by postcode or ward name instead.");
        });
      }, function (error) {
        tell(FAILED[error.code] || FAILED[2]);
      }, { enableHighAccuracy: false, timeout: 20000, maximumAge: 300000 });
    }
    return press;
  }


  window.StorymapLocate = makeLocate;
})();
