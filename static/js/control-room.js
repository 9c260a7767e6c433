// The judging control room refreshes itself without a reload: its tables are fetched again every
// few seconds and swapped in, unless the organizer is in the middle of choosing a judge.
(function () {
  "use strict";
  var board = document.getElementById("control-board");
  var status = document.getElementById("board-status");
  if (!board) {
    return;
  }
  var REFRESH_MS = 10000;

  function busy() {
    return board.contains(document.activeElement) && document.activeElement.tagName === "SELECT";
  }

  function refresh() {
    if (document.visibilityState !== "visible" || busy()) {
      return;
    }
    fetch(board.dataset.boardUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw response;
        }
        return response.text();
      })
      .then(function (html) {
        board.innerHTML = html;
        var now = new Date();
        status.textContent = status.dataset.textUpdated.replace(
          "{time}",
          ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2) + ":" + ("0" + now.getSeconds()).slice(-2)
        );
      })
      .catch(function () {
        status.textContent = status.dataset.textFailed;
      });
  }

  window.setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", refresh);
})();
