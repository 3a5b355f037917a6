// Behaviour every page shares, kept out of the templates so that the Content-Security-Policy can
// forbid inline script: <form data-confirm="…"> (or a submit button with data-confirm: an
// irreversible action among others) asks before it is sent; <form data-inert> never is (a preview
// of the applicant's form); <form data-busy="…"> says so on its button while the server works
// (立即巡查), and keeps it from being pressed twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  if (form.hasAttribute("data-inert")) {
    event.preventDefault();
    return;
  }
  var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.hasAttribute("data-busy")) {
    var busy = form.getAttribute("data-busy");
    window.setTimeout(function () {  // after the browser has taken the pressed button's value
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
        b.disabled = true;
      });
    }, 0);
    if (button) button.textContent = busy;
    var status = form.querySelector("[data-busy-status]");
    if (status) status.textContent = busy;
    form.setAttribute("aria-busy", "true");
  }
});

// <form data-fold-narrow>: on a phone the fields marked .more fold behind its .more-toggle button
// (更多条件), so that the list below the form shows on the first screen; they stay open while any
// of them holds a value or an error, so that no condition in force is hidden.
(function () {
  var narrow = window.matchMedia("(max-width: 600px)");
  function inUse(label) {
    if (label.querySelector(".field-error")) return true;
    return Array.prototype.some.call(label.querySelectorAll("input, select"), function (field) {
      return field.type === "checkbox" ? field.checked : field.value !== "";
    });
  }
  document.querySelectorAll("form[data-fold-narrow]").forEach(function (form) {
    var toggle = form.querySelector(".more-toggle");
    if (!toggle || Array.prototype.some.call(form.querySelectorAll(".more"), inUse)) return;
    function fold(folded) {
      form.classList.toggle("folded", folded);
      toggle.hidden = !narrow.matches;
      toggle.setAttribute("aria-expanded", folded ? "false" : "true");
      toggle.textContent = folded ? "更多条件" : "收起条件";
    }
    toggle.addEventListener("click", function () {
      fold(!form.classList.contains("folded"));
    });
    narrow.addEventListener("change", function () {
      fold(narrow.matches);
    });
    fold(narrow.matches);
  });
})();
