import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { after, describe, test } from 'node:test';
import { io as connectClient } from 'socket.io-client';
import type { Result } from '@parley/protocol';
import {
  connect,
  createMeeting,
  join,
  knock,
  nextEvent,
  recordEvents,
  request,
  settle,
  startTestServer,
  useTestServer,
  withTestServer,
  type TestClient,
} from '../../test/support/helpers.js';

const code = (result: Result<unknown>) => result.ok || result.error.code;

/** Resolves with the reason once the server closes the socket. */
const closed = (socket: TestClient) => once(socket as never, 'disconnect').then(([reason]) => reason as string);

/** Host controls as an untyped emitter, for payloads the types would not allow. */
const raw = (socket: TestClient) => socket as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<Result<unknown>> };

const HOST_EVENTS = [
  ['end-meeting'],
  ['mute-participant', 'someone'],
  ['remove-participant', 'someone'],
  ['transfer-host', 'someone'],
  ['update-meeting'],
  ['admit-participant', 'someone'],
  ['deny-participant', 'someone'],
] as const;

/** Sends a host event with a target id (or the settings change / nothing, by event). */
function hostRequest(socket: TestClient, event: (typeof HOST_EVENTS)[number][0], participantId = 'someone') {
  if (event === 'end-meeting') return socket.emitWithAck('end-meeting');
  if (event === 'update-meeting') return socket.emitWithAck('update-meeting', { locked: true });
  return socket.emitWithAck(event, { participantId });
}

