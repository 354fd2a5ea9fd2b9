/* Keyboard shortcuts for the coding queue (progressive enhancement: the page works without this file).
   j / ArrowDown: next answer; k / ArrowUp: previous answer; 1-9: switch the n-th theme of the current answer;
   s: save the page. Keys typed into a text field or a select are left alone. Every change is announced in
   the page's polite live region, in the page's language (the messages come from data attributes). */
(function () {
  "use strict";
  var form = document.querySelector("[data-coding-form]");
  if (!form) {
    return;
  }
  var items = Array.prototype.slice.call(form.querySelectorAll("[data-coding-item]"));
  var status = document.getElementById("coding-status");
  var current = -1;

  function say(text) {
    if (!status) {
      return;
    }
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  function describe(index) {
    var meta = items[index].querySelector(".coding-meta");
    return form.getAttribute("data-msg-position")
      .replace("{n}", String(index + 1))
      .replace("{total}", String(items.length)) + (meta ? ": " + meta.textContent : "");
  }

  function mark(index) {
    items.forEach(function (item, i) {
      item.classList.toggle("coding-current", i === index);
    });
    current = index;
  }

  function go(index) {
    if (!items.length) {
      return;
    }
    var next = Math.max(0, Math.min(items.length - 1, index));
    mark(next);
    items[next].focus();
    items[next].scrollIntoView({ block: "nearest" });
    say(describe(next));
  }

  function typing(target) {
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable) {
      return true;
    }
    return tag === "INPUT" && target.type !== "checkbox" && target.type !== "radio";
  }

  items.forEach(function (item, i) {
    item.addEventListener("focusin", function () {
      mark(i);
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    var key = event.key;
    if (key === "j" || key === "ArrowDown") {
      event.preventDefault();
      go(current + 1);
    } else if (key === "k" || key === "ArrowUp") {
      event.preventDefault();
      go(current < 0 ? 0 : current - 1);
    } else if (/^[1-9]$/.test(key) && current >= 0) {
      var box = items[current].querySelector('[data-theme-index="' + key + '"]');
      if (box) {
        event.preventDefault();
        box.checked = !box.checked;
        var label = form.querySelector('label[for="' + box.id + '"]');
        var name = label ? label.textContent.replace(/^\s*\d\s*/, "").trim() : key;
        say(form.getAttribute(box.checked ? "data-msg-on" : "data-msg-off").replace("{theme}", name));
      }
    } else if (key === "s") {
      event.preventDefault();
      say(form.getAttribute("data-msg-saving"));
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }
  });
})();
