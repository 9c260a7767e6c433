// The judge's score sheet: every change is saved at once. A change first goes into an outbox in
// localStorage (one snapshot per sheet, the newest), then to the server; when the network or the
// session is gone it stays there and is sent again later, so nothing typed is ever lost. Each
// snapshot carries this device's id and a sequence number, so the server recognises a retry and
// refuses a late, older save instead of letting it overwrite newer scores.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var root = document.getElementById("sheet");
  var form = document.getElementById("sheet-form");
  if (!root || !form || root.dataset.editable !== "true") {
    return;
  }
  var sheetId = root.dataset.sheetId;
  var statusBox = document.getElementById("save-status");
  var relogin = document.getElementById("relogin");
  var totalBox = document.getElementById("total");
  var outboxKey = "festival.outbox." + root.dataset.judgeId + "." + sheetId;
  var seqKey = "festival.seq." + root.dataset.judgeId + "." + sheetId;
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var clientId = deviceId();
  var serverSeq = root.dataset.serverClient === clientId ? Number(root.dataset.serverSeq) : 0;
  var seq = Math.max(Number(localStorage.getItem(seqKey) || 0), serverSeq);
  var sending = false;
  var again = false;
  var stopped = false;

  function deviceId() {
    var id = localStorage.getItem("festival.deviceId");
    if (!id) {
      id = window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
      localStorage.setItem("festival.deviceId", id);
    }
    return id;
  }

  function show(state, message) {
    statusBox.className = "save-status flex-grow-1 is-" + state;
    statusBox.textContent = message || statusBox.dataset["text" + state.replace(/(^|-)(\w)/g, function (_, __, c) { return c.toUpperCase(); })] || "";
    relogin.classList.toggle("d-none", state !== "signed-out");
  }

  function criteria() {
    return Array.prototype.slice.call(form.querySelectorAll("[data-criterion]"));
  }

  function snapshot() {
    var points = {};
    var answers = {};
    criteria().forEach(function (box) {
      var id = box.dataset.criterion;
      var checked = box.querySelector("input[type=radio]:checked");
      if (box.dataset.kind === "points") {
        var number = box.querySelector("input[type=number]");
        points[id] = checked ? checked.value : number && number.value !== "" ? number.value : null;
      } else {
        answers[id] = checked ? checked.value === "yes" : null;
      }
    });
    return { points: points, answers: answers, comment: form.elements.comment.value };
  }

  function apply(values) {
    criteria().forEach(function (box) {
      var id = box.dataset.criterion;
      if (box.dataset.kind === "points") {
        var value = values.points ? values.points[id] : null;
        var number = box.querySelector("input[type=number]");
        if (number) {
          number.value = value === null || value === undefined ? "" : value;
        }
        box.querySelectorAll("input[type=radio]").forEach(function (radio) {
          radio.checked = value !== null && value !== undefined && Number(radio.value) === Number(value);
        });
      } else {
        var answer = values.answers ? values.answers[id] : null;
        box.querySelectorAll("input[type=radio]").forEach(function (radio) {
          radio.checked = answer !== null && answer !== undefined && (radio.value === "yes") === answer;
        });
      }
    });
    if (typeof values.comment === "string") {
      form.elements.comment.value = values.comment;
    }
    updateTotal();
  }

  function updateTotal() {
    var values = snapshot().points;
    var entries = criteria()
      .filter(function (box) {
        return box.dataset.kind === "points" && values[box.dataset.criterion] != null;
      })
      .map(function (box) {
        return { points: values[box.dataset.criterion], max: box.dataset.max, weight: box.dataset.weight };
      });
    var total = window.sheetTotal.weightedTotal(entries);
    var lang = document.documentElement.lang || "vi";
    // Shown as the server's `score` filter does: the decimal comma in Vietnamese.
    totalBox.textContent = total === null ? "—" : lang === "en" ? total : total.replace(".", ",");
  }

  function readOutbox() {
    try {
      return JSON.parse(localStorage.getItem(outboxKey) || "null");
    } catch (error) {
      return null;
    }
  }

  // The sheet as it is now, numbered and put in the outbox before anything is sent.
  function outboxEntry() {
    seq += 1;
    localStorage.setItem(seqKey, String(seq));
    var entry = snapshot();
    entry.client_id = clientId;
    entry.seq = seq;
    localStorage.setItem(outboxKey, JSON.stringify(entry));
    return entry;
  }

  function queue() {
    outboxEntry();
    updateTotal();
    show("pending", statusBox.dataset.textSaving);
    flush();
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body),
    });
  }

  function refreshToken() {
    return fetch(root.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) {
        throw response;
      }
      return response.json().then(function (data) {
        csrfToken = data.csrf_token;
        return data;
      });
    });
  }

  function forget(entry) {
    var current = readOutbox();
    if (current && current.seq <= entry.seq) {
      localStorage.removeItem(outboxKey);
    }
  }

  function flush() {
    if (stopped) {
      return;
    }
    if (sending) {
      again = true;
      return;
    }
    var entry = readOutbox();
    if (!entry) {
      return;
    }
    sending = true;
    post(root.dataset.saveUrl, entry)
      .then(function (response) {
        return response.json().then(function (data) {
          return { response: response, data: data };
        }, function () {
          return { response: response, data: {} };
        });
      })
      .then(function (result) {
        var status = result.response.status;
        var data = result.data;
        if (result.response.ok) {
          forget(entry);
          show(readOutbox() ? "pending" : "saved", readOutbox() ? statusBox.dataset.textSaving : null);
        } else if (status === 409) {
          // A newer save from this device is already on the server: this one must not win.
          forget(entry);
          return refreshToken().then(function (fresh) {
            if (!readOutbox()) {
              apply(fresh.state);
            }
            show("stale");
          });
        } else if (status === 401) {
          show("signed-out");
        } else if (status === 400 && data.code === "csrf") {
          // The form's token belongs to an older session: fetch a fresh one (or learn we are signed out).
          return refreshToken().then(
            function () {
              again = true;
            },
            function (failed) {
              show(failed && failed.status === 401 ? "signed-out" : "pending");
            }
          );
        } else if (status === 403) {
          stopped = true;
          show("locked", data.message);
        } else {
          stopped = true;
          show("error", data.message || statusBox.dataset.textError);
        }
      })
      .catch(function () {
        show("pending");
      })
      .then(function () {
        sending = false;
        if (again) {
          again = false;
          flush();
        }
      });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name && event.target.name !== "csrf_token") {
      stopped = false;
      queue();
    }
  });
  form.addEventListener("input", function (event) {
    if (event.target.type === "number") {
      updateTotal();
    }
  });
  var commentTimer = null;
  form.elements.comment.addEventListener("input", function () {
    clearTimeout(commentTimer);
    commentTimer = setTimeout(queue, 800);
  });
  form.querySelectorAll(".step").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = button.parentElement.querySelector("input[type=number]");
      var max = Number(input.max);
      var next = (input.value === "" ? 0 : Number(input.value)) + Number(button.dataset.step);
      input.value = String(Math.min(max, Math.max(0, next)));
      queue();
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!window.confirm(statusBox.dataset.textConfirm)) {
      return;
    }
    var entry = outboxEntry();
    post(root.dataset.submitUrl, entry)
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) {
            forget(entry);
            window.location.reload();
          } else if (response.status === 401) {
            show("signed-out");
          } else {
            show("error", data.message);
          }
        });
      })
      .catch(function () {
        show("pending", statusBox.dataset.textOfflineSubmit);
      });
  });

  window.addEventListener("online", flush);
  window.setInterval(flush, 5000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      flush();
    }
  });

  // Changes made on this tablet but not yet on the server are newer than the page: show and send them.
  var pending = readOutbox();
  if (pending && pending.seq > serverSeq) {
    apply(pending);
    show("pending", statusBox.dataset.textSaving);
    flush();
  } else {
    if (pending) {
      localStorage.removeItem(outboxKey);
    }
    updateTotal();
  }
})();
