/* storymap: the search box and "Use my location" (written for this project; no dependencies).
 * theme.js loads this file when a reader first uses the box or the button, so pages that are
 * only read do not download it.
 * 1. Search: the header's search box finds places (wards, then boroughs, each with its borough),
 *    then chapters and other pages. Names match from the start of any word, without accents or
 *    apostrophes ("st pancras", "Kings Cross"), and forgive one or two wrong, missing, extra or
 *    swapped letters ("Kilbern", "Westminister"). Nothing is fetched until a reader uses the box;
 *    then a name search fetches the pages' titles (search/titles.json) and one small place
 *    file, that of the query's first letter (search/places/<letter>.json), so what a search
 *    costs does not grow with the number of wards. The text of every page (MkDocs' index,
 *    search/search_index.json, many times larger) is fetched only for a query that names no
 *    place as typed (none, or only near misses), or when the reader asks for it (the button
 *    under a place's results). A postcode
 *    ("nw67ta", "NW6 7TA") fetches the
 *    list of outward codes and that outward code's file (search/postcodes/). Without JavaScript
 *    the box stays hidden and the "All places A-Z" page and the Contents remain.
 * 2. "Use my location": the button loads locate.js at its first press, which looks the
 *    browser's position up in the ward shapes and names the ward and the nearest help points.
 *    The button is left out where the browser has no geolocation.
 */