describe('host controls', () => {
  const suite = useTestServer({ MAX_PARTICIPANTS: '4', RESUME_WINDOW_MS: '1000' });
  const client = () => suite.client();

  /** A meeting with a host (Hana) and a guest (Gus). */
  async function meetingWithHost() {
    const meeting = await createMeeting(suite.server);
    const [host, guest] = [await client(), await client()];
    const hostJoined = await join(host, meeting.code, 'Hana', meeting.hostKey);
    const guestJoined = await request(guest, { code: meeting.code, name: 'Gus', sessionId: 'gus-session' });
    assert.ok(guestJoined.waiting !== true);
    return { meeting, host, guest, hostId: hostJoined.self.id, guestId: guestJoined.self.id, hostJoined, guestJoined };
  }

  test('everyone but a host is refused not-host, an outsider not-in-meeting, a bad payload invalid-payload', async () => {
    const { meeting, host, guest, hostId } = await meetingWithHost();
    const stranger = await client();
    const hostReceived = recordEvents(host);
    for (const [event] of HOST_EVENTS) {
      assert.equal(code(await hostRequest(guest, event, hostId)), 'not-host', event);
      assert.equal(code(await hostRequest(stranger, event, hostId)), 'not-in-meeting', event);
    }
    for (const [event, payload] of [
      ['mute-participant', {}],
      ['remove-participant', { participantId: '' }],
      ['transfer-host', { participantId: 'x'.repeat(65) }],
      ['admit-participant', 'someone'],
      ['update-meeting', { locked: 'yes' }],
      ['update-meeting', { locked: true, title: 'extra keys are refused' }],
    ] as const) {
      assert.equal(code(await raw(host).emitWithAck(event, payload)), 'invalid-payload', `${event} ${JSON.stringify(payload)}`);
    }
    await settle(host);
    assert.deepEqual(hostReceived, [], 'nothing happened');
    // The meeting is as it was: a newcomer gets in, unlocked.
    const joined = await join(await client(), meeting.code, 'Newcomer');
    assert.deepEqual(joined.settings, { locked: false, waitingRoom: false });
  });

  test('targets in another meeting, or oneself, are participant-not-found', async () => {
    const { host, hostId } = await meetingWithHost();
    const elsewhere = await meetingWithHost();
    const otherReceived = recordEvents(elsewhere.guest);
    for (const [event] of HOST_EVENTS) {
      if (event === 'end-meeting' || event === 'update-meeting') continue;
      assert.equal(code(await hostRequest(host, event, elsewhere.guestId)), 'participant-not-found', event);
      assert.equal(code(await hostRequest(host, event, hostId)), 'participant-not-found', `${event} to oneself`);
    }
    await settle(elsewhere.guest);
    assert.deepEqual(otherReceived, []);
  });

  test('a mute request reaches only its target, naming the host', async () => {
    const { meeting, host, guest, hostId, guestId } = await meetingWithHost();
    const third = await client();
    await join(third, meeting.code, 'Thea');
    const [hostReceived, thirdReceived] = [recordEvents(host), recordEvents(third)];
    const requested = nextEvent(guest, 'mute-requested');
    assert.deepEqual(await host.emitWithAck('mute-participant', { participantId: guestId }), { ok: true });
    assert.deepEqual(await requested, { by: hostId });
    await settle(host, third);
    assert.deepEqual([hostReceived, thirdReceived], [[], []]);
  });

  test('a removed participant is told, disconnected, announced as removed, and its session and token stay out', async () => {
    const { meeting, host, guest, guestId, guestJoined } = await meetingWithHost();
    const { resumeToken } = guestJoined;

    const removed = nextEvent(guest, 'removed');
    const disconnected = closed(guest);
    const announced = nextEvent(host, 'participant-left');
    assert.deepEqual(await host.emitWithAck('remove-participant', { participantId: guestId }), { ok: true });
    await removed;
    assert.equal(await disconnected, 'io server disconnect');
    assert.deepEqual(await announced, { participantId: guestId, reason: 'removed' });

    const comeback = await connect(suite.server);
    assert.equal(code(await comeback.emitWithAck('resume-meeting', { resumeToken })), 'resume-rejected', 'its resume token is dead');
    const again = await comeback.emitWithAck('join-meeting', { code: meeting.code, name: 'Gus', sessionId: 'gus-session', audio: true, video: true });
    assert.equal(code(again), 'removed', 'the same session cannot come back');
    comeback.disconnect();
  });

  test('a removal turns the waiting room on, for everyone to see: another session of the removed person waits, and the host denies them', async () => {
    const { meeting, host, guest, guestId } = await meetingWithHost();
    const third = await client();
    await join(third, meeting.code, 'Thea');
    const afterRemoval = { locked: false, waitingRoom: true, waitingRoomAfterRemoval: true };
    const [hostHears, thirdHears] = [nextEvent(host, 'meeting-updated'), nextEvent(third, 'meeting-updated')];
    const guestGone = closed(guest);
    assert.deepEqual(await host.emitWithAck('remove-participant', { participantId: guestId }), { ok: true });
    assert.deepEqual(await hostHears, afterRemoval, 'the host learns the waiting room is on, and why');
    assert.deepEqual(await thirdHears, afterRemoval);
    await guestGone;

    // A new session (private window, another browser, storage cleared): let in by nobody but a host.
    const comeback = await client();
    const listed = nextEvent(host, 'waiting-list');
    const waiterId = await knock(comeback, meeting.code, 'Gus', { sessionId: 'gus-in-a-private-window' });
    assert.deepEqual(await listed, { waiting: [{ id: waiterId, name: 'Gus' }] });
    const denied = nextEvent(comeback, 'denied');
    assert.deepEqual(await host.emitWithAck('deny-participant', { participantId: waiterId }), { ok: true });
    await denied;

    // Kept as stored, so a newcomer's join answer carries it too.
    const latecomer = await client();
    const hostJoinsAgain = await join(latecomer, meeting.code, 'Hana', meeting.hostKey);
    assert.deepEqual(hostJoinsAgain.settings, afterRemoval);
    // The host turns it off: the flag goes with it, and people walk in again.
    const off = nextEvent(third, 'meeting-updated');
    assert.deepEqual(await host.emitWithAck('update-meeting', { waitingRoom: false }), { ok: true, data: { locked: false, waitingRoom: false } });
    assert.deepEqual(await off, { locked: false, waitingRoom: false });
    await join(await client(), meeting.code, 'Ivy');
  });

  test('a waiting room the host turned on stays theirs: a removal changes no setting and sends no update', async () => {
    const { meeting, host, guest, guestId } = await meetingWithHost();
    await host.emitWithAck('update-meeting', { waitingRoom: true });
    const hostReceived = recordEvents(host);
    const guestGone = closed(guest);
    assert.deepEqual(await host.emitWithAck('remove-participant', { participantId: guestId }), { ok: true });
    await guestGone;
    await settle(host);
    assert.deepEqual(hostReceived.map(({ name }) => name), ['participant-left']);
    const latecomer = await client();
    assert.deepEqual((await join(latecomer, meeting.code, 'Hana', meeting.hostKey)).settings, { locked: false, waitingRoom: true });
  });

  test('transfer-host: the target becomes host and the sender stops being one, for everyone to see', async () => {
    const { meeting, host, guest, hostId, guestId } = await meetingWithHost();
    const third = await client();
    await join(third, meeting.code, 'Thea');
    const seen = recordEvents(third);
    const guestList = nextEvent(guest, 'waiting-list');
    assert.deepEqual(await host.emitWithAck('transfer-host', { participantId: guestId }), { ok: true });
    await settle(third);
    assert.deepEqual(seen, [
      { name: 'host-changed', payload: { participantId: guestId, isHost: true } },
      { name: 'host-changed', payload: { participantId: hostId, isHost: false } },
    ]);
    assert.deepEqual(await guestList, { waiting: [] }, 'the new host learns who waits');
    assert.equal(code(await host.emitWithAck('mute-participant', { participantId: guestId })), 'not-host');
    assert.deepEqual(await guest.emitWithAck('mute-participant', { participantId: hostId }), { ok: true });
    const newcomer = await join(await client(), meeting.code, 'Nina');
    assert.deepEqual(
      newcomer.participants.map((p) => [p.name, p.isHost]),
      [
        ['Hana', false],
        ['Gus', true],
        ['Thea', false],
      ],
    );
  });

  test('end-meeting: everyone is told and disconnected, those waiting are denied, and the code is dead', async () => {
    const { meeting, host, guest, hostJoined } = await meetingWithHost();
    assert.deepEqual(await host.emitWithAck('update-meeting', { waitingRoom: true }), { ok: true, data: { locked: false, waitingRoom: true } });
    const waiter = await client();
    await knock(waiter, meeting.code, 'Walt');

    const events = [host, guest].map((socket) => nextEvent(socket, 'meeting-ended'));
    const denied = nextEvent(waiter, 'denied');
    const disconnects = [host, guest, waiter].map(closed);
    assert.deepEqual(await host.emitWithAck('end-meeting'), { ok: true }, 'the host gets its answer before the end');
    await Promise.all([...events, denied]);
    assert.deepEqual(await Promise.all(disconnects), ['io server disconnect', 'io server disconnect', 'io server disconnect']);

    const late = await client();
    assert.equal(code(await late.emitWithAck('join-meeting', { code: meeting.code, name: 'Late', hostKey: meeting.hostKey, audio: true, video: true })), 'meeting-not-found');
    assert.equal(code(await late.emitWithAck('resume-meeting', { resumeToken: hostJoined.resumeToken })), 'meeting-ended');
    const metrics = await (await fetch(`${suite.server.url}/metrics`)).text();
    assert.match(metrics, /^parley_host_actions_total\{action="end"\} [1-9]/m);
    assert.match(metrics, /^parley_waiting 0$/m);
  });

  test('lock: newcomers are refused meeting-locked, hosts with the key still get in, resumes go on', async () => {
    const { meeting, host, guest, guestId, guestJoined } = await meetingWithHost();
    const updated = nextEvent(guest, 'meeting-updated');
    assert.deepEqual(await host.emitWithAck('update-meeting', { locked: true }), { ok: true, data: { locked: true, waitingRoom: false } });
    assert.deepEqual(await updated, { locked: true, waitingRoom: false });

    const outsider = await client();
    assert.equal(code(await outsider.emitWithAck('join-meeting', { code: meeting.code, name: 'Olly', audio: true, video: true })), 'meeting-locked');
    const secondHost = await join(await client(), meeting.code, 'Co-host', meeting.hostKey);
    assert.equal(secondHost.self.isHost, true);
    assert.deepEqual(secondHost.settings, { locked: true, waitingRoom: false });

    // A dropped guest takes its place back through the lock.
    const { resumeToken } = guestJoined;
    guest.io.engine.close();
    const back = await connect(suite.server);
    const resumed = await back.emitWithAck('resume-meeting', { resumeToken });
    assert.ok(resumed.ok);
    assert.equal(resumed.data.self.id, guestId);
    assert.deepEqual(resumed.data.settings, { locked: true, waitingRoom: false });

    // A change to nothing is answered with the settings and announced to nobody.
    const backReceived = recordEvents(back);
    assert.deepEqual(await host.emitWithAck('update-meeting', {}), { ok: true, data: { locked: true, waitingRoom: false } });
    assert.deepEqual(await host.emitWithAck('update-meeting', { locked: true }), { ok: true, data: { locked: true, waitingRoom: false } });
    await settle(back);
    assert.deepEqual(backReceived, []);
    assert.deepEqual(await host.emitWithAck('update-meeting', { locked: false }), { ok: true, data: { locked: false, waitingRoom: false } });
    await join(outsider, meeting.code, 'Olly');
    back.disconnect();
  });

  test('waiting room: newcomers wait unseen, hosts see the list, admit lets in, deny turns away', async () => {
    const { meeting, host, guest, hostId, guestId } = await meetingWithHost();
    await host.emitWithAck('update-meeting', { waitingRoom: true });
    const guestReceived = recordEvents(guest);

    const [wendy, walt] = [await client(), await client()];
    const listed = nextEvent(host, 'waiting-list');
    const wendyId = await knock(wendy, meeting.code, '  Wendy ');
    assert.deepEqual(await listed, { waiting: [{ id: wendyId, name: 'Wendy' }] });
    const listedAgain = nextEvent(host, 'waiting-list');
    const waltId = await knock(walt, meeting.code, 'Walt');
    assert.deepEqual(await listedAgain, { waiting: [{ id: wendyId, name: 'Wendy' }, { id: waltId, name: 'Walt' }] });

    // Someone waiting can do nothing but wait (or leave).
    assert.equal(code(await wendy.emitWithAck('offer', { to: hostId, sdp: 'v=0' })), 'not-in-meeting');
    assert.equal(code(await wendy.emitWithAck('media-state', { audio: false, video: false })), 'not-in-meeting');
    assert.equal(code(await wendy.emitWithAck('join-meeting', { code: meeting.code, name: 'W', audio: true, video: true })), 'already-in-meeting');
    assert.equal(code(await wendy.emitWithAck('resume-meeting', { resumeToken: 'x' })), 'already-in-meeting');
    assert.equal(code(await wendy.emitWithAck('end-meeting')), 'not-in-meeting');

    // A host who joins now finds them listed; a guest never hears of them.
    const coHost = await join(await client(), meeting.code, 'Co-host', meeting.hostKey);
    assert.deepEqual(coHost.waiting, [{ id: wendyId, name: 'Wendy' }, { id: waltId, name: 'Walt' }]);
    assert.equal(code(await guest.emitWithAck('admit-participant', { participantId: wendyId })), 'not-host');

    const admitted = nextEvent(wendy, 'admitted');
    const joinedNote = nextEvent(guest, 'participant-joined');
    const afterAdmit = nextEvent(host, 'waiting-list');
    assert.deepEqual(await host.emitWithAck('admit-participant', { participantId: wendyId }), { ok: true });
    const wendyJoined = await admitted;
    assert.equal(wendyJoined.self.id, wendyId);
    assert.equal(wendyJoined.self.name, 'Wendy');
    assert.equal(wendyJoined.self.isHost, false);
    assert.deepEqual(wendyJoined.settings, { locked: false, waitingRoom: true });
    assert.deepEqual(wendyJoined.waiting, []);
    assert.deepEqual(wendyJoined.participants.map((p) => p.name), ['Hana', 'Gus', 'Co-host']);
    assert.deepEqual(await joinedNote, wendyJoined.self);
    assert.deepEqual(await afterAdmit, { waiting: [{ id: waltId, name: 'Walt' }] });
    // Now a member like any other.
    const offered = nextEvent(guest, 'offer');
    assert.deepEqual(await wendy.emitWithAck('offer', { to: guestId, sdp: 'v=0 from Wendy' }), { ok: true });
    assert.deepEqual(await offered, { from: wendyId, sdp: 'v=0 from Wendy' });

    const denied = nextEvent(walt, 'denied');
    const waltClosed = closed(walt);
    const afterDeny = nextEvent(host, 'waiting-list');
    assert.deepEqual(await host.emitWithAck('deny-participant', { participantId: waltId }), { ok: true });
    await denied;
    assert.equal(await waltClosed, 'io server disconnect');
    assert.deepEqual(await afterDeny, { waiting: [] });
    assert.equal(code(await host.emitWithAck('admit-participant', { participantId: waltId })), 'participant-not-found');

    await settle(guest);
    assert.ok(
      !guestReceived.some((event) => event.name === 'waiting-list' || (event.name === 'participant-joined' && (event.payload as { name: string }).name === 'Walt')),
      'guests never see the waiting room',
    );
  });

  test('waiting room: leaving or disconnecting takes one off the list; capacity holds on admit; off admits those waiting', async () => {
    const { meeting, host, guest } = await meetingWithHost(); // 2 of 4 places taken
    await host.emitWithAck('update-meeting', { waitingRoom: true });
    const [ann, bea, cal, dee] = [await client(), await client(), await client(), await client()];
    const annId = await knock(ann, meeting.code, 'Ann');
    const beaId = await knock(bea, meeting.code, 'Bea');
    const calId = await knock(cal, meeting.code, 'Cal');
    const deeId = await knock(dee, meeting.code, 'Dee');

    let list = nextEvent(host, 'waiting-list');
    ann.disconnect();
    assert.deepEqual(await list, { waiting: [{ id: beaId, name: 'Bea' }, { id: calId, name: 'Cal' }, { id: deeId, name: 'Dee' }] });
    list = nextEvent(host, 'waiting-list');
    assert.deepEqual(await bea.emitWithAck('leave-meeting'), { ok: true }, 'leave-meeting withdraws from the waiting room');
    assert.deepEqual(await list, { waiting: [{ id: calId, name: 'Cal' }, { id: deeId, name: 'Dee' }] });
    assert.equal(code(await host.emitWithAck('admit-participant', { participantId: annId })), 'participant-not-found');
    assert.equal(code(await bea.emitWithAck('leave-meeting')), 'not-in-meeting', 'bea is nowhere now');
    await join(bea, meeting.code, 'Bea', meeting.hostKey); // hosts skip the waiting room
    await join(await client(), meeting.code, 'Bo', meeting.hostKey); // 4 of 4

    assert.equal(code(await host.emitWithAck('admit-participant', { participantId: calId })), 'meeting-full');
    const calReceived = recordEvents(cal);
    await guest.emitWithAck('leave-meeting'); // 3 of 4
    const calIn = nextEvent(cal, 'admitted');
    const toOff = await host.emitWithAck('update-meeting', { waitingRoom: false });
    assert.deepEqual(toOff, { ok: true, data: { locked: false, waitingRoom: false } });
    assert.equal((await calIn).self.id, calId, 'turning the waiting room off admits those waiting, first come first');
    assert.equal(calReceived[0]?.name, 'admitted');
    const deeReceived = recordEvents(dee);
    await settle(dee);
    assert.deepEqual(deeReceived, [], 'who does not fit keeps waiting');
    assert.equal(code(await host.emitWithAck('admit-participant', { participantId: deeId })), 'meeting-full', 'still listed');
    // The waiting room is off: a newcomer who fits walks in; this one does not fit.
    assert.equal(code(await (await client()).emitWithAck('join-meeting', { code: meeting.code, name: 'Eve', audio: true, video: true })), 'meeting-full');
  });

  test('removal marks are stored with the meeting: a restart does not let a removed session back in', async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), 'parley-removal-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const env = { DATABASE_PATH: joinPath(dir, 'parley.db') };
    const meeting = await withTestServer(env, async (server) => {
      const created = await createMeeting(server);
      const [host, guest] = [await connect(server), await connect(server)];
      await join(host, created.code, 'Hana', created.hostKey);
      const guestJoined = await request(guest, { code: created.code, name: 'Gus', sessionId: 'persistent-session' });
      assert.ok(guestJoined.waiting !== true);
      assert.deepEqual(await host.emitWithAck('remove-participant', { participantId: guestJoined.self.id }), { ok: true });
      host.disconnect();
      return created;
    });
    await withTestServer(env, async (server) => {
      const again = await connect(server);
      const result = await again.emitWithAck('join-meeting', { code: meeting.code, name: 'Gus', sessionId: 'persistent-session', audio: true, video: true });
      assert.equal(code(result), 'removed');
      again.disconnect();
    });
  });
});

