// Small DOM helpers. Text from a report always goes in as text nodes, never
// as HTML.
import { strings } from "./i18n.js";

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

// Characters a package can use to disguise its text: controls (a newline
// can forge a line), direction overrides and isolates (U+202E shows
// "exe.txt" as "txt.exe"), and invisible ones (zero-width space, BOM). The
// core's own texts contain none of them.
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Text that came from a package, as nodes: each hidden character becomes a visible `U+202E` marker. */
export function packageText(text) {
  const s = String(text);
  const nodes = [];
  let last = 0;
  for (const match of s.matchAll(HIDDEN)) {
    if (match.index > last) nodes.push(s.slice(last, match.index));
    const code = `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
    nodes.push(el("span", { class: "hidden-char", title: strings().hiddenChar }, code));
    last = match.index + 1;
  }
  if (last < s.length) nodes.push(s.slice(last));
  return nodes;
}

/**
 * Package text in a `tag` element, isolated from the text around it (class
 * `pkg`) and cut to `max` characters around an ellipsis; a button then shows
 * the whole text, still as text, in a box that scrolls.
 */
export function clipped(tag, text, max, attributes = {}) {
  const s = String(text);
  const className = attributes.class ? `pkg ${attributes.class}` : "pkg";
  const chars = Array.from(s); // by code point, never half a surrogate pair
  if (chars.length <= max) return el(tag, { ...attributes, class: className }, packageText(s));
  const keep = max - 1;
  const head = chars.slice(0, Math.ceil(keep * 0.7)).join("");
  const tail = chars.slice(chars.length - Math.floor(keep * 0.3)).join("");
  const shown = el("span", { class: "clip-text" }, packageText(head), "…", packageText(tail));
  const short = [...shown.childNodes];
  const button = el("button", { type: "button", class: "more", "aria-expanded": "false" }, strings().showAll(chars.length));
  button.addEventListener("click", (event) => {
    event.preventDefault(); // inside a <summary>: show the text, do not fold
    const open = button.getAttribute("aria-expanded") !== "true";
    shown.replaceChildren(...(open ? packageText(s) : short));
    shown.classList.toggle("clip-full", open);
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? strings().showLess : strings().showAll(chars.length);
  });
  return el(tag, { ...attributes, class: `${className} clipped` }, shown, button);
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
