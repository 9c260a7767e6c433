// What a signed-in device keeps for working without the network, in one place: the outbox of
// changes not yet on the server (localStorage, per user), sent from whichever judge page is open;
// the connection banner and the list's "waiting" badges; the service worker that keeps judge pages
// openable offline; and wiping all of it: at sign-out (after a warning when something was never
// sent), when the account was signed out of every device, and when it is older than the set time.
// A change belongs to the session it was made in: one left by an ended session is never sent
// silently, it is shown at the next sign-in to keep or drop. A sign-out in one tab locks the
// others at once. Confirmation before irreversible form posts, and focus on a refused form's error
// summary, too.
(function () {
  "use strict";
  var body = document.body;
  var userId = body.dataset.userId || "";
  var session = body.dataset.session || "";
  var prefix = "festival.u" + userId + ".";
  var HOUR_MS = 3600 * 1000;
  var renderedAt = Number(body.dataset.renderedAt || "0");
  var newest = true; // this page was made after every other page this device kept of this user
  // A copy kept for offline use may be older than the session the device signed in with since:
  // it goes on with the newest session known here (changes made on it belong to that one).
  if (userId && session) {
    var known = JSON.parse(localStorage.getItem(prefix + "session") || "null");
    if (known && known.rendered > renderedAt) {
      session = known.session;
      newest = false;
    } else {
      localStorage.setItem(prefix + "session", JSON.stringify({ session: session, rendered: renderedAt }));
    }
  }
  var keepMs = Number(body.dataset.keepHours || "24") * HOUR_MS;
  var nativeFetch = window.fetch.bind(window);

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
    keys: function (start) {
      var found = [];
      for (var i = 0; i < localStorage.length; i += 1) {
        var key = localStorage.key(i);
        if (key.indexOf(start) === 0) {
          found.push(key);
        }
      }
      return found;
    },
    // Unsent saves of one sheet, or of the whole device (the gate's scans too), oldest first.
    outbox: function (sheetId) {
      var found = store.keys(prefix + "outbox." + (sheetId ? sheetId + "." : "")).map(function (key) {
        var entry = store.read(key);
        if (entry) {
          entry.key = key;
        }
        return entry;
      });
      return found
        .filter(function (entry) {
          return entry;
        })
        .sort(function (a, b) {
          return a.created - b.created || a.seq - b.seq;
        });
    },
    // The score sheets' changes only (the gate's scans wait under outbox.gate and go their own way).
    sheetChanges: function (sheetId) {
      return store.outbox(sheetId).filter(function (entry) {
        return /\.outbox\.\d+\./.test(entry.key);
      });
    },
    clearUser: function () {
      store.keys("festival.").forEach(function (key) {
        localStorage.removeItem(key);
      });
    },
  };

  // A change made in this page's session (or saved before changes carried one).
  function ours(entry) {
    return entry.session === undefined || entry.session === session;
  }
  // Changes this page may send now, and changes of an ended session, waiting for the judge.
  function sendable(sheetId) {
    return store.sheetChanges(sheetId).filter(function (entry) {
      return ours(entry) && entry.url && !entry.refused && !entry.holding;
    });
  }
  function leftOver() {
    return session ? store.sheetChanges().filter(function (entry) { return !ours(entry); }) : [];
  }

  function emit(kind, detail) {
    detail.kind = kind;
    document.dispatchEvent(new CustomEvent("festival:outbox", { detail: detail }));
  }

  // ---- wiping what the device keeps ------------------------------------------------------

  // What this page load drops of the kept pages (expired, or after a sign-out): the pages it then asks the
  // service worker to keep are written after it, or the drop would take them too.
  var pagesDropped = Promise.resolve();
  function dropPageCaches() {
    if (!window.caches) {
      return Promise.resolve();
    }
    return caches.keys().then(function (names) {
      return Promise.all(
        names
          .filter(function (name) {
            return name.indexOf("festival-pages-") === 0 || name === "festival-meta";
          })
          .map(function (name) {
            return caches.delete(name);
          })
      );
    });
  }

  var wiped = false;
  // The account was signed out of every device (or locked): nothing of it stays on this one.
  function wipe() {
    if (wiped) {
      return;
    }
    wiped = true;
    locked = true;
    store.clearUser();
    dropPageCaches().then(function () {
      if (body.dataset.loginUrl && !body.dataset.sessionEnded) {
        window.location.assign(body.dataset.loginUrl);
      }
    });
  }

  // Any answer may say the session was revoked: the gate's list refresh, a save, a page.
  window.fetch = function () {
    return nativeFetch.apply(null, arguments).then(function (response) {
      if (response.headers.get("X-Festival-Session") === "ended") {
        wipe();
      }
      return response;
    });
  };

  // Kept data older than the set time goes: sheets and states kept, and changes never sent.
  function expireOld() {
    var now = Date.now();
    var keptKey = prefix + "kept-at";
    var rendered = renderedAt * 1000;
    var keptAt = Number(localStorage.getItem(keptKey) || "0");
    if (keptAt && now - keptAt > keepMs) {
      store.keys(prefix).forEach(function (key) {
        if (key.indexOf(prefix + "outbox.") !== 0 || (store.read(key) || {}).created < now - keepMs) {
          localStorage.removeItem(key);
        }
      });
      pagesDropped = dropPageCaches().catch(function () {});
    }
    if (userId && rendered && now - rendered < keepMs) {
      localStorage.setItem(keptKey, String(Math.max(rendered, Number(localStorage.getItem(keptKey) || "0"))));
    }
  }

  // ---- the banner and the list's badges --------------------------------------------------

  var banner = document.getElementById("connection");
  var reachable = navigator.onLine;
  function renderBanner() {
    renderLeftOver();
    if (!banner) {
      return;
    }
    var waiting = sendable().length;
    banner.hidden = false;
    banner.classList.toggle("is-offline", !reachable);
    banner.querySelector(".connection-state").textContent = reachable ? banner.dataset.textOnline : banner.dataset.textOffline;
    banner.querySelector(".connection-pending").textContent = waiting
      ? banner.dataset.textPending.replace("{n}", String(waiting))
      : banner.dataset.textNonePending;
    banner.querySelector(".connection-offline-note").textContent = window.isSecureContext ? "" : banner.dataset.textInsecure;
    document.querySelectorAll("[data-pending-sheet]").forEach(function (badge) {
      badge.hidden = !store.sheetChanges(badge.dataset.pendingSheet).length;
    });
  }
  function setReachable(value) {
    reachable = value;
    renderBanner();
  }
  window.addEventListener("online", function () {
    setReachable(true);
    flush();
  });
  window.addEventListener("offline", function () {
    setReachable(false);
  });
  window.addEventListener("storage", renderBanner);

  // ---- changes left by an ended session: shown, kept or dropped by the judge --------------

  var leftOverBox = document.getElementById("left-over");
  function renderLeftOver() {
    if (!leftOverBox) {
      return;
    }
    var entries = leftOver();
    leftOverBox.hidden = !entries.length;
    var list = leftOverBox.querySelector("ul");
    list.textContent = "";
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      item.className = "mb-2";
      var what = (entry.changes || [])
        .map(function (change) {
          return change.label + ": " + change.value;
        })
        .join("; ");
      item.appendChild(document.createTextNode((entry.title || "#" + entry.sheet) + " — " + (what || leftOverBox.dataset.textSame) + " "));
      [
        ["keep", "btn-primary", leftOverBox.dataset.textKeep],
        ["drop", "btn-outline-danger", leftOverBox.dataset.textDrop],
      ].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn ms-1 mt-1 " + choice[1];
        button.textContent = choice[2];
        button.dataset.choice = choice[0];
        button.addEventListener("click", function () {
          var current = store.read(entry.key);
          if (!current) {
            renderBanner();
            return;
          }
          if (choice[0] === "keep") {
            // Sent as a normal save under this session, from the revision it was made on: the
            // revision protocol merges it, or names a field changed since as a conflict.
            current.session = session;
            delete current.refused;
            store.write(entry.key, current);
            emit("kept", { entry: current });
            flush();
          } else {
            localStorage.removeItem(entry.key);
          }
          renderBanner();
        });
        item.appendChild(button);
      });
      list.appendChild(item);
    });
  }

  // ---- sending: one outbox for the device, sent from any judge page ----------------------

  var sending = false;
  var again = false;
  var locked = false;
  var csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function post(url, entry) {
    var payload = {
      client_id: entry.client_id,
      seq: entry.seq,
      base: entry.base,
      points: entry.points || {},
      answers: entry.answers || {},
      comment: entry.comment,
    };
    if (entry.session !== undefined) {
      payload.session = entry.session;
    }
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response.json().then(
        function (data) {
          return { response: response, data: data };
        },
        function () {
          return { response: response, data: {} };
        }
      );
    });
  }

  function refreshToken(entry) {
    return fetch(entry.state_url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) {
        throw response;
      }
      return response.json().then(function (data) {
        csrfToken = data.csrf_token;
      });
    });
  }

  function forget(entry) {
    var current = store.read(entry.key);
    if (current && current.seq <= entry.seq) {
      localStorage.removeItem(entry.key);
    }
  }

  // What the server last told any page on this device about a sheet (the pages rebase on it).
  function rememberState(state) {
    var key = store.key("state", state.id);
    var known = store.read(key);
    if (!known || known.revision <= state.revision) {
      store.write(key, state);
    }
  }

  function rememberConflicts(sheetId, found) {
    if (!found || !found.length) {
      return;
    }
    var key = store.key("conflicts", sheetId);
    var list = (store.read(key) || []).filter(function (old) {
      return !found.some(function (c) {
        return c.field === old.field && c.criterion === old.criterion;
      });
    });
    store.write(key, list.concat(found));
  }

  // Send the oldest sendable change; its answer decides whether to go on with the next.
  function sendNext() {
    var entry = locked ? null : sendable()[0];
    if (!entry) {
      return Promise.resolve();
    }
    return post(entry.url, entry).then(function (result) {
      var status = result.response.status;
      var data = result.data;
      setReachable(true);
      if (result.response.ok) {
        forget(entry);
        rememberState(data.state);
        rememberConflicts(entry.sheet, data.conflicts);
        emit("answer", { entry: entry, data: data });
        return sendNext();
      }
      if (status === 409 && data.code === "session_changed") {
        // Signed in anew elsewhere in this browser: this page's session is over; the change waits for the judge.
        lockPage(body.dataset.textSessionChanged);
        emit("signed-out", { entry: entry, data: data });
        return null;
      }
      if (status === 409) {
        forget(entry); // the same client already sent a newer save
        return sendNext();
      }
      if (status === 401) {
        if (data.code === "session_ended") {
          wipe();
        } else {
          lockPage(body.dataset.textSignedOut);
        }
        emit("signed-out", { entry: entry, data: data });
        return null;
      }
      if (status === 400 && data.code === "csrf") {
        return refreshToken(entry).then(sendNext, function (failed) {
          if (failed && failed.status === 401) {
            lockPage(body.dataset.textSignedOut);
            emit("signed-out", { entry: entry, data: {} });
          }
        });
      }
      // Locked, results final, out of time, or not a value the rubric takes: kept on the device,
      // not sent again until its sheet is opened anew, and said plainly there.
      var current = store.read(entry.key);
      if (current && current.seq === entry.seq) {
        current.refused = data.message || String(status);
        store.write(entry.key, current);
      }
      emit("refused", { entry: entry, data: data, status: status });
      return sendNext();
    });
  }

  function flush() {
    if (locked || !userId) {
      return;
    }
    if (sending) {
      again = true;
      return;
    }
    if (!sendable().length) {
      report();
      return;
    }
    sending = true;
    // One tab sends at a time, so two tabs never post the same change at once (retries are harmless anyway).
    var run = navigator.locks
      ? navigator.locks.request("festival-outbox-" + userId, sendNext)
      : sendNext();
    Promise.resolve(run)
      .catch(function () {
        setReachable(false);
        emit("offline", {});
      })
      .then(function () {
        sending = false;
        renderBanner();
        report();
        if (again) {
          again = false;
          flush();
        }
      });
  }

  // The control room sees when this device last reported and how many changes it had waiting.
  var lastReport = null;
  function report() {
    var url = body.dataset.reportUrl;
    if (!url || locked) {
      return;
    }
    var pending = sendable().length + leftOver().length;
    var now = Date.now();
    if (lastReport && lastReport.pending === pending && now - lastReport.at < 60000) {
      return;
    }
    lastReport = { pending: pending, at: now };
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify({ pending: pending }),
    }).catch(function () {
      lastReport = null;
    });
  }

  // ---- one browser, many tabs: a sign-out anywhere locks every page ----------------------

  var notice = null;
  function lockPage(message) {
    locked = true;
    document.querySelectorAll("[data-locks-on-sign-out]").forEach(function (node) {
      node.querySelectorAll("input, textarea, button, select, fieldset").forEach(function (field) {
        field.disabled = true;
      });
    });
    if (!notice) {
      notice = document.createElement("div");
      notice.id = "signed-out-notice";
      notice.className = "alert alert-warning";
      notice.setAttribute("role", "alert");
      var main = document.getElementById("content");
      (main || body).insertBefore(notice, (main || body).firstChild);
    }
    var said = message || body.dataset.textSignedOut || "";
    notice.textContent = said;
    if (body.dataset.loginUrl) {
      var link = document.createElement("a");
      link.className = "btn btn-warning ms-2";
      link.href = body.dataset.loginUrl;
      link.textContent = body.dataset.textSignIn || "";
      notice.appendChild(link);
    }
    emit("locked", { message: said });
  }

  var SIGNAL_KEY = "festival.signed-out";
  window.addEventListener("storage", function (event) {
    if (event.key === SIGNAL_KEY && event.newValue === userId && userId) {
      lockPage(body.dataset.textSignedOutElsewhere);
    }
  });
  var channel = window.BroadcastChannel ? new BroadcastChannel("festival-session") : null;
  if (channel) {
    channel.onmessage = function (event) {
      var message = event.data || {};
      if (message.type === "signed-out" && String(message.user) === userId) {
        lockPage(body.dataset.textSignedOutElsewhere);
      } else if (message.type === "session" && userId && session && message.session && message.session !== session) {
        lockPage(body.dataset.textSessionChanged);
      }
    };
    if (session && newest) {
      channel.postMessage({ type: "session", session: session, user: userId });
    }
  }

  // ---- the service worker ---------------------------------------------------------------

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
        return pagesDropped.then(function () {
          return registration;
        });
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
          registration.active.postMessage({ type: "keep-pages", pages: pages, assets: assets, user: userId, keepMs: keepMs });
        }
      })
      .catch(function () {});
  }

  // Signing out of a shared tablet leaves nothing of this user behind; unsent changes are lost
  // with it, so the judge is asked first. Every other tab of this browser locks at once. All of it
  // happens before the form goes, synchronously, and the form then goes as any form does: work left
  // pending here (the page caches, a Clear-Site-Data header) has been seen to hold the navigation on a
  // loaded tablet (crbug.com/40233601). The kept pages are dropped by the next page, told through
  // sessionStorage, which lives as long as this tab.
  var DROP_PAGES_KEY = "festival.drop-pages";
  function signOut(form, event) {
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    // The outbox's changes, and the booth sheets' values typed here and not yet saved (static/js/booth-sheet.js).
    var waiting = store.outbox().length + store.keys(prefix + "booth.").length;
    if (waiting && !window.confirm(form.dataset.textUnsent.replace("{n}", String(waiting)))) {
      event.preventDefault();
      return;
    }
    locked = true;
    if (channel) {
      channel.postMessage({ type: "signed-out", user: userId });
    }
    store.clearUser();
    // Browsers without BroadcastChannel hear it as a storage event; nothing is left behind.
    localStorage.setItem(SIGNAL_KEY, userId);
    localStorage.removeItem(SIGNAL_KEY);
    try {
      sessionStorage.setItem(DROP_PAGES_KEY, "1");
    } catch (error) {
      dropPageCaches().catch(function () {}); // no sessionStorage (a private mode): drop them now
    }
  }
  document.querySelectorAll("form.sign-out").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      signOut(form, event);
    });
  });

  document.querySelectorAll("form[data-confirm]:not(.sign-out)").forEach(function (form) {
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

  window.festivalOffline = {
    store: store,
    session: session,
    setReachable: setReachable,
    renderBanner: renderBanner,
    flush: flush,
    post: post,
    forget: forget,
    sendable: sendable,
    lockPage: lockPage,
    rememberState: rememberState,
    isLocked: function () {
      return locked;
    },
  };

  if (body.dataset.sessionEnded) {
    wipe(); // this page is the sign-in page the revoked session was sent to
  } else {
    expireOld();
  }
  try {
    if (sessionStorage.getItem(DROP_PAGES_KEY)) {
      sessionStorage.removeItem(DROP_PAGES_KEY);
      pagesDropped = dropPageCaches().catch(function () {}); // the tab just signed out (signOut)
    }
  } catch (error) {
    // No sessionStorage: signOut dropped the pages itself.
  }
  renderBanner();
  if (userId && session) {
    window.addEventListener("focus", flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        flush();
      }
    });
    window.setInterval(flush, 5000);
    flush();
  }
})();
