// partybuild: small page helpers (no inline scripts: the Content-Security-Policy forbids them).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
