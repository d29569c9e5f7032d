/* Talkback moderation dashboard: keyboard shortcuts and select-all on top of plain forms.
 * Everything works without this file; it only presses the same buttons faster.
 * j/k move, a approve, r reject, s spam, x select, u undo. Loaded with `defer`, no inline
 * script anywhere, so the page runs under `script-src 'self'`. */
(function () {
  "use strict";

  var STORE_KEY = "talkback.queue.current";

  function comments() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue .comment"));
  }

  function currentIndex() {
    var list = comments();
    for (var i = 0; i < list.length; i++) {
      if (list[i].classList.contains("current")) return i;
    }
    return -1;
  }

  function focusAt(index) {
    var list = comments();
    if (!list.length) return;
    index = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (el) { el.classList.remove("current"); });
    var el = list[index];
    el.classList.add("current");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
    try { sessionStorage.setItem(STORE_KEY, String(index)); } catch (e) { /* private mode */ }
  }

  function press(action) {
    var list = comments();
    var el = list[currentIndex()];
    if (!el) return;
    var button = el.querySelector('button[data-action="' + action + '"]');
    if (button) button.click();
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    switch (event.key) {
      case "j": focusAt(currentIndex() + 1); break;
      case "k": focusAt(currentIndex() - 1); break;
      case "a": press("approve"); break;
      case "r": press("reject"); break;
      case "s": press("spam"); break;
      case "x": {
        var el = comments()[currentIndex()];
        var box = el && el.querySelector("input.select");
        if (box) box.checked = !box.checked;
        break;
      }
      case "u": {
        var undo = document.querySelector("#undo-form button");
        if (undo && !undo.disabled) undo.click();
        break;
      }
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        document.querySelectorAll("#queue input.select").forEach(function (box) {
          box.checked = all.checked;
        });
      });
    }
    comments().forEach(function (el, index) {
      el.addEventListener("click", function () { focusAt(index); });
    });
    // After an action the page reloads; keep the cursor where it was, which is now
    // the comment that followed the one just handled.
    var saved = 0;
    try { saved = parseInt(sessionStorage.getItem(STORE_KEY) || "0", 10) || 0; } catch (e) { /* ignore */ }
    if (comments().length) focusAt(saved);
  });
})();

/* Sites page: copy a snippet to the clipboard (the textarea stays selectable without JS). */
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var area = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { status.textContent = "Copied to the clipboard."; };
      var fallback = function () {
        area.select();
        status.textContent = document.execCommand("copy") ? "Copied to the clipboard." : "Press Ctrl+C (⌘C) to copy.";
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(area.value).then(done, fallback);
      else fallback();
    });
  });
})();
