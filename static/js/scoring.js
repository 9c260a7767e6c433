// The judge's score sheet. Every change is saved at once, by the sheet revision protocol
// (festival/judging/scoring.py): each page load is a client of its own with a save number and the
// revision its values were edited from, so the server merges saves from other tabs and devices
// and names any field changed on both sides. A change goes into the device's one outbox
// (static/js/offline.js) before it is sent, with everything the server needs (the save URL, the
// session it was made in), so a reload, a closed tab, another sheet or the list sends it when the
// network is back. The page says "saved" only when the server answered that it stored the values,
// a refusal stays on screen until the judge acts, and a submit seals only what the page showed.
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
  var changesBox = document.getElementById("sheet-changes");
  var clientId = randomId();
  var ownKey = store.key("outbox", sheetId, clientId);
  var stateKey = store.key("state", sheetId);
  var conflictKey = store.key("conflicts", sheetId);
  var seq = 0;
  var base = Number(root.dataset.revision);
  var lastValid = {}; // criterion id → the last valid points typed or stored (an invalid entry is never sent)
  var submitting = false; // the submit carries the newest save; autosave waits for its answer
  var serverValues = null; // the sheet as the server last said it is, to tell what a waiting change changes

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

  function rememberState(state) {
    offline.rememberState(state);
    serverValues = state;
  }

  function waiting() {
    return offline.sendable(sheetId).length;
  }

  function legend(box) {
    return box.querySelector("legend").firstChild.textContent.trim().replace(/^\d+\.\s*/, "");
  }

  function shown(kind, value) {
    if (value === null || value === undefined || value === "") {
      return "—";
    }
    if (kind === "answer") {
      return value === true || value === "yes" ? conflictBox.dataset.textYes : conflictBox.dataset.textNo;
    }
    return String(value);
  }

  // What a waiting change changes, in words (shown if its session ends before it is sent).
  function describe(entry) {
    var known = serverValues || {};
    var changes = [];
    criteria().forEach(function (box) {
      var id = box.dataset.criterion;
      if (box.dataset.kind === "points") {
        if (!same(entry.points[id], orNull((known.points || {})[id]))) {
          changes.push({ label: legend(box), value: shown("points", entry.points[id]) });
        }
      } else if (orNull(entry.answers[id]) !== orNull((known.answers || {})[id])) {
        changes.push({ label: legend(box), value: shown("answer", entry.answers[id]) });
      }
    });
    if ((entry.comment || "") !== (known.comment || "")) {
      changes.push({ label: conflictBox.dataset.textComment, value: entry.comment || "—" });
    }
    return changes;
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
      var name = conflict.field === "comment" ? conflictBox.dataset.textComment : box ? legend(box) : "";
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
    if (!conflicts().length && !waiting()) {
      show("saved");
    }
  }

  // This page's next save: numbered and written to the device's outbox before anything is sent.
  function queue(hold) {
    if (offline.isLocked()) {
      return null;
    }
    seq += 1;
    var entry = snapshot();
    entry.client_id = clientId;
    entry.seq = seq;
    entry.base = base;
    entry.created = Date.now();
    entry.sheet = sheetId;
    entry.url = root.dataset.saveUrl;
    entry.state_url = root.dataset.stateUrl;
    entry.session = offline.session;
    entry.title = root.dataset.title;
    entry.changes = describe(entry);
    if (hold) {
      entry.holding = true; // a submit carries it: the outbox leaves it alone until the submit's answer
    }
    store.write(ownKey, entry);
    updateTotal();
    offline.renderBanner();
    show(invalidCount() ? "invalid" : "pending", invalidCount() ? null : text("saving"));
    if (!hold) {
      offline.flush();
    }
    return entry;
  }

  // The submit got no stored answer: its save goes back to the outbox like any other.
  function release(entry) {
    var current = store.read(ownKey);
    if (current && current.seq === entry.seq) {
      delete current.holding;
      store.write(ownKey, current);
    }
    offline.flush();
  }

  // The server's answer to a stored save: its state is the truth for every field this page has
  // not changed since, and the revision it names is the base of the next save.
  function accepted(entry, data) {
    serverValues = data.state;
    renderConflicts();
    if (data.state.revision >= base) {
      base = data.state.revision;
      rebase(entry, data.state); // others' newer values appear; what was typed meanwhile stays
    }
    if (!waiting() && !conflicts().length) {
      show(invalidCount() ? "invalid" : data.status === "merged" ? "merged" : "saved");
    }
  }

  // What the device's outbox did with a change of this sheet (sent from this page or any other).
  document.addEventListener("festival:outbox", function (event) {
    var detail = event.detail;
    if (detail.kind === "locked") {
      show("signed-out", detail.message);
      return;
    }
    if (detail.kind === "offline") {
      if (waiting()) {
        show("pending");
      }
      return;
    }
    if (!detail.entry || String(detail.entry.sheet) !== String(sheetId)) {
      return;
    }
    if (detail.kind === "kept") {
      apply(detail.entry); // the judge kept a change of an ended session: the page shows it while it goes
      show("pending", text("saving"));
    } else if (detail.kind === "answer") {
      accepted(detail.entry, detail.data);
    } else if (detail.kind === "signed-out") {
      show("signed-out");
    } else if (detail.kind === "refused") {
      show(detail.status === 403 ? "locked" : "error", detail.data.message);
      refuse(detail.data.message || text("error"));
    }
  });

  form.addEventListener("change", function (event) {
    if (event.target.name && ["csrf_token", "client_id", "base"].indexOf(event.target.name) < 0 && !submitting) {
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

  function showChanges(changes) {
    var items = changesBox.querySelector("ul");
    items.textContent = "";
    changes.forEach(function (change) {
      var box = form.querySelector('[data-criterion="' + change.criterion + '"]');
      var name = change.field === "comment" ? conflictBox.dataset.textComment : box ? legend(box) : "";
      var where = change.same_session ? changesBox.dataset.textOtherTab : change.device || changesBox.dataset.textOtherDevice;
      var item = document.createElement("li");
      item.textContent = changesBox.dataset.textChange
        .replace("{field}", name)
        .replace("{before}", shown(change.field, change.before))
        .replace("{now}", shown(change.field, change.now))
        .replace("{device}", where);
      items.appendChild(item);
    });
    changesBox.hidden = !changes.length;
    if (changes.length) {
      changesBox.focus();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (offline.isLocked()) {
      return;
    }
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
    submitting = true;
    changesBox.hidden = true;
    // The submit carries this page's values and the revision they were shown at: the server locks
    // the sheet only if nothing changed elsewhere since that the page does not show.
    var entry = queue(true);
    entry.key = ownKey;
    offline
      .post(root.dataset.submitUrl, entry)
      .then(function (result) {
        var data = result.data;
        submitting = false;
        if (result.response.ok) {
          offline.forget(entry);
          rememberState(data.state);
          offline.renderBanner();
        }
        if (result.response.ok && data.status === "submitted") {
          window.location.reload();
        } else if (result.response.ok && data.status === "changed") {
          accepted(entry, data); // the values stored; what changed elsewhere is now on the page
          showChanges(data.changes);
        } else if (result.response.ok) {
          accepted(entry, data); // stored, but a field was changed elsewhere: the judge chooses first
        } else if (result.response.status === 401) {
          show("signed-out");
          release(entry);
        } else {
          refuse(data.message || text("error"));
          release(entry); // the values are still saved; the sheet just is not submitted
        }
      })
      .catch(function () {
        submitting = false;
        release(entry);
        offline.setReachable(false);
        refuse(text("offline-submit"));
        show("pending");
      });
  });

  // Another tab of this sheet stored a save: show it here too, unless this page has its own waiting.
  window.addEventListener("storage", function (event) {
    if (event.key === stateKey && event.newValue) {
      var state = JSON.parse(event.newValue);
      var previous = event.oldValue ? JSON.parse(event.oldValue) : snapshot();
      serverValues = state;
      if (state.revision > base && !store.read(ownKey)) {
        base = state.revision;
        rebase(previous, state);
      }
    } else if (event.key === conflictKey) {
      renderConflicts();
    } else if (event.key === ownKey && event.newValue === null && !waiting() && !conflicts().length) {
      show(invalidCount() ? "invalid" : "saved"); // another tab sent this page's change and it was stored
    }
  });

  // The page may be older than what this device knows (a copy kept for offline use): start from
  // the newest known state, then from the newest unsent change of any earlier page.
  serverValues = snapshot();
  var known = store.read(stateKey);
  if (known && known.revision > base) {
    base = known.revision;
    serverValues = known;
    apply(known);
  } else {
    apply(snapshot()); // lastValid from what the server rendered
  }
  // A change refused earlier is tried again now that its sheet is open (and the refusal shown here);
  // one kept by an older version of this page learns where it goes.
  store.sheetChanges(sheetId).forEach(function (entry) {
    if (((entry.refused || entry.holding) && entry.session === offline.session) || !entry.url) {
      var key = entry.key;
      delete entry.key;
      delete entry.refused;
      delete entry.holding;
      entry.sheet = sheetId;
      entry.url = root.dataset.saveUrl;
      entry.state_url = root.dataset.stateUrl;
      store.write(key, entry);
    }
  });
  var pending = offline.sendable(sheetId);
  if (pending.length) {
    apply(pending[pending.length - 1]);
    show("pending", text("saving"));
    offline.flush();
  }
  renderConflicts();
  if (offline.isLocked()) {
    show("signed-out");
  }
})();