test('every host action and every refusal is logged, with no key or token in the log', async () => {
  const lines: string[] = [];
  const server = await startTestServer({ LOG_LEVEL: 'info' }, { logDestination: { write: (line: string) => void lines.push(line) } });
  let secrets: string[] = [];
  try {
    const meeting = await createMeeting(server);
    const [host, guest, waiter] = [await connect(server), await connect(server), await connect(server)];
    const hostJoined = await join(host, meeting.code, 'Hana', meeting.hostKey);
    const guestJoined = await request(guest, { code: meeting.code, name: 'Gus', sessionId: 'session-id-do-not-log' });
    assert.ok(guestJoined.waiting !== true);
    secrets = [meeting.hostKey, hostJoined.resumeToken, guestJoined.resumeToken, 'session-id-do-not-log'];
    assert.equal(code(await guest.emitWithAck('end-meeting')), 'not-host');
    await host.emitWithAck('mute-participant', { participantId: guestJoined.self.id });
    await host.emitWithAck('update-meeting', { waitingRoom: true });
    const waiterId = await knock(waiter, meeting.code, 'Walt');
    await host.emitWithAck('deny-participant', { participantId: waiterId });
    await host.emitWithAck('transfer-host', { participantId: guestJoined.self.id });
    await guest.emitWithAck('remove-participant', { participantId: hostJoined.self.id });
    await guest.emitWithAck('end-meeting');
  } finally {
    await server.close();
  }
  const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const actions = entries.filter((entry) => entry.msg === 'host action').map((entry) => entry.action);
  assert.deepEqual(actions, ['mute', 'update', 'deny', 'transfer-host', 'remove', 'end']);
  assert.ok(entries.some((entry) => entry.msg === 'request refused' && entry.event === 'end-meeting' && entry.code === 'not-host'));
  assert.ok(entries.some((entry) => entry.msg === 'meeting ended'));
  const log = lines.join('');
  for (const secret of secrets) assert.ok(!log.includes(secret), `the log holds a secret: ${secret}`);
});

test('a participant away when the meeting ends hears meeting-ended once Socket.IO recovers its connection, then is closed', () =>
  withTestServer({ RESUME_WINDOW_MS: '5000' }, async (server) => {
    const meeting = await createMeeting(server);
    const host = await connect(server);
    await join(host, meeting.code, 'Hana', meeting.hostKey);
    const guest: TestClient = connectClient(server.url, { transports: ['websocket'], forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    try {
      await once(guest as never, 'connect');
      await join(guest, meeting.code, 'Gus');
      const state = nextEvent(guest, 'media-state'); // an event received: recovery has an offset to start from
      await host.emitWithAck('media-state', { audio: false, video: true });
      await state;
      const seen: string[] = [];
      guest.onAny((name: string) => seen.push(name));
      const closedByServer = new Promise<void>((resolve) => guest.on('disconnect', (reason) => reason === 'io server disconnect' && resolve()));
      guest.io.engine.close(); // dropped, not gone: away
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(await host.emitWithAck('end-meeting'), { ok: true });
      await closedByServer;
      assert.equal(guest.recovered, true);
      assert.deepEqual(seen, ['meeting-ended']);
    } finally {
      guest.disconnect();
    }
  }));
