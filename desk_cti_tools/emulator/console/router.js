// History-API routing: the console never reloads, so the softphone iframe (and its call) survives navigation.
const listeners = [];

export function onRoute(fn) {
  listeners.push(fn);
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  return render();
}

export function render() {
  const url = new URL(location.href);
  return Promise.all(listeners.map((fn) => fn(url)));
}

export function start() {
  addEventListener("popstate", render);
  document.addEventListener("click", (event) => {
    const a = event.target.closest("a[data-nav]");
    if (!a || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(a.getAttribute("href"));
  });
  return render();
}
