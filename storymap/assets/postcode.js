/* storymap: the answer to a postcode search (written for this project; no dependencies).
 * search.js loads this file at a reader's first postcode query, so a search by name does not
 * download it. window.StorymapPostcode(key, getJSON, folder, root) answers with a promise of
 * {message, result}: the postcode's ward and its three nearest help points, or why there is
 * none (a PO box, a postcode outside the area with its borough, one not found).
 */
(function () {
  "use strict";

  /* The nearest help points of a postcode, as a sentence: names, what each is, and the
     straight-line distance (rounded when the site was built); "" without help points. */
  function nearestHelp(shard, inward) {
    var near = shard.n && shard.n[inward];
    if (!near || !shard.h) { return ""; }
    var said = [];
    for (var i = 0; i + 1 < near.length; i += 2) {
      var point = shard.h[near[i]];
      var c = near[i + 1];  /* rounded at build time: tens of metres, or 100 + tenths of a km */
      var far = c < 100 ? c * 10 + " m" : ((c - 100) / 10).toFixed(1) + " km";
      said.push(point[0] + ", " + far + " (" + point[1] + ")");
    }
    return " Nearest help, in a straight line: " + said.join(". ") + ".";
  }

  /* What a postcode search finds: its ward and its nearest help, or why not. */
  window.StorymapPostcode = function (key, getJSON, postcodesUrl, root) {
    var outward = key.split(" ")[0];
    return getJSON(postcodesUrl + "index.json").then(function (index) {
      if ((index.pobox || []).indexOf(outward) >= 0) {
        return { message: key + " is a PO box, not an address: its point is the delivery " +
          "office\u2019s. Search for your home postcode, or your ward\u2019s name." };
      }
      /* a London postcode outside the area (a site of a few boroughs): its borough */
      function elsewhere(borough) {
        return { message: key + " is in " + borough + ". This site covers only " + index.area +
          ": search for a place in it, or use the All places A\u2013Z page." };
      }
      if (index.outward.indexOf(outward) < 0) {
        var area = /^[A-Z]+/.exec(outward)[0];
        var not = { message: index.areas.indexOf(area) >= 0 ? key + " is not in " + index.area +
          "." : key + " was not found. Check the postcode, or search by the ward\u2019s name." };
        if (!index.outside) { return not; }
        return getJSON(postcodesUrl + index.outside).then(function (outside) {
          var where = outside[outward];
          if (!where) { return not; }
          if (where.indexOf(" and ") < 0) { return elsewhere(where); }
          /* a district shared by boroughs: which one this postcode is in is not shipped */
          return { message: key + " is outside " + index.area + ": its district, " + outward +
            ", is in " + where + ". This site covers only " + index.area + "." };
        }, function () { return not; });
      }
      return getJSON(postcodesUrl + outward + ".json").then(function (shard) {
        var at = shard.p[key.split(" ")[1]];
        if (at === undefined && shard.x && shard.x[key.split(" ")[1]]) {
          return elsewhere(shard.x[key.split(" ")[1]]);
        }
        if (at === undefined) {
          return { message: key + " was not found among " + index.area + "\u2019s postcodes. " +
            "Check the postcode, or search by the ward\u2019s name." };
        }
        var w = shard.w[at];
        return { message: key + " is in " + w[1] + ", " + w[2] + "." +
                          nearestHelp(shard, key.split(" ")[1]),
                 result: { title: w[1], url: root + w[3], where: "Ward in " + w[2] +
                           " (postcode " + key + ")",
                           credit: "Postcode data: " + index.attribution +
                             (index.help ? " Help points: " + index.help : "") } };
      });
    });
  };
})();
