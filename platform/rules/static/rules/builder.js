/* The condition builder: a json-logic rule edited as groups of lines (全部满足 / 任一满足), each
 * line a variable chosen by its Chinese title, an operator for its type and a value widget.
 *
 * Progressive enhancement: every <textarea>/<input> marked data-rule-input becomes a builder;
 * the variables come from data-rule-variables (the id of a <script type="application/json">) or
 * data-rule-variables-url (fetched). The input itself stays in the form under 高级 and is what
 * the form posts. The grammar is rules/builder.py's (tests/rules/builder_vectors.json holds both
 * to the same answers): a rule outside it is never rewritten — the builder says so and leaves the
 * input as it is, and writes the input only after the editor changes something in the builder.
 *
 * Reuse: window.RuleBuilder.mount(input, variables) returns {element, value(), set(rule)}, so the
 * workflow editor's side panel can host a builder for a transition without a form field. */
(function () {
  "use strict";

  /* OPERATORS */ var OPERATORS = [{"key": "eq", "label": "等于", "kinds": ["string", "number", "boolean", "date", "any"], "value": "one"}, {"key": "ne", "label": "不等于", "kinds": ["string", "number", "boolean", "date", "any"], "value": "one"}, {"key": "in", "label": "属于其中之一", "kinds": ["string", "number", "any"], "value": "list"}, {"key": "contains", "label": "包含", "kinds": ["string", "array", "any"], "value": "one"}, {"key": "not_contains", "label": "不包含", "kinds": ["string", "array", "any"], "value": "one"}, {"key": "gt", "label": "大于", "kinds": ["number", "any"], "value": "one"}, {"key": "ge", "label": "大于等于", "kinds": ["number", "any"], "value": "one"}, {"key": "lt", "label": "小于", "kinds": ["number", "any"], "value": "one"}, {"key": "le", "label": "小于等于", "kinds": ["number", "any"], "value": "one"}, {"key": "before", "label": "早于", "kinds": ["date"], "value": "one"}, {"key": "after", "label": "晚于", "kinds": ["date"], "value": "one"}, {"key": "between", "label": "在…之间", "kinds": ["number", "date", "any"], "value": "two"}, {"key": "empty", "label": "为空", "kinds": ["string", "number", "array", "date", "object", "boolean", "any"], "value": "none"}, {"key": "not_empty", "label": "不为空", "kinds": ["string", "number", "array", "date", "object", "boolean", "any"], "value": "none"}]; /* END OPERATORS */

  var BY_KEY = {};
  OPERATORS.forEach(function (op) { BY_KEY[op.key] = op; });
  var GROUPS = {all: "and", any: "or"};
  var GROUP_OF = {and: "all", or: "any"};
  var SIMPLE = {eq: "==", ne: "!=", gt: ">", ge: ">=", lt: "<", le: "<=", before: "date_before", after: "date_after"};
  var SIMPLE_OF = {};
  Object.keys(SIMPLE).forEach(function (k) { SIMPLE_OF[SIMPLE[k]] = k; });

  // -- the grammar (the same as rules/builder.py) ------------------------------------------------

  function NotRepresentable(why) { this.message = why; }

  function isObject(x) { return x !== null && typeof x === "object" && !Array.isArray(x); }
  function single(node) { return isObject(node) && Object.keys(node).length === 1; }
  function isScalar(v) {
    return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && isFinite(v));
  }
  function scalar(v) { if (!isScalar(v)) throw new NotRepresentable("not a scalar value"); return v; }
  function varName(node) {
    if (single(node) && typeof node["var"] === "string" && node["var"] !== "") return node["var"];
    throw new NotRepresentable("not a plain variable");
  }
  function args(node, op, count) {
    if (!single(node) || !(op in node)) throw new NotRepresentable(op);
    var a = node[op];
    if (!Array.isArray(a) || a.length !== count) throw new NotRepresentable(op);
    return a;
  }

  function readLine(rule) {
    var op = Object.keys(rule)[0], a = rule[op];
    if (op === "<=" && Array.isArray(a) && a.length === 3) {
      return {"var": varName(a[1]), op: "between", value: [scalar(a[0]), scalar(a[2])]};
    }
    if (Object.prototype.hasOwnProperty.call(SIMPLE_OF, op)) {
      a = args(rule, op, 2);
      return {"var": varName(a[0]), op: SIMPLE_OF[op], value: scalar(a[1])};
    }
    if (op === "in") {
      a = args(rule, "in", 2);
      if (Array.isArray(a[1])) {
        if (!a[1].length || !a[1].every(isScalar)) throw new NotRepresentable("in: a list of values");
        return {"var": varName(a[0]), op: "in", value: a[1].slice()};
      }
      return {"var": varName(a[1]), op: "contains", value: scalar(a[0])};
    }
    if (op === "!!") return {"var": varName(args(rule, "!!", 1)[0]), op: "not_empty"};
    if (op === "!") {
      var inner = args(rule, "!", 1)[0];
      if (single(inner) && "in" in inner) {
        var b = args(inner, "in", 2);
        return {"var": varName(b[1]), op: "not_contains", value: scalar(b[0])};
      }
      return {"var": varName(inner), op: "empty"};
    }
    throw new NotRepresentable(op);
  }

  function readNode(rule) {
    if (!single(rule)) throw new NotRepresentable("not an operation");
    var op = Object.keys(rule)[0], a = rule[op];
    if (Object.prototype.hasOwnProperty.call(GROUP_OF, op)) {
      if (!Array.isArray(a) || a.length < 2) throw new NotRepresentable("a group holds two conditions or more");
      return {group: GROUP_OF[op], items: a.map(readNode)};
    }
    return readLine(rule);
  }

  function toRule(tree) {
    if ("group" in tree) {
      var rules = tree.items.map(toRule).filter(function (r) { return r !== null; });
      if (!rules.length) return null;
      if (rules.length === 1) return rules[0];
      var out = {};
      out[GROUPS[tree.group]] = rules;
      return out;
    }
    var v = {"var": tree["var"]}, op = tree.op, r = {};
    if (SIMPLE[op]) { r[SIMPLE[op]] = [v, tree.value]; return r; }
    switch (op) {
      case "between": return {"<=": [tree.value[0], v, tree.value[1]]};
      case "in": return {"in": [v, tree.value.slice()]};
      case "contains": return {"in": [tree.value, v]};
      case "not_contains": return {"!": [{"in": [tree.value, v]}]};
      case "empty": return {"!": [v]};
      case "not_empty": return {"!!": [v]};
    }
    throw new Error("unknown operator " + op);
  }

  /** The tree of a rule, or null when the builder cannot show it exactly. */
  function toTree(rule) {
    var tree;
    try { tree = readNode(rule); } catch (e) { if (e instanceof NotRepresentable) return null; throw e; }
    return JSON.stringify(toRule(tree)) === JSON.stringify(rule) ? tree : null;
  }

  // -- the widget -------------------------------------------------------------------------------

  var GROUP_LABELS = {all: "全部满足", any: "任一满足"};
  var SECTION_ORDER = ["表单字段", "决定事项", "办件事实", "环节情况"];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function option(value, label, selected) {
    var o = el("option", {value: value, text: label});
    if (selected) o.selected = true;
    return o;
  }

  function Builder(input, variables) {
    this.input = input;
    this.variables = variables;
    this.byName = {};
    var self = this;
    variables.forEach(function (v) { self.byName[v.name] = v; });
    this.element = el("div", {className: "rule-builder", role: "group"});
    this.message = el("p", {className: "rule-builder-note", role: "status"});
    this.body = el("div", {className: "rule-builder-body"});
    this.element.appendChild(this.message);
    this.element.appendChild(this.body);
    this.load();
  }

  Builder.prototype.load = function () {
    var text = (this.input.value || "").trim(), rule = null, tree = null;
    this.verbatim = false;
    if (text) {
      try { rule = JSON.parse(text); } catch (e) { rule = undefined; }
      tree = rule === undefined ? null : toTree(rule);
      if (tree === null) {
        this.verbatim = true;
        this.root = null;
        this.message.textContent = "此条件超出可视编辑的范围，已原样保留，不会被改动；如需修改，请在下方“高级”中编辑 JSON，或点“改用可视编辑”重新设置。";
        this.body.textContent = "";
        var self = this;
        var restart = el("button", {type: "button", className: "link", text: "改用可视编辑（清除原条件）"});
        restart.addEventListener("click", function () {
          self.verbatim = false;
          self.root = {group: "all", items: []};
          self.message.textContent = "";
          self.write();
          self.render();
        });
        this.body.appendChild(restart);
        return;
      }
    }
    this.message.textContent = "";
    this.root = tree === null ? {group: "all", items: []} : ("group" in tree ? tree : {group: "all", items: [tree]});
    this.render();
  };

  Builder.prototype.value = function () { return this.verbatim ? undefined : toRule(this.root); };

  /** Write the builder's rule into the input (only after the editor changed something). */
  Builder.prototype.write = function () {
    if (this.verbatim) return;
    var rule = toRule(this.complete(this.root));
    this.input.value = rule === null ? "" : JSON.stringify(rule);
    this.input.dispatchEvent(new Event("rule-change", {bubbles: true}));
  };

  // Lines not yet filled in are left out of the rule; incomplete() names them before submit.
  Builder.prototype.complete = function (node) {
    var self = this;
    if ("group" in node) return {group: node.group, items: node.items.map(function (n) { return self.complete(n); }).filter(Boolean)};
    return this.lineDone(node) ? node : null;
  };
  Builder.prototype.lineDone = function (line) {
    if (!line["var"] || !line.op) return false;
    var shape = BY_KEY[line.op].value;
    if (shape === "none") return true;
    if (shape === "two") return Array.isArray(line.value) && line.value.length === 2 && line.value.every(function (v) { return v !== "" && v !== null && v !== undefined; });
    if (shape === "list") return Array.isArray(line.value) && line.value.length > 0;
    return line.value !== "" && line.value !== null && line.value !== undefined;
  };
  Builder.prototype.incomplete = function (node) {
    var self = this;
    node = node || this.root;
    if (!node) return 0;
    if ("group" in node) return node.items.reduce(function (n, c) { return n + self.incomplete(c); }, 0);
    return this.lineDone(node) ? 0 : 1;
  };

  Builder.prototype.render = function () {
    this.body.textContent = "";
    this.body.appendChild(this.renderGroup(this.root, null));
  };

  Builder.prototype.changed = function () { this.write(); this.render(); };

  Builder.prototype.renderGroup = function (group, parent) {
    var self = this;
    var box = el("div", {className: "rb-group", role: "group"});
    var head = el("div", {className: "rb-head"});
    if (!group.items.length && !parent) {
      head.appendChild(el("span", {className: "rb-always", text: "无条件（总是成立）"}));
    } else {
      var match = el("select", {"aria-label": "条件组的满足方式", className: "rb-match"});
      Object.keys(GROUP_LABELS).forEach(function (k) { match.appendChild(option(k, GROUP_LABELS[k] + "以下条件", group.group === k)); });
      match.addEventListener("change", function () { group.group = match.value; self.changed(); });
      head.appendChild(match);
    }
    if (parent) {
      var drop = el("button", {type: "button", className: "link rb-remove", text: "删除此组"});
      drop.addEventListener("click", function () { parent.items.splice(parent.items.indexOf(group), 1); self.changed(); });
      head.appendChild(drop);
    }
    box.appendChild(head);
    var list = el("ul", {className: "rb-items"});
    group.items.forEach(function (item) {
      list.appendChild(el("li", {}, ["group" in item ? self.renderGroup(item, group) : self.renderLine(item, group)]));
    });
    box.appendChild(list);
    var add = el("button", {type: "button", className: "rb-add", text: "添加条件"});
    add.addEventListener("click", function () { group.items.push({"var": "", op: ""}); self.changed(); });
    var addGroup = el("button", {type: "button", className: "rb-add-group", text: "添加条件组"});
    addGroup.addEventListener("click", function () { group.items.push({group: "any", items: [{"var": "", op: ""}]}); self.changed(); });
    box.appendChild(el("div", {className: "rb-actions"}, [add, addGroup]));
    return box;
  };

  Builder.prototype.operatorsFor = function (variable) {
    var kind = variable ? variable.type : "any";
    return OPERATORS.filter(function (op) { return op.kinds.indexOf(kind) >= 0; });
  };

  Builder.prototype.renderLine = function (line, group) {
    var self = this;
    var row = el("div", {className: "rb-line"});
    var variable = this.byName[line["var"]];

    var pick = el("select", {"aria-label": "条件字段", className: "rb-var"});
    pick.appendChild(option("", "请选择字段…", !line["var"]));
    var sections = {};
    this.variables.forEach(function (v) { (sections[v.section] = sections[v.section] || []).push(v); });
    var names = Object.keys(sections).sort(function (a, b) { return SECTION_ORDER.indexOf(a) - SECTION_ORDER.indexOf(b); });
    names.forEach(function (section) {
      var og = el("optgroup", {label: section});
      sections[section].forEach(function (v) { og.appendChild(option(v.name, v.label || v.name, v.name === line["var"])); });
      pick.appendChild(og);
    });
    if (line["var"] && !variable) pick.appendChild(option(line["var"], line["var"] + "（已不存在）", true));
    pick.addEventListener("change", function () {
      line["var"] = pick.value;
      var ops = self.operatorsFor(self.byName[pick.value]).map(function (o) { return o.key; });
      if (ops.indexOf(line.op) < 0) { line.op = ops[0] || ""; delete line.value; }
      self.changed();
    });
    row.appendChild(pick);

    var ops = el("select", {"aria-label": "比较方式", className: "rb-op"});
    var offered = this.operatorsFor(variable);
    if (!line.op) ops.appendChild(option("", "请选择…", true));
    offered.forEach(function (o) { ops.appendChild(option(o.key, o.label, o.key === line.op)); });
    if (line.op && !offered.some(function (o) { return o.key === line.op; })) ops.appendChild(option(line.op, BY_KEY[line.op].label, true));
    ops.addEventListener("change", function () {
      var before = line.op ? BY_KEY[line.op].value : "";
      line.op = ops.value;
      if (BY_KEY[line.op].value !== before) delete line.value;
      self.changed();
    });
    row.appendChild(ops);

    if (line.op) {
      var shape = BY_KEY[line.op].value;
      if (shape === "one") row.appendChild(this.valueWidget(variable, line.value, function (v) { line.value = v; self.write(); }));
      if (shape === "two") {
        var pair = Array.isArray(line.value) ? line.value : ["", ""];
        line.value = pair;
        row.appendChild(this.valueWidget(variable, pair[0], function (v) { pair[0] = v; self.write(); }, "起"));
        row.appendChild(el("span", {text: "至"}));
        row.appendChild(this.valueWidget(variable, pair[1], function (v) { pair[1] = v; self.write(); }, "止"));
      }
      if (shape === "list") row.appendChild(this.listWidget(variable, line));
    }
    var drop = el("button", {type: "button", className: "link rb-remove", text: "删除"});
    drop.setAttribute("aria-label", "删除此条件");
    drop.addEventListener("click", function () { group.items.splice(group.items.indexOf(line), 1); self.changed(); });
    row.appendChild(drop);
    return row;
  };

  function choiceLabel(variable, value) {
    var labels = (variable && variable.choice_labels) || {};
    return Object.prototype.hasOwnProperty.call(labels, String(value)) ? labels[String(value)] : String(value);
  }

  Builder.prototype.valueWidget = function (variable, value, set, which) {
    var kind = variable ? variable.type : "any";
    var label = "条件的值" + (which ? "（" + which + "）" : "");
    var choices = variable ? variable.choices || [] : [];
    var widget;
    if (kind === "boolean") {
      widget = el("select", {"aria-label": label, className: "rb-value"});
      widget.appendChild(option("", "请选择…", value === undefined || value === ""));
      widget.appendChild(option("true", "是", value === true));
      widget.appendChild(option("false", "否", value === false));
      widget.addEventListener("change", function () { set(widget.value === "" ? "" : widget.value === "true"); });
      return widget;
    }
    if (choices.length) {
      widget = el("select", {"aria-label": label, className: "rb-value"});
      widget.appendChild(option("", "请选择…", value === undefined || value === ""));
      var known = false;
      choices.forEach(function (c, i) {
        known = known || c === value;
        widget.appendChild(option(String(i), choiceLabel(variable, c), c === value));
      });
      if (!known && value !== undefined && value !== "") widget.appendChild(option("keep", String(value), true));
      widget.addEventListener("change", function () {
        if (widget.value !== "keep") set(widget.value === "" ? "" : choices[Number(widget.value)]);
      });
      return widget;
    }
    var type = kind === "date" ? "date" : kind === "number" ? "number" : "text";
    widget = el("input", {type: type, "aria-label": label, className: "rb-value"});
    if (type === "number") widget.setAttribute("step", "any");
    widget.value = value === undefined || value === null ? "" : String(value);
    widget.addEventListener("input", function () {
      var raw = widget.value;
      if (type === "number") set(raw === "" || !isFinite(Number(raw)) ? "" : Number(raw));
      else set(raw);
    });
    return widget;
  };

  Builder.prototype.listWidget = function (variable, line) {
    var self = this;
    var choices = variable ? variable.choices || [] : [];
    var chosen = Array.isArray(line.value) ? line.value : [];
    line.value = chosen;
    var box = el("span", {className: "rb-values", role: "group", "aria-label": "可选的值"});
    if (choices.length) {
      choices.forEach(function (c) {
        var tick = el("input", {type: "checkbox"});
        tick.checked = chosen.indexOf(c) >= 0;
        tick.addEventListener("change", function () {
          var at = chosen.indexOf(c);
          if (tick.checked && at < 0) chosen.push(c);
          if (!tick.checked && at >= 0) chosen.splice(at, 1);
          self.write();
        });
        box.appendChild(el("label", {className: "option"}, [tick, document.createTextNode(choiceLabel(variable, c))]));
      });
      return box;
    }
    var text = el("input", {type: "text", "aria-label": "条件的值（多个用顿号“、”分开）", className: "rb-value"});
    text.value = chosen.join("、");
    text.addEventListener("input", function () {
      var number = variable && variable.type === "number";
      chosen.length = 0;
      text.value.split(/[、,，]/).map(function (s) { return s.trim(); }).filter(Boolean).forEach(function (s) {
        chosen.push(number && isFinite(Number(s)) ? Number(s) : s);
      });
      self.write();
    });
    box.appendChild(text);
    return box;
  };

  // -- mounting ---------------------------------------------------------------------------------

  function mount(input, variables) {
    var builder = new Builder(input, variables);
    // The raw JSON stays in the form under 高级; the label that named it moves in with it.
    var advanced = el("details", {className: "rule-advanced"}, [el("summary", {text: "高级：条件 JSON"})]);
    var label = input.id && document.querySelector("label[for='" + input.id + "']");
    input.parentNode.insertBefore(builder.element, input);
    builder.element.parentNode.insertBefore(advanced, builder.element.nextSibling);
    advanced.appendChild(input);
    if (builder.verbatim) advanced.open = true;
    if (label) label.setAttribute("for", "");
    // Follow the JSON as it is typed (not on "change": redrawing on blur would move the button
    // being clicked); the builder writes the box only when the editor uses the builder.
    input.addEventListener("input", function () { builder.load(); });
    var form = input.form;
    if (form && !form.dataset.ruleGuard) {
      form.dataset.ruleGuard = "1";
      form.addEventListener("submit", function (event) {
        var open = (form._ruleBuilders || []).reduce(function (n, b) { return n + b.incomplete(); }, 0);
        if (open) {
          event.preventDefault();
          var note = form.querySelector(".rule-builder-unfinished") || el("p", {className: "field-error rule-builder-unfinished", role: "alert"});
          note.textContent = "有 " + open + " 个条件没有填写完整（字段、比较方式和值都要选），请补全或删除后再保存。";
          form.insertBefore(note, form.firstChild);
        }
      });
    }
    if (form) (form._ruleBuilders = form._ruleBuilders || []).push(builder);
    input.ruleBuilder = builder;
    return builder;
  }

  function variablesFor(input) {
    var id = input.getAttribute("data-rule-variables");
    if (id) {
      var script = document.getElementById(id);
      return Promise.resolve(script ? JSON.parse(script.textContent) : []);
    }
    var url = input.getAttribute("data-rule-variables-url");
    if (url) {
      return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (body) { return Array.isArray(body) ? body : body.variables || []; });
    }
    return Promise.resolve([]);
  }

  function enhance(root) {
    (root || document).querySelectorAll("[data-rule-input]").forEach(function (input) {
      if (input.ruleBuilder) return;
      input.ruleBuilder = true;
      variablesFor(input).then(function (variables) { mount(input, variables); });
    });
  }

  window.RuleBuilder = {OPERATORS: OPERATORS, toTree: toTree, toRule: toRule, mount: mount, enhance: enhance};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { enhance(); });
  else enhance();
})();
