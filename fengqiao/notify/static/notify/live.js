// The live in-app channel (docs/alarms.md): every page of a logged-in user keeps a websocket
// to /ws/notify/. Each push updates the 消息 badge; an alarm (kind "alarm") shows a notice at
// the top of the page — no sound — with its action (确认出警) as a real form post.
(function () {
  "use strict";
  var path = document.body && document.body.getAttribute("data-live-path");
  if (!path || !window.WebSocket) { return; }
  var delay = 1000;

  function setBadge(count) {
    var link = document.getElementById("nav-notifications");
    if (!link || typeof count !== "number") { return; }
    var badge = document.getElementById("unread-badge");
    if (count > 0) {
      if (!badge) {
        badge = document.createElement("span");
        badge.id = "unread-badge";
        badge.className = "badge rounded-pill text-bg-warning";
        link.appendChild(document.createTextNode(" "));
        link.appendChild(badge);
      }
      badge.textContent = String(count);
    } else if (badge) {
      badge.remove();
    }
  }

  function showAlarm(data) {
    var box = document.getElementById("live-notices");
    var template = document.getElementById("live-alarm-template");
    if (!box || !template) { return; }
    var notice = template.content.firstElementChild.cloneNode(true);
    notice.setAttribute("data-notification", String(data.id));
    if (data.alarm) { notice.setAttribute("data-alarm", String(data.alarm)); }
    notice.querySelector(".fq-live-kind").textContent = data.kind_label || "";
    notice.querySelector(".fq-live-title").textContent = data.title || "";
    var body = notice.querySelector(".fq-live-body");
    (data.body || "").split("\n").forEach(function (line, i) {
      if (i) { body.appendChild(document.createElement("br")); }
      body.appendChild(document.createTextNode(line));
    });
    var form = notice.querySelector(".fq-live-action");
    if (data.action_url && data.action_url.charAt(0) === "/") {
      form.setAttribute("action", data.action_url);
      form.querySelector("button").textContent = data.action_label || "";
    } else {
      form.remove();
    }
    var link = notice.querySelector(".fq-live-link");
    if (data.url && data.url.charAt(0) === "/") { link.setAttribute("href", data.url); } else { link.remove(); }
    notice.querySelector(".fq-live-close").addEventListener("click", function () { notice.remove(); });
    box.prepend(notice);
    notice.scrollIntoView({block: "start"});
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + path);
    socket.addEventListener("open", function () {
      delay = 1000;
      document.body.setAttribute("data-live", "open");
    });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      setBadge(data.unread);
      if (data.event === "notification" && data.kind === "alarm") { showAlarm(data); }
    });
    socket.addEventListener("close", function () {
      document.body.setAttribute("data-live", "closed");
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  connect();
})();
