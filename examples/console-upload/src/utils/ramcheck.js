// ramcheck in the console: loading it, a check that never rejects, and the
// Rainbond the upload is for. rainbond-ui would keep this as
// src/utils/ramcheck.js (see docs/console-integration.md).

let loading;

/**
 * ramcheck, loaded with the first check as a chunk of its own (about 410 KiB
 * gzipped, nearly all wasm), so the console's own bundle does not grow. A
 * failed load (a chunk that did not arrive) is tried again next time.
 */
export function load() {
  if (!loading) {
    loading = import(/* webpackChunkName: "ramcheck" */ 'ramcheck');
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

const VERDICTS = ['pass', 'warn', 'fail'];

const ARCH = { x86_64: 'amd64', 'x86-64': 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };

/** "amd64" or "arm64" for an arch or a platform ("linux/x86_64"); the name lower-cased otherwise. */
export function normaliseArch(platform) {
  const arch = String(platform || '').split('/').length > 1 ? String(platform).split('/')[1] : String(platform || '');
  const lower = arch.toLowerCase();
  return ARCH[lower] || lower;
}

/** The one architecture of every image of the package ("amd64", "arm64"), or "" when they differ or none says. */
export function packageArch(report) {
  const archs = new Set();
  ((report && report.images) || []).forEach(archive =>
    (archive.images || []).forEach(image => {
      if (image.platform) archs.add(normaliseArch(image.platform));
    }),
  );
  return archs.size === 1 ? [...archs][0] : '';
}

/**
 * The import region of an upload: `<name>` in `…/console/regions/<name>/websocket/…`,
 * found in the enterprise's cluster list (GET /console/enterprise/{eid}/regions).
 */
export function importRegion(uploadUrl, clusters) {
  const match = /\/regions\/([^/]+)\/websocket\//.exec(uploadUrl || '');
  if (!match) return undefined;
  const name = decodeURIComponent(match[1]);
  return (clusters || []).find(cluster => cluster && cluster.region_name === name);
}

/**
 * The target of the check: the import region's `rbd_version` (rbd-api's own
 * version text; ramcheck maps it to a release line and checks both runtimes,
 * which the console cannot see) and its node architectures; the console's
 * version when the region is not known; "all" when neither is.
 */
export function importTarget(uploadUrl, clusters, rainbondInfo) {
  const region = importRegion(uploadUrl, clusters);
  const version =
    (region && region.rbd_version) || (rainbondInfo && rainbondInfo.version && rainbondInfo.version.value) || '';
  if (!String(version).trim()) return 'all';
  const target = { rainbond: String(version).trim() };
  if (region && Array.isArray(region.arch) && region.arch.length) target.arch = region.arch.map(normaliseArch);
  return target;
}

/**
 * Checks `file` and resolves `{verdict: 'pass'|'warn'|'fail', report}`, or
 * `{verdict: 'unchecked', error}` when the checker could not say: it did not
 * load (chunk, CSP refusing wasm, no Worker), crashed, stalled, or the check
 * was skipped (`signal`). It never rejects: a failing checker must not stop
 * an upload. `locale` is umi's ("zh-CN", "en-US").
 */
export function checkPackage(file, { locale, target = 'all', onProgress, signal } = {}) {
  // Skipping ends the wait at once, even for a chunk still loading or a
  // checker that does not honour the signal.
  const skipped = new Promise(resolve => {
    if (!signal) return;
    const skip = () => resolve({ verdict: 'unchecked', error: new Error('skipped') });
    if (signal.aborted) skip();
    else signal.addEventListener('abort', skip);
  });
  const check = Promise.resolve()
    .then(load)
    .then(ramcheck => ramcheck.validatePackage(file, { language: locale, target, onProgress, signal }))
    .then(report =>
      VERDICTS.includes(report && report.verdict) ? { verdict: report.verdict, report } : { verdict: 'unchecked', error: new Error('no verdict') },
    );
  return Promise.race([check, skipped]).catch(error => ({ verdict: 'unchecked', error: error || new Error('unknown') }));
}
