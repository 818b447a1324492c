// Import job page: poll the status endpoint and move the progress bar; reload when the run ends.
// The state lives on the server (ImportJob), so leaving and reloading the page loses nothing.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector(".progress-bar");
  var meter = box.querySelector(".progress");
  var text = document.getElementById("import-progress-text");
  var status = document.getElementById("import-status");

  function show(data) {
    bar.style.width = data.percent + "%";
    meter.setAttribute("aria-valuenow", String(data.percent));
    text.textContent = "已处理 " + data.done + " / " + data.total + " 行（" + data.percent + "%）";
    status.textContent = data.status_label;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (data.running) { window.setTimeout(poll, 1500); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
}());
