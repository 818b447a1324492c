// partybuild: small page helpers (no inline scripts: the Content-Security-Policy forbids them).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Account form: show only the anchor the chosen role needs (region / organization / instructor).
(function () {
  var role = document.getElementById("id_role");
  if (!role) { return; }
  var anchors = { region: ["staff", "leader"], organization: ["secretary"], instructor: ["instructor"] };
  function update() {
    Object.keys(anchors).forEach(function (name) {
      var input = document.getElementById("id_" + name);
      var box = input && input.closest(".pb-field");
      if (box) { box.hidden = anchors[name].indexOf(role.value) === -1; }
    });
  }
  role.addEventListener("change", update);
  update();
})();
