// The gate scanner: the phone's camera reads the QR code on a badge and the server checks the
// person in; the answer fills the screen in green, amber or red. People without their badge are
// found by name or phone. Each scan carries a random nonce and a failed request is sent again
// with the same one, so a retry is never counted as a second scan. BarcodeDetector reads the
// code where the browser has it (Chrome on Android); everywhere else the vendored jsQR does.
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

  // ---- talking to the server -----------------------------------------------------------

  function readJson(response) {
    return response.json().then(
      function (data) { return { response: response, data: data || {} }; },
      function () { return { response: response, data: {} }; }
    );
  }

  // POST the same body (same nonce) until it reaches the server: the server counts a nonce once.
  function postWithRetry(url, body) {
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
          if ((response.status === 502 || response.status === 503 || response.status === 504) && attempt < RETRY_DELAYS_MS.length) {
            return retry();
          }
          return readJson(response);
        },
        function (error) {
          if (attempt < RETRY_DELAYS_MS.length) {
            return retry();
          }
          throw error;
        }
      );
    }
    function retry() {
      var delay = RETRY_DELAYS_MS[attempt];
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
    busy = true;
    return postWithRetry(url, body)
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
        status(text.textOffline);
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
    if (data.result === "already" && person && person.checked_in_at) {
      var at = text.textAt.replace("{time}", localTime(person.checked_in_at)).replace("{gate}", person.checked_in_gate || "");
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
      status(text.textNoCamera); // also on plain http: browsers offer the camera only over https
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
      submit(url, {}, "person:" + person.id).then(function () {
        button.disabled = false;
      });
    });
    row.appendChild(button);
    return row;
  }

  function search() {
    var query = searchInput.value.trim();
    var seq = (searchSeq += 1);
    if (query.length < 2) {
      searchResults.textContent = "";
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
        if (seq === searchSeq) {
          listMessage(text.textOffline, "list-group-item-warning");
        }
      });
  }

  searchInput.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 300);
  });
})();
