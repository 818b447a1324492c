/* Activity archives: per-photo captions, upload progress (XMLHttpRequest), export progress.
   Every form still works without this file (plain multipart POST). */
(function () {
  "use strict";

  function setProgress(form, percent, text) {
    var box = form.querySelector(".pb-upload-progress");
    if (!box) { return; }
    box.hidden = false;
    var bar = box.querySelector(".progress-bar");
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    box.querySelector(".progress").setAttribute("aria-valuenow", String(percent));
    if (text) { box.querySelector(".pb-upload-status").textContent = text; }
  }

  function showErrors(form, errors) {
    var box = form.querySelector(".pb-upload-errors");
    if (!box) { window.alert(errors.join("\n")); return; }
    box.textContent = "";
    errors.forEach(function (message) {
      var line = document.createElement("div");
      line.textContent = message;
      box.appendChild(line);
    });
    box.hidden = false;
    box.scrollIntoView({ block: "center" });
  }

  function renderCaptionInputs(form, input) {
    var list = form.querySelector(".pb-photo-captions");
    if (!list) { return; }
    var photoField = input.closest(".pb-field");
    if (photoField && list.previousElementSibling !== photoField) {
      photoField.parentNode.insertBefore(list, photoField.nextSibling);  // captions right under the photos
    }
    list.textContent = "";
    var files = input.files || [];
    for (var i = 0; i < files.length; i++) {
      var item = document.createElement("li");
      item.className = "mb-1";
      var label = document.createElement("label");
      label.className = "form-label mb-0";
      label.textContent = "照片 " + (i + 1) + "（" + files[i].name + "）说明";
      label.htmlFor = "caption_" + i;
      var field = document.createElement("input");
      field.type = "text";
      field.className = "form-control form-control-sm";
      field.name = "caption_" + i;
      field.id = "caption_" + i;
      field.maxLength = 200;
      item.appendChild(label);
      item.appendChild(field);
      list.appendChild(item);
    }
    list.hidden = files.length === 0;
    var textarea = form.querySelector("textarea[name=captions]");
    if (textarea) {
      var wrapper = textarea.closest(".pb-field") || textarea.parentNode;
      wrapper.hidden = files.length > 0;
    }
  }

  function enhanceUploadForm(form) {
    var photoInput = form.querySelector("input[type=file][data-photo-input]");
    if (photoInput) {
      photoInput.addEventListener("change", function () { renderCaptionInputs(form, photoInput); });
    }
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      var errorBox = form.querySelector(".pb-upload-errors");
      if (errorBox) { errorBox.hidden = true; }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.href);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          setProgress(form, Math.round((e.loaded * 100) / e.total), "正在上传…");
        }
      });
      xhr.upload.addEventListener("load", function () { setProgress(form, 100, "上传完成，正在处理照片…"); });
      xhr.addEventListener("load", function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (ignore) { data = null; }
        if (data && data.redirect) { window.location.href = data.redirect; return; }
        if (button) { button.disabled = false; }
        setProgress(form, 0, "");
        form.querySelector(".pb-upload-progress").hidden = true;
        showErrors(form, (data && data.errors) || ["保存失败（" + xhr.status + "），请重试"]);
      });
      xhr.addEventListener("error", function () {
        if (button) { button.disabled = false; }
        showErrors(form, ["网络中断，上传没有完成，请在信号较好时重试。"]);
      });
      xhr.send(new FormData(form));
    });
  }

  function pollExport(box) {
    var url = box.getAttribute("data-export-status");
    var bar = box.querySelector(".pb-export-bar");
    var state = box.querySelector(".pb-export-state");
    var download = box.querySelector(".pb-export-download");
    function tick() {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", url);
      xhr.addEventListener("load", function () {
        var data;
        try { data = JSON.parse(xhr.responseText); } catch (ignore) { return; }
        bar.style.width = data.percent + "%";
        bar.textContent = data.percent + "%";
        state.textContent = "状态：" + data.status_label + "（" + data.done + " / " + data.total + " 条记录）";
        if (data.status === "done") { download.hidden = false; return; }
        if (data.status === "failed") { state.textContent += " " + data.error; return; }
        window.setTimeout(tick, 2000);
      });
      xhr.send();
    }
    if (!download.hidden) { return; }
    window.setTimeout(tick, 1000);
  }

  document.querySelectorAll("form[data-upload-form]").forEach(enhanceUploadForm);
  document.querySelectorAll("[data-export-status]").forEach(pollExport);
})();
