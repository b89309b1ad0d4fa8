"""The SIP engine's browser room: drives JsSIP (SIP over WebSocket, WebRTC audio) for a
:class:`~desk_cti_py.calls.engine.CallEngine`. The one calls module that touches ``js``.

JsSIP's objects stay in JavaScript: a small glue (below) owns the user agent, its sessions and
their audio elements, and reports each happening to Python through ONE proxy, ``emit(kind,
call_id, a, b)``, with plain strings; Python answers with the engine's call ids. So a call
costs no proxies, and stop() destroys the one there is. Nothing is created at import time:
the glue is made by the first start().
"""

from __future__ import annotations

import json
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import create_proxy, to_js

from .engine import Sink
from .model import EngineStatus, MediaStats
from .sip import SipConfig, reason_for

_GLUE_SOURCE = r"""
(config, emit) => {
  "use strict";
  const sessions = new Map();   // call id -> JsSIP RTCSession
  const players = new Map();    // call id -> <audio> playing the other side
  let ua = null;
  let stopped = false;
  const say = (...args) => { if (!stopped) return emit(...args); };

  function jssipUrl() {
    if (config.jssipUrl) return new URL(config.jssipUrl, location.href).href;
    const loader = document.querySelector('script[src*="desk-cti.js"]');
    return new URL("vendor/jssip.js", loader ? loader.src : new URL("/loader/", location.href)).href;
  }
  function loadJsSIP() {
    if (globalThis.JsSIP) return Promise.resolve(globalThis.JsSIP);
    const url = jssipUrl();
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = url;
      s.onload = () => globalThis.JsSIP ? resolve(globalThis.JsSIP) : reject(new Error(`${url} did not define JsSIP`));
      s.onerror = () => reject(new Error(`could not load JsSIP from ${url}`));
      document.head.append(s);
    });
  }
  const pcConfig = () => ({ iceServers: config.iceServers.map((u) => ({ urls: u })) });
  const processing = config.audioProcessing;
  const media = { audio: { echoCancellation: processing, noiseSuppression: processing, autoGainControl: processing },
                  video: false };

  function play(id, pc) {
    pc.addEventListener("track", (e) => {
      let a = players.get(id);
      if (!a) { a = new Audio(); a.autoplay = true; players.set(id, a); }
      a.srcObject = e.streams[0] || new MediaStream([e.track]);
      a.play().catch(() => {});   // autoplay may wait for a user gesture; the call goes on
    });
  }
  function forget(id) {
    sessions.delete(id);
    const a = players.get(id);
    if (a) { a.srcObject = null; players.delete(id); }
  }
  function detail(e) {
    const m = e && e.message;
    if (m && m.status_code) return `${m.status_code} ${m.reason_phrase || ""}`.trim();
    return "";
  }
  function watch(id, session) {
    sessions.set(id, session);
    session.on("peerconnection", (e) => play(id, e.peerconnection));
    session.on("progress", (e) => { if (e.originator === "remote") say("alerting", id); });
    session.on("confirmed", () => say("answered", id));
    session.on("ended", (e) => { forget(id); say("ended", id, e.cause, e.originator, detail(e)); });
    session.on("failed", (e) => { forget(id); say("failed", id, e.cause, e.originator, detail(e)); });
  }

  const glue = {
    async start() {
      let JsSIP;
      try {
        JsSIP = await loadJsSIP();
      } catch (e) {
        say("status", "", "offline", String(e.message || e));
        return;
      }
      if (stopped) return;
      const socket = new JsSIP.WebSocketInterface(config.server);
      ua = new JsSIP.UA({
        sockets: [socket], uri: config.uri, password: config.password || undefined,
        authorization_user: config.authorizationUser || undefined,
        display_name: config.displayName || undefined, register: config.register,
        session_timers: false, connection_recovery_min_interval: 2, connection_recovery_max_interval: 30,
      });
      ua.on("connected", () => { if (!config.register) say("status", "", "registered", ""); });
      ua.on("disconnected", (e) => say("status", "", "offline",
        e && e.error ? `cannot reach ${config.server}` : `the connection to ${config.server} closed`));
      ua.on("registered", () => say("status", "", "registered", ""));
      ua.on("registrationFailed", (e) => say("status", "", "offline",
        e.cause === JsSIP.C.causes.AUTHENTICATION_ERROR ? "authentication failed" :
          `registration failed: ${detail(e) || e.cause}`));
      ua.on("newRTCSession", (e) => {
        if (e.originator !== "remote") return;
        const id = say("incoming", "", e.session.remote_identity.uri.user, e.session.remote_identity.display_name || "");
        if (id) watch(String(id), e.session);
        else e.session.terminate({ status_code: 480 });
      });
      ua.start();
    },
    stop() {
      stopped = true;
      for (const [id, s] of sessions) { try { s.terminate(); } catch (e) {} forget(id); }
      if (ua) ua.stop();
    },
    dial(id, number) {
      let session;
      try {
        session = ua.call(number, { mediaConstraints: media, pcConfig: pcConfig(),
          eventHandlers: { peerconnection: (e) => play(id, e.peerconnection) } });
      } catch (e) {
        queueMicrotask(() => say("failed", id, "Internal Error", "local", String(e.message || e)));
        return;
      }
      watch(id, session);
    },
    answer(id) { const s = sessions.get(id); if (s) s.answer({ mediaConstraints: media, pcConfig: pcConfig() }); },
    reject(id) { const s = sessions.get(id); if (s) { try { s.terminate({ status_code: 486, reason_phrase: "Busy Here" }); } catch (e) {} forget(id); } },
    hangUp(id) { const s = sessions.get(id); if (s) { try { s.terminate(); } catch (e) {} forget(id); } },
    hold(id, on) {
      const s = sessions.get(id);
      if (!s) return;
      const done = () => say("held", id, on ? "on" : "off");
      const started = on ? s.hold({}, done) : s.unhold({}, done);
      if (!started) queueMicrotask(() => say("holdRefused", id, "the call is busy with another change"));
    },
    mute(id, on) { const s = sessions.get(id); if (s) (on ? s.mute : s.unmute).call(s, { audio: true }); },
    dtmf(id, digits) {
      const s = sessions.get(id);
      if (s) s.sendDTMF(digits, { transportType: "INFO", duration: config.dtmfDurationMs, interToneGap: 70 });
    },
    async stats(id) {
      const s = sessions.get(id);
      const out = { packets_received: 0, packets_sent: 0, audio_energy: 0, audio_level: 0 };
      if (!s || !s.connection) return JSON.stringify(out);
      (await s.connection.getStats()).forEach((r) => {
        if (r.kind !== "audio") return;
        if (r.type === "inbound-rtp") {
          out.packets_received += r.packetsReceived || 0;
          out.audio_energy += r.totalAudioEnergy || 0;
          out.audio_level = Math.max(out.audio_level, r.audioLevel || 0);
        } else if (r.type === "outbound-rtp") {
          out.packets_sent += r.packetsSent || 0;
        }
      });
      return JSON.stringify(out);
    },
  };
  return glue;
}
"""

