// The web console's data layer against the functions: react-admin's REST data provider
// (ra-data-simple-rest over ra-core's fetchUtils, the packages Nexodus's console is built on), adapted the way
// that console adapts it (ui/src/DataProvider.tsx: PUT turned into PATCH for the resources Nexodus updates with
// PATCH; X-Total-Count as the count header; credentials included, no token: the session cookie is the
// credential). Every resource the console lists, shows, creates, edits or deletes is driven through it as the
// console's pages drive it: lists sorted and paged, reference columns through getMany (filter {"id":[...]}), edit
// forms that send back the whole record they read, deletes with Content-Type text/plain. Around it, what the
// console's auth provider does (ui/src/providers): checkAuth, the refresh timer's POST /web/refresh, sign-out.
//
// Usage: node contract.mjs <API base URL> <sid cookie> <console origin>     Exit status 0 only if every step held.
// What a browser adds to the console's cross-origin calls with credentials, Node's fetch is told: the cookie the
// API set at sign-in, and the page's Origin.
import simpleRestProvider from 'ra-data-simple-rest';
import { fetchUtils } from 'ra-core';
import { randomBytes } from 'node:crypto';

const [api, sid, origin] = process.argv.slice(2);
if (!api || !sid || !origin) {
  console.error('usage: node contract.mjs <API base URL> <sid cookie> <console origin>');
  process.exit(2);
}

const browser = (headers) => {
  const out = new Headers(headers || { Accept: 'application/json' });
  out.set('Cookie', `sid=${sid}`);
  out.set('Origin', origin);
  return out;
};
const PATCHED = ['reg-keys', 'devices', 'security-groups', 'vpcs'].map((r) => `${api}/api/${r}/`);
const httpClient = (url, options = {}) => {
  options.credentials = 'include';
  options.headers = browser(options.headers);
  if (options.method === 'PUT' && PATCHED.some((prefix) => url.startsWith(prefix))) {
    options.method = 'PATCH';
  }
  return fetchUtils.fetchJson(url, options);
};
const data = simpleRestProvider(`${api}/api`, httpClient, 'X-Total-Count');

let steps = 0;
function check(condition, what, detail) {
  if (!condition) {
    throw new Error(`${what}${detail === undefined ? '' : ': ' + JSON.stringify(detail)}`);
  }
  steps++;
}
const page = { pagination: { page: 1, perPage: 10 }, sort: { field: 'id', order: 'ASC' }, filter: {} };

async function listShowMany(resource, ids) {
  const list = await data.getList(resource, page);
  check(list.total >= ids.length, `${resource}: the list counts them (X-Total-Count)`, list.total);
  for (const id of ids) {
    check((await data.getOne(resource, { id })).data.id === id, `${resource}: show ${id}`);
  }
  const many = await data.getMany(resource, { ids });
  check(many.data.length === ids.length && ids.every((id) => many.data.some((r) => r.id === id)),
    `${resource}: getMany (a reference column) finds each one`, many.data.map((r) => r.id));
  const filtered = await data.getList(resource, { ...page, filter: { id: ids } });
  check(filtered.total === ids.length, `${resource}: a list filtered by several ids`, filtered.total);
}

