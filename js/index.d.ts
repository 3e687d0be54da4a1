// Types of the ramcheck browser API. The report interfaces mirror
// src/report.rs field for field; tests/typescript.rs fails when they drift.

export type Severity = "error" | "warning" | "info";
export type Verdict = "pass" | "warn" | "fail";
export type Language = "en" | "zh";

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
  verdict: Verdict;
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
  onProgress?: (progress: Progress) => void;
  /** Aborting terminates the check's worker and rejects with an AbortError. */
  signal?: AbortSignal;
  /**
   * Milliseconds without progress or answer from the check's worker after
   * which it is taken for dead and the check rejects with a `CheckerError`
   * "stalled"; 0 waits forever. Default 60000.
   */
  stallTimeout?: number;
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
}

/** Checks one package in its own Web Worker; the file is read in slices, never whole. */
export function validatePackage(file: Blob, options?: ValidateOptions): Promise<Report>;
export function listRules(): Promise<Rule[]>;
/** A rule's long explanation, as `ramcheck --explain` prints it; null for an unknown code. */
export function explainRule(code: string, language?: Language): Promise<string | null>;
export function formatReport(report: Report, style?: "text" | "markdown", language?: Language): Promise<string>;