(function () {
  "use strict";
  var SHOWN_PLACES = 8, SHOWN_PAGES = 5;

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/['\u2019]/g, "").replace(/[^a-z0-9]+/g, " ").trim();
  }

  function plain(html) {
    var box = document.createElement("template");
    box.innerHTML = html;  /* a template's content is inert: nothing in it loads or runs */
    return (box.content.textContent || "").replace(/\s+/g, " ").trim();
  }

  /* ---- forgiving matching ------------------------------------------------------------------ */

  /* Edits a typed word may need: none for short words, one up to six letters, two beyond. */
  function allowedEdits(term) { return term.length <= 3 ? 0 : term.length <= 6 ? 1 : 2; }

  /* Letters to change, add, drop or swap (adjacent) to turn a into b; max + 1 once over max. */
  function editDistance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) { return max + 1; }
    var before = [], prev = [], row = [], i, j;
    for (j = 0; j <= b.length; j++) { prev[j] = j; }
    for (i = 1; i <= a.length; i++) {
      row = [i];
      var least = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
        var v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) === b.charAt(j - 2) &&
            a.charAt(i - 2) === b.charAt(j - 1)) { v = Math.min(v, before[j - 2] + 1); }
        row[j] = v;
        if (v < least) { least = v; }
      }
      if (least > max) { return max + 1; }
      before = prev;
      prev = row;
    }
    return prev[b.length];
  }

  /* How well one typed word matches the best of ``words``: 3 the whole word, 2 its start,
   * 1 within the allowed edits, 0.5 (the last word, still being typed) its start within them;
   * with the edits made. null: no match. */
  function termMatch(term, words, last) {
    var best = null, k = allowedEdits(term);
    words.forEach(function (word) {
      var got = null;
      if (word === term) { got = { q: 3, e: 0 }; }
      else if (word.indexOf(term) === 0) { got = { q: 2, e: 0 }; }
      else if (k > 0) {
        var d = editDistance(term, word, k);
        if (d <= k) { got = { q: 1, e: d }; }
        else if (last && word.length > term.length) {
          d = editDistance(term, word.slice(0, term.length), k);
          if (d <= k) { got = { q: 0.5, e: d }; }
        }
      }
      if (got && (!best || got.q > best.q || (got.q === best.q && got.e < best.e))) { best = got; }
    });
    return best;
  }

  /* Every typed word must match a word of the name: {q: summed quality, e: edits} or null. */
  function wordsMatch(terms, words) {
    var total = { q: 0, e: 0 };
    for (var t = 0; t < terms.length; t++) {
      var m = termMatch(terms[t], words, t === terms.length - 1);
      if (!m) { return null; }
      total.q += m.q;
      total.e += m.e;
    }
    return total;
  }

  /* ---- postcodes ------------------------------------------------------------------------- */

  var POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/;
  var OUTWARD = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/;

  /* "nw67ta", " NW6  7TA" -> "NW6 7TA"; null if it is not shaped like a postcode. */
  function postcodeKey(text) {
    var m = POSTCODE.exec(String(text).replace(/\s+/g, "").toUpperCase());
    return m ? m[1] + " " + m[2] : null;
  }

  /* Called by theme.js once this file has loaded; ``first`` is what the reader did first
   * ("focus", "input", "submit", "locate" or "query"), done now that search can answer. */
  function start(form, first) {
    var input = form.querySelector("input");
    var list = form.querySelector(".search-results");
    var status = form.querySelector(".search-status");
    var indexUrl = form.getAttribute("data-index");
    var titlesUrl = form.getAttribute("data-titles");
    var placesUrl = form.getAttribute("data-places");
    var namesUrl = form.getAttribute("data-names");
    var postcodesUrl = form.getAttribute("data-postcodes");
    var root = indexUrl.replace(/search\/search_index\.json$/, "");
    var files = {};
    var docs = null;
    var full = false;  /* whether docs hold every page's text, or only the titles */
    var loading = null, loadingTitles = null;
    var timer = 0;
    var asked = 0;

    function getJSON(url) {
      if (!files[url]) {
        files[url] = fetch(url).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        });
        files[url].catch(function () { delete files[url]; });
      }
      return files[url];
    }

    function makeDoc(location, title, text, where) {
      var page = location.split("#")[0];
      title = plain(title);
      return { url: root + location, page: page, anchor: location !== page,
               depth: page.split("/").length, title: title, words: " " + fold(title),
               titleWords: fold(title).split(" "), text: text, body: " " + fold(text),
               where: where };
    }

    /* The pages' titles alone (search/titles.json: [page, anchor, title, a page's first
       words]): enough for a name search; the whole index replaces them when it comes. */
    function loadTitles() {
      if (!titlesUrl) { return load(); }
      if (!loadingTitles) {
        loadingTitles = getJSON(titlesUrl).then(function (data) {
          if (full) { return; }
          var titles = {};
          data.docs.forEach(function (d) { if (!d[1]) { titles[data.pages[d[0]]] = d[2]; } });
          docs = data.docs.map(function (d) {
            var page = data.pages[d[0]];
            return makeDoc(d[1] ? page + "#" + d[1] : page, d[2], "",
                           d[1] ? "In \u201c" + plain(titles[page] || "") + "\u201d" : "Page");
          });
        }).catch(function (error) { loadingTitles = null; throw error; });
      }
      return loadingTitles;
    }

    function load() {
      if (!loading) {
        document.documentElement.setAttribute("data-search-index", "requested");
        loading = getJSON(indexUrl).then(function (index) {
          var titles = {};
          var all = index.docs.map(function (doc) {
            var page = doc.location.split("#")[0];
            if (doc.location === page) { titles[page] = doc.title; }
            return makeDoc(doc.location, doc.title, plain(doc.text || ""), "");
          });
          all.forEach(function (doc) {
            doc.where = doc.anchor ? "In \u201c" + plain(titles[doc.page] || "") + "\u201d"
              : doc.text.slice(0, 90) + (doc.text.length > 90 ? "\u2026" : "");
          });
          docs = all;
          full = true;
        }).catch(function (error) { loading = null; throw error; });
      }
      return loading;
    }

    function pageScore(doc, terms) {
      var inTitle = terms.every(function (t) { return doc.words.indexOf(" " + t) >= 0; });
      if (inTitle) { return (doc.anchor ? 2 : 3) + (doc.words.indexOf(" " + terms.join(" ")) >= 0 ? 1 : 0); }
      var inText = terms.every(function (t) {
        return doc.words.indexOf(" " + t) >= 0 || doc.body.indexOf(" " + t) >= 0;
      });
      if (inText) { return doc.anchor ? 0.5 : 1; }
      return wordsMatch(terms, doc.titleWords) ? 0.25 : 0;  /* a title with a typo */
    }

    function findPages(terms) {
      var hits = [];
      docs.forEach(function (doc, i) {
        var s = pageScore(doc, terms);
        if (s > 0) { hits.push({ doc: doc, s: s, i: i }); }
      });
      /* best match first; then pages higher in the site, shorter titles, the site's order */
      hits.sort(function (a, b) {
        return b.s - a.s || a.doc.depth - b.doc.depth ||
          a.doc.title.length - b.doc.title.length || a.i - b.i;
      });
      return hits.map(function (hit) {
        return { title: hit.doc.title, url: hit.doc.url, where: hit.doc.where };
      });
    }

    /* entries: [kind (0 ward, 1 borough, 2 help point, 3 place name), name, borough (a help
       point or a place name: what and where it is), page, other spellings' words] */
    function findPlaces(query, terms, entries) {
      var hits = [];
      entries.forEach(function (entry, i) {
        var folded = fold(entry[1]);
        var words = folded.split(" ").concat(entry[4] ? entry[4].split(" ") : []);
        var m = wordsMatch(terms, words);
        if (!m) { return; }
        var whole = folded === query ? 10 : 0;
        hits.push({ entry: entry, q: m.q + whole, e: m.e, i: i });
      });
      /* best match first, fewer edits, then wards before boroughs, shorter and A-Z */
      hits.sort(function (a, b) {
        return b.q - a.q || a.e - b.e || a.entry[0] - b.entry[0] ||
          a.entry[1].length - b.entry[1].length || (a.entry[1] < b.entry[1] ? -1 : 1);
      });
      return hits.map(function (hit) {
        var e = hit.entry;
        /* a help point's entry says what and where it is, and links its ward's page */
        return { title: e[1], url: root + e[3], exact: hit.e === 0,
                 where: e[0] === 0 ? "Ward in " + e[2] : e[0] === 1 ? "Borough" : e[2],
                 kind: e[0] };
      });
    }

    function item(result) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = result.title;
      li.appendChild(link);
      [["search-where", result.where], ["search-credit", result.credit]].forEach(function (p) {
        if (!p[1]) { return; }
        var span = document.createElement("span");
        span.className = p[0];
        span.textContent = p[1];
        li.appendChild(span);
      });
      list.appendChild(li);
      return li;
    }

    function count(n, one, many) { return n + " " + (n === 1 ? one : many); }

    function nameSearch(raw, query, mine) {
      var terms = query.split(" ");
      var letter = terms[0].charAt(0);
      /* the place names people use (Soho) are filed by their first three letters; the
         letter's file lists which files exist, so none is asked for in vain */
      var key = query.replace(/ /g, "").slice(0, 3);
      var places = getJSON(placesUrl + letter + ".json").then(function (data) {
        var listed = (data.names || "").match(/.{3}/g) || [];
        if (!namesUrl || listed.indexOf(key) < 0) { return data.places; }
        return getJSON(namesUrl + key + ".json").then(function (named) {
          return data.places.concat(named.places);
        }, function () { return data.places; });
      }, function () { return []; });  /* no place has a word starting with this letter */
      return Promise.all([full ? load() : loadTitles(), places]).then(function (got) {
        if (mine !== asked) { return; }
        var found = findPlaces(query, terms, got[1]);
        /* no place spelt so (only near misses, or none): the pages' words may be wanted */
        if (!full && !found.some(function (f) { return f.exact; })) {
          return load().then(function () { if (mine === asked) { answer(raw, terms, found); } });
        }
        answer(raw, terms, found);
      });
    }

    /* A button under a place's results: the pages' text too, once asked for. */
    function offerText(raw) {
      var li = document.createElement("li");
      li.className = "search-more";
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Search the text of every page for \u201c" + raw + "\u201d";
      button.addEventListener("click", function () {
        button.disabled = true;
        status.textContent = "Searching the text of every page\u2026";
        load().then(show).then(function () {
          var pages = list.querySelectorAll("li[data-page] a");
          (pages[0] || input).focus();
        }, function () { show(); });
      });
      li.appendChild(button);
      list.appendChild(li);
    }

    function answer(raw, terms, found) {
      var pages = findPages(terms);
      found.slice(0, SHOWN_PLACES).forEach(item);
      pages.slice(0, SHOWN_PAGES).forEach(function (result) { item(result).dataset.page = ""; });
      if (!found.length && !pages.length) {
        status.textContent = "No places or pages match \u201c" + raw + "\u201d. Check the " +
          "spelling, or try a postcode or the All places A\u2013Z page.";
        return;
      }
      var parts = [];
      if (found.length) { parts.push(count(found.length, "place", "places")); }
      if (pages.length) { parts.push(count(pages.length, "page", "pages")); }
      var shown = Math.min(found.length, SHOWN_PLACES) + Math.min(pages.length, SHOWN_PAGES);
      status.textContent = parts.join(" and ") + " found" +
        (shown < found.length + pages.length ? "; the best " + shown + " are shown." : ".");
      if (!full) { offerText(raw); }
    }

    /* What a postcode search finds (postcode.js, loaded at the first postcode query). */
    function postcodeSearch(key, mine) {
      return loadScript(form.getAttribute("data-postcode")).then(function () {
        return window.StorymapPostcode(key, getJSON, postcodesUrl, root);
      }).then(function (answer) {
        if (mine !== asked) { return; }
        if (answer.result) { item(answer.result); }
        status.textContent = answer.message;
      });
    }

    function show() {
      var raw = input.value.trim();
      var query = fold(raw);
      var mine = ++asked;
      list.textContent = "";
      form.classList.remove("is-telling");
      if (!query) { status.textContent = ""; return Promise.resolve(); }
      status.textContent = "Searching\u2026";
      var key = postcodeKey(raw);
      var squeezed = raw.replace(/\s+/g, "").toUpperCase();
      var work = key && postcodesUrl ? postcodeSearch(key, mine)
        : nameSearch(raw, query, mine).then(function () {
          if (mine !== asked || !postcodesUrl || !OUTWARD.test(squeezed) || list.firstChild) {
            return;
          }
          return getJSON(postcodesUrl + "index.json").then(function (index) {
            if (mine === asked && index.outward.indexOf(squeezed) >= 0) {
              status.textContent = "Type the whole postcode (" + squeezed +
                " and its last three characters) to find its ward.";
            }
          });
        });
      return work.catch(function () {
        if (mine === asked) {
          status.textContent = "Search could not be loaded. Use the Contents or the All " +
            "places A\u2013Z page to find a page.";
        }
      });
    }

    function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

    input.addEventListener("focus", function () { loadTitles().catch(function () {}); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(show, 120);
    });
    /* Enter opens the first result of a name search (a postcode's answer is read first: its
       status names the ward and the nearest help, so its link is focused instead) */
    function submit() {
      clearTimeout(timer);
      var named = !postcodeKey(input.value.trim());
      show().then(function () {
        var top = links()[0];
        if (top && named) { window.location.assign(top.href); } else if (top) { top.focus(); }
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
    });
    form.addEventListener("keydown", function (event) {
      var all = links();
      var at = all.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && all.length) {
        event.preventDefault();
        all[Math.min(at + 1, all.length - 1)].focus();
      } else if (event.key === "ArrowUp" && at >= 0) {
        event.preventDefault();
        if (at === 0) { input.focus(); } else { all[at - 1].focus(); }
      } else if (event.key === "Escape") {
        input.value = "";
        show();
        input.focus();
      }
    });
    var locate = setUpLocate(form, status, list, root, item);
    var query = /[?&]q=([^&#]*)/.exec(location.search);
    if (query) { input.value = decodeURIComponent(query[1].replace(/\+/g, " ")); }
    if (first === "locate" && locate) { locate(); }
    else if (first === "submit") { submit(); }
    else if (input.value.trim()) { show(); }
    else { loadTitles().catch(function () {}); }
  }

  /* ---- "Use my location" ------------------------------------------------------------------ */

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error(src)); };
      document.head.appendChild(script);
    });
  }

  /* The button (theme.js shows it only where the browser has geolocation): returns what a
   * press does. The code that finds the reader's ward and nearest help is locate.js
   * (``data-locate``), loaded at the first press. */
  function setUpLocate(form, status, list, root, item) {
    var button = form.querySelector(".search-locate");
    if (!button || button.hidden) { return null; }
    var ready = null;
    function press() {
      if (!ready) {
        ready = loadScript(form.getAttribute("data-locate")).then(function () {
          return window.StorymapLocate(form, status, list, root, item);
        });
        ready.catch(function () { ready = null; });
      }
      ready.then(function (locate) { locate(); }, function () {
        form.classList.add("is-telling");
        status.textContent = "Finding your location could not be loaded. Search by postcode " +
          "or ward name instead.";
      });
    }
    button.addEventListener("click", press);
    form.querySelector("input").addEventListener("input", function () {
      form.classList.remove("is-telling");
    });
    return press;
  }

  window.StorymapSearch = { start: start, fold: fold, editDistance: editDistance,
                           postcodeKey: postcodeKey, loadScript: loadScript };
})();
