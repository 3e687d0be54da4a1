// Types of the ramcheck browser API. The report interfaces mirror
// src/report/mod.rs field for field; tests/typescript.rs fails when they drift.

export type Severity = "error" | "warning" | "info";
export type Verdict = "pass" | "warn" | "fail";
/** "zh-CN" and "en-US" (the console's locales) are taken too. */
export type Language = "en" | "zh" | "zh-CN" | "en-US";

/** A Rainbond release line and image runtime: `"6.9/containerd"`; see `TargetSpec`. */
export type TargetName =
  | "5.16/containerd" | "5.16/docker" | "6.0/containerd" | "6.0/docker"
  | "6.7/containerd" | "6.7/docker" | "6.9/containerd" | "6.9/docker";

/**
 * The Rainbond that will import the package: `"all"` (every line and
 * runtime, the default), `"VERSION[/RUNTIME]"` (`"5.17.1"`, `"v6.9.8/docker"`,
 * `"6.1"`, `"latest"`), or what the console knows about the import region:
 * `rainbond` its `rbd_version` as rbd-api reports it (`"v6.1.2-release"`; one
 * that cannot be read checks every line and says so in `target_note`),
 * `arch` its nodes' architectures. Without a runtime, both runtimes of the
 * line are checked and the verdict is the worse.
 */
export type TargetSpec = string | { rainbond?: string; runtime?: "containerd" | "docker"; arch?: string[] };

export interface TargetVerdict {
  target: TargetName;
  verdict: Verdict;
}

export interface Finding {
  code: string;
  name: string;
  severity: Severity;
  location: string;
  message: string;
  message_zh: string;
  hint: string;
  hint_zh: string;
  /** Offset in the (inflated) package stream, for ordering. */
  position: number;
  /** The targets on which this finding makes the import fail (empty: nowhere). */
  fails_on: TargetName[];
}

export interface Summary {
  template: string | null;
  version: string | null;
  components: number;
  plugins: number;
  images: number;
  uncompressed_bytes: number;
  /** Disk the import needs: the upload, its unpacked files and the loaded images. */
  disk_needed_bytes: number;
  /** "tar.gz", "zip", "tar", "empty" or "unknown". */
  container: string;
  exporter: string | null;
  /** The components' architectures (a missing `arch` is amd64), each once. */
  arch: string[];
}

export interface Entry {
  path: string;
  size: number;
  kind: string;
  link?: string;
}

export interface ImageInfo {
  tags: string[];
  layers: number;
  size: number;
  platform?: string;
}

export interface ArchiveImages {
  archive: string;
  format: string;
  images: ImageInfo[];
}

export interface Stats {
  bytes_read: number;
  millis: number;
}

export interface Report {
  file: string;
  size: number;
  /** The normalised target the verdict and severities are for: "all", "6.9", "5.16/docker". */
  target: string;
  /** Set when the given Rainbond version could not be read and every target was checked: that version. */
  target_note?: string;
  /** The cluster's node architectures, when given. */
  target_arch?: string[];
  /** For `target`. */
  verdict: Verdict;
  /** The verdict on every line × runtime, in a fixed order. */
  targets: TargetVerdict[];
  findings: Finding[];
  summary: Summary;
  /** The package tree, cut to a bounded number of entries. */
  entries: Entry[];
  /** Set when `entries` was cut: how many there were in all. */
  entries_note?: string;
  images: ArchiveImages[];
  stats: Stats;
  deep: boolean;
}

export interface Progress {
  bytesRead: number;
  total: number;
  mbPerSecond: number;
}

export interface ValidateOptions {
  /** The upload's file name (defaults to `file.name`); the name rules judge it. */
  name?: string;
  /** Also hash every blob and layer (IMG008). */
  deep?: boolean;
  /** Language of the errors this API throws; findings carry both languages. */
  language?: Language;
  /** The Rainbond that will import it (default "all"); an unknown one rejects with a TypeError. */
  target?: TargetSpec;
  onProgress?: (progress: Progress) => void;
  /** Aborting terminates the check's worker and rejects with an AbortError. */
  signal?: AbortSignal;
  /**
   * Milliseconds without progress or answer from the check's worker after
   * which it is taken for dead and the check rejects with a `CheckerError`
   * "stalled"; 0 waits forever. Default 60000.
   */
  stallTimeout?: number;
  /**
   * A gzip package is checked on two workers (one inflates, one walks)
   * unless this is `false`, which keeps it to one (slower: inflating and
   * walking then share a core). The report is the same either way.
   */
  parallel?: boolean;
}

/**
 * How a call rejects when the checker fails rather than the package:
 * "crashed" when its worker failed (an uncaught error, a wasm trap such as a
 * panic or exhausted memory, an unreadable answer), "stalled" when it said
 * nothing for `stallTimeout`. Trying again may succeed.
 */
export interface CheckerError extends Error {
  code: "crashed" | "stalled";
}

export interface Texts {
  en: string;
  zh: string;
}

