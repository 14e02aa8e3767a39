import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { createApiClient, ParleyApiError } from '../api-client.js';
import type { MeetingBody, MeetingPageBody, ParticipantListBody } from '../api-types.js';
import type { RunningServer } from '../index.js';
import { openApiDocument } from './openapi.js';
import {
  connect,
  createMeeting,
  join,
  nextEvent,
  startTestServer,
  tryJoin,
  useTestServer,
  withTestServer,
  type TestClient,
} from '../../test/support/helpers.js';
import { documented, documentedFetch } from '../../test/support/openapi-check.js';

const API_KEY = 'api-key-for-tests-0123456789abcdefghij';
const CREATE_KEY = 'create-key-for-tests-0123456789abcdefg';

/** A request to the server API, its answer checked against the OpenAPI document. */
async function api(
  server: Pick<RunningServer, 'url'>,
  method: string,
  path: string,
  { key = API_KEY, body }: { key?: string | null; body?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: await documented(method, response) };
}

const errorCode = (answer: { body: unknown }) => (answer.body as { error: string }).error;

describe('server API', () => {
  const testServer = useTestServer({ API_KEY, API_LIMIT: '10000/60', MAX_PARTICIPANTS: '6' });
  const server = () => testServer.server;
  const client = () => testServer.client();
  /** Sockets opened with `connect` (the others `useTestServer` disconnects). */
  const sockets: TestClient[] = [];

  test('serves its OpenAPI 3.1 document at /api/openapi.json, without a key', async () => {
    const response = await fetch(`${server().url}/api/openapi.json`);
    assert.equal(response.status, 200);
    const served = (await response.json()) as { openapi: string };
    assert.equal(served.openapi, '3.1.0');
    assert.deepEqual(served, JSON.parse(JSON.stringify(openApiDocument)), 'the document the tests check against');
  });

  test('a meeting: open while empty, active with its participants, its settings and expiry', async () => {
    const { code, hostKey, expiresAt } = await createMeeting(server());
    const empty = await api(server(), 'GET', `/api/meetings/${code}`);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, {
      code,
      state: 'open',
      createdAt: (empty.body as MeetingBody).createdAt,
      expiresAt,
      participantCount: 0,
      waitingCount: 0,
      settings: { locked: false, waitingRoom: false, maxParticipants: 6 },
    });
    const host = await client();
    const joined = await join(host, code, 'Ada', hostKey);
    const guest = await client();
    await join(guest, code, 'Bob');
    // Typed as people type it: upper case, no dashes.
    const active = await api(server(), 'GET', `/api/meetings/${code.replaceAll('-', '').toUpperCase()}`);
    assert.equal((active.body as MeetingBody).state, 'active');
    assert.equal((active.body as MeetingBody).participantCount, 2);

    const { body } = await api(server(), 'GET', `/api/meetings/${code}/participants`);
    const participants = (body as ParticipantListBody).participants;
    assert.deepEqual(
      participants.map(({ name, isHost, connected }) => ({ name, isHost, connected })),
      [
        { name: 'Ada', isHost: true, connected: true },
        { name: 'Bob', isHost: false, connected: true },
      ],
    );
    assert.equal(participants[0]!.id, joined.self.id);
  });

  test('unknown, ended and malformed codes all answer meeting-not-found', async () => {
    const { code } = await createMeeting(server());
    assert.equal((await api(server(), 'POST', `/api/meetings/${code}/end`)).status, 204);
    for (const path of [`/api/meetings/${code}`, '/api/meetings/zzzz-zzzz-zzzz', '/api/meetings/not-a-code', `/api/meetings/${code}/participants`]) {
      const answer = await api(server(), 'GET', path);
      assert.equal(answer.status, 404, path);
      assert.equal(errorCode(answer), 'meeting-not-found', path);
    }
    assert.equal(errorCode(await api(server(), 'POST', `/api/meetings/${code}/end`)), 'meeting-not-found');
    assert.equal(errorCode(await api(server(), 'PATCH', `/api/meetings/${code}`, { body: { locked: true } })), 'meeting-not-found');
  });

  test('without the key every route answers 401 unauthorized alike, whatever the meeting', async () => {
    const live = await createMeeting(server());
    const ended = await createMeeting(server());
    await api(server(), 'POST', `/api/meetings/${ended.code}/end`);
    const refusal = { status: 401, body: { error: 'unauthorized', message: 'A valid API key is required' } };
    for (const key of [null, 'wrong-key-of-the-same-shape-0123456789ab', `${API_KEY}x`]) {
      for (const code of [live.code, ended.code, 'zzzz-zzzz-zzzz']) {
        for (const [method, path] of [
          ['GET', `/api/meetings/${code}`],
          ['GET', `/api/meetings/${code}/participants`],
          ['PATCH', `/api/meetings/${code}`],
          ['POST', `/api/meetings/${code}/end`],
          ['DELETE', `/api/meetings/${code}/participants/someone`],
        ] as const) {
          const answer = await api(server(), method, path, { key, ...(method === 'PATCH' && { body: { locked: true } }) });
          assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
          assert.deepEqual({ status: answer.status, body: answer.body }, refusal, `${method} ${path}`);
        }
      }
      const list = await api(server(), 'GET', '/api/meetings', { key });
      assert.deepEqual({ status: list.status, body: list.body }, refusal);
    }
    // Nothing changed: the live meeting is neither locked nor ended.
    assert.equal(((await api(server(), 'GET', `/api/meetings/${live.code}`)).body as MeetingBody).settings.locked, false);
  });

  test('lists joinable meetings a page at a time, by code, ended ones left out', async () => {
    const created = [];
    for (let index = 0; index < 5; index++) created.push((await createMeeting(server())).code);
    await api(server(), 'POST', `/api/meetings/${created[0]}/end`);
    const listed: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = (await api(server(), 'GET', `/api/meetings${query}`)).body as MeetingPageBody;
      listed.push(...page.meetings.map((meeting) => meeting.code));
      pageSizes.push(page.meetings.length);
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.ok(pageSizes.slice(0, -1).every((size) => size === 2), `full pages before the last: ${pageSizes}`);
    assert.deepEqual(listed, [...listed].sort(), 'by code');
    assert.equal(new Set(listed).size, listed.length, 'no meeting twice');
    assert.ok(!listed.includes(created[0]!), 'the ended meeting is not listed');
    for (const code of created.slice(1)) assert.ok(listed.includes(code), `${code} is listed`);

    for (const query of ['?limit=0', '?limit=101', '?limit=two', '?cursor=%21%21%21']) {
      const answer = await api(server(), 'GET', `/api/meetings${query}`);
      assert.equal(answer.status, 400, query);
      assert.equal(errorCode(answer), 'invalid-payload', query);
    }
  });

  test("removing a participant: they are told and kept out, the others see them leave, as with a host's remove", async () => {
    const { code, hostKey } = await createMeeting(server());
    const host = await client();
    await join(host, code, 'Ada', hostKey);
    const guest = await client();
    const sessionId = 'guest-session';
    const joined = await guest.emitWithAck('join-meeting', { code, name: 'Mallory', audio: true, video: true, sessionId });
    assert.ok(joined.ok && 'self' in joined.data, JSON.stringify(joined));
    const guestId = joined.data.self.id;
    const told = nextEvent(guest, 'removed');
    const left = nextEvent(host, 'participant-left');
    const answer = await api(server(), 'DELETE', `/api/meetings/${code}/participants/${guestId}`);
    assert.equal(answer.status, 204);
    await told;
    assert.deepEqual(await left, { participantId: guestId, reason: 'removed' });
    const again = await connect(server());
    sockets.push(again);
    const retry = await again.emitWithAck('join-meeting', { code, name: 'Mallory', audio: true, video: true, sessionId });
    assert.equal(retry.ok || retry.error.code, 'removed');

    const unknown = await api(server(), 'DELETE', `/api/meetings/${code}/participants/${guestId}`);
    assert.equal(unknown.status, 404);
    assert.equal(errorCode(unknown), 'participant-not-found');
  });

  test('ending a meeting tells everyone in it, and its code is dead', async () => {
    const { code, hostKey } = await createMeeting(server());
    const host = await client();
    await join(host, code, 'Ada', hostKey);
    const guest = await client();
    await join(guest, code, 'Bob');
    const ended = Promise.all([nextEvent(host, 'meeting-ended'), nextEvent(guest, 'meeting-ended')]);
    assert.equal((await api(server(), 'POST', `/api/meetings/${code}/end`)).status, 204);
    await ended;
    assert.equal(await tryJoin(await client(), code), 'meeting-not-found');
  });

  test('PATCH locks, opens the waiting room, sets the limit and the expiry; participants hear of the lock', async () => {
    const { code, hostKey } = await createMeeting(server());
    const host = await client();
    await join(host, code, 'Ada', hostKey);
    const heard = nextEvent(host, 'meeting-updated');
    const locked = await api(server(), 'PATCH', `/api/meetings/${code}`, { body: { locked: true } });
    assert.equal(locked.status, 200);
    assert.equal((locked.body as MeetingBody).settings.locked, true);
    assert.deepEqual(await heard, { locked: true, waitingRoom: false });
    assert.equal(await tryJoin(await client(), code), 'meeting-locked');

    await api(server(), 'PATCH', `/api/meetings/${code}`, { body: { locked: false, maxParticipants: 2 } });
    await join(await client(), code, 'Bob');
    assert.equal(await tryJoin(await client(), code), 'meeting-full');
    const unlimited = await api(server(), 'PATCH', `/api/meetings/${code}`, { body: { maxParticipants: null } });
    assert.equal((unlimited.body as MeetingBody).settings.maxParticipants, 6, "back to the server's MAX_PARTICIPANTS");
    assert.equal(await tryJoin(await client(), code), true);

    const expiresAt = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
    const moved = await api(server(), 'PATCH', `/api/meetings/${code}`, { body: { expiresAt, waitingRoom: true } });
    assert.equal((moved.body as MeetingBody).expiresAt, expiresAt);
    assert.equal((moved.body as MeetingBody).settings.waitingRoom, true);
  });

  test('PATCH refuses what its schema does not allow, changing nothing', async () => {
    const { code } = await createMeeting(server());
    for (const body of [
      {},
      { locked: 'yes' },
      { maxParticipants: 0 },
      { maxParticipants: 7 },
      { maxParticipants: 2.5 },
      { expiresAt: new Date(Date.now() - 1000).toISOString() },
      { expiresAt: 'tomorrow' },
      { hostKey: 'x' },
      '{"locked": tru',
    ]) {
      const answer = await api(server(), 'PATCH', `/api/meetings/${code}`, { body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(errorCode(answer), 'invalid-payload', JSON.stringify(body));
    }
    const meeting = (await api(server(), 'GET', `/api/meetings/${code}`)).body as MeetingBody;
    assert.deepEqual(meeting.settings, { locked: false, waitingRoom: false, maxParticipants: 6 });
  });

  test('requests are counted in metrics by route and status', async () => {
    await api(server(), 'GET', '/api/meetings/zzzz-zzzz-zzzz');
    await api(server(), 'GET', '/api/meetings', { key: null });
    const metrics = await (await fetch(`${server().url}/metrics`)).text();
    assert.match(metrics, /parley_api_requests_total\{route="GET \/api\/meetings\/:code",status="404"\} [1-9]/);
    assert.match(metrics, /parley_api_requests_total\{route="GET \/api\/meetings",status="401"\} [1-9]/);
  });

  test('the typed client, every answer checked against the document', async () => {
    const parley = createApiClient({ url: server().url, apiKey: API_KEY, fetch: documentedFetch });
    const { code, hostKey } = await parley.createMeeting();
    assert.equal((await parley.getMeeting(code)).state, 'open');
    const host = await client();
    await join(host, code, 'Ada', hostKey);
    const guest = await client();
    const { self } = await join(guest, code, 'Bob');
    assert.deepEqual(
      (await parley.listParticipants(code)).map((participant) => participant.name),
      ['Ada', 'Bob'],
    );
    assert.equal((await parley.updateMeeting(code, { waitingRoom: true })).settings.waitingRoom, true);
    const page = await parley.listMeetings({ limit: 100 });
    assert.ok(page.meetings.some((meeting) => meeting.code === code));
    const removed = nextEvent(guest, 'removed');
    await parley.removeParticipant(code, self.id);
    await removed;
    await parley.endMeeting(code);
    await assert.rejects(parley.getMeeting(code), (error: unknown) => {
      assert.ok(error instanceof ParleyApiError);
      assert.equal(error.code, 'meeting-not-found');
      assert.equal(error.status, 404);
      return true;
    });
    const keyless = createApiClient({ url: server().url, fetch: documentedFetch });
    await assert.rejects(keyless.listMeetings(), { code: 'unauthorized', status: 401 });
  });

  test('the client as docs/server-api.md shows it', async () => {
    const url = server().url;
    const process = { env: { PARLEY_API_KEY: API_KEY } };
    const logged: unknown[][] = [];
    const console = { log: (...items: unknown[]) => logged.push(items) };
    // #region client
    const parley = createApiClient({ url, apiKey: process.env.PARLEY_API_KEY });

    const { code } = await parley.createMeeting();
    await parley.updateMeeting(code, { waitingRoom: true, maxParticipants: 4 });
    const meeting = await parley.getMeeting(code); // { state, participantCount, settings, expiresAt… }
    for (const person of await parley.listParticipants(code)) console.log(person.name, person.connected);

    let page = await parley.listMeetings({ limit: 100 });
    while (page.nextCursor) page = await parley.listMeetings({ limit: 100, cursor: page.nextCursor });

    try {
      await parley.removeParticipant(code, 'a-participant-id');
    } catch (error) {
      if (error instanceof ParleyApiError && error.code === 'participant-not-found') console.log('already gone');
      else throw error;
    }
    await parley.endMeeting(code);
    // #endregion client
    assert.deepEqual(meeting.settings, { locked: false, waitingRoom: true, maxParticipants: 4 });
    assert.deepEqual(logged, [['already gone']], 'nobody joined it');
    assert.equal(page.nextCursor, null);
    await assert.rejects(parley.getMeeting(code), { code: 'meeting-not-found' });
  });

  after(() => {
    for (const socket of sockets) socket.disconnect();
  });
});

describe('server API keys, limits and logs', () => {
  test('with neither API_KEY nor CREATE_MEETING_KEY the API is off', async () => {
    await withTestServer({}, async (server) => {
      const answer = await api(server, 'GET', '/api/meetings', { key: 'anything-at-all-0123456789abcdefghijkl' });
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.body, { error: 'unauthorized', message: 'The server API is off: set API_KEY' });
    });
  });

  test('CREATE_MEETING_KEY serves as the API key when API_KEY is unset; with both, each creates meetings', async () => {
    await withTestServer({ CREATE_MEETING_KEY: CREATE_KEY }, async (server) => {
      assert.equal((await api(server, 'GET', '/api/meetings', { key: CREATE_KEY })).status, 200);
    });
    await withTestServer({ CREATE_MEETING_KEY: CREATE_KEY, API_KEY }, async (server) => {
      assert.equal((await api(server, 'GET', '/api/meetings', { key: CREATE_KEY })).status, 401, 'the creation key manages nothing');
      for (const key of [CREATE_KEY, API_KEY]) assert.equal((await api(server, 'POST', '/api/meetings', { key })).status, 201);
      const refused = await api(server, 'POST', '/api/meetings', { key: null });
      assert.deepEqual(refused.body, { error: 'unauthorized', message: 'A valid key is required' });
    });
  });

  test('API_LIMIT counts every request of an address, with or without a key', async () => {
    await withTestServer({ API_KEY, API_LIMIT: '3/60' }, async (server) => {
      assert.equal((await api(server, 'GET', '/api/meetings', { key: null })).status, 401);
      assert.equal((await api(server, 'GET', '/api/meetings')).status, 200);
      assert.equal((await api(server, 'GET', '/api/meetings/zzzz-zzzz-zzzz')).status, 404);
      const limited = await api(server, 'GET', '/api/meetings');
      assert.equal(limited.status, 429);
      assert.equal(errorCode(limited), 'rate-limited');
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60);
      assert.equal((limited.body as { retryAfter: number }).retryAfter, retryAfter);
    });
  });

  test('the API key never reaches the logs, nor does a wrong one', async () => {
    let logs = '';
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logs += String(chunk);
        done();
      },
    });
    const wrongKey = 'a-wrong-key-someone-tried-0123456789abcd';
    const server = await startTestServer({ API_KEY, LOG_LEVEL: 'trace' }, { logDestination: destination });
    try {
      const { code, hostKey } = await createMeeting(server);
      const host = await connect(server);
      const { self } = await join(host, code, 'Ada', hostKey);
      await api(server, 'GET', `/api/meetings/${code}`, { key: wrongKey });
      await api(server, 'PATCH', `/api/meetings/${code}`, { body: { locked: true } });
      await api(server, 'PATCH', `/api/meetings/${code}`, { body: '{"broken' });
      await api(server, 'DELETE', `/api/meetings/${code}/participants/${self.id}`);
      await api(server, 'POST', `/api/meetings/${code}/end`);
      host.disconnect();
      // Should a request's headers or the key ever be logged whole, they are censored.
      server.logger.info({ headers: { authorization: `Bearer ${API_KEY}` }, apiKey: API_KEY }, 'a careless record');
      assert.match(logs, /server API: participant removed/, 'the API logged its actions');
      assert.match(logs, /server API request refused: no valid key/);
      assert.match(logs, /a careless record/);
    } finally {
      await server.close();
    }
    assert.ok(!logs.includes(API_KEY), 'the API key is in no log record');
    assert.ok(!logs.includes(wrongKey), 'nor is a wrong key');
  });
});
