/* storymap: fixes to the theme (Material for MkDocs) that its options cannot make.
 * 1. Load the search index only when a reader opens search. The theme (Material for MkDocs) requests search/search_index.json as every page loads; on a
 * slow connection that competes with the page itself. This runs before the theme's script and
 * holds that one request back until the search box is opened, focused or its shortcut pressed.
 * 2. Accessibility: name the search dialog, and let keyboard users scroll wide tables (a
 * scrolling box they can focus, named after its table's caption).
 * Written for this project; no dependencies. */
(function () {
  "use strict";
  var INDEX = /(^|\/)search\/search_index\.json(\?|#|$)/;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  var held = [];
  var wanted = false;

  function release() {
    if (wanted) { return; }
    wanted = true;
    document.documentElement.setAttribute("data-search-index", "requested");
    held.forEach(function (go) { go(); });
    held = [];
  }

  XMLHttpRequest.prototype.open = function (method, url) {
    this.storymapIndex = INDEX.test(String(url));
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    var xhr = this;
    var args = arguments;
    if (xhr.storymapIndex && !wanted) {
      held.push(function () { send.apply(xhr, args); });
      return undefined;
    }
    return send.apply(xhr, args);
  };

  function inSearch(target) {
    return !!(target && target.closest &&
      target.closest(".md-search, label[for='__search'], [data-md-component='search']"));
  }
  document.addEventListener("focusin", function (e) { if (inSearch(e.target)) { release(); } }, true);
  document.addEventListener("pointerdown", function (e) { if (inSearch(e.target)) { release(); } }, true);
  document.addEventListener("click", function (e) { if (inSearch(e.target)) { release(); } }, true);
  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === "__search") { release(); }
  }, true);
  /* The theme opens search with the keys f, s and /. */
  document.addEventListener("keydown", function (e) {
    if (e.key === "f" || e.key === "s" || e.key === "/") { release(); }
  }, true);
  /* A search already in the address (?q=, from a results link) needs the index at once. */
  if (/[?&]q=/.test(location.search)) { release(); }

  var dialog = document.querySelector(".md-search[role='dialog']");
  if (dialog && !dialog.hasAttribute("aria-label")) {
    var input = dialog.querySelector("input.md-search__input");
    dialog.setAttribute("aria-label", (input && input.getAttribute("aria-label")) || "Search");
  }

  /* The theme wraps plain tables in a scrolling box after this script has run; storymap's own
   * tables (with a class) scroll themselves (theme.css). Either is focusable while it scrolls. */
  function scrollableTables() {
    var boxes = document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset table[class]");
    Array.prototype.forEach.call(boxes, function (box) {
      var table = box.tagName === "TABLE";
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("data-storymap-scroll", "");
          if (!table) {
            var caption = box.querySelector("caption");
            box.setAttribute("role", "region");
            box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
          }
        }
      } else if (box.hasAttribute("data-storymap-scroll")) {
        ["tabindex", "data-storymap-scroll", "role", "aria-label"].forEach(function (name) {
          if (!table || name !== "aria-label") { box.removeAttribute(name); }
        });
      }
    });
  }
  window.addEventListener("load", scrollableTables);
  window.addEventListener("resize", scrollableTables);
  document.addEventListener("DOMContentLoaded", function () { setTimeout(scrollableTables, 0); });
})();
