/* The applicant form's behaviour in the browser: conditional fields (a small json-logic
 * evaluator for the common operations), repeating-table rows, and check digits of ID numbers,
 * credit codes and mobile numbers. The server checks everything again; this only helps early. */
(function () {
  "use strict";

  function getVar(data, name) {
    if (name === "" || name === undefined || name === null) return data;
    var value = data;
    String(name).split(".").forEach(function (part) {
      if (Array.isArray(value) && !/^[0-9]+$/.test(part)) {
        value = value.map(function (row) { return row == null ? null : row[part]; });
      } else {
        value = value == null ? null : value[part];
      }
    });
    return value === undefined ? null : value;
  }

  var UNKNOWN = {};
  function logic(rule, data) {
    if (rule === null || typeof rule !== "object" || Array.isArray(rule)) {
      return Array.isArray(rule) ? rule.map(function (r) { return logic(r, data); }) : rule;
    }
    var op = Object.keys(rule)[0], raw = rule[op];
    var args = Array.isArray(raw) ? raw : [raw];
    var v = function (i) { return logic(args[i], data); };
    switch (op) {
      case "var": return getVar(data, v(0));
      case "==": return v(0) == v(1);
      case "===": return v(0) === v(1);
      case "!=": return v(0) != v(1);
      case "!==": return v(0) !== v(1);
      case "!": return !truthy(v(0));
      case "!!": return truthy(v(0));
      case ">": return v(0) > v(1);
      case ">=": return v(0) >= v(1);
      case "<": return v(0) < v(1);
      case "<=": return v(0) <= v(1);
      case "and": return args.every(function (a) { return truthy(logic(a, data)); });
      case "or": return args.some(function (a) { return truthy(logic(a, data)); });
      case "in": { var hay = v(1); return hay != null && hay.indexOf(v(0)) !== -1; }
      case "some": case "all": case "none": {
        var list = v(0) || [];
        var hit = list.filter(function (item) { return truthy(logic(args[1], item)); }).length;
        return op === "some" ? hit > 0 : op === "all" ? list.length > 0 && hit === list.length : hit === 0;
      }
      default: return UNKNOWN;
    }
  }
  function truthy(x) { return Array.isArray(x) ? x.length > 0 : !!x; }

  function collect(form) {
    var data = {};
    form.querySelectorAll(".form-field").forEach(function (box) {
      var name = box.dataset.field, kind = box.dataset.kind;
      if (kind === "multi_choice") {
        data[name] = Array.prototype.map.call(box.querySelectorAll("input:checked"), function (i) { return i.value; });
      } else if (kind === "choice") {
        var checked = box.querySelector("input:checked");
        if (checked) data[name] = checked.value;
      } else if (kind === "table") {
        data[name] = Array.prototype.map.call(box.querySelectorAll("tbody tr"), function (tr) {
          var row = {};
          tr.querySelectorAll("input, textarea").forEach(function (i) {
            var column = i.name.split(".")[2];
            if (i.type === "checkbox") { if (i.checked) (row[column] = row[column] || []).push(i.value); }
            else if (i.type === "radio") { if (i.checked) row[column] = i.value; }
            else if (i.value) row[column] = i.type === "number" ? Number(i.value) : i.value;
          });
          return row;
        });
      } else {
        var input = box.querySelector("input, textarea");
        if (input && input.value !== "") data[name] = input.type === "number" ? Number(input.value) : input.value;
      }
    });
    return data;
  }

  function refresh(form) {
    var data = collect(form);
    form.querySelectorAll("[data-visible-if]").forEach(function (box) {
      var shown = logic(JSON.parse(box.dataset.visibleIf), data);
      box.hidden = shown !== UNKNOWN && !truthy(shown);
    });
  }

  var ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], ID_C = "10X98765432";
  var CC_A = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  var CC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  var CHECKS = {
    "id-number": function (s) {
      s = s.toUpperCase();
      if (!/^[0-9]{17}[0-9X]$/.test(s)) return "身份证号码应为18位，前17位为数字，最后一位为数字或X";
      var sum = 0; for (var i = 0; i < 17; i++) sum += Number(s[i]) * ID_W[i];
      return ID_C[sum % 11] === s[17] ? "" : "身份证号码校验位不正确，请核对";
    },
    "credit-code": function (s) {
      s = s.toUpperCase();
      if (!/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(s)) return "统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、Z、S、V）";
      var sum = 0; for (var i = 0; i < 17; i++) sum += CC_A.indexOf(s[i]) * CC_W[i];
      return CC_A[(31 - sum % 31) % 31] === s[17] ? "" : "统一社会信用代码校验位不正确，请核对";
    },
    // the pattern and message come from the server (accounts.identity.PHONE_PATTERN): one definition
    "mobile": function (s, input) {
      return new RegExp("^(?:" + input.dataset.pattern + ")$").test(s) ? "" : input.dataset.message;
    }
  };

  function check(input) {
    var box = input.closest(".form-field"), out = box && box.querySelector(".check-error");
    if (!out) return;
    var problem = input.value ? CHECKS[input.dataset.check](input.value.trim(), input) : "";
    out.textContent = problem; out.hidden = !problem;
  }

  document.querySelectorAll(".applicant-form").forEach(function (form) {
    form.addEventListener("input", function () { refresh(form); });
    form.addEventListener("change", function (e) {
      refresh(form);
      if (e.target.dataset && e.target.dataset.check) check(e.target);
    });
    // Repeating tables: rows between the table's data-min-rows (at least one row shown) and
    // data-max-rows; the rows are renumbered so the names stay <table>.<row>.<column>.
    function renumber(tbody) {
      Array.prototype.forEach.call(tbody.rows, function (tr, index) {
        tr.querySelectorAll("input, textarea").forEach(function (i) {
          var parts = i.name.split("."); parts[1] = String(index); i.name = parts.join(".");
        });
      });
    }
    function limit(table, text) {
      var note = table.parentElement.querySelector(".rows-limit");
      if (note) { note.textContent = text; note.hidden = !text; }
    }
    form.addEventListener("click", function (e) {
      if (e.target.classList.contains("add-row")) {
        var table = e.target.previousElementSibling, tbody = table.querySelector("tbody");
        var most = Number(table.dataset.maxRows || 0);
        if (most && tbody.rows.length >= most) { limit(table, "最多填写" + most + "行"); return; }
        var row = tbody.rows[0].cloneNode(true);
        row.querySelectorAll("input, textarea").forEach(function (i) {
          if (i.type === "radio" || i.type === "checkbox") i.checked = false; else i.value = "";
          i.removeAttribute("id");
        });
        tbody.appendChild(row);
        renumber(tbody);
        limit(table, "");
      } else if (e.target.classList.contains("remove-row")) {
        var body = e.target.closest("tbody"), owner = e.target.closest("table");
        var least = Math.max(1, Number(owner.dataset.minRows || 0));
        if (body.rows.length > least) { e.target.closest("tr").remove(); renumber(body); limit(owner, ""); }
        else limit(owner, "至少填写" + least + "行");
      }
      refresh(form);
    });
    refresh(form);
  });
})();
