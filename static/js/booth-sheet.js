// A booth score sheet keeps what the judge types on this device until the server has it. The sheet is a plain
// form post (festival/booths/views.py), so a post lost in a dead spot, or a reload there, would lose the values:
// each change is written at once under the signed-in user (static/js/offline.js wipes it at sign-out and after
// the set time), and the next load of the sheet that does not show them as saved puts them back and says so.
// They go back with the revision they were typed from, so a save made elsewhere meanwhile is still refused by
// the server and both are shown. A save tried with no network is not sent, and the page says so until the
// judge closes the message. Signing out asks first while any are kept, as it does for the outbox.
(function () {
  "use strict";
  if (!window.festivalOffline) {
    return;
  }
  var store = window.festivalOffline.store;
  // The booth list: a submitted sheet is locked, so values kept for it can never be saved (they are what was
  // submitted, after the submit's redirect here); they go, and signing out no longer counts them as unsent.
  document.querySelectorAll("[data-booth-submitted]").forEach(function (node) {
    localStorage.removeItem(store.key("booth", node.dataset.boothSubmitted));
  });
  var form = document.getElementById("booth-sheet-form");
  if (!form || form.dataset.editable !== "true") {
    return;
  }
  var key = store.key("booth", form.dataset.sheetId);
  var base = form.querySelector("input[name=base]");
  var restored = document.getElementById("booth-restored");
  var offlineBox = document.getElementById("booth-offline");

  function fields() {
    return Array.prototype.slice.call(form.querySelectorAll("input[name^='points-'], textarea[name=comment]"));
  }
  function shown() {
    var values = {};
    fields().forEach(function (field) {
      values[field.name] = field.value;
    });
    return values;
  }
  // Points as the server shows them saved ("8.00") are the points typed ("8", "8,0").
  function canonical(field, value) {
    var text = String(value || "").trim();
    var number = text.replace(",", ".");
    return field.name !== "comment" && /^\d+(\.\d+)?$/.test(number) ? String(Number(number)) : text;
  }
  function sameAs(values) {
    return fields().every(function (field) {
      return canonical(field, values[field.name]) === canonical(field, field.value);
    });
  }
  function keep() {
    store.write(key, { values: shown(), base: base.value, created: Date.now() });
  }

  var kept = store.read(key);
  // The page shows the saved sheet (not the values a refused post sent back): kept values it shows are saved.
  if (kept && kept.values && form.dataset.shows === "saved") {
    if (sameAs(kept.values)) {
      localStorage.removeItem(key);
    } else {
      var saved = { values: shown(), base: base.value };
      fields().forEach(function (field) {
        if (kept.values[field.name] !== undefined) {
          field.value = kept.values[field.name];
        }
      });
      base.value = kept.base;
      restored.hidden = false;
      restored.querySelector("button").addEventListener("click", function () {
        fields().forEach(function (field) {
          field.value = saved.values[field.name];
        });
        base.value = saved.base;
        localStorage.removeItem(key);
        restored.hidden = true;
      });
    }
  }

  form.addEventListener("input", keep);
  offlineBox.querySelector(".btn-close").addEventListener("click", function () {
    offlineBox.hidden = true;
  });
  form.addEventListener("submit", function (event) {
    keep();
    if (!navigator.onLine) {
      event.preventDefault();
      offlineBox.hidden = false;
      offlineBox.focus();
    }
  });
})();
