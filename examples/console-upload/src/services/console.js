// The console API calls the import page makes (rainbond-ui services/market.js,
// region.js, api.js), as plain fetches: the example has no dva store.

async function call(url, options) {
  const response = await fetch(url, { credentials: 'same-origin', ...options });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

const json = body => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/** GET /console/config/info: `rainbondInfo`, whose `version.value` is the console's RELEASE_DESC. */
export const fetchRainbondInfo = () => call('/console/config/info').then(res => res.data.bean);

/** GET /console/enterprise/{eid}/regions?check_status=yes: each region with `rbd_version` and `arch`. */
export const fetchEnterpriseClusters = eid =>
  call(`/console/enterprise/${eid}/regions?check_status=yes`).then(res => res.data.list);

/** POST /console/enterprise/{eid}/app-models/import: `{event_id, upload_url, region_name, status}`. */
export const queryImportRecord = eid => call(`/console/enterprise/${eid}/app-models/import`, json({})).then(res => res.data.bean);

/** GET …/app-models/import/{event_id}/dir: the names of the files uploaded so far. */
export const queryImportDir = (eid, eventId) =>
  call(`/console/enterprise/${eid}/app-models/import/${eventId}/dir`).then(res => res.data.bean.packages || []);

/** POST …/app-models/import/{event_id}: imports the chosen files (names joined by ","). */
export const importApp = (eid, eventId, body) => call(`/console/enterprise/${eid}/app-models/import/${eventId}`, json(body));
