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

  // The bell (issue 14): the unread count follows the notification events of /ws/events/
  // without a reload; the connection comes back after a drop, waiting longer each time.
  function setBellCount(count) {
    var badges = document.querySelectorAll("[data-bell-count], [data-unread-count]");
    for (var i = 0; i < badges.length; i++) {
      badges[i].textContent = String(count);
      if (badges[i].hasAttribute("data-bell-count")) {
        badges[i].hidden = count < 1;
      }
    }
  }

  function connectEvents(delay) {
    if (!window.WebSocket) {
      return;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new window.WebSocket(scheme + window.location.host + "/ws/events/");
    var opened = false;
    socket.addEventListener("open", function () {
      opened = true;
      document.documentElement.setAttribute("data-events", "open");
    });
    socket.addEventListener("message", function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (event && typeof event.type === "string" && event.type.indexOf("notification.") === 0) {
        if (typeof event.unread === "number") {
          setBellCount(event.unread);
        }
      }
    });
    socket.addEventListener("close", function () {
      document.documentElement.removeAttribute("data-events");
      var next = opened ? 1000 : Math.min((delay || 1000) * 2, 60000);
      window.setTimeout(function () {
        connectEvents(next);
      }, next);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("louyu-bell")) {
      connectEvents(1000);
    }
  });

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
