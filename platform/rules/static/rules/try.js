// 规则试算: posts the rule and the sample data to the test-run API and shows, for every node of
// the rule, the value it produced. Paths are built exactly as the server builds them
// ("$", then ".op" for an operation and "[i]" for its i-th argument).
(function () {
  "use strict";

  var form = document.getElementById("rule-try");
  if (!form) { return; }
  var ruleText = document.getElementById("rule-text");
  var dataText = document.getElementById("data-text");
  var schemaText = document.getElementById("schema-text");
  var operations = JSON.parse(document.getElementById("rule-operations").textContent);
  var sample = JSON.parse(document.getElementById("rule-sample").textContent);

  function pretty(value) { return JSON.stringify(value, null, 2); }
  function show(value) { return value === undefined ? "未计算" : JSON.stringify(value); }

  ruleText.value = pretty(sample.rule);
  dataText.value = pretty(sample.data);

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function parseField(textarea, label, optional) {
    var text = textarea.value.trim();
    if (!text) {
      if (optional) { return null; }
      throw new Error(label + "不能为空");
    }
    try { return JSON.parse(text); } catch (e) { throw new Error(label + "不是有效的 JSON：" + e.message); }
  }

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // -- the tree ------------------------------------------------------------------------------
  function isOperation(node) {
    return node !== null && typeof node === "object" && !Array.isArray(node) && Object.keys(node).length === 1;
  }

  function valueBadge(values) {
    if (!values || values.length === 0) { return element("span", "rule-node-value not-run", "未计算"); }
    var last = values[values.length - 1];
    var text = show(last) + (values.length > 1 ? "（共计算 " + values.length + " 次，显示最后一次）" : "");
    var badge = element("span", "rule-node-value", text);
    if (last === true) { badge.classList.add("is-true"); }
    if (last === false) { badge.classList.add("is-false"); }
    return badge;
  }

  function renderNode(node, path, byPath, problems) {
    var item = element("li");
    if (Array.isArray(node)) {
      item.appendChild(element("span", "rule-literal", "列表"));
      var list = element("ul");
      node.forEach(function (child, i) { list.appendChild(renderNode(child, path + "[" + i + "]", byPath, problems)); });
      item.appendChild(list);
    } else if (isOperation(node)) {
      var op = Object.keys(node)[0];
      var here = path + "." + op;
      var known = operations.find(function (o) { return o.name === op; });
      item.appendChild(element("span", "rule-node-op", op + (known ? " " + known.label : "")));
      item.appendChild(valueBadge(byPath[here]));
      (problems[here] || []).forEach(function (message) { item.appendChild(element("span", "rule-node-error", message)); });
      var args = node[op];
      var children = element("ul");
      if (Array.isArray(args)) {
        args.forEach(function (child, i) { children.appendChild(renderNode(child, here + "[" + i + "]", byPath, problems)); });
      } else {
        children.appendChild(renderNode(args, here, byPath, problems));
      }
      item.appendChild(children);
    } else {
      item.appendChild(element("span", "rule-literal", JSON.stringify(node)));
      (problems[path] || []).forEach(function (message) { item.appendChild(element("span", "rule-node-error", message)); });
    }
    return item;
  }

  function renderOutcome(rule, body) {
    var section = document.getElementById("outcome");
    var summary = document.getElementById("outcome-summary");
    var problemsList = document.getElementById("outcome-problems");
    var notes = document.getElementById("outcome-notes");
    var tree = document.getElementById("outcome-tree");
    var steps = document.getElementById("outcome-steps");
    [problemsList, notes, tree, steps].forEach(function (node) { node.textContent = ""; });
    section.hidden = false;

    var problems = {};
    var byPath = {};
    if (body.code) {                       // the platform's error shape: the rule was refused
      summary.textContent = body.message;
      problems = body.details || {};
    } else if (body.ok) {
      summary.textContent = "结果：" + show(body.result);
    } else {
      summary.textContent = body.error.message;
      problems = body.error.details || {};
    }
    Object.keys(problems).forEach(function (path) {
      problems[path].forEach(function (message) { problemsList.appendChild(element("li", "", path + "：" + message)); });
    });
    (body.notes || []).forEach(function (note) { notes.appendChild(element("li", "", note)); });
    (body.steps || []).forEach(function (step) {
      (byPath[step.path] = byPath[step.path] || []).push(step.value);
      var row = element("li");
      row.appendChild(element("code", "", step.path));
      row.appendChild(document.createTextNode(step.label + " → " + show(step.value)));
      steps.appendChild(row);
    });
    var root = element("ul");
    root.appendChild(renderNode(rule, "$", byPath, problems));
    tree.appendChild(root);
  }

  function renderFailure(message) {
    renderOutcome(null, { code: "client", message: message, details: {} });
    document.getElementById("outcome-tree").textContent = "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var payload;
    try {
      payload = {
        rule: parseField(ruleText, "规则"),
        data: parseField(dataText, "样例数据", true) || {},
        schema: parseField(schemaText, "表单 JSON Schema", true),
        facts: document.getElementById("use-facts").checked,
        today: document.getElementById("today").value || null
      };
    } catch (e) {
      renderFailure(e.message);
      return;
    }
    fetch(form.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (body) { renderOutcome(payload.rule, body); });
    }).catch(function () {
      renderFailure("试算请求失败，请稍后重试");
    });
  });

  document.querySelectorAll(".rule-example").forEach(function (button) {
    button.addEventListener("click", function () {
      var op = operations.find(function (o) { return o.name === button.dataset.op; });
      var example = op.examples[Number(button.dataset.index)];
      ruleText.value = pretty(example.rule);
      dataText.value = pretty(example.data);
      document.getElementById("today").value = example.today || "";
      form.requestSubmit();
    });
  });
})();
