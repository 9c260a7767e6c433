// Live preview of a certificate template: after a pause in typing, the unsaved wording is sent
// to the server, which renders one certificate and answers with the picture.
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  var image = document.getElementById("preview");
  var state = document.getElementById("preview-state");
  var refusal = document.getElementById("preview-refusal");
  if (!form || !image) {
    return;
  }
  var timer = null;
  var latest = 0;

  function refresh() {
    var asked = ++latest;
    var data = new FormData(form);
    data.delete("signature");
    data.delete("seal");
    state.textContent = state.dataset.textUpdating;
    fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
      })
      .then(function (outcome) {
        if (asked !== latest) {
          return;
        }
        // Wording that saving would refuse is refused here too, with its reason, and the last good picture dimmed.
        refusal.hidden = outcome.ok;
        refusal.textContent = outcome.ok ? "" : outcome.answer.message;
        image.classList.toggle("is-stale", !outcome.ok);
        if (outcome.ok && outcome.answer.image) {
          image.src = outcome.answer.image;
        }
      })
      .catch(function () {})
      .then(function () {
        if (asked === latest) {
          state.textContent = "";
        }
      });
  }

  form.addEventListener("input", function (event) {
    if (event.target.type === "file") {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);
  });
})();
