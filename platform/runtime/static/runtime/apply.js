/* The application page: puts the rows of repeating tables back from the saved data (the
 * server renders every other field with its value), and saves a draft automatically a moment
 * after the applicant stops typing, and when the page is closed. No library; the server checks
 * everything again on submission. Runs after designer/form.js, which handles the rows' buttons. */
(function () {
  "use strict";
  var form = document.querySelector("form.applicant-form");
  if (!form) return;

  var dataNode = document.getElementById("form-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : {};
  form.querySelectorAll(".form-field[data-kind=table]").forEach(function (box) {
    var rows = data[box.dataset.field];
    if (!Array.isArray(rows)) return;
    var tbody = box.querySelector("tbody"), add = box.querySelector(".add-row");
    rows.forEach(function (row, index) {
      if (index >= tbody.rows.length && add) add.click();
      var tr = tbody.rows[index];
      if (!tr || row === null || typeof row !== "object") return;
      tr.querySelectorAll("input").forEach(function (input) {
        var column = input.name.split(".")[2];
        if (Object.prototype.hasOwnProperty.call(row, column)) input.value = row[column];
      });
    });
  });
  form.dispatchEvent(new Event("change"));

  var url = form.dataset.draftUrl;
  if (!url) return;
  var status = document.getElementById("draft-status");
  var timer = null, dirty = false;

  function fields() {
    var plain = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string") plain.append(key, value);  // files are not part of a draft
    });
    return plain;
  }

  function save() {
    timer = null;
    dirty = false;
    fetch(url, {method: "POST", body: fields(), credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
      .then(function (body) { status.textContent = "草稿已自动保存（" + body.saved_at + "）"; })
      .catch(function () { dirty = true; status.textContent = "草稿暂未保存，请检查网络后继续填写"; });
  }

  function changed(event) {
    if (event.target && event.target.type === "file") return;
    dirty = true;
    status.textContent = "正在保存草稿…";
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 800);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { if (timer) clearTimeout(timer); dirty = false; });
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) navigator.sendBeacon(url, fields());
  });
})();
