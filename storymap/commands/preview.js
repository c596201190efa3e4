/* storymap serve: live reload. Served by the preview server as /__storymap/reload.js and added
   to the HTML it serves as <script src>, so it runs under the site's own Content-Security-Policy
   (script-src 'self'; connect-src 'self'). The built and published site never holds it.

   It long-polls /__storymap/state?since=G: the server answers when the build state changes
   (a new good build, or a build error appearing or clearing), or after about 20 seconds. A new
   build reloads the page, keeping the reader's scroll position; an error shows in a banner
   (role=alert) over the last good build; the next good build clears it. */
(function () {
  "use strict";
  var me = document.currentScript;
  var shown = me ? Number(me.getAttribute("data-version")) : NaN;
  var scrollKey = "storymap-serve-scroll:" + location.pathname;
  var banner = null;

  try {
    var saved = sessionStorage.getItem(scrollKey);
    if (saved !== null) {
      sessionStorage.removeItem(scrollKey);
      window.addEventListener("load", function () { window.scrollTo(0, Number(saved) || 0); });
    }
  } catch (e) { /* storage may be switched off: the page still reloads */ }

  function showError(text) {
    if (!text) {
      if (banner) { banner.parentNode.removeChild(banner); banner = null; }
      return;
    }
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "storymap-serve-error";
      banner.setAttribute("role", "alert");
      banner.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:10000;margin:0;" +
        "padding:0.8em 1em;max-height:45vh;overflow:auto;background:#7a0000;color:#fff;" +
        "font:1rem/1.45 system-ui,sans-serif;border-top:4px solid #ffdd00";
      var title = document.createElement("p");
      title.style.cssText = "margin:0 0 0.4em;font-weight:bold";
      title.textContent = "The last save did not build. Showing the last version that worked.";
      var pre = document.createElement("pre");
      /* the site's own pre is light grey: white on it would not read (issue 25) */
      pre.style.cssText = "margin:0;padding:0;white-space:pre-wrap;font:1rem/1.4 monospace;" +
        "color:#fff;background:transparent";
      banner.appendChild(title);
      banner.appendChild(pre);
      document.body.appendChild(banner);
    }
    banner.lastChild.textContent = text + "\n\nFix the file and save it: this page updates itself.";
  }

  function reload() {
    try { sessionStorage.setItem(scrollKey, String(window.scrollY)); } catch (e) { /* ignore */ }
    location.reload();
  }

  function poll(since, wait) {
    var url = "/__storymap/state" + (since === null ? "" : "?since=" + since);
    fetch(url, {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (isNaN(shown)) { shown = state.version; }
        if (state.version !== shown && state.version > 0) { reload(); return; }
        showError(state.error);
        poll(state.generation, 0);
      })
      .catch(function () {
        /* the preview was stopped or is restarting: try again, more slowly */
        var next = Math.min(wait + 500, 3000);
        setTimeout(function () { poll(since, next); }, next);
      });
  }

  poll(null, 0);
})();
