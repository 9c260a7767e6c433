// Live preview of a certificate template: after a pause in typing, the unsaved wording is sent
// to the server, which renders one certificate and answers with the picture.
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  var image = document.getElementById("preview");
  var state = document.getElementById("preview-state");
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
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (asked === latest && answer && answer.image) {
          image.src = answer.image;
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
