// The report as DOM: verdict, summary, findings by severity, images and the
// package tree. Rendered again from the same report when the language changes.
import { clipped, el, humanBytes, humanDuration } from "./dom.js";
import { pick, strings } from "./i18n.js";

const SEVERITIES = ["error", "warning", "info"];
const MAX_PATH = 160;
const MAX_MESSAGE = 2000;
const MAX_NAME = 100;
/** Levels of the package tree shown nested; deeper entries are listed flat, by their path. */
const MAX_TREE_DEPTH = 8;

/** Fills `root` (#report) with `report`; `actions` are the buttons under the verdict. */
export function renderReport(root, report, actions) {
  const s = strings();
  root.replaceChildren(
    verdict(report, s),
    actions,
    summary(report, s),
    findings(report, s),
    images(report, s),
    tree(report, s),
  );
  root.dataset.verdict = report.verdict;
  root.hidden = false;
}

function verdict(report, s) {
  const ms = report.stats.millis;
  const time = ms < 1000 ? `${ms}${s.units.ms}` : humanDuration(ms / 1000, s.units);
  return el(
    "div",
    { class: `verdict verdict-${report.verdict}`, role: "status", tabindex: "-1" },
    el("span", { class: "verdict-mark", "aria-hidden": "true" }, { pass: "✔", warn: "▲", fail: "✖" }[report.verdict]),
    el(
      "div",
      {},
      el("strong", {}, s.verdict[report.verdict]),
      el("p", { class: "target-phrase" }, s.forTarget(report.target)),
      report.target_note ? el("p", { class: "muted" }, s.targetNote(report.target_note)) : null,
      clipped("p", report.file, MAX_PATH, { class: "file" }),
      el("p", { class: "muted" }, s.checkedIn(humanBytes(report.size), time)),
      targets(report, s),
    ),
  );
}

/** The verdict on every line × runtime, compactly: one row per line. */
function targets(report, s) {
  const rows = {};
  for (const { target, verdict } of report.targets || []) {
    const [line, runtime] = target.split("/");
    (rows[line] = rows[line] || {})[runtime] = verdict;
  }
  const cell = (verdict, runtime) =>
    el("td", { class: `target-${verdict}`, "data-verdict": verdict, title: s.verdictShort[verdict] }, { pass: "✔", warn: "▲", fail: "✖" }[verdict], " ", s.verdictShort[verdict]);
  return el(
    "table",
    { class: "targets", "aria-label": s.perTarget },
    el("thead", {}, el("tr", {}, el("th", {}, "Rainbond"), el("th", {}, "containerd"), el("th", {}, "Docker"))),
    el(
      "tbody",
      {},
      Object.entries(rows).map(([line, v]) => el("tr", { "data-line": line }, el("th", {}, s.lines[line] || line), cell(v.containerd, "containerd"), cell(v.docker, "docker"))),
    ),
  );
}

function summary(report, s) {
  const m = report.summary;
  const rows = [
    [s.template, m.template],
    [s.version, m.version],
    [s.components, m.components],
    [s.plugins, m.plugins],
    [s.images, m.images],
    [s.uncompressed, humanBytes(m.uncompressed_bytes)],
    [s.diskNeeded, humanBytes(m.disk_needed_bytes)],
    [s.container, m.container],
  ].filter(([, value]) => value !== null && value !== undefined);
  return el(
    "section",
    { class: "panel" },
    el("h2", {}, s.summary),
    el("dl", { class: "summary" }, rows.map(([term, value]) => el("div", {}, el("dt", {}, term), clipped("dd", value, 48)))),
  );
}

function findings(report, s) {
  // SUM001 restates the summary; the summary panel already shows it.
  const shown = report.findings.filter((f) => f.code !== "SUM001");
  const section = el("section", { class: "panel" }, el("h2", {}, s.findings));
  if (!shown.some((f) => f.severity !== "info")) section.append(el("p", { class: "ok" }, s.noProblems));
  for (const severity of SEVERITIES) {
    const group = shown.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    section.append(
      el("h3", { class: `group group-${severity}` }, `${s.severity[severity]} (${group.length})`),
      el("ol", { class: "findings" }, group.map((f) => finding(f, s))),
    );
  }
  return section;
}

