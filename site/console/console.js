// The demo console's glue: it uses loader/desk-console.js like any console would.
import { DeskConsole } from "/loader/desk-console.js";

const cfg = await (await fetch("/config.json")).json();
const frame = document.getElementById("softphone");
const panel = document.getElementById("softphone-panel");
const state = document.getElementById("cti-state");

const handlers = {
  setSoftphoneHeight({ height }) {
    frame.style.height = `${height}px`;
    return true;
  },
  setSoftphoneWidth({ width }) {
    panel.style.width = `${width}px`;
    return true;
  },
  setVisible({ value }) {
    panel.hidden = !value;
    return true;
  },
  isVisible() {
    return !panel.hidden;
  },
};

const cti = new DeskConsole({
  frame,
  allowedOrigins: [cfg.softphoneOrigin],
  handlers,
  onStateChange({ connected }) {
    state.dataset.state = connected ? "connected" : "connecting";
    state.textContent = connected ? "Softphone: connected" : "Softphone: connecting…";
  },
});
window.deskConsole = cti; // for the inspector and for tests
frame.src = cfg.softphoneUrl;
