// lmc_games explorer as a Jupyter widget (anywidget's ESM interface: render({model, el})).
// The view holds the explorer page itself, unchanged, in a sandboxed iframe (scripts only:
// it cannot reach the notebook's document or the network). Page and view talk through
// postMessage: the view says "connect" with the model's values, the page answers with its
// values, stable set and source after every redraw, and the view passes on new values the
// kernel sets. No number is computed here.

function render({ model, el }) {
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "allow-scripts");
  frame.setAttribute("title", "lmc_games explorer");
  frame.style.width = "100%";
  frame.style.height = `${model.get("height")}px`;
  frame.style.border = "0";
  let connected = false;

  const onMessage = (ev) => {
    // Only the page in this view's own iframe is listened to.
    if (ev.source !== frame.contentWindow) return;
    const m = ev.data;
    if (!m || typeof m !== "object" || m.lmcExplore !== "state") return;
    connected = true;
    model.set("values", m.values);
    model.set("stable_set", m.stableSet);
    model.set("source", m.source);
    model.set("grid_point", m.gridPoint);
    model.save_changes();
  };
  const send = (kind) => {
    if (frame.contentWindow) frame.contentWindow.postMessage({ lmcExplore: kind, values: model.get("values") }, "*");
  };
  const onValues = () => { if (connected) send("set"); };

  window.addEventListener("message", onMessage);
  frame.addEventListener("load", () => send("connect"));
  model.on("change:values", onValues);
  frame.srcdoc = model.get("html");
  el.append(frame);
  return () => {
    window.removeEventListener("message", onMessage);
    model.off("change:values", onValues);
  };
}

export default { render };
