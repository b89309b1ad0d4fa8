// desk-cti.js: the softphone loader. One script tag in a softphone page:
//
//   <script src="/loader/desk-cti.js"></script>
//   <script type="text/python"> from desk_cti_py import ready, interaction ... </script>
//
// It boots the self-hosted Pyodide (data-pyodide, default ../pyodide/ next to
// this file), installs desk_cti_py from its wheel meanwhile (desk-cti-wheel.mjs, beside
// this file, does the unpacking and writing), connects to the console
// if the embedding page is one of the console origins the page declares
// (data-console-origins="https://desk.example.com https://*.example.net"; with none,
// only data-development connects, to any embedding page, under a visible warning), runs the page's
// Python (<script type="text/python">, inline or src=) in order, then fires
// ready() listeners: desk_cti_py.ready(fn) from Python, desk.ready(fn) from JS.
// Boot progress: a visible indicator and document events "desk-cti:progress"
// (detail.phase: download, start, package, python, ready; detail.snapshot and detail.reason:
// how it boots), then "desk-cti:ready" or "desk-cti:error".
// Where the built folder has a snapshot.json, it boots from a memory snapshot of the runtime
// with the packages imported (desk-cti-snapshot.mjs decides and checks; docs/snapshot.md),
// else, or on any mismatch or error, plain; desk.bootInfo says which and why.
// data-snapshot: "auto" (default: when cached or the link is local; on other links decided once
// the runtime is in, by the link's measured rate and this machine's speed), "always", "off".
(() => {
  "use strict";
  const script = document.currentScript;
  const cfg = script ? script.dataset : {};
  const here = script ? script.src : location.href;
  const indexURL = new URL(cfg.pyodide || "../pyodide/", here).href;
  // The runtime is the critical path: its module is asked for before anything else is set up,
  // and nothing else is fetched until it is in (the lock and the wheel competing with it
  // delayed it).
  const runtimeModule = import(`${indexURL}pyodide.mjs`);
  runtimeModule.catch(() => {}); // reported once awaited, in runtime()
  const SNAPSHOT_MODES = ["auto", "always", "off"];
  const snapshotMode = SNAPSHOT_MODES.includes(cfg.snapshot) ? cfg.snapshot : "auto";
  if (cfg.snapshot !== undefined && cfg.snapshot !== snapshotMode) {
    console.warn(`desk-cti: data-snapshot="${cfg.snapshot}" is not one of ${SNAPSHOT_MODES.join(", ")}: using auto`);
  }
  // The snapshot's description and the module that reads it, asked for beside the runtime's
  // module (both small); the snapshot itself only once it is chosen.
  const manifest = snapshotMode === "off" ? null : fetch(`${indexURL}snapshot.json`);
  const SNAPSHOT = new URL("desk-cti-snapshot.mjs", here).href;
  const snapshotModule = snapshotMode === "off" ? null : import(SNAPSHOT);
  if (manifest) manifest.catch(() => {}); // a missing snapshot means a plain boot
  if (snapshotModule) snapshotModule.catch(() => {});
  // What an agent reads while the phone starts; the phase names are for code.
  const PHASES = [
    ["download", "Starting the phone: downloading"],
    ["start", "Starting the phone"],
    ["package", "Starting the phone: almost ready"],
    ["python", "Setting up the phone"],
    ["ready", "Ready"],
  ];

  let phase = -1;
  let readyFired = false;
  const jsListeners = [];
  let resolveReady;
  let rejectReady;
  const whenReady = new Promise((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  whenReady.catch(() => {}); // reported on the page; no unhandled rejection

  const desk = {
    /** Run fn once when desk_cti_py and the DOM are ready (at once if they are). */
    ready(fn) {
      if (typeof fn !== "function") throw new TypeError("desk.ready: listener must be a function");
      if (readyFired) callSafely(fn);
      else jsListeners.push(fn);
    },
    whenReady,
    pyodide: null,
    /** How this page booted: {snapshot: true|false, reason, ms (navigation to ready)}. */
    bootInfo: { snapshot: null, reason: "deciding", ms: null },
    get phase() {
      return phase >= 0 ? PHASES[phase][0] : "idle";
    },
  };
  window.desk = desk;

  function callSafely(fn) {
    try {
      fn();
    } catch (e) {
      console.error("desk.ready listener raised", e);
    }
  }

  // ---- the visible indicator

  // A bar fixed over the page, above everything on it.
  function bar(className, role, css) {
    const el = document.createElement("div");
    el.className = className;
    el.setAttribute("role", role);
    el.style.cssText = `position:fixed;z-index:2147483647;${css}`;
    return el;
  }

  let box;
  function indicator() {
    if (box || !document.body) return box;
    box = bar("desk-cti-boot", "status",
      "inset:0 0 auto 0;padding:8px 12px;font:13px system-ui,sans-serif;" +
      "background:#f4f6f8;color:#223;border-bottom:1px solid #d5dae0");
    box.innerHTML =
      '<div class="desk-cti-boot-label"></div><progress max="5" value="0" style="width:100%"></progress>' +
      '<div style="height:3px;overflow:hidden;background:#dfe4ea"><div class="desk-cti-boot-stripe" ' +
      'style="width:40%;height:100%;background:#3d7bd9;will-change:transform"></div></div>';
    document.body.prepend(box);
    if (moving) animateStripe();
    return box;
  }

  // A plain start of Python holds the main thread for seconds: a transform animation runs on the
  // compositor, so the stripe keeps moving while the bar cannot. Only then, or once a boot has
  // taken 1.5 s: a snapshot boot is over sooner, and an animation costs CPU the boot needs where
  // the compositor renders in software (docs/performance.md).
  let moving = false;
  function keepMoving() {
    if (moving) return;
    moving = true;
    if (box) animateStripe();
  }
  function animateStripe() {
    box.querySelector(".desk-cti-boot-stripe").animate(
      [{ transform: "translateX(-100%)" }, { transform: "translateX(250%)" }],
      { duration: 1200, iterations: Infinity, easing: "ease-in-out" },
    );
  }
  const longWait = setTimeout(keepMoving, 1500);

  // The runtime download starts at once; progress is shown (and its events fired) once the page
  // has a body to show it in and the runtime's requests are out (see showProgress()), so every
  // event comes with a visible indicator.
  let failed = false;
  let shown = false;
  let target = -1;
  function advance(index) {
    target = Math.max(target, index);
    if (!shown) return;
    while (!failed && phase < target) {
      phase += 1;
      const [name, label] = PHASES[phase];
      performance.mark(`desk-cti:${name}`);
      const b = indicator();
      if (b) {
        b.querySelector(".desk-cti-boot-label").textContent = `${label}…`;
        b.querySelector("progress").value = phase + 1;
      }
      document.dispatchEvent(
        new CustomEvent("desk-cti:progress", {
          detail: { phase: name, label, step: phase + 1, steps: PHASES.length,
                    snapshot: desk.bootInfo.snapshot, reason: desk.bootInfo.reason },
        }),
      );
    }
  }

  function fail(error) {
    if (!document.body) {
      domReady().then(() => fail(error)); // show it once there is a page to show it on
      return;
    }
    failed = true;
    clearTimeout(longWait);
    const message = error && error.message ? error.message : String(error);
    console.error("desk-cti: the softphone could not start:", error);
    const b = indicator();
    if (b) {
      b.className = "desk-cti-boot desk-cti-error";
      b.setAttribute("role", "alert");
      b.style.background = "#fdecea";
      b.style.color = "#611a15";
      b.style.borderColor = "#f5c2c0";
      b.innerHTML = "<strong>The softphone could not start.</strong><pre></pre>";
      b.querySelector("pre").textContent = message;
      b.querySelector("pre").style.cssText = "white-space:pre-wrap;margin:4px 0 0;font-size:12px";
    }
    document.dispatchEvent(new CustomEvent("desk-cti:error", { detail: { phase: desk.phase, message } }));
    rejectReady(error);
  }

  // Development mode connects to whichever page embeds the softphone: never silently.
  function warnDevelopment() {
    const w = bar("desk-cti-development", "alert",
      "inset:auto 0 0 0;padding:4px 8px;font:12px system-ui,sans-serif;" +
      "background:#fff4ce;color:#5c4400;border-top:1px solid #e0c36b");
    w.textContent =
      "Development mode: this softphone connects to any page that embeds it. " +
      "Declare its consoles (data-console-origins) before you ship it.";
    document.body.append(w);
    console.warn("desk-cti: development mode:", w.textContent);
  }

  function dedent(code) {
    const lines = code.replace(/\t/g, "    ").split("\n");
    const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length);
    const cut = indents.length ? Math.min(...indents) : 0;
    return lines.map((l) => l.slice(cut)).join("\n");
  }

  function domReady() {
    if (document.readyState !== "loading") return Promise.resolve();
    return new Promise((res) => document.addEventListener("DOMContentLoaded", res, { once: true }));
  }

  // A script without a top-level await runs at once; with one, desk_cti_py hands back the
  // coroutine, awaited here (a PyProxy of an awaitable is a thenable).
  async function pagePython(dcp) {
    const scripts = Array.from(document.querySelectorAll('script[type="text/python"]'));
    for (const [i, el] of scripts.entries()) {
      let code;
      let filename;
      if (el.src) {
        filename = el.src;
        const r = await fetch(el.src);
        if (!r.ok) throw new Error(`could not fetch ${el.src}: HTTP ${r.status}`);
        code = await r.text();
      } else {
        filename = `<inline script ${i + 1}>`;
        code = dedent(el.textContent);
      }
      const run = dcp._run_script;
      let pending;
      try {
        pending = run(code, filename);
      } finally {
        run.destroy();
      }
      if (pending) {
        try {
          await pending;
        } finally {
          pending.destroy();
        }
      }
    }
  }

  // ---- the boot, one function per phase, in order:
  //   startRuntime   from the snapshot (planSnapshot, then runtime(plan)) or plain (runtime()):
  //                  download the runtime and start Python, desk_cti_py installed meanwhile
  //   extraPackages  data-packages, through Pyodide's own loadPackage
  //   importPackage  import desk_cti_py
  //   connect        to the console, if the embedding page is one the softphone declares
  //   pagePython     the page's <script type="text/python">, in order
  //   fireReady      ready() listeners, Python's then JS's
  // A phase can be swapped for another that keeps its contract (a boot from a memory snapshot
  // replaces runtime, falling back to it).

  async function boot() {
    const progress = showProgress();
    const pyodide = await startRuntime();
    await extraPackages(pyodide);
    advance(2);
    desk.pyodide = pyodide;
    const dcp = importPackage(pyodide);
    try {
      connect(dcp);
      await progress;
      advance(3);
      await pagePython(dcp);
      callPy(dcp, "_fire_ready", {});
    } finally {
      dcp.destroy();
    }
    fireReady();
  }

  // Progress is shown once the runtime's requests are out (the page's first text to lay out and
  // paint, shown earlier, delayed them), or after 150 ms if they are not out by then (a slow
  // network): the user is not left looking at a blank frame. A runtime phase calls
  // runtimeRequested() once its requests are out.
  let runtimeRequested;
  function showProgress() {
    const requested = new Promise((res) => (runtimeRequested = res));
    const shortWait = new Promise((res) => setTimeout(res, 150));
    return Promise.all([domReady(), Promise.race([requested, shortWait])]).then(() => {
      shown = true;
      advance(target);
    });
  }

  async function fetchOk(url, init) {
    const r = await fetch(url, init);
    if (!r.ok) throw new Error(`could not fetch ${url}: HTTP ${r.status}`);
    return r;
  }

  // startRuntime: a started Pyodide, from the snapshot when planSnapshot() says so and it
  // restores, else plain; desk.bootInfo and the progress events say which and why, and so does
  // the console log. A snapshot found wrong before the restore makes the same module start plain;
  // one refused at the restore costs a second start; none costs the page.
  async function startRuntime() {
    advance(0);
    let plan = await planSnapshot().catch((e) => ({ use: false, reason: `snapshot not used: ${e.message}` }));
    if ((plan.use || plan.late) && (await runtimeModule.catch(() => ({}))).version !== plan.snap.PINNED) {
      plan = { use: false, reason: `snapshot not used: the runtime is not Pyodide ${plan.snap.PINNED}` };
    }
    desk.bootInfo.snapshot = plan.use; // null while a late decision is pending
    desk.bootInfo.reason = plan.reason;
    if (plan.use || plan.late) {
      try {
        return await runtime(plan);
      } catch (e) {
        if (desk.bootInfo.snapshot === false) throw e; // it had started plain: the boot's own error
        fellBack(`snapshot boot failed, booted plain: ${e.message}`);
        return runtime(null);
      }
    }
    console.info(`desk-cti: plain boot: ${plan.reason}`);
    if (plan.prefetch) prefetchForNext(plan);
    return runtime(null);
  }

  // Said in desk.bootInfo, the console log and a progress event (detail.fallback).
  function fellBack(reason) {
    desk.bootInfo.snapshot = false;
    desk.bootInfo.reason = reason;
    console.warn(`desk-cti: ${reason}`);
    document.dispatchEvent(new CustomEvent("desk-cti:progress", {
      detail: { phase: desk.phase, fallback: true, snapshot: false, reason },
    }));
  }

  // A snapshot that does not match this folder is not worth keeping for the next boot.
  function prefetchForNext(plan) {
    whenReady.then(() => plan.matches).then((why) => why || prefetchWhenIdle(plan.prefetch), () => {});
  }

  // Whether to boot from the snapshot ({use, reason}, and what the boot needs); the decision and
  // every check of the snapshot are desk-cti-snapshot.mjs's.
  async function planSnapshot() {
    if (!manifest) return { use: false, reason: "turned off (data-snapshot=off)" };
    const r = await manifest.catch(() => null);
    if (!r || !r.ok) return { use: false, reason: `no snapshot (${indexURL}snapshot.json: ${r ? `HTTP ${r.status}` : "not fetched"})` };
    const snap = await snapshotModule;
    const m = snap.readManifest(await r.json());
    const url = snap.snapshotURL(indexURL, m);
    const cached = snapshotMode === "auto" ? await snap.fromCache(url) : null;
    const choice = snap.chooseSnapshot({
      mode: snapshotMode, cached: Boolean(cached), rttMs: snap.roundTrip(new URL(indexURL).origin),
      saveData: Boolean(navigator.connection && navigator.connection.saveData),
    });
    // the runtime's version and the lock's wheels are compared once both are in, before the
    // restore: the runtime starts and the snapshot downloads meanwhile (a mismatch costs a second
    // start, a wait would cost every boot a request)
    const matches = Promise.all([runtimeModule, lockFile()]).then(([{ version }, lock]) => snap.mismatch(m, { version, lock }));
    matches.catch(() => {}); // a lock that does not come is the boot's own error
    if (choice.late) {
      const coding = r.headers.get("content-encoding") || (r.type === "basic" ? "identity" : null);
      const late = { indexURL, coding, fetch: (signal) => fetch(url, { signal }) };
      return { ...choice, snap, manifest: m, response: null, late, cached: false, matches, prefetch: url };
    }
    if (!choice.use) return { ...choice, prefetch: url, matches };
    return { ...choice, snap, manifest: m, response: cached || fetch(url), cached: Boolean(cached), matches };
  }

  // Fetched into the HTTP cache for the next boot, once this one is done and the page is idle.
  function prefetchWhenIdle(url) {
    const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 1000));
    idle(() => {
      fetch(url, { priority: "low" }).then((r) => r.body && r.body.pipeTo(new WritableStream())).catch(() => {});
    });
  }

  // runtime(plan): resolves to a started Pyodide in which desk_cti_py imports, having advanced
  // progress through download and start and called runtimeRequested(); from the snapshot in
  // plan (streamed in while the runtime compiles, checked before the restore, the stdlib after),
  // or plain without one.
  // The lock and the wheel are fetched once the runtime's module is in (competing with it, they
  // delayed it), while the rest of the runtime downloads; the wheel is checked against the lock's
  // sha256 (subresource integrity) and installed by desk-cti-wheel.mjs, asked for after the
  // runtime's requests. Pyodide's own installer would run its Python zip code during boot.
  const PACKAGE = "desk-cti-py";
  const INSTALLER = new URL("desk-cti-wheel.mjs", here).href;
  const once = (make) => {
    let p;
    return () => (p ??= make());
  };
  const lockFile = once(() => runtimeModule.then(() => fetchOk(`${indexURL}pyodide-lock.json`)).then((r) => r.json()));
  const wheelFile = once(() => fetchWheel(lockFile()));
  const installerModule = once(() => import(INSTALLER).catch((e) => {
    throw new Error(`could not load the wheel installer ${INSTALLER}: ${e.message}`);
  }));

  async function runtime(plan) {
    const { loadPyodide } = await runtimeModule;
    const lock = lockFile(); // parsed once, for both
    const wheel = wheelFile();
    const snapshot = plan ? plan.snap.snapshotOptions(plan.response, plan.manifest, plan.matches, plan.cached, plan.late) : null;
    let restoring = Boolean(snapshot); // decided late, from fsInit
    let fsInfo = null;
    let installerIn = null; // once it is in, it may write the wheel from fsInit
    const started = loadPyodide({
      indexURL,
      lockFileContents: lock,
      packageBaseUrl: indexURL,
      ...(snapshot ? snapshot.options : {}),
      // downloaded and instantiated; the interpreter starts (or is restored) once this returns
      fsInit: async (FS, info) => {
        performance.mark("desk-cti:runtime-loaded");
        if (plan && plan.late) restoring = decideNow(plan, snapshot);
        if (!restoring) keepMoving(); // the interpreter's start comes next
        advance(1);
        fsInfo = info;
        if (installerIn) installerIn.fsInit(FS, info);
        // the snapshot streams in meanwhile; one that fails its checks makes this module start
        // plain (or, past that, has had its magic number cleared: the restore refuses it)
        const refused = restoring ? await snapshot.ready.then(() => null, (e) => e) : null;
        if (refused && snapshot.startPlain()) {
          restoring = false;
          keepMoving();
          fellBack(`snapshot not used, booted plain: ${refused.message}`);
        }
      },
    });
    runtimeRequested();
    const installer = installerModule().then(({ WheelInstaller }) => (installerIn = new WheelInstaller(wheel)));
    wheel.catch(() => {}); // reported by the installer, once awaited
    installer.catch(() => {}); // reported below, once awaited
    let pyodide;
    try {
      pyodide = await started;
    } catch (e) {
      // a snapshot refused at the restore: say why in its own words
      if (restoring) await snapshot.ready;
      throw e;
    }
    performance.mark("desk-cti:runtime");
    if (restoring) await plan.snap.afterRestore(pyodide, plan.manifest);
    await (await installer).finish(pyodide, fsInfo);
    return pyodide;
  }

  // The late decision (desk-cti-snapshot.mjs's decideLate), said as any other: true to restore.
  function decideNow(plan, snapshot) {
    const choice = snapshot.decide();
    desk.bootInfo.snapshot = choice.use;
    desk.bootInfo.reason = choice.reason;
    if (!choice.use) {
      console.info(`desk-cti: plain boot: ${choice.reason}`);
      prefetchForNext(plan);
    }
    return choice.use;
  }

  function hexToBase64(hex) {
    return btoa(String.fromCharCode(...hex.match(/../g).map((h) => parseInt(h, 16))));
  }

  async function fetchWheel(lock) {
    const pkg = (await lock).packages[PACKAGE];
    if (!pkg || !/^[0-9a-f]{64}$/.test(pkg.sha256 || "")) {
      throw new Error(`${PACKAGE} is not in ${indexURL}pyodide-lock.json`);
    }
    const url = new URL(pkg.file_name, indexURL).href;
    try {
      const r = await fetchOk(url, { integrity: `sha256-${hexToBase64(pkg.sha256)}` });
      return { url, bytes: await r.arrayBuffer() };
    } catch (e) {
      throw new Error(`${url} could not be fetched or does not match its sha256 in pyodide-lock.json: ${e.message}`);
    }
  }

  // loadPackage reports failures only through errorCallback, so they are collected and turned
  // into an error, never a silent fall-back.
  async function extraPackages(pyodide) {
    const extra = cfg.packages ? cfg.packages.split(",").map((s) => s.trim()).filter(Boolean) : [];
    if (!extra.length) return;
    const problems = [];
    await pyodide.loadPackage(extra, { errorCallback: (m) => problems.push(m), messageCallback: () => {} });
    const missing = extra.filter((name) => !Object.hasOwn(pyodide.loadedPackages, name));
    if (missing.length || problems.length) {
      throw new Error(`could not load ${missing.join(", ")} from ${indexURL}: ${problems.join("; ") || "not in its pyodide-lock.json"}`);
    }
  }

  function importPackage(pyodide) {
    try {
      return pyodide.pyimport("desk_cti_py");
    } catch (e) {
      throw new Error(`desk_cti_py did not load from ${indexURL}: ${e.message}`);
    }
  }

  // Every PyProxy taken here (the function, what it returns) is destroyed at once.
  function callPy(dcp, name, ...args) {
    const fn = dcp[name];
    try {
      const out = fn.callKwargs(...args);
      if (out && typeof out.destroy === "function") out.destroy();
    } finally {
      fn.destroy();
    }
  }

  function connect(dcp) {
    const timeout = cfg.timeout ? Number(cfg.timeout) : undefined;
    const origins = (cfg.consoleOrigins || cfg.consoleOrigin || "").split(/[\s,]+/).filter(Boolean);
    const development = cfg.development !== undefined && cfg.development !== "false";
    const debug = cfg.debug !== undefined && cfg.debug !== "false"; // every message to the browser console
    if (development) domReady().then(warnDevelopment);
    try {
      // events before ready() (the record in focus at boot) wait for the listeners it registers
      callPy(dcp, "connect", origins.join(" "), { development, hold_events_until_ready: true, ...(timeout ? { timeout } : {}),
        ...(debug ? { debug } : {}) });
    } catch (e) {
      // A refused console is said in one line, not as a Python traceback.
      const last = String(e.message).trim().split("\n").pop();
      throw new Error(`not connected: ${last.slice(last.indexOf(": ") + 2)}`);
    }
  }

  function fireReady() {
    readyFired = true;
    clearTimeout(longWait);
    desk.bootInfo.ms = Math.round(performance.now());
    advance(4);
    for (const fn of jsListeners.splice(0)) callSafely(fn);
    if (box) box.remove();
    document.dispatchEvent(new CustomEvent("desk-cti:ready"));
    resolveReady(desk);
  }

  boot().catch(fail);
})();
