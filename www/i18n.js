// The page's own strings in English and Chinese, and the chosen language:
// remembered in localStorage, else from navigator.language.

const STRINGS = {
  en: {
    targetLabel: "Rainbond that will import it",
    targetAnyLine: "any version",
    targetAnyRuntime: "any runtime",
    lines: { "5.16": "5.15.1 – 5.17.3", "6.0": "6.0 – 6.6", "6.7": "6.7 – 6.8", "6.9": "6.9 and later" },
    forTarget: (target) => (target === "all" ? "For any Rainbond from 5.15.1 on." : `For Rainbond ${target}.`),
    targetNote: (asked) => `The version ${asked} could not be read, so every version was checked.`,
    perTarget: "Verdict per version and runtime",
    verdictShort: { pass: "imports", warn: "imports, with warnings", fail: "fails" },
    tagline: "Will your Rainbond offline package import? Find out before the upload.",
    dropTitle: "Drop your package here",
    dropHint: "or click to choose it, or paste it (…-ram.tar.gz or .zip)",
    privacy: "Checked on this computer: the file is never uploaded.",
    cancel: "Cancel",
    close: "Close",
    footer: "ramcheck reads the package locally in one pass; this page makes no network request while it checks.",
    reading: (done, total) => `${done} of ${total}`,
    rate: (mbps) => `${mbps} MB/s`,
    left: (time) => `about ${time} left`,
    units: { ms: " ms", s: " s", min: " min", h: " h" },
    starting: "Starting…",
    cancelled: "The check was cancelled.",
    failed: (message) => `The check could not finish: ${message}`,
    checkerFailed: {
      crashed: "the checker stopped unexpectedly, perhaps for lack of memory. If it fails again, check the file with the ramcheck command line.",
      stalled: "the checker stopped responding.",
    },
    retry: "Try again",
    verdict: {
      pass: "The package will import.",
      warn: "The package will import, with warnings.",
      fail: "The import will fail.",
    },
    checkedIn: (size, time) => `${size} checked in ${time}`,
    summary: "Summary",
    template: "Template",
    version: "Version",
    components: "Components",
    plugins: "Plugins",
    images: "Images",
    uncompressed: "Unpacked size",
    diskNeeded: "Disk needed to import",
    container: "Format",
    findings: "Findings",
    noProblems: "No problems found.",
    severity: { error: "Errors", warning: "Warnings", info: "Information" },
    severityOne: { error: "error", warning: "warning", info: "info" },
    at: "At",
    fix: "Fix",
    explain: "What is this?",
    tree: "Package contents",
    imageList: "Images",
    layers: (n) => `${n} layer${n === 1 ? "" : "s"}`,
    imageCount: (n) => `${n} image${n === 1 ? "" : "s"}`,
    untagged: "(untagged)",
    download: "Download report (JSON)",
    copy: "Copy as text",
    copied: "Copied.",
    copyFailed: "Copying failed; use the JSON download instead.",
    again: "Check another file",
    ruleWhat: "Detects",
    ruleWhy: "Why the import fails",
    ruleFix: "Fix",
    ruleExample: "Example",
    unknownRule: "No explanation for this code.",
    showAll: (n) => `show all ${n.toLocaleString("en")} characters`,
    showLess: "show less",
    hiddenChar: "An invisible or direction-changing character in the package's text",
    repair: "Repair and save",
    repairPlanning: "Working out what can be repaired…",
    repairPlanTitle: "What the repair will do",
    repairNothing: "No finding of this package has a safe mechanical repair.",
    repairUnrepaired: "Not repairable (these stay in the report)",
    repairSave: "Save the repaired package…",
    repairDownload: "Download the repaired package",
    repairSaveHint: (name) => `Proposed name: ${name}. The original file is not changed.`,
    repairPhase: { check: "Checking", write: "Writing the repaired package", recheck: "Checking the repaired package", save: "Saving" },
    repairWritten: (bytes) => `${bytes} written`,
    repairDone: (name) => `Saved the repaired package as ${name}. Below is its check.`,
    repairDownloaded: (name) => `Downloaded the repaired package as ${name} (see the browser's downloads). Below is its check.`,
    repairMade: "Repairs made",
    repairCancelled: "The repair was cancelled; nothing was saved.",
    repairFailed: (message) => `The repair could not finish: ${message}`,
    repairUnsupported: "This browser cannot save a repaired package (it needs the origin private file system with synchronous access handles). Repair it with the ramcheck command line:",
  },
  zh: {
    targetLabel: "导入它的 Rainbond",
    targetAnyLine: "任意版本",
    targetAnyRuntime: "任意运行时",
    lines: { "5.16": "5.15.1 – 5.17.3", "6.0": "6.0 – 6.6", "6.7": "6.7 – 6.8", "6.9": "6.9 及以上" },
    forTarget: (target) => (target === "all" ? "适用于 5.15.1 起的任意 Rainbond。" : `适用于 Rainbond ${target}。`),
    targetNote: (asked) => `无法识别版本 ${asked}，因此检查了所有版本。`,
    perTarget: "各版本与运行时的结论",
    verdictShort: { pass: "可以导入", warn: "可以导入，但有警告", fail: "导入失败" },
    tagline: "你的 Rainbond 离线安装包能否导入？上传之前先检查。",
    dropTitle: "把安装包拖到这里",
    dropHint: "或点击选择文件，或直接粘贴（…-ram.tar.gz 或 .zip）",
    privacy: "在本机检查：文件不会被上传。",
    cancel: "取消",
    close: "关闭",
    footer: "ramcheck 在本地一次读完安装包；检查期间本页面不发出任何网络请求。",
    reading: (done, total) => `${done} / ${total}`,
    rate: (mbps) => `${mbps} MB/秒`,
    left: (time) => `约剩 ${time}`,
    units: { ms: " 毫秒", s: " 秒", min: " 分", h: " 小时" },
    starting: "正在启动…",
    cancelled: "检查已取消。",
    failed: (message) => `检查未能完成：${message}`,
    checkerFailed: {
      crashed: "检查程序意外停止，可能是内存不足。如果再次失败，请用 ramcheck 命令行检查该文件。",
      stalled: "检查程序没有响应。",
    },
    retry: "重试",
    verdict: {
      pass: "安装包可以导入。",
      warn: "安装包可以导入，但有警告。",
      fail: "导入会失败。",
    },
    checkedIn: (size, time) => `已检查 ${size}，用时 ${time}`,
    summary: "概要",
    template: "模板",
    version: "版本",
    components: "组件",
    plugins: "插件",
    images: "镜像",
    uncompressed: "解压后大小",
    diskNeeded: "导入所需磁盘空间",
    container: "格式",
    findings: "检查结果",
    noProblems: "未发现问题。",
    severity: { error: "错误", warning: "警告", info: "信息" },
    severityOne: { error: "错误", warning: "警告", info: "信息" },
    at: "位置",
    fix: "修复",
    explain: "这是什么？",
    tree: "安装包内容",
    imageList: "镜像",
    layers: (n) => `${n} 层`,
    imageCount: (n) => `${n} 个镜像`,
    untagged: "（无标签）",
    download: "下载报告（JSON）",
    copy: "复制为文本",
    copied: "已复制。",
    copyFailed: "复制失败，请改用下载 JSON。",
    again: "检查另一个文件",
    ruleWhat: "检测内容",
    ruleWhy: "导入为何失败",
    ruleFix: "修复方法",
    ruleExample: "示例",
    unknownRule: "没有这个代码的说明。",
    showAll: (n) => `显示全部 ${n.toLocaleString("zh")} 个字符`,
    showLess: "收起",
    hiddenChar: "安装包文本中的不可见字符或改变文字方向的字符",
    repair: "修复并保存",
    repairPlanning: "正在确定可以修复的问题…",
    repairPlanTitle: "修复将做的事",
    repairNothing: "这个安装包的问题都没有安全的自动修复方法。",
    repairUnrepaired: "无法修复（仍会出现在报告中）",
    repairSave: "保存修复后的安装包…",
    repairDownload: "下载修复后的安装包",
    repairSaveHint: (name) => `建议文件名：${name}。原文件不会被修改。`,
    repairPhase: { check: "正在检查", write: "正在写出修复后的安装包", recheck: "正在检查修复后的安装包", save: "正在保存" },
    repairWritten: (bytes) => `已写出 ${bytes}`,
    repairDone: (name) => `修复后的安装包已保存为 ${name}。下面是它的检查结果。`,
    repairDownloaded: (name) => `修复后的安装包已下载为 ${name}（见浏览器的下载列表）。下面是它的检查结果。`,
    repairMade: "已做的修复",
    repairCancelled: "修复已取消，没有保存任何文件。",
    repairFailed: (message) => `修复未能完成：${message}`,
    repairUnsupported: "此浏览器无法保存修复后的安装包（需要源私有文件系统的同步访问句柄）。请用 ramcheck 命令行修复：",
  },
};

const KEY = "ramcheck.language";

function initial() {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved in STRINGS) return saved;
  } catch {
    // Storage may be blocked; fall back to the browser's language.
  }
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

let current = initial();

export function language() {
  return current;
}

export function strings() {
  return STRINGS[current];
}

export function setLanguage(lang) {
  current = lang in STRINGS ? lang : "en";
  try {
    localStorage.setItem(KEY, current);
  } catch {
    // Not remembered, but still switched.
  }
}

/** Fills every `data-i18n` element and marks the chosen language button. */
export function applyLanguage(root = document) {
  const s = strings();
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = s[el.dataset.i18n];
  for (const el of root.querySelectorAll("[data-i18n-line]")) el.textContent = s.lines[el.dataset.i18nLine];
  for (const button of root.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === current));
  }
}

/** Picks a text of the report or the rule catalog in the chosen language. */
export function pick(en, zh) {
  return current === "zh" && zh ? zh : en;
}