export interface Rule {
  code: string;
  name: string;
  severity: Severity;
  title: Texts;
  why: Texts;
  fix: Texts;
  example: string;
  /** The targets a finding of this rule fails on, unless the archive it is about is loaded by fewer. */
  fails_on: TargetName[];
  /** Where the rule's claim comes from: upstream code, a real component, or a ramcheck safety limit. */
  evidence: string;
  /** A repair (`repairPackage`, `ramcheck fix`) covers this rule's findings. */
  repairable: boolean;
}

/** Checks one package in its own Web Worker; the file is read in slices, never whole. */
export function validatePackage(file: Blob, options?: ValidateOptions): Promise<Report>;
export function listRules(): Promise<Rule[]>;
/** A rule's long explanation, as `ramcheck --explain` prints it; null for an unknown code. */
export function explainRule(code: string, language?: Language): Promise<string | null>;
export function formatReport(report: Report, style?: "text" | "markdown", language?: Language): Promise<string>;
/** The report for another target: severities and verdict change, the file is not read again. */
export function retargetReport(report: Report, target: TargetSpec): Promise<Report>;

/** What a repair does; see README, "Repair". */
export type RepairAction = "drop" | "strip_bom" | "compress" | "decompress" | "trim" | "convert" | "rename_top" | "name";

/** One repair; mirrors `repair::Repair`. */
export interface Repair {
  /** The rule whose findings it answers; null when it only comes with another. */
  code: string | null;
  action: RepairAction;
  /** The member or file name it applies to. */
  target: string;
  message: string;
  message_zh: string;
}

/** An error finding no repair answers, and why; mirrors `repair::Unrepaired`. */
export interface Unrepaired {
  code: string;
  location: string;
  message: string;
  reason: string;
  reason_zh: string;
}

export interface Rename {
  from: string;
  to: string;
}

/** How pass 2 writes the output: "refused" when nothing can be written. */
export type RepairMode = { kind: "copy"; len: number } | { kind: "recompress" } | { kind: "rewrite" } | { kind: "refused" };

/** What a repair will do; mirrors `repair::Plan`. Pass it back unchanged. */
export interface RepairPlan {
  input_size: number;
  /** The name of the corrected package: `outputName`, or a safe one proposed. */
  output_name: string;
  mode: RepairMode;
  drop: string[];
  strip_bom: string | null;
  rename_top: Rename | null;
  repairs: Repair[];
  unrepaired: Unrepaired[];
}

/** The options `planRepair` and `repairPackage` read (not `deep` or `parallel`: a repair takes neither). */
export interface PlanOptions extends Omit<ValidateOptions, "deep" | "parallel" | "onProgress"> {
  /** The name the corrected package will have (default: one the plan proposes). */
  outputName?: string;
  onProgress?: (progress: RepairProgress) => void;
}

export interface Planned {
  /** The check of the package as it is. */
  report: Report;
  plan: RepairPlan;
}

export interface RepairProgress {
  /** "check" (pass 1), "write" (pass 2), "recheck" (of the output), "save" (the copy into `writable`). */
  phase: "check" | "write" | "recheck" | "save";
  bytesRead: number;
  total: number;
  bytesWritten: number;
}

export type RepairOptions = PlanOptions;

export interface Repaired {
  /** The repairs made. */
  repairs: Repair[];
  /** The errors no repair answers (they remain in `report`). */
  notRepairable: Unrepaired[];
  /** The check of the corrected package, named `plan.output_name`. */
  report: Report;
  plan: RepairPlan;
}

export interface RepairedFile extends Repaired {
  /** The corrected package, a file of the origin private file system (on disk, not in memory). */
  output: File;
  /** Deletes `output`; call it once the file is saved (e.g. its download has started). */
  remove: () => Promise<void>;
}

/**
 * How `repairPackage` rejects for a reason of its own: "unsupported" (no
 * OPFS synchronous access handles; use `ramcheck fix`), "refused" (the
 * package cannot be read to its end).
 */
export interface RepairError extends Error {
  code: "unsupported" | "refused";
}

/** Checks the package and plans its repair, writing nothing. */
export function planRepair(file: Blob, options?: PlanOptions): Promise<Planned>;
/** Whether this browser can run `repairPackage` (OPFS with synchronous access handles in workers). */
export function repairSupported(): Promise<boolean>;
/**
 * Writes the corrected package into `writable` (closed at the end; aborted on
 * failure), streaming through a temporary OPFS file, and checks it again.
 */
export function repairPackage(file: Blob, writable: WritableStream<Uint8Array>, options?: RepairOptions): Promise<Repaired>;
/**
 * Writes the corrected package into a file of the origin private file system,
 * checks it again and resolves with it (`output`) and `remove()`: for
 * browsers without `showSaveFilePicker`, which save it with a download of
 * `URL.createObjectURL(output)`.
 */
export function repairToFile(file: Blob, options?: RepairOptions): Promise<RepairedFile>;
