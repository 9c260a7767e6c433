// A live board (the judging control room, the check-in dashboard) keeps itself current by asking only for
// what changed (festival/util/boards.py). Every data-seconds its stamp goes to data-index-url as
// If-None-Match: 304 means nothing changed. Otherwise the answer lists every row's key and digest; the
// rows whose digest differs from the one shown are fetched from data-rows-url and swapped in, rows gone
// are removed and the order is set again. When a table appears or empties, or very many rows changed,
// the whole board is fetched from data-board-url. The page never reloads under the reader, and nothing
// is polled while the tab is hidden or while a <select> on the board is being chosen from.
(function () {
  "use strict";
  var board = document.querySelector("[data-live-board]");
  if (!board) {
    return;
  }
  var status = document.getElementById(board.dataset.statusId || "");
  var seconds = Number(board.dataset.seconds) || 30;
  var MOST_ROWS = 200; // as festival/util/boards.py MOST_ROWS
  var stamp = board.dataset.stamp;
  var polling = false;

  function pad(n) {
    return ("0" + n).slice(-2);
  }

  function say(ok) {
    if (!status) {
      return;
    }
    var now = new Date();
    status.textContent = ok
      ? status.dataset.textUpdated.replace("{time}", pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds()))
      : status.dataset.textFailed;
  }

  function get(url, headers) {
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: headers }).then(function (response) {
      if (response.status !== 304 && !response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response;
    });
  }

  function stampOf(response) {
    return (response.headers.get("ETag") || "").replace(/^W\//, "").replace(/"/g, "") || stamp;
  }

  function bodies() {
    var found = {};
    board.querySelectorAll("[data-board-group]").forEach(function (body) {
      found[body.dataset.boardGroup] = body;
    });
    return found;
  }

  function rowsOf(body) {
    return Array.prototype.filter.call(body.children, function (row) {
      return row.dataset.row;
    });
  }

  function wholeBoard() {
    return get(board.dataset.boardUrl, { Accept: "text/html" }).then(function (response) {
      var next = stampOf(response);
      return response.text().then(function (html) {
        board.innerHTML = html;
        stamp = next;
      });
    });
  }

  function parseRow(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function apply(index) {
    var shown = bodies();
    var names = Object.keys(index.groups);
    var changed = [];
    var reshape = names.some(function (name) {
      return Boolean(shown[name]) !== index.groups[name].length > 0;
    });
    if (reshape) {
      return wholeBoard();
    }
    var digests = {};
    names.forEach(function (name) {
      if (shown[name]) {
        rowsOf(shown[name]).forEach(function (row) {
          digests[row.dataset.row] = row.dataset.digest;
        });
      }
      index.groups[name].forEach(function (pair) {
        if (digests[pair[0]] !== pair[1]) {
          changed.push(pair[0]);
        }
      });
    });
    if (changed.length > MOST_ROWS) {
      return wholeBoard();
    }
    var rowsUrl = new URL(board.dataset.rowsUrl, window.location.href);
    rowsUrl.searchParams.set("keys", changed.join(","));
    var fetched = changed.length
      ? get(rowsUrl.href, { Accept: "application/json" }).then(function (response) {
          return response.json();
        })
      : Promise.resolve({ rows: {} });
    return fetched.then(function (answer) {
      if (changed.some(function (key) { return !answer.rows[key]; })) {
        return wholeBoard(); // a row went between the two requests: take the board as it is now
      }
      names.forEach(function (name) {
        var body = shown[name];
        if (!body) {
          return;
        }
        var present = {};
        rowsOf(body).forEach(function (row) {
          present[row.dataset.row] = row;
        });
        var order = index.groups[name].map(function (pair) {
          return pair[0];
        });
        var sameOrder = order.join(",") === Object.keys(present).join(",");
        order.forEach(function (key) {
          var fresh = answer.rows[key] ? parseRow(answer.rows[key]) : null;
          if (fresh && present[key]) {
            present[key].replaceWith(fresh);
          }
          if (!sameOrder) {
            body.appendChild(fresh || present[key]);
          }
          delete present[key];
        });
        Object.keys(present).forEach(function (key) {
          present[key].remove();
        });
      });
      stamp = index.stamp;
    });
  }

  function poll() {
    var active = document.activeElement;
    if (polling || document.visibilityState !== "visible" || (board.contains(active) && active.tagName === "SELECT")) {
      return;
    }
    polling = true;
    get(board.dataset.indexUrl, { Accept: "application/json", "If-None-Match": '"' + stamp + '"' })
      .then(function (response) {
        return response.status === 304 ? null : response.json().then(apply);
      })
      .then(function () {
        say(true);
      })
      .catch(function () {
        say(false); // no network: what is shown stays until the next try
      })
      .then(function () {
        polling = false;
      });
  }

  window.setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", poll);
})();
