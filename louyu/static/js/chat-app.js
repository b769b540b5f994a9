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
  var mentionActive = 0;
  var dialogTarget = null; // {message: id} or {user: id, name: ...} for the open dialog
  var noticeTimer = null;

  var list = document.getElementById("chat-list");
  var pane = document.getElementById("chat-messages");
  var title = document.getElementById("chat-title");
  var composer = document.getElementById("chat-composer");
  var input = document.getElementById("chat-input");
  var errorBox = document.getElementById("chat-error");
  var statusBox = document.getElementById("chat-status");
  var typingBox = document.getElementById("chat-typing");
  var noticeBox = document.getElementById("chat-notice");
  var peopleBox = document.getElementById("chat-people");
  var peopleList = document.getElementById("chat-people-list");
  var peopleToggle = document.getElementById("chat-people-toggle");
  var mentionBox = document.getElementById("chat-mentions");

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] === undefined ? all : String(values[key]);
    });
  }

  // A short message in the page's status region; with a conversation, a button to go there.
  function notice(message, conversationId) {
    noticeBox.textContent = message;
    if (conversationId) {
      var go = el("button", "btn btn-link btn-sm p-0 ms-2 align-baseline", text.textGo);
      go.type = "button";
      go.dataset.conversation = String(conversationId);
      noticeBox.appendChild(go);
    }
    noticeBox.hidden = false;
    window.clearTimeout(noticeTimer);
    noticeTimer = window.setTimeout(function () {
      noticeBox.hidden = true;
    }, 8000);
  }

  function setMentions(conversationId, count) {
    var item = listItem(conversationId);
    if (!item) {
      return;
    }
    var badge = item.querySelector(".chat-mention-badge");
    badge.dataset.mentions = String(count);
    badge.firstChild.nodeValue = "@" + count;
    badge.hidden = count <= 0;
  }

  function bumpMentions(conversationId) {
    var item = listItem(conversationId);
    var badge = item && item.querySelector(".chat-mention-badge");
    if (badge) {
      setMentions(conversationId, (parseInt(badge.dataset.mentions, 10) || 0) + 1);
    }
  }

  function presenceText(state) {
    return state === "online" ? text.textOnline : state === "away" ? text.textAway : text.textOfflineState;
  }

  function setPresence(userId, state) {
    document.querySelectorAll('.chat-presence[data-user="' + userId + '"]').forEach(function (dot) {
      dot.dataset.state = state;
      dot.firstChild.textContent = presenceText(state);
    });
  }

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
      // 201 without a body (a report) is a success too.
      return response.text().then(function (body) {
        var data = body ? JSON.parse(body) : null;
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
    var mentionsMe = (message.mentions || []).indexOf(me) >= 0 && !message.deleted;
    var item = el("li", "chat-message" + (message.sender === me ? " mine" : "") + (mentionsMe ? " mention-me" : ""));
    item.id = "m" + message.id;
    item.dataset.id = String(message.id);
    var meta = el("div", "chat-meta");
    meta.appendChild(el("strong", null, message.sender_name));
    var time = new Date(message.created_at);
    meta.appendChild(document.createTextNode(" " + time.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" })));
    if (message.edited_at) {
      meta.appendChild(document.createTextNode(" · " + text.textEdited));
    }
    if (mentionsMe) {
      meta.appendChild(el("span", "badge text-bg-warning ms-1 chat-mention-tag", "@ " + text.textMentionsMe));
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
        // Counted from the message itself, so messages caught up after a reconnect count too.
        if ((message.mentions || []).indexOf(me) >= 0 && !message.deleted) {
          bumpMentions(message.conversation);
        }
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
        // A direct conversation: the others' presence dots next to the title, kept live.
        a.querySelectorAll(".chat-presence").forEach(function (dot) {
          title.insertBefore(dot.cloneNode(true), title.firstChild);
        });
        currentKind = a.dataset.kind;
        moderator = a.dataset.moderator === "true" || a.dataset.role === "moderator";
      } else {
        a.removeAttribute("aria-current");
      }
    });
    composer.hidden = false;
    setMentions(conversationId, 0);
    peopleToggle.hidden = false;
    mentionBox.hidden = true;
    members = [];
    if (!peopleBox.hidden) {
      loadPeople();
    }
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
    request("GET", "/messaging/" + conversationId + "/mention-candidates/").then(function (data) {
      if (current === conversationId) {
        members = data;
      }
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
      } else if (data.type === "chat.mention") {
        if (data.conversation !== current) {
          var item = listItem(data.conversation);
          notice(format(text.textMentioned, { name: data.from, conversation: item ? item.dataset.title : "" }), data.conversation);
        }
      } else if (data.type === "chat.muted") {
        var mutedItem = listItem(data.conversation);
        var where = mutedItem ? mutedItem.dataset.title : "";
        notice(data.until
          ? format(text.textYouAreMuted, { conversation: where, until: new Date(data.until).toLocaleString("zh-CN", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }) })
          : format(text.textYouAreUnmuted, { conversation: where }));
      } else if (data.type === "chat.report") {
        notice(text.textReportArrived, data.conversation);
      } else if (data.type === "chat.joined" && !listItem(data.conversation)) {
        refreshList();
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

  // A conversation opened with me elsewhere: take the server's list (titles, badges, presence).
  function refreshList() {
    fetch("/messaging/", { credentials: "same-origin" }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("chat-list");
      if (!fresh) {
        return;
      }
      list.innerHTML = fresh.innerHTML;
      var item = current === null ? null : listItem(current);
      if (item) {
        item.classList.add("active");
        item.setAttribute("aria-current", "true");
      }
    });
  }

  function showTyping(data) {
    typingBox.textContent = format(text.textTypingFormat, { name: data.name });
    window.clearTimeout(typingTimers[data.user]);
    typingTimers[data.user] = window.setTimeout(function () {
      typingBox.textContent = "";
    }, 4000);
  }

  window.setInterval(function () {
    // A visible tab keeps its user online; a hidden one only keeps the connection (→ away).
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: document.hidden ? "idle" : "ping" }));
    }
    refreshPresence();
  }, 25000);

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "ping" }));
    }
  });

  function refreshPresence() {
    request("GET", "/messaging/presence/").then(function (states) {
      Object.keys(states).forEach(function (userId) {
        setPresence(userId, states[userId]);
      });
    }).catch(function () {});
    if (!peopleBox.hidden) {
      loadPeople(true);
    }
  }

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
      mentions: Object.keys(mentionIds).map(Number).filter(function (id) {
        var m = members.filter(function (x) { return x.id === id; })[0];
        return m && body.indexOf("@" + m.name) >= 0;
      }),
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
    // An IME is choosing a candidate: Enter confirms it and must not send (Zulip #22062).
    if (event.isComposing || event.keyCode === 229 || Date.now() - composingEndedAt < 50) {
      return;
    }
    var choices = mentionBox.hidden ? [] : mentionBox.querySelectorAll(".chat-mention-choice");
    if (choices.length && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      mentionActive = (mentionActive + (event.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length;
      highlightChoice(choices);
      return;
    }
    if (choices.length && (event.key === "Enter" || event.key === "Tab")) {
      event.preventDefault();
      chooseMention(choices[mentionActive] || choices[0]);
      return;
    }
    if (choices.length && event.key === "Escape") {
      mentionBox.hidden = true;
      return;
    }
    if (event.key !== "Enter" || event.shiftKey) {
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
    var box = mentionBox;
    var upto = input.value.slice(0, input.selectionStart);
    var match = /@([^\s@]*)$/.exec(upto);
    box.textContent = "";
    mentionActive = 0;
    if (!match) {
      box.hidden = true;
      return;
    }
    var needle = match[1].toLowerCase();
    // By name, by pinyin initials (zt → 周婷婷) or by full spelling (zhou).
    var hits = members.filter(function (m) {
      return m.id !== me && (m.name.toLowerCase().indexOf(needle) >= 0 ||
        (m.initials || "").indexOf(needle) === 0 || (m.spelling || "").indexOf(needle) === 0);
    }).slice(0, 8);
    hits.forEach(function (m) {
      var li = el("li");
      var button = el("button", "btn btn-sm btn-light chat-mention-choice", "@" + m.name);
      button.type = "button";
      button.dataset.user = String(m.id);
      button.dataset.name = m.name;
      li.appendChild(button);
      box.appendChild(li);
    });
    box.hidden = hits.length === 0;
    highlightChoice(box.querySelectorAll(".chat-mention-choice"));
  }

  function highlightChoice(choices) {
    Array.prototype.forEach.call(choices, function (choice, index) {
      choice.classList.toggle("active", index === mentionActive);
      choice.setAttribute("aria-current", index === mentionActive ? "true" : "false");
    });
  }

  // Inserts "@名字 " (what the message shows) and remembers the id (what the service keeps).
  function chooseMention(button) {
    var upto = input.value.slice(0, input.selectionStart);
    var rest = input.value.slice(input.selectionStart);
    var before = upto.replace(/@([^\s@]*)$/, "@" + button.dataset.name + " ");
    input.value = before + rest;
    input.setSelectionRange(before.length, before.length);
    mentionIds[button.dataset.user] = true;
    mentionBox.hidden = true;
    input.focus();
  }

  mentionBox.addEventListener("click", function (event) {
    var button = event.target.closest(".chat-mention-choice");
    if (button) {
      chooseMention(button);
    }
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
      openDialog("chat-report-dialog", { message: id }, quoteOf(item));
      return;
    }
    if (event.target.closest(".chat-remove-button")) {
      openDialog("chat-remove-dialog", { message: id }, quoteOf(item));
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

  function quoteOf(item) {
    var sender = item.querySelector(".chat-meta strong");
    return (sender ? sender.textContent + "：" : "") + item.querySelector(".chat-body").textContent.slice(0, 80);
  }

  // --- moderation dialogs (native <dialog>: focus is trapped and Escape closes) -------------
  function openDialog(id, target, quote) {
    var dialog = document.getElementById(id);
    dialogTarget = target;
    var form = dialog.querySelector("form");
    form.reset();
    dialog.querySelector(".chat-dialog-error").textContent = "";
    dialog.querySelector(".chat-dialog-quote").textContent = quote;
    dialog.showModal();
  }

  document.querySelectorAll(".chat-dialog").forEach(function (dialog) {
    var form = dialog.querySelector("form");
    dialog.querySelector(".chat-dialog-cancel").addEventListener("click", function () {
      dialog.close();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var action = form.dataset.action;
      var target = dialogTarget;
      var errorLine = dialog.querySelector(".chat-dialog-error");
      var reason = form.elements.reason.value.trim();
      var done;
      if (action === "report") {
        done = request("POST", api + "messages/" + target.message + "/report/", { reason: reason }).then(function () {
          notice(text.textReported);
        });
      } else if (action === "remove") {
        done = request("POST", api + "messages/" + target.message + "/remove/", { reason: reason }).then(function (message) {
          render(message);
          notice(text.textRemovedDone);
        });
      } else {
        var minutes = parseInt(form.elements.minutes.value, 10);
        done = request("POST", api + "conversations/" + current + "/mute/", { user: target.user, minutes: minutes, reason: reason }).then(function () {
          notice(minutes > 0 ? format(text.textMutedDone, { name: target.name, minutes: minutes }) : format(text.textUnmutedDone, { name: target.name }));
          loadPeople();
        });
      }
      done.then(function () {
        dialog.close();
      }).catch(function (error) {
        errorLine.textContent = error.message;
      });
    });
  });

  // --- people: presence, direct messages, mutes ---------------------------------------------
  var peopleTimer = null;
  // dotsOnly: refresh the presence dots and keep the rows (and what is ticked) as they are.
  function loadPeople(dotsOnly) {
    if (current === null) {
      return;
    }
    var conversationId = current;
    var q = document.getElementById("chat-people-q").value.trim();
    fetch("/messaging/" + conversationId + "/people/?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (current !== conversationId || !html) {
          return;
        }
        if (dotsOnly === true && peopleList.firstChild) {
          new DOMParser().parseFromString(html, "text/html").querySelectorAll(".chat-presence").forEach(function (dot) {
            setPresence(dot.dataset.user, dot.dataset.state);
          });
          return;
        }
        peopleList.innerHTML = html; // rendered and escaped by the server
      });
  }

  peopleToggle.addEventListener("click", function () {
    peopleBox.hidden = !peopleBox.hidden;
    peopleToggle.setAttribute("aria-expanded", peopleBox.hidden ? "false" : "true");
    if (!peopleBox.hidden) {
      loadPeople();
    }
  });

  document.getElementById("chat-people-q").addEventListener("input", function () {
    window.clearTimeout(peopleTimer);
    peopleTimer = window.setTimeout(function () {
      loadPeople(false);
    }, 250);
  });

  function openDirect(users) {
    request("POST", api + "direct/", { users: users }).then(function (conversation) {
      if (listItem(conversation.id)) {
        window.location.hash = "c" + conversation.id;
        open(conversation.id);
      } else {
        // A new conversation: the page lists it with its members' names and presence.
        window.location.assign("/messaging/?new=" + conversation.id + "#c" + conversation.id);
      }
    }).catch(function (error) {
      notice(error.message);
    });
  }

  peopleList.addEventListener("click", function (event) {
    var direct = event.target.closest(".chat-direct-button");
    if (direct) {
      openDirect([parseInt(direct.dataset.user, 10)]);
      return;
    }
    var mute = event.target.closest(".chat-mute-button");
    if (mute) {
      openDialog("chat-mute-dialog", { user: parseInt(mute.dataset.user, 10), name: mute.dataset.name }, mute.dataset.name);
    }
  });

  peopleList.addEventListener("submit", function (event) {
    event.preventDefault();
    var picked = Array.prototype.map.call(peopleList.querySelectorAll(".chat-person-pick:checked"), function (box) {
      return parseInt(box.value, 10);
    });
    if (!picked.length) {
      notice(text.textChoosePeople);
      return;
    }
    openDirect(picked);
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
  noticeBox.addEventListener("click", function (event) {
    if (event.target.closest("[data-conversation]")) {
      noticeBox.hidden = true;
      openFromLink(event);
    }
  });

  connect();
  var hash = /^#c(\d+)$/.exec(window.location.hash);
  if (hash) {
    open(parseInt(hash[1], 10));
  }
  }
})();
