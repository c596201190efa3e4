/* storymap: the site's own script (written for this project; no dependencies).
 * 1. Search: the header's search box finds pages by title and text. Names match in part and
 *    without accents or apostrophes ("st pancras", "Kings Cross"). The index
 *    (search/search_index.json, written by the site generator) is fetched only when a reader
 *    first uses the box; without JavaScript the box stays hidden and the Contents remain.
 * 2. Tables wider than the screen scroll inside themselves (theme.css); one that scrolls is made
 *    focusable, so it scrolls from the keyboard too (looked at when the browser is idle, and
 *    when a <details> holding tables opens).
 * Nothing here runs at load but setting up the search box's listeners. */
(function () {
  "use strict";
  var SHOWN = 12;
  var form = document.querySelector("form.site-search");

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/['\u2019]/g, "").replace(/[^a-z0-9]+/g, " ").trim();
  }

  function plain(html) {
    var box = document.createElement("template");
    box.innerHTML = html;  /* a template's content is inert: nothing in it loads or runs */
    return (box.content.textContent || "").replace(/\s+/g, " ").trim();
  }

  function setUpSearch() {
    var input = form.querySelector("input");
    var list = form.querySelector(".search-results");
    var status = form.querySelector(".search-status");
    var indexUrl = form.getAttribute("data-index");
    var root = indexUrl.replace(/search\/search_index\.json$/, "");
    var docs = null;
    var loading = null;
    var timer = 0;

    function load() {
      if (!loading) {
        document.documentElement.setAttribute("data-search-index", "requested");
        status.textContent = "Loading the search index\u2026";
        loading = fetch(indexUrl).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        }).then(function (index) {
          var titles = {};
          docs = index.docs.map(function (doc) {
            var page = doc.location.split("#")[0];
            var text = plain(doc.text || "");
            if (doc.location === page) { titles[page] = doc.title; }
            return { url: root + doc.location, page: page, anchor: doc.location !== page,
                     depth: page.split("/").length,
                     title: plain(doc.title), words: " " + fold(doc.title), text: text,
                     body: " " + fold(text) };
          });
          docs.forEach(function (doc) {
            doc.where = doc.anchor ? "In \u201c" + plain(titles[doc.page] || "") + "\u201d"
              : doc.text.slice(0, 90) + (doc.text.length > 90 ? "\u2026" : "");
          });
          status.textContent = "";
        }).catch(function () {
          loading = null;
          status.textContent = "Search could not be loaded. Use the Contents to find a page.";
        });
      }
      return loading;
    }

    function score(doc, terms) {
      var inTitle = terms.every(function (t) { return doc.words.indexOf(" " + t) >= 0; });
      if (inTitle) { return (doc.anchor ? 2 : 3) + (doc.words.indexOf(" " + terms.join(" ")) >= 0 ? 1 : 0); }
      var inText = terms.every(function (t) {
        return doc.words.indexOf(" " + t) >= 0 || doc.body.indexOf(" " + t) >= 0;
      });
      return inText ? (doc.anchor ? 0.5 : 1) : 0;
    }

    function show() {
      var query = fold(input.value);
      list.textContent = "";
      if (!query) { status.textContent = ""; return; }
      if (!docs) { load().then(show); return; }
      var terms = query.split(" ");
      var hits = [];
      docs.forEach(function (doc, i) {
        var s = score(doc, terms);
        if (s > 0) { hits.push({ doc: doc, s: s, i: i }); }
      });
      /* best match first; then pages higher in the site (a borough before its wards), shorter
       * titles, and the site's own order */
      hits.sort(function (a, b) {
        return b.s - a.s || a.doc.depth - b.doc.depth ||
          a.doc.title.length - b.doc.title.length || a.i - b.i;
      });
      hits.slice(0, SHOWN).forEach(function (hit) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = hit.doc.url;
        link.textContent = hit.doc.title;
        item.appendChild(link);
        if (hit.doc.where) {
          var where = document.createElement("span");
          where.className = "search-where";
          where.textContent = hit.doc.where;
          item.appendChild(where);
        }
        list.appendChild(item);
      });
      var said = hits.length === 0 ? "No pages match \u201c" + input.value.trim() + "\u201d."
        : hits.length === 1 ? "1 page found."
          : hits.length > SHOWN ? hits.length + " pages found; the first " + SHOWN + " are shown."
            : hits.length + " pages found.";
      status.textContent = said;
    }

    function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

    form.hidden = false;
    input.addEventListener("focus", load);
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(show, 120);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      show();
      var first = links()[0];
      if (first) { first.focus(); }
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
    var asked = /[?&]q=([^&#]*)/.exec(location.search);
    if (asked) {
      input.value = decodeURIComponent(asked[1].replace(/\+/g, " "));
      show();
    }
  }

  /* Reads every table's widths first, then changes attributes: one layout, not one per table.
   * Tables in a closed <details> have no width yet: they are looked at when it opens. */
  function scrollableTables(within) {
    var tables = Array.prototype.filter.call(
      (within || document).querySelectorAll(".page-text table"),
      function (table) { return !table.closest("details:not([open])"); });
    var wide = tables.map(function (table) { return table.scrollWidth > table.clientWidth + 1; });
    tables.forEach(function (table, k) {
      if (wide[k]) {
        if (!table.hasAttribute("tabindex")) {
          table.setAttribute("tabindex", "0");
          table.setAttribute("data-storymap-scroll", "");
        }
      } else if (table.hasAttribute("data-storymap-scroll")) {
        table.removeAttribute("tabindex");
        table.removeAttribute("data-storymap-scroll");
      }
    });
  }

  /* Nothing the page needs to show itself: done when the browser is idle. */
  function whenIdle(work) {
    if (window.requestIdleCallback) { window.requestIdleCallback(work, { timeout: 2000 }); }
    else { setTimeout(work, 200); }
  }

  if (form && window.fetch && String.prototype.normalize) { setUpSearch(); }
  whenIdle(function () { scrollableTables(); });
  var resizing = 0;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { scrollableTables(); }, 200);
  });
  document.addEventListener("toggle", function (event) {
    if (event.target.open) { scrollableTables(event.target); }
  }, true);
})();
