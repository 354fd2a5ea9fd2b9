/* The interview screen's enhancements. Progressive: without this file every topic is saved when the
   researcher changes topic. With it: answers and notes are saved as they are entered (a debounced POST of the
   changed question to the autosave endpoint, CSRF token in a header), with a visible save status; scores can
   be typed as digits; a conflict with someone else's edit offers both versions; a timer runs; the text
   selected in the notes can become a quote; the guide gets a print button. No inline script (CSP). */
(function () {
  "use strict";

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function one(selector, root) {
    return (root || document).querySelector(selector);
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  all("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  all("[data-timer-start]").forEach(function (element) {
    var start = Date.parse(element.getAttribute("data-timer-start"));
    if (isNaN(start)) { return; }
    var label = element.getAttribute("data-timer-label") || "";
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var seconds = Math.max(0, Math.floor((Date.now() - start) / 1000));
      var hours = Math.floor(seconds / 3600);
      var minutes = Math.floor((seconds % 3600) / 60);
      var text = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(seconds % 60);
      element.textContent = "· " + label + " " + text;
    }
    tick();
    window.setInterval(tick, 1000);
  });

  all("[data-use-selection]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var notes = document.getElementById(button.getAttribute("data-use-selection"));
      var target = document.getElementById(button.getAttribute("data-target"));
      if (!notes || !target) { return; }
      var text = notes.value.substring(notes.selectionStart, notes.selectionEnd).trim();
      if (text) {
        target.value = text;
        target.focus();
      }
    });
  });

  var form = document.getElementById("interview-form");
  if (!form || !window.fetch || !window.FormData) { return; }

  var url = form.getAttribute("data-autosave-url");
  var section = form.getAttribute("data-section");
  var completed = form.getAttribute("data-completed") === "true";
  var status = document.getElementById("save-status");
  var csrfInput = one("input[name=csrf_token]", form);
  var csrf = csrfInput ? csrfInput.value : "";
  var timers = {};
  var chains = {};
  var inflight = 0;

  function busy() {
    return inflight > 0 || Object.keys(timers).length > 0;
  }

  function setStatus(text, kind) {
    status.textContent = text;
    status.className = "iv-save-status" + (kind ? " iv-save-" + kind : "");
  }

  function baseInput(name) {
    return all("input[data-base]", form).filter(function (input) {
      return input.getAttribute("data-base") === name;
    })[0] || null;
  }

  function named(name) {
    return all("input, textarea, select", form).filter(function (input) { return input.name === name; });
  }

  function setField(name, value) {
    var na = name.indexOf("q-") === 0 ? named("na-" + name.slice(2))[0] : null;
    if (na) {
      na.checked = value === "NA";
      if (value === "NA") { value = ""; }
    }
    named(name).forEach(function (input) {
      if (input.type === "radio") {
        input.checked = value !== null && input.value === value;
      } else if (input.type === "checkbox") {
        input.checked = value !== null && value !== "" && value.split("|").indexOf(input.value) !== -1;
      } else {
        input.value = value === null ? "" : value;
      }
    });
  }

  function answerData(block) {
    var data = new FormData();
    all("input, select, textarea", one("[data-answer]", block)).forEach(function (input) {
      if (!input.name || input.disabled) { return; }
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      data.append(input.name, input.value);
    });
    return data;
  }

  function noteData(block) {
    var data = new FormData();
    var area = one("[data-note-field]", block);
    data.append(area.name, area.value);
    var base = baseInput(area.name);
    if (base) { data.append(base.name, base.value); }
    return data;
  }

  function updatePage(body) {
    Object.keys(body.bases || {}).forEach(function (name) {
      var base = baseInput(name);
      if (base) { base.value = body.bases[name]; }
    });
    (body.removed || []).forEach(function (name) { setField(name, null); });
    if (body.visible) {
      all("[data-question]", form).forEach(function (block) {
        block.hidden = body.visible.indexOf(block.getAttribute("data-question")) === -1;
      });
    }
    (body.topics || []).forEach(function (topic) {
      var item = all("[data-topic]", form).filter(function (li) {
        return li.getAttribute("data-topic") === topic.key;
      })[0];
      if (!item) { return; }
      ["done", "partly", "todo", "skipped"].forEach(function (state) {
        item.classList.toggle("iv-topic-" + state, state === topic.state);
      });
      var label = one("[data-state-label]", item);
      if (label) { label.textContent = topic.label; }
    });
    var presence = document.getElementById("presence");
    if (presence && body.others) {
      presence.textContent = "";
      body.others.forEach(function (line) {
        var p = document.createElement("p");
        p.textContent = line;
        presence.appendChild(p);
      });
    }
  }

  function clearMessage(block) {
    var message = one("[data-message]", block);
    message.hidden = true;
    message.textContent = "";
  }

  function showMessage(block, text) {
    var message = one("[data-message]", block);
    message.textContent = text;
    message.hidden = false;
  }

  function button(text, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button button-secondary";
    element.textContent = text;
    element.addEventListener("click", onClick);
    return element;
  }

  function showConflicts(block, conflicts) {
    var message = one("[data-message]", block);
    message.textContent = "";
    message.hidden = false;
    conflicts.forEach(function (conflict) {
      var kind = conflict.field.indexOf("note-") === 0 ? "note" : "answer";
      var text = document.createElement("p");
      text.textContent = conflict.message;
      message.appendChild(text);
      var actions = document.createElement("p");
      actions.className = "actions";
      actions.appendChild(button(form.getAttribute("data-keep"), function () {
        setField(conflict.field, conflict.theirs.value);
        var base = baseInput(conflict.field);
        if (base) { base.value = conflict.theirs.token; }
        clearMessage(block);
        setStatus("", "");
      }));
      actions.appendChild(button(form.getAttribute("data-mine"), function () {
        var base = baseInput(conflict.field);
        if (base) { base.value = conflict.theirs.token; }
        clearMessage(block);
        send(block, kind, false);
      }));
      message.appendChild(actions);
    });
  }

  function handle(block, code, body) {
    if (code === 200 || (code === 409 && body.status === "conflict")) {
      updatePage(body);
      if (code === 409) {
        showConflicts(block, body.conflicts);
        setStatus(body.conflicts[0].message, "error");
      } else {
        clearMessage(block);
        if (busy()) {
          setStatus(form.getAttribute("data-saving"), "busy");
        } else {
          setStatus(fill(form.getAttribute("data-saved"), { time: body.saved_at }), "ok");
        }
      }
      return;
    }
    var reason = body.message || form.getAttribute("data-offline");
    if (code === 422) {
      showMessage(block, reason);
      if (body.errors && body.errors.reason) {
        var field = document.getElementById("reason");
        if (field) { field.focus(); }
      }
    }
    setStatus(fill(form.getAttribute("data-failed"), { reason: reason }), "error");
  }

  function post(block, kind, keepalive) {
    var data = kind === "note" ? noteData(block) : answerData(block);
    data.append("section", section);
    data.append("question", block.getAttribute("data-question"));
    data.append("kind", kind);
    var reason = document.getElementById("reason");
    if (reason) { data.append("reason", reason.value); }
    setStatus(form.getAttribute("data-saving"), "busy");
    inflight += 1;
    var settled = false;
    function settle() {
      if (!settled) {
        settled = true;
        inflight -= 1;
      }
    }
    return window.fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("not json"); }
      return response.json().then(function (body) {
        settle();
        handle(block, response.status, body);
      });
    }).catch(function () {
      settle();
      setStatus(fill(form.getAttribute("data-failed"), { reason: form.getAttribute("data-offline") }), "error");
    });
  }

  function send(block, kind, keepalive) {
    var key = block.getAttribute("data-question") + ":" + kind;
    var previous = chains[key] || Promise.resolve();
    chains[key] = previous.then(function () { return post(block, kind, keepalive); });
    return chains[key];
  }

  function schedule(block, kind, delay) {
    var key = block.getAttribute("data-question") + ":" + kind;
    setStatus(form.getAttribute("data-pending"), "busy");
    window.clearTimeout(timers[key] && timers[key].id);
    timers[key] = {
      block: block,
      kind: kind,
      id: window.setTimeout(function () {
        delete timers[key];
        send(block, kind, false);
      }, delay)
    };
  }

  function flush(keepalive) {
    Object.keys(timers).forEach(function (key) {
      var timer = timers[key];
      window.clearTimeout(timer.id);
      delete timers[key];
      if (keepalive !== null) { send(timer.block, timer.kind, keepalive); }
    });
  }

  all("[data-question]", form).forEach(function (block) {
    var answer = one("[data-answer]", block);
    answer.addEventListener("change", function () { schedule(block, "answer", 300); });
    answer.addEventListener("input", function (event) {
      var target = event.target;
      if (target.type !== "radio" && target.type !== "checkbox") { schedule(block, "answer", 1200); }
    });
    var note = one("[data-note-field]", block);
    note.addEventListener("input", function () { schedule(block, "note", completed ? 2500 : 1000); });
  });

  // Submitting the form saves everything on it: pending autosaves are not needed any more.
  form.addEventListener("submit", function () { flush(null); });
  window.addEventListener("pagehide", function () { flush(true); });
  setStatus(form.getAttribute("data-auto") || status.textContent, "");

  // Scores by number keys, where a radio button of a scale has the focus: the value is chosen and the focus
  // moves on to the next scale. On 0-10, "1" waits a moment for a "0" (10).
  var pending = { name: null, timer: null };

  function scaleGroups() {
    var names = [];
    all(".q-scale input[type=radio], .q-nps input[type=radio], .q-matrix-row input[type=radio]", form)
      .forEach(function (input) {
        if (names.indexOf(input.name) === -1 && !input.closest("[hidden]")) { names.push(input.name); }
      });
    return names;
  }

  function advance(name) {
    var names = scaleGroups();
    var next = names[names.indexOf(name) + 1];
    if (!next) { return; }
    var radios = named(next);
    var target = radios.filter(function (input) { return input.checked; })[0] || radios[0];
    if (target) { target.focus(); }
  }

  function choose(input, value, moveOn) {
    var radio = named(input.name).filter(function (candidate) { return candidate.value === value; })[0];
    if (!radio) {
      setStatus(fill(form.getAttribute("data-off-scale"), { value: value }), "error");
      return;
    }
    radio.checked = true;
    radio.focus();
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    if (moveOn) { advance(radio.name); }
  }

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target || target.type !== "radio" || event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (!/^[0-9]$/.test(event.key) || !target.closest(".q-scale, .q-nps, .q-matrix-row")) { return; }
    event.preventDefault();
    var zeroToTen = !!target.closest(".q-nps");
    window.clearTimeout(pending.timer);
    if (zeroToTen && pending.name === target.name && event.key === "0") {
      pending.name = null;
      choose(target, "10", true);
    } else if (zeroToTen && event.key === "1") {
      pending.name = target.name;
      choose(target, "1", false);
      pending.timer = window.setTimeout(function () {
        pending.name = null;
        advance(target.name);
      }, 700);
    } else {
      pending.name = null;
      choose(target, event.key, true);
    }
  });
})();
