// Small DOM helpers. Text from a report always goes in as text nodes, never
// as HTML.

/** `el("p", {class: "x"}, "text", child)`: an element with attributes and children. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Cuts a string to `max` characters around an ellipsis; the whole text shows on hover. */
export function clipped(tag, text, max, attributes = {}) {
  const s = String(text);
  if (s.length <= max) return el(tag, attributes, s);
  const keep = max - 1;
  const head = s.slice(0, Math.ceil(keep * 0.7));
  const tail = s.slice(s.length - Math.floor(keep * 0.3));
  return el(tag, { ...attributes, title: s.length > 4000 ? `${s.slice(0, 4000)}…` : s }, `${head}…${tail}`);
}

/** Bytes for people, in decimal units like the command line (`1.8 GB`). */
export function humanBytes(n) {
  const units = ["KB", "MB", "GB", "TB", "PB"];
  if (n < 1000) return `${n} B`;
  let value = n / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** A duration for people, `units` in the page's language: `42 s`, `3 min 5 s`, `1 h 2 min`. */
export function humanDuration(seconds, units) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}${units.s}`;
  if (s < 3600) return `${Math.floor(s / 60)}${units.min} ${s % 60}${units.s}`;
  return `${Math.floor(s / 3600)}${units.h} ${Math.floor((s % 3600) / 60)}${units.min}`;
}
