// A page that keeps itself current (the check-in dashboard): every data-live-refresh seconds the same
// address is fetched and the marked region's content replaced, so the page never reloads under the reader
// (no lost scroll position or focus, which a <meta refresh> takes away); paused while the tab is hidden.
(function () {
  "use strict";
  var region = document.querySelector("[data-live-refresh]");
  if (!region) {
    return;
  }
  var seconds = Number(region.dataset.liveRefresh) || 30;

  function refresh() {
    if (document.hidden) {
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
        if (fresh) {
          region.innerHTML = fresh.innerHTML;
        }
      })
      .catch(function () {}); // no network: the figures shown stay until the next try
  }

  window.setInterval(refresh, seconds * 1000);
})();
