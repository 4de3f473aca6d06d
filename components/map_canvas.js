// The theory-of-change map on screen: the report's own SVG (drawn in Python, logic/export/toc_svg.py),
// made clickable and draggable. It decides nothing: every gesture is sent to Python as one event
// ({kind, ...}), which checks it as the tables' edits are checked and draws the map again.
//
//   click a box            -> {kind: "select", id}
//   click a link           -> {kind: "select_link", source, target}
//   click the background   -> {kind: "clear"}            (only while something is selected)
//   drag a box             -> {kind: "move", id, x, y}    (its new top-left, in the drawing's units)
//   drag from a box's dot  -> {kind: "link", source, target}
//   "+ Add" in a column    -> {kind: "add", stage}
//   Delete on a box / link -> {kind: "delete", id} / {kind: "delete_link", source, target}
//   Escape                 -> {kind: "clear"}
//
// Keyboard: Tab reaches every box, link and "+ Add"; Enter or Space opens it.

const DRAG_START_PX = 5; // a press that moves less than this is a click

function toDrawing(svg, event) {
  const point = svg.createSVGPoint();
  point.x = event.clientX;
  point.y = event.clientY;
  return point.matrixTransform(svg.getScreenCTM().inverse());
}

function boxAt(root, event) {
  const doc = root.getRootNode();
  const under = (doc.elementFromPoint ? doc : document).elementFromPoint(event.clientX, event.clientY);
  return under ? under.closest(".toc-box") : null;
}

function send(root, kind, detail) {
  // A fresh number on every event, so Python never applies the same gesture twice.
  root._count = (root._count || 0) + 1;
  root._send("event", { ...detail, kind, n: `${Date.now()}-${root._count}` });
}

function startLinkDrag(root, svg, handle, event) {
  const source = handle.getAttribute("data-handle");
  const start = { x: Number(handle.getAttribute("cx")), y: Number(handle.getAttribute("cy")) };
  const line = document.createElementNS("http://www.w3.org/2000/svg", "path");
  line.setAttribute("class", "toc-drag-line");
  svg.appendChild(line);
  let over = null;
  const move = (e) => {
    const p = toDrawing(svg, e);
    const bend = Math.max(30, (p.x - start.x) / 2);
    line.setAttribute("d", `M${start.x},${start.y} C${start.x + bend},${start.y} ${p.x - bend},${p.y} ${p.x},${p.y}`);
    const box = boxAt(root, e);
    if (box !== over) {
      if (over) over.classList.remove("drop-target");
      over = box && box.getAttribute("data-node") !== source ? box : null;
      if (over) over.classList.add("drop-target");
    }
  };
  const up = (e) => {
    svg.removeEventListener("pointermove", move);
    svg.removeEventListener("pointerup", up);
    svg.removeEventListener("pointercancel", up);
    line.remove();
    if (over) over.classList.remove("drop-target");
    const box = boxAt(root, e);
    const target = box ? box.getAttribute("data-node") : null;
    if (target && target !== source) send(root, "link", { source, target });
  };
  svg.setPointerCapture(event.pointerId);
  svg.addEventListener("pointermove", move);
  svg.addEventListener("pointerup", up);
  svg.addEventListener("pointercancel", up);
}

function startBoxPress(root, svg, box, event) {
  const id = box.getAttribute("data-node");
  const rect = box.querySelector("rect");
  const origin = { x: Number(rect.getAttribute("x")), y: Number(rect.getAttribute("y")) };
  const start = toDrawing(svg, event);
  const client = { x: event.clientX, y: event.clientY };
  let dragging = false;
  let delta = { x: 0, y: 0 };
  const move = (e) => {
    if (!root._editable) return;
    if (!dragging && Math.hypot(e.clientX - client.x, e.clientY - client.y) < DRAG_START_PX) return;
    dragging = true;
    box.classList.add("dragging");
    const p = toDrawing(svg, e);
    delta = { x: p.x - start.x, y: p.y - start.y };
    box.setAttribute("transform", `translate(${delta.x},${delta.y})`);
  };
  const up = () => {
    svg.removeEventListener("pointermove", move);
    svg.removeEventListener("pointerup", up);
    svg.removeEventListener("pointercancel", up);
    if (dragging) {
      box.classList.remove("dragging");
      send(root, "move", { id, x: Math.round((origin.x + delta.x) * 10) / 10, y: Math.round((origin.y + delta.y) * 10) / 10 });
    } else {
      send(root, "select", { id });
    }
  };
  svg.setPointerCapture(event.pointerId);
  svg.addEventListener("pointermove", move);
  svg.addEventListener("pointerup", up);
  svg.addEventListener("pointercancel", up);
}

