/* storymap: sortable tables, written for this project (progressive enhancement).
 * A table with class "storymap-sortable" works without this script. The script puts a <button>
 * in each column heading (th with data-sort-type); the button sorts the rows by that column (numbers by data-sort, text by name), first
 * ascending then descending, and the heading's aria-sort says which way. Buttons are reachable
 * and operable by keyboard like any button. A heading that already holds a button.sort (the story
 * steps' tables) keeps it. This is the site's only table-sorting code. */
(function () {
  "use strict";

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-sort");
    if (raw === null) { raw = cell.textContent; }
    if (numeric) {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.trim().toLocaleLowerCase("en-GB");
  }

  function sortBy(table, th) {
    var headings = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var index = headings.indexOf(th);
    var numeric = th.getAttribute("data-sort-type") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric);
      var y = cellValue(b, index, numeric);
      var order = numeric ? x - y : x.localeCompare(y, "en-GB");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headings.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var status = table.querySelector(".storymap-sort-status");
    if (status) {
      status.textContent = "Sorted by " + th.textContent.trim() + ", " +
        (ascending ? "ascending" : "descending") + ".";
    }
  }

  function enhance(table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    var caption = table.caption;
    if (caption && !caption.querySelector(".storymap-sort-status")) {
      var status = document.createElement("span");
      status.className = "storymap-sort-status";
      status.setAttribute("aria-live", "polite");
      status.style.display = "block";
      caption.appendChild(status);
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (!th.hasAttribute("data-sort-type")) { return; }
      var existing = th.querySelector("button.sort");
      if (existing) {  /* the page already has the button: just make it work */
        existing.addEventListener("click", function () { sortBy(table, th); });
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "storymap-sort";
      button.style.cssText = "font:inherit;font-weight:700;color:inherit;background:none;" +
        "border:0;padding:0;cursor:pointer;text-align:inherit;text-decoration:underline";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th); });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.storymap-sortable"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
