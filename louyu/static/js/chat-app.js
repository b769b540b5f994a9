/* The chat page (/messaging/): REST for history and sends, /ws/chat/ for live messages.
   No inline script and no eval (CSP): plain DOM code plus one Alpine (CSP build) component.
   Every message carries its id; the socket reconnects with ?after=<highest id seen>, and ids
   already shown are skipped, so nothing is lost or shown twice. */
(function () {
  "use strict";

  // Registered before Alpine starts (this script is not deferred; Alpine is).
  document.addEventListener("alpine:init", function () {
    window.Alpine.data("chatLayout", function () {
      return {
        layoutClass: "show-list",
        init: function () {
          var self = this;
          window.addEventListener("chat:open", function () {
            self.layoutClass = "show-pane";
          });
        },
        showList: function () {
          this.layoutClass = "show-list";
        },
      };
    });
  });

  document.addEventListener("DOMContentLoaded", main);

  function main() {
  var root = document.getElementById("chat");
  if (!root) {
    return;
  }
  var me = parseInt(root.dataset.me, 10);
  var text = root.dataset;
  var api = "/api/v1/messaging/";
  var current = null; // open conversation id
  var currentKind = "";
  var moderator = false;
  var seen = {}; // message id -> true, for the open conversation
  var maxSeen = parseInt(root.dataset.after, 10) || 0;
  var socket = null;
  var retry = 500;
  var replyTo = null;
  var mentionIds = {};
  var members = [];
  var pendingFiles = [];
  var typingTimers = {};
  var composingEndedAt = 0;

  var list = document.getElementById("chat-list");
  var pane = document.getElementById("chat-messages");
  var title = document.getElementById("chat-title");
  var composer = document.getElementById("chat-composer");
  var input = document.getElementById("chat-input");
  var errorBox = document.getElementById("chat-error");
  var statusBox = document.getElementById("chat-status");
  var typingBox = document.getElementById("chat-typing");

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function request(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRFToken": csrf(), Accept: "application/json" } };
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) {
        return null;
      }
      return response.json().then(function (data) {
        if (!response.ok) {
          var error = new Error((data && data.error && data.error.message) || response.statusText);
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function clientId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content !== undefined && content !== null) {
      node.textContent = content;
    }
    return node;
  }

  function listItem(conversationId) {
    return list.querySelector('[data-conversation="' + conversationId + '"]');
  }

  function setUnread(conversationId, count) {
    var item = listItem(conversationId);
    if (!item) {
      return;
    }
    var badge = item.querySelector(".chat-unread");
    badge.dataset.unread = String(count);
    badge.firstChild.nodeValue = String(count);
    badge.hidden = count <= 0;
  }

  function bumpUnread(conversationId) {
    var item = listItem(conversationId);
    if (!item) {
      return;
    }
    var badge = item.querySelector(".chat-unread");
    setUnread(conversationId, (parseInt(badge.dataset.unread, 10) || 0) + 1);
    var li = item.parentNode;
    li.parentNode.insertBefore(li, li.parentNode.firstChild);
  }

  function render(message) {
    var existing = document.getElementById("m" + message.id);
    var item = el("li", "chat-message" + (message.sender === me ? " mine" : ""));
    item.id = "m" + message.id;
    item.dataset.id = String(message.id);
    var meta = el("div", "chat-meta");
    meta.appendChild(el("strong", null, message.sender_name));
    var time = new Date(message.created_at);
    meta.appendChild(document.createTextNode(" " + time.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" })));
    if (message.edited_at) {
      meta.appendChild(document.createTextNode(" · " + text.textEdited));
    }
    if (message.escalated) {
      meta.appendChild(el("span", "badge text-bg-warning ms-1", text.textEscalated));
    }
    item.appendChild(meta);
    if (message.reply_to) {
      item.appendChild(el("div", "chat-quote", message.reply_to.sender_name + "：" + message.reply_to.body));
    }
    var body = el("div", "chat-body");
    if (message.deleted) {
      body.textContent = message.removed ? text.textRemoved : text.textDeleted;
      body.classList.add("fst-italic", "text-body-secondary");
    } else {
      body.textContent = message.body;
    }
    item.appendChild(body);
    (message.attachments || []).forEach(function (attachment) {
      if (attachment.kind === "image") {
        var img = el("img");
        img.src = attachment.url;
        img.alt = attachment.name;
        item.appendChild(img);
      } else {
        var link = el("a", "d-block", attachment.name);
        link.href = attachment.url;
        item.appendChild(link);
      }
    });
    var actions = el("div", "chat-actions");
    Object.keys(message.reactions || {}).forEach(function (emoji) {
      var users = message.reactions[emoji];
      var button = el("button", "btn btn-sm btn-link p-0 me-2 chat-react", emoji + " " + users.length);
      button.type = "button";
      button.dataset.emoji = emoji;
      button.setAttribute("aria-pressed", users.indexOf(me) >= 0 ? "true" : "false");
      actions.appendChild(button);
    });
    if (!message.deleted) {
      var like = el("button", "btn btn-sm btn-link p-0 me-2 chat-react", "👍");
      like.type = "button";
      like.dataset.emoji = "👍";
      like.setAttribute("aria-label", "👍");
      actions.appendChild(like);
      var reply = el("button", "btn btn-sm btn-link p-0 me-2 chat-reply-button", text.textReply);
      reply.type = "button";
      actions.appendChild(reply);
      if (message.sender !== me) {
        var report = el("button", "btn btn-sm btn-link p-0 me-2 chat-report-button", text.textReport);
        report.type = "button";
        actions.appendChild(report);
      }
      if (moderator) {
        var remove = el("button", "btn btn-sm btn-link p-0 me-2 chat-remove-button", text.textRemove);
        remove.type = "button";
        actions.appendChild(remove);
        if (message.service_request === null && message.sender !== me && currentKind !== "announcement") {
          var toRequest = el("button", "btn btn-sm btn-link p-0 chat-to-request-button", text.textToRequest);
          toRequest.type = "button";
          actions.appendChild(toRequest);
        }
      }
    }
    if (message.service_request !== null) {
      actions.appendChild(el("span", "badge text-bg-info ms-1", text.textRequest + " #" + message.service_request));
    }
    if (currentKind === "announcement" && message.sender === me) {
      var reads = el("span", "chat-reads small text-body-secondary ms-1");
      actions.appendChild(reads);
      request("GET", api + "messages/" + message.id + "/reads/").then(function (data) {
        reads.textContent = text.textRead + " " + data.read + "/" + data.total;
      });
    }
    item.appendChild(actions);
    if (existing) {
      pane.replaceChild(item, existing);
    } else {
      pane.appendChild(item);
      pane.scrollTop = pane.scrollHeight;
    }
  }

  function accept(message) {
    if (message.id > maxSeen) {
      maxSeen = message.id;
    }
    if (message.conversation !== current) {
      if (message.sender !== me) {
        bumpUnread(message.conversation);
      }
      return;
    }
    if (seen[message.id]) {
      return;
    }
    seen[message.id] = true;
    var empty = pane.querySelector(".chat-empty");
    if (empty) {
      empty.remove();
    }
    render(message);
    markRead(message.id);
  }

  function markRead(id) {
    if (current === null) {
      return;
    }
    var item = listItem(current);
    if (item && parseInt(item.dataset.lastRead, 10) >= id) {
      return;
    }
    if (item) {
      item.dataset.lastRead = String(id);
    }
    setUnread(current, 0);
    request("POST", api + "conversations/" + current + "/read/", { last_read_id: id }).catch(function () {});
  }

  function open(conversationId) {
    current = conversationId;
    seen = {};
    pane.textContent = "";
    typingBox.textContent = "";
    errorBox.textContent = "";
    replyTo = null;
    mentionIds = {};
    document.getElementById("chat-reply").hidden = true;
    list.querySelectorAll(".chat-list-item").forEach(function (a) {
      var active = parseInt(a.dataset.conversation, 10) === conversationId;
      a.classList.toggle("active", active);
      if (active) {
        a.setAttribute("aria-current", "true");
        title.textContent = a.dataset.title;
        currentKind = a.dataset.kind;
        moderator = a.dataset.role === "moderator";
      } else {
        a.removeAttribute("aria-current");
      }
    });
    composer.hidden = false;
    window.dispatchEvent(new CustomEvent("chat:open"));
    request("GET", api + "conversations/" + conversationId + "/messages/?limit=50").then(function (messages) {
      if (current !== conversationId) {
        return;
      }
      if (!messages.length && !pane.querySelector(".chat-message")) {
        pane.appendChild(el("li", "chat-empty text-body-secondary", text.textEmpty));
      }
      messages.forEach(accept);
    });
    request("GET", api + "conversations/" + conversationId + "/members/").then(function (data) {
      members = data;
    });
  }

  // --- socket -----------------------------------------------------------------------------
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/chat/?after=" + maxSeen);
    socket.addEventListener("open", function () {
      retry = 500;
      statusBox.textContent = "";
      root.dataset.connected = "true";
    });
    socket.addEventListener("message", function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "chat.message" || data.type === "chat.message.updated") {
        if (data.type === "chat.message.updated" && data.message.conversation === current && seen[data.message.id]) {
          render(data.message);
        } else if (data.type === "chat.message") {
          accept(data.message);
        }
      } else if (data.type === "chat.typing" && data.conversation === current) {
        showTyping(data);
      } else if (data.type === "chat.reset") {
        window.location.reload();
      }
    });
    socket.addEventListener("close", function () {
      root.dataset.connected = "false";
      statusBox.textContent = text.textOffline;
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    });
  }

  function showTyping(data) {
    typingBox.textContent = data.name + " " + text.textTyping;
    window.clearTimeout(typingTimers[data.user]);
    typingTimers[data.user] = window.setTimeout(function () {
      typingBox.textContent = "";
    }, 4000);
  }

  window.setInterval(function () {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "ping" }));
    }
  }, 25000);

  // --- composer ---------------------------------------------------------------------------
  function send() {
    var body = input.value.trim();
    if ((!body && !pendingFiles.length) || current === null) {
      return;
    }
    var payload = {
      body: body,
      client_id: clientId(),
      reply_to: replyTo,
      mentions: Object.keys(mentionIds).map(Number),
      attachments: pendingFiles.map(function (f) { return f.id; }),
    };
    var conversationId = current;
    input.value = "";
    pendingFiles = [];
    document.getElementById("chat-files").textContent = "";
    replyTo = null;
    mentionIds = {};
    document.getElementById("chat-reply").hidden = true;
    var attempt = function (tries) {
      request("POST", api + "conversations/" + conversationId + "/messages/", payload)
        .then(function (message) {
          errorBox.textContent = "";
          if (conversationId === current) {
            accept(message);
          }
        })
        .catch(function (error) {
          if (!error.status && tries < 5) {
            // Network failure: resend with the same client_id, the server keeps one copy.
            window.setTimeout(function () { attempt(tries + 1); }, 1000 * (tries + 1));
            return;
          }
          errorBox.textContent = error.message;
          if (!input.value) {
            input.value = payload.body;
          }
        });
    };
    attempt(0);
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });

  input.addEventListener("compositionend", function () {
    composingEndedAt = Date.now();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey) {
      return;
    }
    // An IME is choosing a candidate: Enter confirms it and must not send (Zulip #22062).
    if (event.isComposing || event.keyCode === 229 || Date.now() - composingEndedAt < 50) {
      return;
    }
    event.preventDefault();
    send();
  });

  var lastTyping = 0;
  input.addEventListener("input", function () {
    var now = Date.now();
    if (socket && socket.readyState === WebSocket.OPEN && now - lastTyping > 3000 && current !== null) {
      lastTyping = now;
      socket.send(JSON.stringify({ type: "typing", conversation: current }));
    }
    mentionSuggest();
  });

  function mentionSuggest() {
    var box = document.getElementById("chat-mentions");
    var upto = input.value.slice(0, input.selectionStart);
    var match = /@([^\s@]*)$/.exec(upto);
    box.textContent = "";
    if (!match) {
      box.hidden = true;
      return;
    }
    var needle = match[1];
    var hits = members.filter(function (m) {
      return m.id !== me && m.name.indexOf(needle) >= 0;
    }).slice(0, 8);
    hits.forEach(function (m) {
      var li = el("li");
      var button = el("button", "btn btn-sm btn-light chat-mention-choice", m.name);
      button.type = "button";
      button.dataset.user = String(m.id);
      button.dataset.name = m.name;
      li.appendChild(button);
      box.appendChild(li);
    });
    box.hidden = hits.length === 0;
  }

  document.getElementById("chat-mentions").addEventListener("click", function (event) {
    var button = event.target.closest(".chat-mention-choice");
    if (!button) {
      return;
    }
    var upto = input.value.slice(0, input.selectionStart);
    var rest = input.value.slice(input.selectionStart);
    input.value = upto.replace(/@([^\s@]*)$/, "@" + button.dataset.name + " ") + rest;
    mentionIds[button.dataset.user] = true;
    this.hidden = true;
    input.focus();
  });

  document.getElementById("chat-file").addEventListener("change", function () {
    var files = Array.prototype.slice.call(this.files);
    var box = document.getElementById("chat-files");
    files.forEach(function (file) {
      var form = new FormData();
      form.append("file", file);
      request("POST", api + "conversations/" + current + "/attachments/", form)
        .then(function (attachment) {
          pendingFiles.push(attachment);
          box.appendChild(el("span", "badge text-bg-secondary me-1", attachment.name));
        })
        .catch(function (error) {
          errorBox.textContent = error.message;
        });
    });
    this.value = "";
  });

  document.getElementById("chat-reply-cancel").addEventListener("click", function () {
    replyTo = null;
    document.getElementById("chat-reply").hidden = true;
  });

  pane.addEventListener("click", function (event) {
    var item = event.target.closest(".chat-message");
    if (!item) {
      return;
    }
    var id = parseInt(item.dataset.id, 10);
    var react = event.target.closest(".chat-react");
    if (react) {
      request("POST", api + "messages/" + id + "/reactions/", { emoji: react.dataset.emoji }).then(render);
      return;
    }
    if (event.target.closest(".chat-report-button")) {
      var reason = window.prompt(text.textReportReason);
      if (reason) {
        request("POST", api + "messages/" + id + "/report/", { reason: reason }).catch(function (error) {
          errorBox.textContent = error.message;
        });
      }
      return;
    }
    if (event.target.closest(".chat-remove-button")) {
      request("POST", api + "messages/" + id + "/remove/", {}).then(render).catch(function (error) {
        errorBox.textContent = error.message;
      });
      return;
    }
    if (event.target.closest(".chat-to-request-button")) {
      request("POST", api + "messages/" + id + "/to-request/").then(function (data) {
        render(data.message);
      }).catch(function (error) {
        errorBox.textContent = error.message;
      });
      return;
    }
    if (event.target.closest(".chat-reply-button")) {
      replyTo = id;
      document.getElementById("chat-reply-text").textContent = item.querySelector(".chat-body").textContent.slice(0, 60);
      document.getElementById("chat-reply").hidden = false;
      input.focus();
    }
  });

  function openFromLink(event) {
    var link = event.target.closest("[data-conversation]");
    if (!link) {
      return;
    }
    event.preventDefault();
    open(parseInt(link.dataset.conversation, 10));
  }
  list.addEventListener("click", openFromLink);
  document.getElementById("chat-search-results").addEventListener("click", openFromLink);

  connect();
  var hash = /^#c(\d+)$/.exec(window.location.hash);
  if (hash) {
    open(parseInt(hash[1], 10));
  }
  }
})();
