/* Talkback share menu, progressive enhancement of templates/shares/menu.html: the menu is
   plain links without this file. Adds: copy link (Clipboard API, execCommand fallback),
   the device's share sheet (Web Share API), a Mastodon server prompt (remembered in this
   browser's localStorage only) and sized popup windows. No cookies, no third parties. */
(function () {
  "use strict";
  var KEY = "talkback.mastodon";
  var HOST = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

  function fallbackCopy(text) {
    // Selecting the hidden field moves focus; give it back so a keyboard user stays put.
    var before = document.activeElement;
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.cssText = "position:fixed;opacity:0";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    if (before && before.focus) before.focus();
    return done ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function store(value) {
    try {
      if (value === undefined) return localStorage.getItem(KEY) || "";
      localStorage.setItem(KEY, value);
    } catch (e) { /* storage off: ask again next time */ }
    return "";
  }

  // A handle (@me@mastodon.social), an address or a bare host name: keep only the host.
  function askInstance() {
    var raw = window.prompt("Your Mastodon server (for example mastodon.social)", store());
    if (raw === null) return null;
    var host = raw.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/+$/, "").split("@").pop();
    return HOST.test(host) ? host : "";
  }

  function enhance(menu) {
    var status = menu.querySelector("[data-share-status]");
    var data = { title: menu.getAttribute("data-share-title"), url: menu.getAttribute("data-share-url") };

    menu.querySelectorAll("[data-share-copy]").forEach(function (button) {
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        copy(button.getAttribute("data-share-copy")).then(function () {
          button.textContent = "Copied";
          status.textContent = "Link copied to the clipboard.";
          setTimeout(function () { button.textContent = label; status.textContent = ""; }, 4000);
        }, function () {
          status.textContent = "Press Ctrl+C (⌘C) to copy the selected link.";
          menu.querySelector("input").select();
        });
      });
    });

    var native = menu.querySelector("[data-share-native]");
    if (native && navigator.share && (!navigator.canShare || navigator.canShare(data))) {
      native.hidden = false;
      native.addEventListener("click", function () {
        navigator.share(data).catch(function () { /* cancelled: nothing to do */ });
      });
    }

    menu.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-share-popup]");
      if (!link) return;
      var href = link.href;
      var template = link.getAttribute("data-share-instance");
      if (template) {
        var host = askInstance();
        if (host === null) { event.preventDefault(); return; }
        if (host) {
          store(host);
          // Count through the same first-party URL, then go straight to the reader's server.
          if (navigator.sendBeacon) navigator.sendBeacon(href);
          href = template.replace("{instance}", host)
            .replace("{text}", encodeURIComponent(link.getAttribute("data-share-text")));
        }
      }
      var size = link.getAttribute("data-share-popup").split("x");
      var left = Math.max(0, (screen.width - size[0]) / 2);
      var top = Math.max(0, (screen.height - size[1]) / 2);
      var popup = window.open(href, "_blank",
        "popup,width=" + size[0] + ",height=" + size[1] + ",left=" + left + ",top=" + top);
      if (popup) {
        popup.opener = null;
        event.preventDefault();
      } else if (href !== link.href) {
        event.preventDefault();
        window.location.href = href;
      }
    });
  }

  document.querySelectorAll("[data-share-menu]").forEach(enhance);
})();