function finding(f, s) {
  return el(
    "li",
    { class: `finding finding-${f.severity}` },
    el(
      "p",
      { class: "finding-head" },
      el("a", { class: "code", href: `#rule/${encodeURIComponent(f.code)}`, title: s.explain }, f.code),
      " ",
      el("span", { class: "name" }, f.name),
      el("span", { class: "badge" }, s.severityOne[f.severity]),
    ),
    el("p", { class: "location" }, el("span", { class: "muted" }, `${s.at} `), clipped("code", f.location, MAX_PATH)),
    clipped("p", pick(f.message, f.message_zh), MAX_MESSAGE, { class: "message" }),
    el("p", { class: "fix" }, el("strong", {}, `${s.fix}: `), clipped("span", pick(f.hint, f.hint_zh), MAX_MESSAGE)),
  );
}

function images(report, s) {
  if (report.images.length === 0) return null;
  return el(
    "section",
    { class: "panel" },
    el("h2", {}, s.imageList),
    report.images.map((archive) =>
      el(
        "details",
        { open: true, class: "archive" },
        el("summary", {}, clipped("code", archive.archive, MAX_PATH), ` · ${archive.format} · ${s.imageCount(archive.images.length)}`),
        el(
          "ul",
          { class: "images" },
          archive.images.map((image) =>
            el(
              "li",
              {},
              image.tags.length ? image.tags.map((tag) => clipped("code", tag, MAX_PATH)) : el("span", { class: "muted" }, s.untagged),
              el(
                "span",
                { class: "muted" },
                ` ${s.layers(image.layers)} · ${humanBytes(image.size)}`,
                image.platform ? [" · ", clipped("span", image.platform, MAX_NAME)] : null,
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Entries as nested nodes; `a.tar!/b` (inside an image archive) sits under `a.tar`. */
function buildTree(entries) {
  const root = { children: new Map() };
  for (const entry of entries) {
    let node = root;
    for (const part of entry.path.split(/!?\//).filter(Boolean)) {
      if (!node.children.has(part)) node.children.set(part, { children: new Map() });
      node = node.children.get(part);
    }
    node.entry = entry;
  }
  return root;
}

function treeLabel(name, entry) {
  return [
    clipped("span", name, MAX_NAME, { class: "tree-name" }),
    entry && entry.kind !== "dir"
      ? el("span", { class: "muted" }, " ", entry.link ? ["→ ", clipped("span", entry.link, MAX_NAME)] : humanBytes(entry.size))
      : null,
  ];
}

function treeItems(node, depth) {
  if (depth >= MAX_TREE_DEPTH) return flatItems(node);
  return [...node.children].map(([name, child]) => {
    const label = treeLabel(name, child.entry);
    if (child.children.size === 0) return el("li", {}, label);
    return el("li", {}, el("details", { open: depth < 1 }, el("summary", {}, label), el("ul", {}, treeItems(child, depth + 1))));
  });
}

/** Everything under `node` as one flat list of relative paths, so that no depth widens the page. */
function flatItems(node) {
  const items = [];
  const stack = [...node.children].reverse();
  while (stack.length > 0) {
    const [path, child] = stack.pop();
    if (child.entry || child.children.size === 0) items.push(el("li", {}, treeLabel(path, child.entry)));
    for (const [name, grandchild] of [...child.children].reverse()) stack.push([`${path}/${name}`, grandchild]);
  }
  return items;
}

function tree(report, s) {
  if (report.entries.length === 0) return null;
  return el(
    "section",
    { class: "panel" },
    el("details", { class: "tree" }, el("summary", {}, el("h2", {}, s.tree)), report.entries_note ? el("p", { class: "muted" }, report.entries_note) : null, el("ul", {}, treeItems(buildTree(report.entries), 0))),
  );
}

/** Fills the rule dialog from the catalog entry `rule` (or says there is none). */
export function renderRule(dialog, code, rule) {
  const s = strings();
  dialog.querySelector("#rule-title").textContent = rule ? `${rule.code} ${rule.name}` : code;
  dialog.querySelector("#rule-severity").textContent = rule ? s.severityOne[rule.severity] : s.unknownRule;
  const rows = rule
    ? [
        [s.ruleWhat, pick(rule.title.en, rule.title.zh)],
        [s.ruleWhy, pick(rule.why.en, rule.why.zh)],
        [s.ruleFix, pick(rule.fix.en, rule.fix.zh)],
        [s.ruleExample, rule.example],
      ]
    : [];
  dialog.querySelector("#rule-body").replaceChildren(...rows.flatMap(([term, text]) => [el("dt", {}, term), el("dd", {}, text)]));
}
