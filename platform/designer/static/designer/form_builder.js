/* Form builder conveniences (progressive: without script, 上移/下移 and 编辑 do the same).
   - Drag a row of the field list onto another to put it before that one (HTML5 drag and drop);
     the drop posts the hidden #drag-move form (op=move, key, before) and the page reloads.
   - Click a field in the live preview to open its editor (?field=<name>#field-editor), a repeating
     table's column header to open that column's (?field=<table>&column=<name>). */
(function () {
  "use strict";
  var mover = document.getElementById("drag-move");
  var rows = document.querySelectorAll("tr[data-field-row]");
  var dragged = null;
  rows.forEach(function (row) {
    row.addEventListener("dragstart", function (e) {
      dragged = row.getAttribute("data-field-row");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", dragged);
      row.classList.add("dragging");
    });
    row.addEventListener("dragend", function () { row.classList.remove("dragging"); });
    row.addEventListener("dragover", function (e) {
      if (dragged && dragged !== row.getAttribute("data-field-row")) { e.preventDefault(); row.classList.add("drop-target"); }
    });
    row.addEventListener("dragleave", function () { row.classList.remove("drop-target"); });
    row.addEventListener("drop", function (e) {
      e.preventDefault();
      var target = row.getAttribute("data-field-row");
      if (!mover || !dragged || dragged === target) return;
      // dropped on the lower half of the last row: to the end
      var last = row === rows[rows.length - 1];
      var box = row.getBoundingClientRect();
      mover.elements.key.value = dragged;
      mover.elements.before.value = last && e.clientY > box.top + box.height / 2 ? "" : target;
      mover.submit();
    });
  });

  // The choices box of a palette or column form only for the types that have choices (a table's
  // column titles on the palette); without script every box shows and the server ignores the rest.
  var WITH_CHOICES = ["choice", "multi_choice", "table"];
  document.querySelectorAll("select[name$='kind']").forEach(function (kind) {
    var choices = kind.form && kind.form.querySelector("textarea[name$='choices']");
    var box = choices && choices.closest("div");
    if (!box) return;
    var sync = function () { box.hidden = WITH_CHOICES.indexOf(kind.value) === -1; };
    kind.addEventListener("change", sync);
    sync();
  });

  var preview = document.querySelector(".preview form[data-edit-url]");
  if (preview) {
    preview.classList.add("click-to-edit");
    preview.addEventListener("click", function (e) {
      var field = e.target.closest("[data-field]");
      if (!field || !preview.contains(field)) return;
      // a repeating table's column header opens that column's editor
      var header = e.target.closest("th[data-column]");
      if (header) {
        e.preventDefault();
        window.location.href = preview.getAttribute("data-edit-url") + encodeURIComponent(field.getAttribute("data-field")) +
          "&column=" + encodeURIComponent(header.getAttribute("data-column")) + "#field-editor";
        return;
      }
      // trying the form stays possible: inputs, a choice's own label and table buttons act as usual
      if (e.target.closest("input, select, textarea, button, option, table")) return;
      var label = e.target.closest("label");
      if (label && label.querySelector("input[type=radio], input[type=checkbox]")) return;
      if (field.parentElement && field.parentElement.closest("[data-field]")) field = field.parentElement.closest("[data-field]");
      e.preventDefault();
      window.location.href = preview.getAttribute("data-edit-url") + encodeURIComponent(field.getAttribute("data-field")) + "#field-editor";
    });
  }
})();
