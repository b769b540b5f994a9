/* Louyu shell behaviour. Loaded from a static file: the CSP forbids inline script. */
(function () {
  "use strict";

  var LARGE_TEXT_KEY = "louyu.largeText";
  var root = document.documentElement;

  function storedLargeText() {
    try {
      return window.localStorage.getItem(LARGE_TEXT_KEY) === "1";
    } catch (error) {
      return false;
    }
  }

  // Apply the remembered text size before the page paints (this script is not deferred).
  if (storedLargeText()) {
    root.classList.add("louyu-large-text");
  }

  // htmx requests carry the CSRF token from <meta name="csrf-token">.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  // After the idle timeout the server has ended the session: reload, so a shared screen stops
  // showing the page and the user lands on the sign-in form.
  var idleMeta = document.querySelector('meta[name="louyu-idle-timeout"]');
  var idleSeconds = idleMeta ? parseInt(idleMeta.content, 10) : 0;
  if (idleSeconds > 0) {
    var idleTimer = null;
    var armIdleTimer = function () {
      window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(function () {
        window.location.reload();
      }, (idleSeconds + 5) * 1000);
    };
    armIdleTimer();
    document.addEventListener("htmx:afterRequest", armIdleTimer);
  }

  // Alpine (CSP build) components are registered here, never written inline.
  document.addEventListener("alpine:init", function () {
    window.Alpine.data("textSize", function () {
      return {
        hidden: false,
        pressed: storedLargeText() ? "true" : "false",
        toggle: function () {
          var on = !root.classList.contains("louyu-large-text");
          root.classList.toggle("louyu-large-text", on);
          this.pressed = on ? "true" : "false";
          try {
            window.localStorage.setItem(LARGE_TEXT_KEY, on ? "1" : "0");
          } catch (error) {
            /* Private mode: the choice lasts for this page only. */
          }
        },
      };
    });
  });
})();
