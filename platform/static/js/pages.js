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