_make_glue: Any = None


def _glue_maker() -> Any:
    global _make_glue
    if _make_glue is None:
        _make_glue = run_js(_GLUE_SOURCE)
    return _make_glue


class SipDriver:
    """A :class:`~desk_cti_py.calls.engine.Driver` over JsSIP. Made by ``calls.sip_engine``."""

    def __init__(self, config: SipConfig) -> None:
        self.config = config
        self._sink: Sink | None = None
        self._glue: Any = None
        self._emit: Any = None

    def start(self, sink: Sink) -> None:
        self.stop()
        self._sink = sink
        c = self.config
        settings = {
            "server": c.server, "uri": c.uri, "password": c.password, "authorizationUser": c.authorization_user,
            "displayName": c.display_name, "register": c.register, "iceServers": c.ice_servers,
            "jssipUrl": c.jssip_url, "dtmfDurationMs": c.dtmf_duration_ms,
            "audioProcessing": c.audio_processing,
        }
        self._emit = create_proxy(self._on_event)
        self._glue = _glue_maker()(to_js(settings, dict_converter=js.Object.fromEntries), self._emit)
        self._glue.start()

    def stop(self) -> None:
        if self._glue is not None:
            self._glue.stop()
            self._glue = None  # a JsProxy: released with the reference
        if self._emit is not None:
            self._emit.destroy()
            self._emit = None
        self._sink = None

    def dial(self, call_id: str, number: str) -> None:
        self._glue.dial(call_id, number)

    def answer(self, call_id: str) -> None:
        self._glue.answer(call_id)

    def reject(self, call_id: str) -> None:
        self._glue.reject(call_id)

    def hang_up(self, call_id: str) -> None:
        if self._glue is not None:
            self._glue.hangUp(call_id)

    def hold(self, call_id: str, on: bool) -> None:
        self._glue.hold(call_id, on)

    def mute(self, call_id: str, on: bool) -> None:
        self._glue.mute(call_id, on)

    def send_dtmf(self, call_id: str, digits: str) -> None:
        self._glue.dtmf(call_id, digits)

    async def media_stats(self, call_id: str) -> MediaStats:
        if self._glue is None:
            return MediaStats()
        figures = json.loads(await self._glue.stats(call_id))
        return MediaStats(**figures)

    def _on_event(self, kind: str, call_id: str, a: Any = None, b: Any = None, c: Any = None) -> str | None:
        """One happening in JavaScript, as plain strings; returns a new inbound call's id."""
        sink = self._sink
        if sink is None:
            return None
        if kind == "status":
            status = EngineStatus.REGISTERED if a == "registered" else EngineStatus.OFFLINE
            sink.status(status, str(b or ""))
        elif kind == "incoming":
            return sink.incoming(str(a), str(b) or None)
        elif kind == "alerting":
            sink.alerting(call_id)
        elif kind == "answered":
            sink.answered(call_id)
        elif kind == "held":
            sink.held(call_id, a == "on")
        elif kind == "holdRefused":
            sink.hold_refused(call_id, str(a))
        elif kind in ("ended", "failed"):
            sink.ended(call_id, reason_for(str(a), str(b), connected=kind == "ended"), str(c or ""))
        return None

