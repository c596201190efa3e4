/* storymap: the weights explorer on the method page. Recomputes the over-65 index in the
 * browser from window.STORYMAP_INDEX (written by storymap/pages/explorer.py) with the reader's
 * component weights, and redraws the page's index map and its list of highest wards. The maths
 * is storymap/figures/riskindex.py's, step for step, so the published weights give the build's
 * own scores, ranks and bands. Without this script the page shows the published index. */
(function () {
  "use strict";
  var INPUTS = window.STORYMAP_INDEX;
  var EXPLORE = "__explore";

  function settle(x) { return Number(x.toPrecision(12)); }

  /* Each indicator's share of the score: weights normalised within components, then across. */
  function effectiveWeights(componentWeights) {
    var total = 0, out = {};
    INPUTS.components.forEach(function (c) { total += componentWeights[c.id]; });
    INPUTS.components.forEach(function (c) {
      var within = 0;
      c.indicators.forEach(function (i) { within += i.weight; });
      c.indicators.forEach(function (i) {
        out[i.id] = within && total ? (i.weight / within) * (componentWeights[c.id] / total) : 0;
      });
    });
    return out;
  }

  function minmax(scores, groups) {
    var lo = {}, hi = {};
    scores.forEach(function (s, w) {
      var g = groups[w];
      if (!(g in lo) || s < lo[g]) { lo[g] = s; }
      if (!(g in hi) || s > hi[g]) { hi[g] = s; }
    });
    return scores.map(function (s, w) {
      var g = groups[w];
      return hi[g] > lo[g] ? 10 * (s - lo[g]) / (hi[g] - lo[g]) : 5;
    });
  }

  /* storymap/figures/indicators.py's class_breaks for quantiles: upper bounds, lowest first, of
   * classes of about equal counts, each closed where the running count comes nearest to an equal
   * share of the wards still to place; wards with the same figure always share a class. */
  function quantileBreaks(values, k) {
    var sorted = values.filter(isFinite).sort(function (a, b) { return a - b; });
    var distinct = [], cumulative = [];
    sorted.forEach(function (v, i) {
      if (!distinct.length || v !== distinct[distinct.length - 1]) {
        distinct.push(v);
        cumulative.push(0);
      }
      cumulative[cumulative.length - 1] = i + 1;
    });
    if (distinct.length <= k) { return distinct; }
    var ends = [], placed = 0, last = -1, total = sorted.length;
    for (var j = 0; j < k - 1; j++) {
      var target = placed + (total - placed) / (k - j);
      var lo = last + 1, hi = distinct.length - (k - j), best = lo;
      for (var t = lo + 1; t <= hi; t++) {
        if (Math.abs(cumulative[t] - target) < Math.abs(cumulative[best] - target)) { best = t; }
      }
      last = best;
      ends.push(distinct[last]);
      placed = cumulative[last];
    }
    ends.push(distinct[distinct.length - 1]);
    return ends;
  }

  /* A figure as the pages show it (storymap/figures/format.py's shown): rounded once to
   * ``places`` decimals, half away from zero, from its decimal digits (the shortest decimal that
   * reads back as the same number; toFixed would round the binary value, 2.675 to 2.67). */
  function roundShown(x, places) {
    if (!isFinite(x)) { return x; }
    var parts = Math.abs(x).toExponential().split("e");
    var digits = parts[0].replace(".", ""), keep = Number(parts[1]) + 1 + places;
    if (keep >= digits.length) { return x; }
    var whole = keep > 0 ? Number(digits.slice(0, keep)) : 0;
    if (keep >= 0 && digits.charAt(keep) >= "5") { whole += 1; }
    var out = Number(whole + "e-" + places);
    return x < 0 && out !== 0 ? -out : out;
  }
  function shownScore(s) { return roundShown(s, INPUTS.decimals); }

  /* Every ward's score, rank (1 = most at risk, ties share it) and colour (0 = least at risk). */
  function compute(componentWeights, groups) {
    var weights = effectiveWeights(componentWeights), ids = Object.keys(INPUTS.scaled);
    var n = INPUTS.scaled[ids[0]].length, scores = [];
    for (var w = 0; w < n; w++) {
      var s = 0;
      ids.forEach(function (id) { s += (INPUTS.scaled[id][w] / INPUTS.scale) * weights[id]; });
      scores.push(s);
    }
    if (INPUTS.scaling === "zscore") {
      scores = minmax(scores, INPUTS.scope === "borough" ? groups : scores.map(function () { return 0; }));
    }
    scores = scores.map(function (s) { return settle(Math.min(10, Math.max(0, s))); });
    var order = scores.map(function (s, i) { return i; }).sort(function (a, b) {
      return scores[b] - scores[a];
    });
    /* ranks and classes are made from the figures as shown: wards shown alike share both */
    var shown = scores.map(shownScore), rank = [];
    order.forEach(function (i, j) {
      rank[i] = j > 0 && shown[i] === shown[order[j - 1]] ? rank[order[j - 1]] : j + 1;
    });
    var breaks = INPUTS.banding === "quantiles" ? quantileBreaks(shown, INPUTS.bands)
                                                : INPUTS.breaks;
    var colour = shown.map(function (s) {
      var c = 0;
      while (c < breaks.length - 1 && s > breaks[c]) { c++; }
      return c;
    });
    return { values: scores, shown: shown, rank: rank, colour: colour, breaks: breaks };
  }

  function start() {
    var root = document.querySelector(".storymap-explorer");
    var S = window.Storymap;
    if (!root || !INPUTS || !S) { return; }
    var choropleth = S.maps[root.getAttribute("data-map-id")];
    if (!choropleth) { setTimeout(start, 50); return; }
    /* the map drawn, and the ward names and the index's figures loaded (storymap.js) */
    Promise.all([choropleth.ready, S.loadNames(), S.loadIndicator(INPUTS.id)]).then(function () {
      setUp(root, S, choropleth);
    });
  }

  function setUp(root, S, choropleth) {
    var form = root.querySelector("form.storymap-weights");
    var list = root.querySelector(".storymap-explorer-top");
    var status = root.querySelector(".storymap-explorer-status");
    var published = list.innerHTML, base = S.data.indicators[INPUTS.id];
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=range]"));
    var groups = S.data.wards.borough;

    function weightsNow() {
      var out = {};
      inputs.forEach(function (input) { out[input.name] = Number(input.value); });
      return out;
    }
    function isPublished() {
      return inputs.every(function (input) { return input.value === input.getAttribute("data-published"); });
    }
    function show(result) {
      var ind = {};
      Object.keys(base).forEach(function (key) { ind[key] = base[key]; });
      ind.values = result.shown;  /* printed as shown: rounded once, as the pages round */
      ind.rank = result.rank;
      ind.colour = result.colour;
      ind.short = base.short + " (your weights)";
      S.data.indicators[INPUTS.id + EXPLORE] = ind;
      choropleth.setIndicator(INPUTS.id + EXPLORE);
      var order = result.values.map(function (v, i) { return i; }).sort(function (a, b) {
        return result.rank[a] - result.rank[b] ||
          S.data.wards.names[a].localeCompare(S.data.wards.names[b]);
      });
      list.innerHTML = "";
      order.slice(0, INPUTS.top).forEach(function (i) {
        var li = document.createElement("li");
        li.textContent = S.data.wards.names[i] + " (" +
          S.data.boroughs.names[S.data.wards.borough[i]] + "): " + S.formatValue(ind, result.shown[i]);
        list.appendChild(li);
      });
      var ranges = [], low = Math.min.apply(null, result.shown);
      result.breaks.forEach(function (b) {
        ranges.push(S.formatValue(ind, low) + " to " + S.formatValue(ind, b));
        low = b;
      });
      status.textContent = "The map and the list show your weights. Bands from most to least " +
        "at risk: " + ranges.reverse().join("; ") + ".";
    }
    function update() {
      inputs.forEach(function (input) { input.nextElementSibling.textContent = input.value; });
      var weights = weightsNow(), total = 0;
      Object.keys(weights).forEach(function (k) { total += weights[k]; });
      if (isPublished()) { reset(); return; }
      if (total === 0) {
        status.textContent = "Give at least one part a weight above 0: the map still shows the " +
          "last weights that could be used.";
        return;
      }
      show(compute(weights, groups));
    }
    function reset() {
      inputs.forEach(function (input) {
        input.value = input.getAttribute("data-published");
        input.nextElementSibling.textContent = input.value;
      });
      choropleth.setIndicator(INPUTS.id);
      list.innerHTML = published;
      status.textContent = "Showing the published weights.";
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    form.addEventListener("reset", function (event) { event.preventDefault(); reset(); });
    form.hidden = false;
    root.setAttribute("data-ready", "");
  }

  window.StorymapWeights = {
    compute: compute, effectiveWeights: effectiveWeights, roundShown: roundShown
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setTimeout(start, 0); });
  } else {
    setTimeout(start, 0);
  }
})();
