// What a signed-in device keeps for working without the network, in one place: the outbox of
// changes not yet on the server (localStorage, per user), the connection banner, the service
// worker that keeps judge pages openable offline, and clearing all of it at sign-out (after a
// warning when something was never sent). Confirmation before irreversible form posts, and focus
// on a refused form's error summary, too.
(function () {
  "use strict";
  var body = document.body;
  var userId = body.dataset.userId || "";
  var prefix = "festival.u" + userId + ".";

  var store = {
    key: function (kind, sheetId, clientId) {
      return prefix + kind + "." + sheetId + (clientId ? "." + clientId : "");
    },
    read: function (key) {
      try {
        return JSON.parse(localStorage.getItem(key) || "null");
      } catch (error) {
        return null;
      }
    },
    write: function (key, value) {
      localStorage.setItem(key, JSON.stringify(value));
    },
    // Unsent saves of one sheet (from this page and from earlier ones), oldest first.
    outbox: function (sheetId) {
      var start = prefix + "outbox." + (sheetId ? sheetId + "." : "");
      var found = [];
      for (var i = 0; i < localStorage.length; i += 1) {
        var key = localStorage.key(i);
        if (key.indexOf(start) === 0) {
          var entry = store.read(key);
          if (entry) {
            entry.key = key;
            found.push(entry);
          }
        }
      }
      return found.sort(function (a, b) {
        return a.created - b.created || a.seq - b.seq;
      });
    },
    clearUser: function () {
      var mine = [];
      for (var i = 0; i < localStorage.length; i += 1) {
        if (localStorage.key(i).indexOf("festival.") === 0) {
          mine.push(localStorage.key(i));
        }
      }
      mine.forEach(function (key) {
        localStorage.removeItem(key);
      });
    },
  };

  // The banner: online or not, how many changes wait, and whether offline reloads can work.
  var banner = document.getElementById("connection");
  var reachable = navigator.onLine;
  function renderBanner() {
    if (!banner) {
      return;
    }
    var waiting = store.outbox().length;
    banner.hidden = false;
    banner.classList.toggle("is-offline", !reachable);
    banner.querySelector(".connection-state").textContent = reachable ? banner.dataset.textOnline : banner.dataset.textOffline;
    banner.querySelector(".connection-pending").textContent = waiting
      ? banner.dataset.textPending.replace("{n}", String(waiting))
      : banner.dataset.textNonePending;
    banner.querySelector(".connection-offline-note").textContent = window.isSecureContext ? "" : banner.dataset.textInsecure;
    document.querySelectorAll("[data-pending-sheet]").forEach(function (badge) {
      badge.hidden = !store.outbox(badge.dataset.pendingSheet).length;
    });
  }
  function setReachable(value) {
    reachable = value;
    renderBanner();
  }
  window.addEventListener("online", function () {
    setReachable(true);
  });
  window.addEventListener("offline", function () {
    setReachable(false);
  });
  window.addEventListener("storage", renderBanner);

  // The service worker needs a secure context (HTTPS, or localhost); without one the pages still
  // work online and the outbox still keeps every change.
  var offlinePages = body.dataset.offlinePages;
  if (offlinePages && window.isSecureContext && "serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(body.dataset.serviceWorker, { scope: "/" })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        var pages = JSON.parse(offlinePages);
        var assets = Array.prototype.map.call(
          document.querySelectorAll("script[src], link[rel=stylesheet]"),
          function (node) {
            return node.src || node.href;
          }
        );
        if (pages.length && registration.active) {
          registration.active.postMessage({ type: "keep-pages", pages: pages, assets: assets, user: userId });
        }
      })
      .catch(function () {});
  }

  // Signing out of a shared tablet leaves nothing of this user behind; unsent changes are lost
  // with it, so the judge is asked first.
  document.querySelectorAll("form.sign-out").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var waiting = store.outbox().length;
      if (waiting && !window.confirm(form.dataset.textUnsent.replace("{n}", String(waiting)))) {
        event.preventDefault();
        return;
      }
      store.clearUser();
      if (window.caches) {
        caches.keys().then(function (names) {
          names.forEach(function (name) {
            caches.delete(name);
          });
        });
      }
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });

  // A refused form reloads at the top of the page: its summary takes the focus so a phone user sees it and a
  // screen reader reads it; each link in it then moves the focus to its field.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (target) {
          event.preventDefault();
          target.focus();
          target.scrollIntoView({ block: "center" });
        }
      });
    });
  }

  window.festivalOffline = { store: store, setReachable: setReachable, renderBanner: renderBanner };
  renderBanner();
})();
