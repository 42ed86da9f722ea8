/* 在线调解室: the page of the mediator (data-role="host") and of a participant ("party").
 *
 * The camera and microphone are opened first, then the room's websocket (/ws/room/<id>/): it
 * says whether this page waits or is admitted, carries the chat, the shared draft, the
 * mediator's controls and the WebRTC signalling. Media goes peer to peer (a mesh: every admitted
 * member connects to every other). A newcomer offers to the members present; if two offers
 * cross, the member with the higher id gives way (rolls back) and answers.
 * No inline script or style (the Content-Security-Policy forbids them): texts come from data-t-*
 * attributes, elements are shown with the hidden attribute.
 */
(function () {
  "use strict";
  var root = document.getElementById("fq-room");
  if (!root) { return; }
  var isHost = root.dataset.role === "host";
  var me = null;
  var admitted = false;
  var finished = false;
  var names = {};
  var iceServers = [];
  var local = null;
  var ws = null;
  var peers = new Map(); // participant id -> {pc, pending: [candidates], tile}

  function t(key) { return root.dataset["t" + key] || ""; }
  function $(id) { return document.getElementById(id); }

  function status(text) {
    var box = $("room-status");
    if (!box) { return; }
    box.textContent = text || "";
    box.hidden = !text;
  }

  // --- Media ---------------------------------------------------------------------------------
  function openMedia() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status(t("Nomedia"));
      return Promise.resolve(null);
    }
    return navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } })
      .then(function (stream) {
        local = stream;
        var self = $("self-video");
        if (self) { self.srcObject = stream; }
        return stream;
      })
      .catch(function () { status(t("Nomedia")); return null; });
  }

  function setMic(on) {
    if (!local) { return; }
    local.getAudioTracks().forEach(function (track) { track.enabled = on; });
    var button = $("toggle-mic");
    if (button) { button.textContent = on ? t("MicOff") : t("MicOn"); }
  }

  function micOn() {
    return !!local && local.getAudioTracks().some(function (track) { return track.enabled; });
  }

  function setCam(on) {
    if (!local) { return; }
    local.getVideoTracks().forEach(function (track) { track.enabled = on; });
    var button = $("toggle-cam");
    if (button) { button.textContent = on ? t("CamOff") : t("CamOn"); }
  }

  function play(video) {
    var attempt = video.play();
    if (attempt && attempt.catch) {
      attempt.catch(function () { var tap = $("tap-to-play"); if (tap) { tap.hidden = false; } });
    }
  }

  // --- Peers ---------------------------------------------------------------------------------
  function tileFor(pid) {
    var template = $("tile-template");
    var tile = template.content.firstElementChild.cloneNode(true);
    tile.dataset.pid = String(pid);
    tile.querySelector("figcaption").textContent = names[pid] || t("Participant");
    $("videos").appendChild(tile);
    return tile;
  }

  function peer(pid) {
    var found = peers.get(pid);
    if (found) { return found; }
    var pc = new RTCPeerConnection({ iceServers: iceServers });
    var entry = { pc: pc, pending: [], tile: tileFor(pid) };
    peers.set(pid, entry);
    if (local) {
      local.getTracks().forEach(function (track) { pc.addTrack(track, local); });
    } else {
      pc.addTransceiver("audio", { direction: "recvonly" });
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    pc.onicecandidate = function (event) {
      send({ type: "signal", to: pid, data: { candidate: event.candidate ? event.candidate.toJSON() : null } });
    };
    pc.ontrack = function (event) {
      var video = entry.tile.querySelector("video");
      if (video.srcObject !== event.streams[0]) {
        video.srcObject = event.streams[0];
        play(video);
      }
    };
    return entry;
  }

  function dropPeer(pid) {
    var entry = peers.get(pid);
    if (!entry) { return; }
    entry.pc.close();
    entry.tile.remove();
    peers.delete(pid);
  }

  function offerTo(pid) {
    var entry = peer(pid);
    entry.pc.createOffer()
      .then(function (offer) { return entry.pc.setLocalDescription(offer); })
      .then(function () { send({ type: "signal", to: pid, data: { sdp: { type: "offer", sdp: entry.pc.localDescription.sdp } } }); })
      .catch(function () {});
  }

  function flush(entry) {
    entry.pending.splice(0).forEach(function (c) { entry.pc.addIceCandidate(c).catch(function () {}); });
  }

  function onSignal(from, data) {
    var entry = peer(from);
    var pc = entry.pc;
    if (data.sdp) {
      if (data.sdp.type === "offer") {
        var collision = pc.signalingState !== "stable";
        if (collision && me < from) { return; } // the lower id keeps its own offer
        var ready = collision ? pc.setLocalDescription({ type: "rollback" }) : Promise.resolve();
        ready
          .then(function () { return pc.setRemoteDescription(data.sdp); })
          .then(function () { flush(entry); return pc.createAnswer(); })
          .then(function (answer) { return pc.setLocalDescription(answer); })
          .then(function () { send({ type: "signal", to: from, data: { sdp: { type: "answer", sdp: pc.localDescription.sdp } } }); })
          .catch(function () {});
      } else if (data.sdp.type === "answer" && pc.signalingState === "have-local-offer") {
        pc.setRemoteDescription(data.sdp).then(function () { flush(entry); }).catch(function () {});
      }
    } else if ("candidate" in data) {
      if (!data.candidate) { return; }
      if (pc.remoteDescription) {
        pc.addIceCandidate(data.candidate).catch(function () {});
      } else {
        entry.pending.push(data.candidate);
      }
    }
  }

  // --- Chat and draft ------------------------------------------------------------------------
  function addChat(message) {
    var log = $("chat-log");
    if (!log) { return; }
    var line = document.createElement("div");
    line.className = "fq-chat-line";
    var who = document.createElement("span");
    who.className = "fq-chat-name";
    who.textContent = message.name + "：";
    var text = document.createElement("span");
    text.textContent = message.text;
    var at = document.createElement("span");
    at.className = "fq-chat-at";
    at.textContent = message.at;
    line.append(who, text, at);
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
  }

  function showDraft(text) {
    var view = $("draft-view");
    if (view) { view.textContent = text; }
    var edit = $("draft");
    if (edit && document.activeElement !== edit) { edit.value = text; }
  }

  // --- The mediator's list -------------------------------------------------------------------
  function button(label, action, pid, css) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm " + css + " ms-1";
    b.textContent = label;
    b.dataset.action = action;
    b.dataset.pid = String(pid);
    return b;
  }

  function renderRoster(rows) {
    var list = $("roster");
    if (!list) { return; }
    list.textContent = "";
    rows.forEach(function (p) {
      names[p.id] = p.name;
      var item = document.createElement("li");
      item.className = "list-group-item";
      item.dataset.pid = String(p.id);
      item.dataset.state = p.state;
      var name = document.createElement("span");
      name.className = "fw-semibold";
      name.textContent = p.name + " ";
      var role = document.createElement("span");
      role.className = "small text-muted";
      role.textContent = p.role + " ";
      var state = document.createElement("span");
      state.className = "badge fq-state " + (p.state === "waiting" ? "text-bg-warning" : p.state === "present" ? "text-bg-success" : "text-bg-light");
      state.textContent = p.label;
      item.append(name, role, state);
      if (!p.host) {
        if (p.state === "waiting") { item.append(button(t("Admit"), "admit", p.id, "btn-primary")); }
        if (p.state === "present") { item.append(button(t("Mute"), "mute", p.id, "btn-outline-secondary")); }
        if (p.state !== "removed") { item.append(button(t("Remove"), "remove", p.id, "btn-outline-danger")); }
      }
      list.appendChild(item);
    });
  }

  // --- The socket ----------------------------------------------------------------------------
  function send(message) {
    if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(message)); }
  }

  function enter(message) {
    admitted = true;
    Object.assign(names, message.names || {});
    var waiting = $("waiting");
    if (waiting) { waiting.hidden = true; }
    var stage = $("stage");
    if (stage) { stage.hidden = false; }
    showDraft(message.draft || "");
    (message.chat || []).forEach(addChat);
    send({ type: "ready" });
  }

  function finish(text) {
    finished = true;
    peers.forEach(function (entry, pid) { dropPeer(pid); });
    if (local) { local.getTracks().forEach(function (track) { track.stop(); }); }
    var stage = $("stage");
    if (stage) { stage.hidden = true; }
    var waiting = $("waiting");
    if (waiting) { waiting.hidden = true; }
    root.dataset.finished = "1";
    status(text);
  }

  function handle(message) {
    switch (message.type) {
      case "welcome":
        me = message.me;
        iceServers = message.ice || [];
        Object.assign(names, message.names || {});
        root.dataset.me = String(me);
        if (message.admitted) { enter(message); }
        break;
      case "admitted": enter(message); break;
      case "peers": message.peers.forEach(offerTo); break;
      case "signal": if (admitted) { onSignal(message.from, message.data); } break;
      case "peer-left": dropPeer(message.pid); break;
      case "chat": addChat(message); break;
      case "draft": showDraft(message.text); break;
      case "roster": renderRoster(message.roster); break;
      case "names": Object.assign(names, message.names || {}); break;
      case "mute":
        setMic(false);
        var notice = $("mute-notice");
        if (notice) { notice.hidden = false; }
        break;
      case "removed": case "ended": finish(message.message); break;
      case "error": status(message.message); break;
      default: break;
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + root.dataset.ws);
    ws.onopen = function () { root.dataset.socket = "open"; };
    ws.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      handle(message);
    };
    ws.onclose = function () {
      root.dataset.socket = "closed";
      if (!finished) { finish(t("Closed")); }
    };
  }

  // --- Controls ------------------------------------------------------------------------------
  function wire() {
    var mic = $("toggle-mic");
    if (mic) { mic.addEventListener("click", function () { setMic(!micOn()); var n = $("mute-notice"); if (n) { n.hidden = true; } }); }
    var cam = $("toggle-cam");
    if (cam) {
      cam.addEventListener("click", function () {
        var on = !!local && local.getVideoTracks().some(function (track) { return track.enabled; });
        setCam(!on);
      });
    }
    var tap = $("tap-to-play");
    if (tap) {
      tap.addEventListener("click", function () {
        document.querySelectorAll("#videos video").forEach(function (v) { v.play().catch(function () {}); });
        tap.hidden = true;
      });
    }
    var form = $("chat-form");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var input = $("chat-text");
        var text = input.value.trim();
        if (text) { send({ type: "chat", text: text.slice(0, 500) }); }
        input.value = "";
      });
    }
    var draft = $("draft");
    if (draft) {
      var timer = null;
      draft.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { send({ type: "draft", text: draft.value }); }, 400);
      });
    }
    var roster = $("roster");
    if (roster) {
      roster.addEventListener("click", function (event) {
        var target = event.target.closest("button[data-action]");
        if (!target) { return; }
        send({ type: target.dataset.action, pid: Number(target.dataset.pid) });
      });
    }
    var end = $("room-end");
    if (end) { end.addEventListener("click", function () { $("room-end-confirm").hidden = false; }); }
    var yes = $("room-end-yes");
    if (yes) { yes.addEventListener("click", function () { send({ type: "end" }); }); }
  }

  // For the page and its tests: what arrives from each peer (RTCPeerConnection.getStats()).
  window.fqRoom = {
    peers: peers,
    inboundBytes: function () {
      var reports = [];
      peers.forEach(function (entry) { reports.push(entry.pc.getStats()); });
      return Promise.all(reports).then(function (all) {
        var total = 0;
        all.forEach(function (stats) {
          stats.forEach(function (r) { if (r.type === "inbound-rtp") { total += r.bytesReceived || 0; } });
        });
        return total;
      });
    },
  };

  // The session (a party's binding to the room, the mediator's login) lives as long as requests
  // come; a mediation spends its time on the websocket, so the page asks for itself now and
  // then to keep the session alive and a reload possible.
  setInterval(function () {
    if (!finished) { fetch(location.pathname, { credentials: "same-origin", cache: "no-store" }).catch(function () {}); }
  }, 5 * 60 * 1000);

  wire();
  openMedia().then(connect);
})();
