// The gate scanner: the phone's camera reads the QR code on a badge and the server checks the
// person in; the answer fills the screen in green, amber or red. People without their badge are
// found by name or phone. Each scan carries a random nonce and a failed request is sent again
// with the same one, so a retry is never counted as a second scan. BarcodeDetector reads the
// code where the browser has it (Chrome on Android); everywhere else the vendored jsQR does.
//
// The gate never stops: the device keeps the festival's check-in list (badges by the SHA-256 of
// their code, who has arrived, the revoked codes), refreshed in the background. When the server
// cannot be reached a scan is decided here from that list and this device's own scans, queued
// with its nonce, and uploaded when the network is back; the server records the queue in scan
// order and reports anyone let in twice while gates were offline.
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) {
    return;
  }
  var text = root.dataset;
  var gateInput = document.getElementById("gate");
  var video = document.getElementById("camera");
  var canvas = document.getElementById("frame");
  var startButton = document.getElementById("start-camera");
  var statusBox = document.getElementById("camera-status");
  var resultBox = document.getElementById("result");
  var resultTitle = document.getElementById("result-title");
  var resultName = document.getElementById("result-name");
  var resultDetail = document.getElementById("result-detail");
  var resultClose = document.getElementById("result-close");
  var searchInput = document.getElementById("search");
  var searchResults = document.getElementById("search-results");
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;

  var GATE_KEY = "festival.gate";
  var FRAME_INTERVAL_MS = 125; // about 8 decodes a second: enough for a badge held up, easy on a phone
  var REPEAT_MS = 3000; // the same code again within this time is the same badge still in view
  var RETRY_DELAYS_MS = [400, 1000, 2000];
  var AUTO_CLOSE_MS = 4000;
  var MAX_DECODE_WIDTH = 640;
  var TITLES = { checked_in: text.textCheckedIn, already: text.textAlready, unknown: text.textUnknown, revoked: text.textRevoked };

  var offline = window.festivalOffline;
  var store = offline.store;
  var listKey = store.key("gatelist", "all");
  var admittedKey = store.key("gate-admitted", "all");
  var LIST_REFRESH_MS = 60000;
  var UPLOAD_MS = 10000;
  var OFFLINE_FOR_MS = 20000; // after a failed request, decide here at once for this long
  var banner = document.getElementById("gate-connection");
  var list = store.read(listKey); // {generated_at, fetched_at, people: [...], revoked: [...]}
  var byHash = {};
  var revokedByHash = {};
  var failedAt = 0;
  var uploading = false;

  var stream = null;
  var detector = null;
  var lastFrameAt = 0;
  var decoding = false; // a frame is being read (BarcodeDetector answers asynchronously)
  var busy = false; // a scan is on its way to the server
  var paused = false; // the result is on screen
  var lastCode = null;
  var lastCodeAt = 0;
  var unsent = null; // {key, nonce} of a check-in that never reached the server, reused if tried again
  var closeTimer = null;
  var shownAt = 0;
  var searchTimer = null;
  var searchSeq = 0;

  // ---- small helpers -------------------------------------------------------------------

  function newNonce() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function gate() {
    return gateInput.value.replace(/\s+/g, " ").trim();
  }

  function status(message) {
    statusBox.textContent = message || "";
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // As festival.util.formatting.format_gate: "Cổng chính" as typed, a bare "2" as "cổng 2".
  function gateName(name) {
    name = (name || "").trim();
    var first = name.split(/\s+/)[0].normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    return !name || first === "cong" || first === "gate" ? name : text.textGateName.replace("{name}", name);
  }

  function localTime(iso) {
    if (!iso) {
      return "";
    }
    // The server sends aware UTC times; a bare one would otherwise be read as local time.
    var date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z");
    if (isNaN(date.getTime())) {
      return "";
    }
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  function readableOn(colour) {
    var match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour || "");
    if (!match) {
      return "#fff";
    }
    var luma = 0.299 * parseInt(match[1], 16) + 0.587 * parseInt(match[2], 16) + 0.114 * parseInt(match[3], 16);
    return luma > 160 ? "#111" : "#fff";
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content) {
      node.textContent = content;
    }
    return node;
  }

  // ---- the check-in list kept on this device --------------------------------------------

  function indexList() {
    byHash = {};
    revokedByHash = {};
    (list ? list.people : []).forEach(function (person) {
      byHash[person.h] = person;
    });
    (list ? list.revoked : []).forEach(function (row) {
      revokedByHash[row.h] = row;
    });
  }

  function serverAway() {
    return !navigator.onLine || Date.now() - failedAt < OFFLINE_FOR_MS;
  }

  function queued() {
    return store.outbox("gate");
  }

  function renderBanner() {
    var away = serverAway();
    banner.classList.toggle("is-offline", away);
    banner.querySelector(".gate-state").textContent = away ? text.textGateOffline : text.textGateOnline;
    var age = list ? Math.max(0, Math.round((Date.now() - list.fetched_at) / 60000)) : null;
    banner.querySelector(".gate-list").textContent =
      age === null ? text.textNoList : text.textListAge.replace("{n}", String(list.people.length)).replace("{minutes}", String(age));
    banner.querySelector(".gate-queue").textContent = text.textQueue.replace("{n}", String(queued().length));
    banner.querySelector(".gate-insecure").textContent = window.isSecureContext ? "" : text.textInsecure;
  }

  function refreshList() {
    return fetch(root.dataset.listUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw response;
        }
        return response.json();
      })
      .then(function (data) {
        data.fetched_at = Date.now();
        list = data;
        store.write(listKey, data);
        indexList();
        failedAt = 0;
        renderBanner();
        upload();
      })
      .catch(function () {
        renderBanner();
      });
  }

  // The same reading of a scanned text as the server's token_from().
  function tokenFrom(scanned) {
    var value = String(scanned || "").trim();
    if (value.indexOf("/c/") >= 0) {
      value = value.slice(value.lastIndexOf("/c/") + 3);
    }
    return value.split("?")[0].split("#")[0].replace(/^\/+|\/+$/g, "").slice(0, 64);
  }

  // A scan decided on this device: green the first time, amber after (by the list or this device's
  // own scans), red for a code not on the list or replaced by a reissue.
  function decideHere(body, key) {
    var admitted = store.read(admittedKey) || {};
    var person = body.attendee_id ? (list ? list.people : []).filter(function (p) { return p.id === body.attendee_id; })[0] : byHash[sha256(tokenFrom(body.code))];
    var revoked = person || !body.code ? null : revokedByHash[sha256(tokenFrom(body.code))];
    var result = "unknown";
    var shownPerson = null;
    if (person) {
      var before = admitted[person.id] || (person.checked_in_at ? { at: person.checked_in_at, gate: person.checked_in_gate } : null);
      result = before ? "already" : "checked_in";
      shownPerson = {
        name: person.name,
        affiliation: person.affiliation,
        role: person.role,
        colour: person.colour,
        checked_in_at: before ? before.at : null,
        checked_in_gate: before ? before.gate : null,
      };
      if (!before) {
        admitted[person.id] = { at: new Date().toISOString(), gate: body.gate };
        store.write(admittedKey, admitted);
      }
    } else if (revoked) {
      result = "revoked";
      shownPerson = { name: revoked.name };
    }
    store.write(store.key("outbox", "gate", body.nonce), {
      nonce: body.nonce,
      code: body.code || "",
      attendee_id: body.attendee_id || null,
      gate: body.gate,
      shown: result,
      // The signed note of when the server gave out the list this was decided from: a scan dated
      // before it (a clock gone wrong) is held for the organizers instead of recorded.
      list: list && list.token ? list.token : "",
      scanned_at: new Date().toISOString(),
      created: Date.now(),
    });
    unsent = null;
    showResult({ result: result, attendee: shownPerson, message: revoked ? revoked.reason : "", offline: true });
    renderBanner();
    upload();
    return "shown";
  }

  // Send the scans decided here; the server records them in scan order, each nonce once.
  function upload() {
    var scans = queued();
    if (uploading || !scans.length || !navigator.onLine) {
      return;
    }
    uploading = true;
    fetch(root.dataset.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify({ scans: scans }),
    })
      .then(function (response) {
        if (!response.ok) {
          return;
        }
        scans.forEach(function (scan) {
          localStorage.removeItem(scan.key);
        });
        failedAt = 0;
        // Scans whose time the server could not believe are kept there for the organizers, not
        // recorded: say so on this device, in the server's words.
        return response.json().then(
          function (data) {
            if (data && data.held && data.held.length) {
              banner.querySelector(".gate-held").textContent = data.message || "";
            }
          },
          function () {}
        );
      })
      .catch(function () {
        failedAt = Date.now();
      })
      .then(function () {
        uploading = false;
        renderBanner();
      });
  }

  // ---- talking to the server -----------------------------------------------------------

  function readJson(response) {
    return response.json().then(
      function (data) { return { response: response, data: data || {} }; },
      function () { return { response: response, data: {} }; }
    );
  }

  // POST the same body (same nonce) until it reaches the server: the server counts a nonce once.
  // With the check-in list at hand one quick retry is enough: the scan is then decided here.
  function postWithRetry(url, body, quick) {
    var delays = quick ? RETRY_DELAYS_MS.slice(0, 1) : RETRY_DELAYS_MS;
    var attempt = 0;
    function send() {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify(body),
      }).then(
        function (response) {
          // A proxy in front of a restarting server answers these; the request may be sent again.
          if ((response.status === 502 || response.status === 503 || response.status === 504) && attempt < delays.length) {
            return retry();
          }
          return readJson(response);
        },
        function (error) {
          if (attempt < delays.length) {
            return retry();
          }
          throw error;
        }
      );
    }
    function retry() {
      var delay = delays[attempt];
      attempt += 1;
      return sleep(delay).then(send);
    }
    return send();
  }

  // Reload once for a fresh CSRF token (the gate name stays in localStorage); not in a loop.
  function reloadForToken(message) {
    var key = "festival.scanner.reloadedAt";
    var last = Number(sessionStorage.getItem(key) || 0);
    if (Date.now() - last > 30000) {
      sessionStorage.setItem(key, String(Date.now()));
      window.location.reload();
    } else {
      status(message);
    }
  }

  // Send a check-in (key says what it is for: the scanned code or the person found by search).
  // Resolves to "shown", "offline" (the server never answered) or "refused".
  function submit(url, body, key) {
    if (!gate()) {
      status(text.textNeedGate);
      gateInput.focus();
      return Promise.resolve("refused");
    }
    body.gate = gate();
    body.nonce = unsent && unsent.key === key ? unsent.nonce : newNonce();
    unsent = { key: key, nonce: body.nonce };
    if (list && serverAway()) {
      return Promise.resolve(decideHere(body, key));
    }
    busy = true;
    return postWithRetry(url, body, !!list)
      .then(function (answer) {
        var code = answer.response.status;
        var data = answer.data;
        unsent = null; // the server has seen this nonce, whatever it answered
        if (answer.response.ok && data.result) {
          showResult(data);
          return "shown";
        }
        if (code === 401) {
          status(text.textSignedOut || data.message);
        } else if (code === 400 && data.code === "csrf") {
          unsent = { key: key, nonce: body.nonce };
          reloadForToken(data.message);
        } else {
          status(data.message || text.textOffline);
        }
        return "refused";
      })
      .catch(function () {
        failedAt = Date.now();
        if (list) {
          busy = false;
          return decideHere(body, key); // the same nonce: the server counts it once when it gets it
        }
        status(text.textOffline);
        renderBanner();
        return "offline";
      })
      .then(function (outcome) {
        busy = false;
        return outcome;
      });
  }

  // ---- the full-screen result ----------------------------------------------------------

  function showResult(data) {
    var person = data.attendee;
    resultBox.className = "scan-result result-" + data.result;
    resultTitle.textContent = TITLES[data.result] || data.message || "";
    resultName.textContent = person ? person.name : "";
    resultDetail.textContent = "";
    var about = person ? [person.affiliation, person.role].filter(Boolean).join(" · ") : "";
    if (about) {
      resultDetail.appendChild(element("span", "d-block", about));
    }
    if (data.offline) {
      resultDetail.appendChild(element("span", "d-block small", text.textDecidedHere));
    }
    if (data.result === "already" && person && person.checked_in_at) {
      var at = text.textAt.replace("{time}", localTime(person.checked_in_at)).replace("{gate}", gateName(person.checked_in_gate));
      resultDetail.appendChild(element("span", "d-block", at));
    } else if (data.result === "revoked" && data.message) {
      resultDetail.appendChild(element("span", "d-block", data.message));
    }
    paused = true;
    shownAt = Date.now();
    resultBox.hidden = false;
    resultClose.focus();
    if (navigator.vibrate) {
      navigator.vibrate(data.result === "checked_in" ? 120 : [120, 80, 120]);
    }
    clearTimeout(closeTimer);
    if (data.result === "checked_in") {
      closeTimer = setTimeout(closeResult, AUTO_CLOSE_MS);
    }
  }

  function closeResult() {
    clearTimeout(closeTimer);
    if (resultBox.hidden) {
      return;
    }
    resultBox.hidden = true;
    paused = false;
    // The badge just answered may still be in front of the camera: give the next person a moment.
    lastCodeAt = Date.now();
    if (stream) {
      status(text.textScanning);
    }
    if (searchInput.value.trim().length >= 2) {
      search(); // the "already in" marks have changed
    }
  }

  resultBox.addEventListener("click", function () {
    // The tap that opened the result (a search button under the finger) must not close it.
    if (Date.now() - shownAt > 300) {
      closeResult();
    }
  });
  resultClose.addEventListener("click", function (event) {
    event.stopPropagation();
    closeResult();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !resultBox.hidden) {
      closeResult();
    }
  });

  // ---- the camera ----------------------------------------------------------------------

  function found(code) {
    var now = Date.now();
    if (code === lastCode && now - lastCodeAt < REPEAT_MS) {
      // Still in front of the camera: the same code answers again only once it has left the frame for a moment
      // (or the user taps "scan again"), so a refused badge held up does not cover the search results again and again.
      lastCodeAt = now;
      return;
    }
    if (!gate()) {
      status(text.textNeedGate);
      return;
    }
    lastCode = code;
    lastCodeAt = now;
    submit(root.dataset.scanUrl, { code: code }, "code:" + code).then(function (outcome) {
      if (outcome === "offline") {
        lastCode = null; // "scan again" works at once, with the same nonce
      }
    });
  }

  function readWithJsQR() {
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height) {
      return null;
    }
    var scale = Math.min(1, MAX_DECODE_WIDTH / width);
    width = Math.round(width * scale);
    height = Math.round(height * scale);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    var image = context.getImageData(0, 0, width, height);
    var code = jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
    return code && code.data ? code.data : null;
  }

  function readFrame() {
    if (detector) {
      return detector.detect(video).then(
        function (codes) { return codes.length ? codes[0].rawValue : null; },
        function () {
          detector = null; // fall back to jsQR for good
          return null;
        }
      );
    }
    try {
      return Promise.resolve(readWithJsQR());
    } catch (error) {
      return Promise.reject(error); // a frame that cannot be read is skipped
    }
  }

  function tick(now) {
    if (!stream) {
      return;
    }
    window.requestAnimationFrame(tick);
    if (paused || busy || decoding || now - lastFrameAt < FRAME_INTERVAL_MS || video.readyState < 2) {
      return;
    }
    lastFrameAt = now;
    decoding = true;
    readFrame()
      .then(function (code) {
        decoding = false;
        if (code && !paused && !busy) {
          found(code);
        }
      })
      .catch(function () {
        decoding = false;
      });
  }

  function makeDetector() {
    if (!("BarcodeDetector" in window)) {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats().then(
      function (formats) { return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null; },
      function () { return null; }
    );
  }

  function startCamera() {
    if (!gate()) {
      status(text.textNeedGate);
      gateInput.focus();
      return;
    }
    if (stream) {
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status(text.textNoCamera);
      return;
    }
    startButton.disabled = true;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.muted = true;
        video.setAttribute("playsinline", "");
        video.srcObject = media;
        return Promise.all([video.play(), makeDetector()]);
      })
      .then(function (ready) {
        detector = ready[1];
        startButton.classList.add("d-none");
        status(text.textScanning);
        window.requestAnimationFrame(tick);
      })
      .catch(function () {
        // NotAllowedError, NotFoundError, NotReadableError…: the search below still works.
        stopCamera();
        startButton.disabled = false;
        status(text.textNoCamera);
      });
  }

  function stopCamera() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    }
    stream = null;
    video.srcObject = null;
  }

  if (!window.isSecureContext) {
    // Browsers offer the camera only to secure pages (https, or localhost): on plain http the search by
    // name or phone is all the gate has, so it comes first, right under the gate's name.
    document.getElementById("camera-box").hidden = true;
  }
  startButton.addEventListener("click", startCamera);
  window.addEventListener("pagehide", stopCamera);

  // ---- the gate name -------------------------------------------------------------------

  try {
    gateInput.value = localStorage.getItem(GATE_KEY) || "";
  } catch (error) {
    // Private mode without storage: the gate is typed again after a reload.
  }
  gateInput.addEventListener("input", function () {
    try {
      localStorage.setItem(GATE_KEY, gate());
    } catch (error) {
      // as above
    }
    if (gate() && statusBox.textContent === text.textNeedGate) {
      status(stream ? text.textScanning : "");
    }
  });

  // ---- search by name or phone ---------------------------------------------------------

  function listMessage(message, className) {
    searchResults.textContent = "";
    searchResults.appendChild(element("li", "list-group-item " + (className || "text-body-secondary"), message));
  }

  function personRow(person) {
    var row = element("li", "list-group-item d-flex flex-wrap align-items-center justify-content-between gap-2");
    var about = element("div", "flex-grow-1");
    about.appendChild(element("div", "fw-semibold", person.name));
    var line = element("div", "small");
    if (person.role) {
      var role = element("span", "badge me-1", person.role);
      role.style.backgroundColor = person.colour || "#6c757d";
      role.style.color = readableOn(person.colour);
      line.appendChild(role);
    }
    var bits = [person.affiliation, person.phone_tail ? "…" + person.phone_tail : ""].filter(Boolean).join(" · ");
    if (bits) {
      line.appendChild(document.createTextNode(bits));
    }
    about.appendChild(line);
    if (person.checked_in_at) {
      about.appendChild(element("div", "small fw-semibold text-warning-emphasis", text.textAlready + " · " + localTime(person.checked_in_at)));
    }
    row.appendChild(about);
    var button = element("button", "btn btn-success btn-lg", text.textCheckIn);
    button.type = "button";
    button.addEventListener("click", function () {
      button.disabled = true;
      var url = root.dataset.checkinUrl.replace(/\/0$/, "/" + encodeURIComponent(person.id));
      submit(url, { attendee_id: person.id }, "person:" + person.id).then(function () {
        button.disabled = false;
      });
    });
    row.appendChild(button);
    return row;
  }

  function fold(value) {
    return String(value || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  // Without the server: the names on the kept list (no phone numbers are kept on the device).
  function searchHere(query) {
    var wanted = fold(query);
    var admitted = store.read(admittedKey) || {};
    var people = (list ? list.people : [])
      .filter(function (person) {
        return person.search.indexOf(wanted) >= 0 || (wanted.length >= 3 && person.phone_tail && query.trim().slice(-3) === person.phone_tail);
      })
      .slice(0, 20)
      .map(function (person) {
        var here = admitted[person.id];
        return Object.assign({}, person, { checked_in_at: person.checked_in_at || (here ? here.at : null) });
      });
    if (!people.length) {
      listMessage(text.textNone);
      return;
    }
    searchResults.textContent = "";
    people.forEach(function (person) {
      searchResults.appendChild(personRow(person));
    });
  }

  function search() {
    var query = searchInput.value.trim();
    var seq = (searchSeq += 1);
    if (query.length < 2) {
      searchResults.textContent = "";
      return;
    }
    if (list && serverAway()) {
      searchHere(query);
      return;
    }
    fetch(root.dataset.searchUrl + "?q=" + encodeURIComponent(query), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(readJson)
      .then(function (answer) {
        if (seq !== searchSeq) {
          return; // a newer search is on its way
        }
        if (!answer.response.ok) {
          listMessage(answer.response.status === 401 ? text.textSignedOut || answer.data.message : answer.data.message || text.textOffline, "list-group-item-warning");
          return;
        }
        var people = answer.data.people || [];
        if (!people.length) {
          listMessage(text.textNone);
          return;
        }
        searchResults.textContent = "";
        people.forEach(function (person) {
          searchResults.appendChild(personRow(person));
        });
      })
      .catch(function () {
        failedAt = Date.now();
        renderBanner();
        if (seq === searchSeq) {
          if (list) {
            searchHere(query);
          } else {
            listMessage(text.textOffline, "list-group-item-warning");
          }
        }
      });
  }

  searchInput.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 300);
  });

  // ---- keeping the list fresh and the queue moving --------------------------------------

  indexList();
  renderBanner();
  refreshList();
  window.setInterval(refreshList, LIST_REFRESH_MS);
  window.setInterval(function () {
    upload();
    renderBanner();
  }, UPLOAD_MS);
  window.addEventListener("online", function () {
    failedAt = 0;
    refreshList();
  });
  window.addEventListener("offline", renderBanner);
})();
