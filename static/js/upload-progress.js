// A form with large files (the exhibit form's photos) says how far the upload has got: on a venue's slow Wi-Fi
// two phone photos take a while, and a page that seems frozen gets sent twice. The same post, sent with
// XMLHttpRequest for its upload progress; the answer (the saved exhibit, or the form again with its refusals and
// the files kept as pending) replaces the page as a normal post would. Small posts go the ordinary way.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-progress]");
  var box = document.getElementById("upload-progress");
  if (!form || !box || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var bar = box.querySelector("progress");
  var label = box.querySelector(".upload-progress-text");
  var LARGE = 512 * 1024;

  function chosenBytes() {
    var total = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        total += file.size;
      });
    });
    return total;
  }

  function say(text) {
    box.hidden = false;
    label.textContent = text;
  }

  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented || chosenBytes() < LARGE) {
      return;
    }
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    var buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (button) {
      button.disabled = true;
    });
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        var percent = Math.floor((progress.loaded / progress.total) * 100);
        bar.value = percent;
        say(box.dataset.textSending + ": " + percent + "%");
      }
    });
    request.upload.addEventListener("load", function () {
      bar.value = 100;
      say(box.dataset.textSaving);
    });
    request.addEventListener("load", function () {
      // The page the server answered with (after its redirect, if any), shown where the post would have left us.
      window.history.replaceState(null, "", request.responseURL || window.location.href);
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () {
      buttons.forEach(function (button) {
        button.disabled = false;
      });
      say(box.dataset.textFailed);
    });
    bar.value = 0;
    say(box.dataset.textSending + ": 0%");
    request.send(data);
  });
})();
