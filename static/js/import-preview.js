// Import preview: choosing another sheet, field, money unit or row to include refreshes the preview at once
// (the same "update preview" post the buttons make without JavaScript), back at the section changed.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form) {
    return;
  }
  var anchor = form.querySelector("input[name=anchor]");
  form.addEventListener("change", function (event) {
    var control = event.target;
    if (!control.hasAttribute("data-refresh")) {
      return;
    }
    var section = control.closest("section");
    anchor.value = section ? section.id : "";
    var button = form.querySelector("button[name=action][value=preview]");
    form.classList.add("is-updating");
    form.setAttribute("aria-busy", "true");
    if (form.requestSubmit && button) {
      form.requestSubmit(button);
    } else if (button) {
      button.click();
    }
  });
})();
