// The judge's score sheet. Every change is saved at once, by the sheet revision protocol
// (festival/judging/scoring.py): each page load is a client of its own with a save number and the
// revision its values were edited from, so the server merges saves from other tabs and devices
// and names any field changed on both sides. A change goes into this page's outbox entry in
// localStorage before it is sent, so a reload, a closed tab or a dead Wi-Fi spot loses nothing;
// entries left by earlier pages of this sheet are sent too. The page says "saved" only when the
// server answered that it stored the values, and a refusal stays on screen until the judge acts.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var root = document.getElementById("sheet");
  var form = document.getElementById("sheet-form");
  if (!root || !form || root.dataset.editable !== "true" || !window.festivalOffline) {
    return;
  }
  var offline = window.festivalOffline;
  var store = offline.store;
  var sheetId = root.dataset.sheetId;
  var statusBox = document.getElementById("save-status");
  var relogin = document.getElementById("relogin");
  var totalBox = document.getElementById("total");
  var alertBox = document.getElementById("sheet-alert");
  var conflictBox = document.getElementById("sheet-conflicts");
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var clientId = randomId();
  var ownKey = store.key("outbox", sheetId, clientId);
  var stateKey = store.key("state", sheetId);
  var conflictKey = store.key("conflicts", sheetId);
  var seq = 0;
  var base = Number(root.dataset.revision);
  var lastValid = {}; // criterion id → the last valid points typed or stored (an invalid entry is never sent)
  var sending = false;
  var again = false;
  var stopped = false;

  function randomId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // also without a secure context, unlike crypto.randomUUID
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function text(name) {
    return statusBox.dataset["text" + name.replace(/(^|-)(\w)/g, function (_, __, c) { return c.toUpperCase(); })] || "";
  }

  function show(state, message) {
    statusBox.className = "save-status flex-grow-1 is-" + state;
    statusBox.textContent = message || text(state);
    relogin.classList.toggle("d-none", state !== "signed-out");
  }

  // A refusal (incomplete sheet, locked, out of time) stays until the judge closes it.
  function refuse(message) {
    alertBox.querySelector(".sheet-alert-text").textContent = message;
    alertBox.hidden = false;
    alertBox.focus();
  }
  alertBox.querySelector(".btn-close").addEventListener("click", function () {
    alertBox.hidden = true;
  });

  function criteria() {
    return Array.prototype.slice.call(form.querySelectorAll("[data-criterion]"));
  }

  // Points as typed: null when empty, the text when valid, false when not a score.
  function checkPoints(box, raw) {
    var errorBox = document.getElementById("p" + box.dataset.criterion + "-error");
    var input = box.querySelector(".points-input");
    var value = String(raw === null || raw === undefined ? "" : raw).trim().replace(",", ".");
    var problem = "";
    if (value !== "") {
      if (!/^\d+(\.\d{1,2})?$/.test(value)) {
        problem = errorBox ? errorBox.dataset.textNumber : "invalid";
      } else if (Number(value) > Number(box.dataset.max)) {
        problem = errorBox ? errorBox.dataset.textRange : "invalid";
      }
    }
    if (errorBox) {
      errorBox.hidden = !problem;
      errorBox.textContent = problem;
    }
    if (input) {
      input.classList.toggle("is-invalid", !!problem);
    }
    return problem ? false : value === "" ? null : value;
  }

  function invalidCount() {
    return form.querySelectorAll("input.is-invalid").length;
  }

  // The sheet as it is on the page; an invalid field is sent as its last valid value.
  function snapshot() {
    var points = {};
    var answers = {};
    criteria().forEach(function (box) {
      var id = box.dataset.criterion;
      var checked = box.querySelector("input[type=radio]:checked");
      if (box.dataset.kind === "points") {
        var number = box.querySelector(".points-input");
        var value = checked ? checked.value : number ? checkPoints(box, number.value) : null;
        if (value === false) {
          value = lastValid[id] === undefined ? null : lastValid[id];
        } else {
          lastValid[id] = value;
        }
        points[id] = value;
      } else {
        answers[id] = checked ? checked.value === "yes" : null;
      }
    });
    return { points: points, answers: answers, comment: form.elements.comment.value };
  }

  function setPoints(box, value) {
    lastValid[box.dataset.criterion] = value;
    var number = box.querySelector(".points-input");
    if (number) {
      number.value = value === null ? "" : value;
      checkPoints(box, number.value);
    }
    box.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.checked = value !== null && Number(radio.value) === Number(value);
    });
  }

  function setAnswer(box, answer) {
    box.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.checked = answer !== null && (radio.value === "yes") === answer;
    });
  }

  function apply(values) {
    criteria().forEach(function (box) {
      var id = box.dataset.criterion;
      if (box.dataset.kind === "points") {
        setPoints(box, orNull(values.points ? values.points[id] : null));
      } else {
        setAnswer(box, orNull(values.answers ? values.answers[id] : null));
      }
    });
    if (typeof values.comment === "string") {
      form.elements.comment.value = values.comment;
    }
    updateTotal();
  }

  function same(a, b) {
    var empty = function (v) {
      return v === null || v === undefined || v === "";
    };
    if (empty(a) || empty(b)) {
      return empty(a) && empty(b);
    }
    var x = Number(String(a).replace(",", "."));
    var y = Number(String(b).replace(",", "."));
    return !isNaN(x) && !isNaN(y) ? x === y : a === b;
  }

  function orNull(value) {
    return value === undefined ? null : value;
  }

  // Move the fields still showing `from` to `to`, leaving alone any the judge has changed since
  // and any holding an invalid entry (a save's answer must never undo what was typed meanwhile).
  function rebase(from, to) {
    var now = snapshot();
    criteria().forEach(function (box) {
      var id = box.dataset.criterion;
      if (box.dataset.kind === "points") {
        var number = box.querySelector(".points-input");
        var typed = number && !box.querySelector("input[type=radio]:checked") ? checkPoints(box, number.value) : now.points[id];
        if (typed === false || !same(now.points[id], orNull((from.points || {})[id]))) {
          return;
        }
        setPoints(box, orNull((to.points || {})[id]));
      } else if (orNull(now.answers[id]) === orNull((from.answers || {})[id])) {
        setAnswer(box, orNull((to.answers || {})[id]));
      }
    });
    if ((from.comment || "") === (now.comment || "") && typeof to.comment === "string") {
      form.elements.comment.value = to.comment;
    }
    updateTotal();
  }

  function updateTotal() {
    var entries = [];
    criteria().forEach(function (box) {
      if (box.dataset.kind !== "points") {
        return;
      }
      var checked = box.querySelector("input[type=radio]:checked");
      var number = box.querySelector(".points-input");
      var value = checked ? checked.value : number ? checkPoints(box, number.value) : null;
      if (value !== null && value !== false) {
        entries.push({ points: value, max: box.dataset.max, weight: box.dataset.weight });
      }
    });
    var total = window.sheetTotal.weightedTotal(entries);
    var lang = document.documentElement.lang || "vi";
    // Shown as the server's `score` filter does: the decimal comma in Vietnamese.
    totalBox.textContent = total === null ? "—" : lang === "en" ? total : total.replace(".", ",");
  }

  // What the server last told any page of this sheet on this device.
  function rememberState(state) {
    var known = store.read(stateKey);
    if (!known || known.revision <= state.revision) {
      store.write(stateKey, state);
    }
  }

  function conflicts() {
    return store.read(conflictKey) || [];
  }

  function renderConflicts() {
    var list = conflicts();
    conflictBox.hidden = !list.length;
    var items = conflictBox.querySelector("ul");
    items.textContent = "";
    list.forEach(function (conflict, index) {
      var item = document.createElement("li");
      var box = form.querySelector('[data-criterion="' + conflict.criterion + '"]');
      var name = conflict.field === "comment" ? conflictBox.dataset.textComment : box ? box.querySelector("legend").firstChild.textContent.trim() : "";
      item.appendChild(document.createTextNode(name + ": "));
      [["yours", conflictBox.dataset.textYours], ["theirs", conflictBox.dataset.textTheirs]].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm btn-outline-primary me-2 my-1";
        var shown = conflict[choice[0]];
        button.textContent = choice[1].replace("{value}", shown === null ? "—" : shown === "yes" ? conflictBox.dataset.textYes : shown === "no" ? conflictBox.dataset.textNo : shown);
        button.addEventListener("click", function () {
          choose(index, choice[0]);
        });
        item.appendChild(button);
      });
      items.appendChild(item);
    });
    if (list.length) {
      show("conflict");
    }
  }

  // The judge picks a value for a field changed on both sides; keeping theirs needs no save.
  function choose(index, which) {
    var list = conflicts();
    var conflict = list.splice(index, 1)[0];
    store.write(conflictKey, list);
    if (which === "yours") {
      var values = snapshot();
      var value = conflict.yours;
      if (conflict.field === "points") {
        values.points[conflict.criterion] = value;
      } else if (conflict.field === "answer") {
        values.answers[conflict.criterion] = value === null ? null : value === "yes";
      } else {
        values.comment = value || "";
      }
      apply(values);
      queue();
    }
    renderConflicts();
    if (!conflicts().length && !store.outbox(sheetId).length) {
      show("saved");
    }
  }

  // This page's next save: numbered and written to the outbox before anything is sent.
  function queue() {
    seq += 1;
    var entry = snapshot();
    entry.client_id = clientId;
    entry.seq = seq;
    entry.base = base;
    entry.created = Date.now();
    store.write(ownKey, entry);
    updateTotal();
    offline.renderBanner();
    show(invalidCount() ? "invalid" : "pending", invalidCount() ? null : text("saving"));
    flush();
  }

  function post(url, entry) {
    var body = { client_id: entry.client_id, seq: entry.seq, base: entry.base, points: {}, answers: {}, comment: entry.comment };
    // An entry from an older page may name a criterion this rubric no longer has.
    criteria().forEach(function (box) {
      var id = box.dataset.criterion;
      if (box.dataset.kind === "points" && id in (entry.points || {})) {
        body.points[id] = entry.points[id];
      } else if (box.dataset.kind !== "points" && id in (entry.answers || {})) {
        body.answers[id] = entry.answers[id];
      }
    });
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body),
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
    var current = store.read(entry.key);
    if (current && current.seq <= entry.seq) {
      localStorage.removeItem(entry.key);
    }
    offline.renderBanner();
  }

  // The server's answer to a stored save: its state is the truth for every field this page has
  // not changed since, and the revision it names is the base of the next save.
  function accepted(entry, data) {
    forget(entry);
    if (data.conflicts && data.conflicts.length) {
      var list = conflicts().filter(function (old) {
        return !data.conflicts.some(function (c) {
          return c.field === old.field && c.criterion === old.criterion;
        });
      });
      store.write(conflictKey, list.concat(data.conflicts));
    }
    rememberState(data.state);
    if (data.state.revision >= base) {
      base = data.state.revision;
      rebase(entry, data.state); // others' newer values appear; what was typed meanwhile stays
    }
    renderConflicts();
    if (!store.outbox(sheetId).length && !conflicts().length) {
      show(invalidCount() ? "invalid" : data.status === "merged" ? "merged" : "saved");
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
    var entry = store.outbox(sheetId)[0];
    if (!entry) {
      return;
    }
    sending = true;
    post(root.dataset.saveUrl, entry)
      .then(function (result) {
        var status = result.response.status;
        var data = result.data;
        offline.setReachable(true);
        if (result.response.ok) {
          accepted(entry, data);
          again = store.outbox(sheetId).length > 0;
        } else if (status === 409) {
          // This page (or the earlier one that left the entry) already sent a newer save.
          forget(entry);
          again = true;
        } else if (status === 401) {
          show("signed-out");
        } else if (status === 400 && data.code === "csrf") {
          // The page's token belongs to an older session: fetch a fresh one (or learn we are signed out).
          return refreshToken().then(
            function () {
              again = true;
            },
            function (failed) {
              show(failed && failed.status === 401 ? "signed-out" : "pending");
            }
          );
        } else {
          // Locked, results final, out of time, or not a value the rubric takes: kept on the
          // device, not sent again until the page is opened anew, and said plainly.
          stopped = true;
          show(status === 403 ? "locked" : "error", data.message);
          refuse(data.message || text("error"));
        }
      })
      .catch(function () {
        offline.setReachable(false);
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
    if (event.target.name && ["csrf_token", "client_id", "base"].indexOf(event.target.name) < 0) {
      stopped = false;
      queue();
    }
  });
  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("points-input")) {
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
      var input = button.parentElement.querySelector(".points-input");
      var max = Number(input.dataset.max);
      var current = Number(String(input.value).replace(",", "."));
      var next = (input.value === "" || isNaN(current) ? 0 : current) + Number(button.dataset.step);
      input.value = String(Math.min(max, Math.max(0, Math.round(next * 100) / 100)));
      queue();
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (invalidCount()) {
      refuse(text("invalid"));
      return;
    }
    if (conflicts().length) {
      refuse(text("conflict"));
      return;
    }
    if (!window.confirm(text("confirm"))) {
      return;
    }
    stopped = true; // the submit carries this save; autosave waits for its answer
    queue();
    var entry = store.read(ownKey);
    entry.key = ownKey;
    post(root.dataset.submitUrl, entry)
      .then(function (result) {
        var data = result.data;
        stopped = false;
        if (result.response.ok && data.status === "submitted") {
          forget(entry);
          rememberState(data.state);
          window.location.reload();
        } else if (result.response.ok) {
          accepted(entry, data); // stored, but a field was changed elsewhere: the judge chooses first
        } else if (result.response.status === 401) {
          show("signed-out");
        } else {
          refuse(data.message || text("error"));
          flush(); // the values are still saved; the sheet just is not submitted
        }
      })
      .catch(function () {
        stopped = false;
        offline.setReachable(false);
        refuse(text("offline-submit"));
        show("pending");
      });
  });

  window.addEventListener("online", flush);
  window.addEventListener("focus", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      flush();
    }
  });
  window.setInterval(flush, 5000);
  // Another tab of this sheet stored a save: show it here too, unless this page has its own waiting.
  window.addEventListener("storage", function (event) {
    if (event.key === stateKey && event.newValue) {
      var state = JSON.parse(event.newValue);
      var previous = event.oldValue ? JSON.parse(event.oldValue) : snapshot();
      if (state.revision > base && !store.read(ownKey)) {
        base = state.revision;
        rebase(previous, state);
      }
    } else if (event.key === conflictKey) {
      renderConflicts();
    }
  });

  // The page may be older than what this device knows (a copy kept for offline use): start from
  // the newest known state, then from the newest unsent change of any earlier page.
  var known = store.read(stateKey);
  if (known && known.revision > base) {
    base = known.revision;
    apply(known);
  } else {
    apply(snapshot()); // lastValid from what the server rendered
  }
  var waiting = store.outbox(sheetId);
  if (waiting.length) {
    apply(waiting[waiting.length - 1]);
    show("pending", text("saving"));
    flush();
  }
  renderConflicts();
})();
