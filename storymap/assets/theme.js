/* storymap: the site's own script (written for this project; no dependencies).
 * 1. Search: shows the header's search box and, where the browser has geolocation, the "Use my
 *    location" button; the first time a reader uses either, it loads search.js (the matching,
 *    postcodes and location code) and hands over. Without JavaScript the box stays hidden and
 *    the "All places A-Z" page and the Contents remain.
 * 2. Tables wider than the screen scroll inside themselves (theme.css); one that scrolls is made
 *    focusable, so it scrolls from the keyboard too (looked at when the browser is idle, and
 *    when a <details> holding tables opens).
 * Nothing here runs at load but setting up the search box's listeners. */
(function () {
  "use strict";
  var form = document.querySelector("form.site-search");

  function setUpSearch() {
    var input = form.querySelector("input");
    var status = form.querySelector(".search-status");
    var button = form.querySelector(".search-locate");
    var started = false, loading = false, wanted = null;
    var FIRST = { focus: 0, query: 0, input: 1, submit: 2, locate: 3 };  /* what to do on load */
    if (button && "geolocation" in navigator && form.getAttribute("data-map-scripts")) {
      button.hidden = false;
    } else if (button) {
      button.parentNode.removeChild(button);
    }
    function begin(first) {
      if (started) { return; }
      if (wanted === null || FIRST[first] >= FIRST[wanted]) { wanted = first; }
      if (loading) { return; }
      loading = true;
      document.documentElement.setAttribute("data-search-index", "requested");
      status.textContent = "Loading the search\u2026";
      var script = document.createElement("script");
      script.src = form.getAttribute("data-script");
      script.onload = function () {
        started = true;
        status.textContent = "";
        window.StorymapSearch.start(form, wanted);
      };
      script.onerror = function () {
        loading = false;
        wanted = null;
        status.textContent = "Search could not be loaded. Use the Contents or the All places " +
          "A\u2013Z page to find a page.";
      };
      document.head.appendChild(script);
    }
    form.hidden = false;
    input.addEventListener("focus", function () { begin("focus"); });
    input.addEventListener("input", function () { begin("input"); });
    form.addEventListener("submit", function (event) {
      if (!started) { event.preventDefault(); begin("submit"); }
    });
    if (button) { button.addEventListener("click", function () { begin("locate"); }); }
    if (/[?&]q=/.test(location.search)) { begin("query"); }
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