async function main() {
  // the auth provider's checkAuth (GET /api/users/me) and its refresh timer (POST /web/refresh, 204)
  const checked = await fetch(`${api}/api/users/me`, { headers: browser() });
  check(checked.status === 200, 'checkAuth: the session cookie is a credential', checked.status);
  const refreshed = await fetch(`${api}/web/refresh`, { method: 'POST', headers: browser() });
  check(refreshed.status === 204, 'the refresh timer: POST /web/refresh', refreshed.status);

  const me = (await data.getOne('users', { id: 'me' })).data;
  check(me.id, 'users: me');
  await listShowMany('users', [me.id]);

  const org = (await data.create('organizations', {
    data: { name: `console-${randomBytes(4).toString('hex')}`, description: 'from the console' },
  })).data;
  await listShowMany('organizations', [org.id, me.id]);

  const vpc = (await data.create('vpcs', {
    data: { organization_id: me.id, description: 'console vpc', private_cidr: false },
  })).data;
  await listShowMany('vpcs', [vpc.id, me.id]);
  const vpcRead = (await data.getOne('vpcs', { id: vpc.id })).data;
  const vpcEdited = (await data.update('vpcs', {
    id: vpc.id, data: { ...vpcRead, description: 'renamed' }, previousData: vpcRead,
  })).data;
  check(vpcEdited.description === 'renamed', 'vpcs: an edit form sends the record it read back, changed', vpcEdited);

  const group = (await data.create('security-groups', {
    data: { vpc_id: vpc.id, description: 'console group', inbound_rules: [], outbound_rules: [] },
  })).data;
  await listShowMany('security-groups', [group.id]);
  const groupRead = (await data.getOne('security-groups', { id: group.id })).data;
  const groupEdited = (await data.update('security-groups', {
    id: group.id, data: { ...groupRead, description: 'edited group' }, previousData: groupRead,
  })).data;
  check(groupEdited.description === 'edited group', 'security-groups: edit', groupEdited);

  const expiration = new Date(Date.now() + 86_400_000).toISOString();
  const key = (await data.create('reg-keys', {
    data: { description: 'console key', single_use: false, expiration, vpc_id: me.id },
  })).data;
  check(key.bearer_token && key.bearer_token.startsWith('RK:'), 'reg-keys: the token on create');
  check(key.expires_at && Math.abs(Date.parse(key.expires_at) - Date.parse(expiration)) < 1000,
    "reg-keys: the console's expiration is the key's expiry", key);
  await listShowMany('reg-keys', [key.id]);
  const keyRead = (await data.getOne('reg-keys', { id: key.id })).data;
  check(keyRead.bearer_token === key.bearer_token,
    'reg-keys: its creator reads the token again (the console shows it and the nexd command after create)');
  const keyEdited = (await data.update('reg-keys', {
    id: key.id, data: { ...keyRead, description: 'edited key' }, previousData: keyRead,
  })).data;
  check(keyEdited.description === 'edited key', 'reg-keys: edit', keyEdited);

  // devices are registered by nexd, never by the console: one over the API itself
  const device = (await httpClient(`${api}/api/devices`, {
    method: 'POST',
    body: JSON.stringify({ vpc_id: me.id, public_key: randomBytes(32).toString('base64'), hostname: 'console-host' }),
  })).json;
  await listShowMany('devices', [device.id]);
  const deviceRead = (await data.getOne('devices', { id: device.id })).data;
  const deviceEdited = (await data.update('devices', {
    id: device.id, data: { ...deviceRead, hostname: 'renamed-host' }, previousData: deviceRead,
  })).data;
  check(deviceEdited.hostname === 'renamed-host', 'devices: edit', deviceEdited);

  const invitation = (await data.create('invitations', {
    data: { organization_id: org.id, email: `guest-${randomBytes(3).toString('hex')}@console.example` },
  })).data;
  await listShowMany('invitations', [invitation.id]);

  // deletes, as the console sends them (Content-Type: text/plain, no body)
  for (const [resource, id] of [['invitations', invitation.id], ['devices', device.id], ['reg-keys', key.id],
    ['security-groups', group.id], ['vpcs', vpc.id], ['organizations', org.id]]) {
    await data.delete(resource, { id, previousData: { id } });
    const gone = await data.getMany(resource, { ids: [id] });
    check(gone.data.length === 0, `${resource}: deleted`, gone.data);
  }

  // sign-out as the console's logout does (the browser follows the 302 through the provider back to the page)
  const out = await fetch(`${api}/web/logout?redirect=${encodeURIComponent(origin + '/')}`,
    { headers: browser(), redirect: 'manual' });
  check(out.status === 302 && /(^|, *)sid=;/.test(out.headers.get('set-cookie') || ''),
    'sign-out: a redirect, and the cookie cleared', [out.status, out.headers.get('set-cookie')]);
  const after = await fetch(`${api}/api/users/me`, { headers: browser() });
  check(after.status === 401, 'after sign-out the old cookie is refused (checkError then shows the login page)', after.status);
  console.log(JSON.stringify({ contract: 'ok', steps }));
}

main().catch((error) => {
  console.error(`console contract FAILED after ${steps} steps: ${error.message}`
    + (error.body ? ` ${JSON.stringify(error.body)}` : '') + (error.status ? ` (HTTP ${error.status})` : ''));
  process.exit(1);
});