function linkEnds(link) {
  return { source: link.getAttribute("data-source"), target: link.getAttribute("data-target") };
}

function wire(root) {
  root.addEventListener("pointerdown", (event) => {
    root._pressed = false;
    if (event.button !== 0) return;
    const svg = root.querySelector("svg");
    const handle = event.target.closest(".toc-handle");
    if (handle && root._editable) {
      event.preventDefault();
      root._pressed = true;
      startLinkDrag(root, svg, handle, event);
      return;
    }
    const box = event.target.closest(".toc-box");
    if (box) {
      root._pressed = true;
      startBoxPress(root, svg, box, event);
    }
  });
  root.addEventListener("click", (event) => {
    // A press on a box or a dot is handled when it is let go (the click that follows may land on the
    // drawing itself, the pointer being captured by it).
    if (root._pressed || event.target.closest(".toc-box, .toc-handle")) {
      root._pressed = false;
      return;
    }
    const add = event.target.closest(".toc-add");
    if (add) {
      if (root._editable) send(root, "add", { stage: add.getAttribute("data-add") });
      return;
    }
    const link = event.target.closest(".toc-link");
    if (link) {
      send(root, "select_link", linkEnds(link));
      return;
    }
    if (root._selected) send(root, "clear", {});
  });
  root.addEventListener("keydown", (event) => {
    const box = event.target.closest(".toc-box");
    const link = event.target.closest(".toc-link");
    const add = event.target.closest(".toc-add");
    if (event.key === "Enter" || event.key === " ") {
      if (box) send(root, "select", { id: box.getAttribute("data-node") });
      else if (link) send(root, "select_link", linkEnds(link));
      else if (add && root._editable) send(root, "add", { stage: add.getAttribute("data-add") });
      else return;
      event.preventDefault();
    } else if ((event.key === "Delete" || event.key === "Backspace") && root._editable) {
      if (box) send(root, "delete", { id: box.getAttribute("data-node") });
      else if (link) send(root, "delete_link", linkEnds(link));
      else return;
      event.preventDefault();
    } else if (event.key === "Escape" && root._selected) {
      send(root, "clear", {});
    }
  });
}

function size(root, svg, data) {
  // As wide as the page allows, never so small that a label cannot be read: below min_scale the map
  // scrolls sideways instead of shrinking.
  svg.removeAttribute("height");
  svg.style.width = "100%";
  svg.style.height = "auto";
  svg.style.minWidth = `${Math.round(data.width * data.min_scale)}px`;
  svg.style.maxWidth = `${Math.round(data.width * data.max_scale)}px`;
}

function showSelected(root, data) {
  if (!data.selected || root._scrolledTo === data.selected) return;
  root._scrolledTo = data.selected;
  const el = root.querySelector(".toc-box.selected, .toc-link.selected");
  if (!el || root.scrollWidth <= root.clientWidth) return;
  const box = el.getBoundingClientRect();
  const view = root.getBoundingClientRect();
  root.scrollLeft += box.left + box.width / 2 - (view.left + view.width / 2);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".tocmap");
  if (!root) {
    root = document.createElement("div");
    root.className = "tocmap";
    parentElement.appendChild(root);
  }
  root._send = setTriggerValue;
  root._editable = Boolean(data.editable);
  root._selected = data.selected || null;
  root.classList.toggle("editable", root._editable);
  if (root.dataset.drawing !== data.hash) {
    const focused = root.getRootNode().activeElement;
    const refocus = focused && focused.getAttribute ? focused.getAttribute("data-node") : null;
    root.innerHTML = data.svg;
    root.dataset.drawing = data.hash;
    if (refocus) {
      const again = Array.from(root.querySelectorAll(".toc-box")).find((b) => b.getAttribute("data-node") === refocus);
      if (again) again.focus({ preventScroll: true });
    }
  }
  if (!root._wired) {
    wire(root);
    root._wired = true;
  }
  const svg = root.querySelector("svg");
  if (svg) size(root, svg, data);
  if (!data.selected) root._scrolledTo = null;
  showSelected(root, data);
}
