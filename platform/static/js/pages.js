// Behaviour every page shares, kept out of the templates so that the Content-Security-Policy can
// forbid inline script: <form data-confirm="…"> asks before it is sent; <form data-inert> never is
// (a preview of the applicant's form).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.hasAttribute("data-inert")) {
    event.preventDefault();
  } else if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
