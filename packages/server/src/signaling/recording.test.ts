import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type { RecordingState, Result } from '@parley/protocol';
import { createMeeting, join, recordEvents, settle, useTestServer, type TestClient } from '../../test/support/helpers.js';
import { useTwoNodes } from '../../test/support/two-nodes.js';

const code = (result: Result<unknown>) => result.ok || result.error.code;

/** The requests as an untyped emitter, for payloads the types would not allow. */
const raw = (socket: TestClient) => socket as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<Result<unknown>> };

/** The recording state the socket was told last (`recording-changed`), from a record of its events. */
function lastState(received: { name: string; payload: unknown }[]): RecordingState | undefined {
  return (received.filter(({ name }) => name === 'recording-changed').at(-1)?.payload as { recording: RecordingState } | undefined)?.recording;
}

async function setRecording(socket: TestClient, recording = true): Promise<RecordingState> {
  const answer = await socket.emitWithAck('set-recording', { recording });
  assert.ok(answer.ok, JSON.stringify(answer));
  return answer.data;
}

async function allow(host: TestClient, participantId: string, allowed = true): Promise<RecordingState> {
  const answer = await host.emitWithAck('allow-recording', { participantId, allowed });
  assert.ok(answer.ok, JSON.stringify(answer));
  return answer.data;
}

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    assert.ok(Date.now() < deadline, `not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe('local recording', () => {
  const suite = useTestServer({ RESUME_WINDOW_MS: '5000' });
  const client = () => suite.client();

  /** Hana (host), Ada and Bob in one meeting, each recording what they hear from now on. */
  async function meetingOfThree() {
    const meeting = await createMeeting(suite.server);
    const [host, ada, bob] = [await client(), await client(), await client()];
    const hostId = (await join(host, meeting.code, 'Hana', meeting.hostKey)).self.id;
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    const bobId = (await join(bob, meeting.code, 'Bob')).self.id;
    const heard = [recordEvents(host), recordEvents(ada), recordEvents(bob)];
    return { meeting, host, ada, bob, hostId, adaId, bobId, heard };
  }

  test('a participant no host allowed is refused recording-not-allowed; a host allows them, and everyone hears who records', async () => {
    const { host, ada, bob, adaId, heard } = await meetingOfThree();
    assert.equal(code(await ada.emitWithAck('set-recording', { recording: true })), 'recording-not-allowed');
    // Only hosts allow.
    assert.equal(code(await bob.emitWithAck('allow-recording', { participantId: adaId, allowed: true })), 'not-host');
    assert.equal(code(await host.emitWithAck('allow-recording', { participantId: 'nobody', allowed: true })), 'participant-not-found');
    assert.equal(code(await (await client()).emitWithAck('set-recording', { recording: true })), 'not-in-meeting');
    await settle(host, ada, bob);
    assert.ok(heard.every((received) => lastState(received) === undefined), 'nothing changed, nothing told');

    assert.deepEqual(await allow(host, adaId), { recorders: [], allowed: [adaId] });
    assert.deepEqual(await setRecording(ada), { recorders: [adaId], allowed: [adaId] });
    await settle(host, ada, bob);
    for (const received of heard) assert.deepEqual(lastState(received), { recorders: [adaId], allowed: [adaId] });
    // Bob is still not allowed.
    assert.equal(code(await bob.emitWithAck('set-recording', { recording: true })), 'recording-not-allowed');

    assert.deepEqual(await setRecording(ada, false), { recorders: [], allowed: [adaId] });
    await settle(host, ada, bob);
    for (const received of heard) assert.deepEqual(lastState(received), { recorders: [], allowed: [adaId] });
  });

  test('a host records without asking; two record at once, each listed, first started first', async () => {
    const { host, ada, bob, hostId, adaId, heard } = await meetingOfThree();
    await setRecording(host);
    await allow(host, adaId);
    assert.deepEqual((await setRecording(ada)).recorders, [hostId, adaId]);
    await settle(host, ada, bob);
    for (const received of heard) assert.deepEqual(lastState(received)?.recorders, [hostId, adaId]);
    // Starting again changes nothing and tells nobody.
    const counts = heard.map((received) => received.length);
    assert.deepEqual((await setRecording(host)).recorders, [hostId, adaId]);
    await settle(host, ada, bob);
    assert.deepEqual(
      heard.map((received) => received.length),
      counts,
    );
  });

  test('a host taking the permission back stops the recording for everyone', async () => {
    const { host, ada, bob, adaId, heard } = await meetingOfThree();
    await allow(host, adaId);
    await setRecording(ada);
    assert.deepEqual(await allow(host, adaId, false), { recorders: [], allowed: [] });
    await settle(host, ada, bob);
    // Ada's own client hears it too: that is what stops her recorder.
    for (const received of heard) assert.deepEqual(lastState(received), { recorders: [], allowed: [] });
    assert.equal(code(await ada.emitWithAck('set-recording', { recording: true })), 'recording-not-allowed');
  });

  test('the recorder leaving ends the recording for the others; away, it goes on until they are dropped', async () => {
    const { meeting, host, ada, bob, adaId, bobId, heard } = await meetingOfThree();
    await allow(host, adaId);
    await allow(host, bobId);
    await setRecording(ada);
    await setRecording(bob);
    await ada.emitWithAck('leave-meeting');
    await settle(host, bob);
    assert.deepEqual(lastState(heard[0]!), { recorders: [bobId], allowed: [bobId] });

    // Bob's connection drops: his browser may well go on recording, so the state stays while he may resume.
    bob.io.engine.close();
    await sleep(200);
    const carol = await client();
    assert.deepEqual((await join(carol, meeting.code, 'Carol')).recording, { recorders: [bobId], allowed: [bobId] });
    const carolHeard = recordEvents(carol);
    // Past the resume window (5 s) he is dropped, and with him the recording.
    await waitUntil(() => lastState(carolHeard)?.recorders.length === 0, 10_000);
    assert.deepEqual(lastState(heard[0]!), { recorders: [], allowed: [] });
  });

  test('meeting-info tells a newcomer before they join, and tells nothing a join would not', async () => {
    const { meeting, host } = await meetingOfThree();
    const newcomer = await client();
    assert.deepEqual(await newcomer.emitWithAck('meeting-info', { code: meeting.code }), { ok: true, data: { recording: false } });
    await setRecording(host);
    assert.deepEqual(await newcomer.emitWithAck('meeting-info', { code: meeting.code }), { ok: true, data: { recording: true } });
    assert.equal(code(await newcomer.emitWithAck('meeting-info', { code: 'zzz-zzzz-zzz' })), 'meeting-not-found');
    // The join answer carries the state too.
    const joined = await join(newcomer, meeting.code, 'Nia');
    assert.equal(joined.recording?.recorders.length, 1);
  });

  test('malformed recording requests get a typed invalid-payload', async () => {
    const { host, ada, adaId } = await meetingOfThree();
    for (const [socket, event, payload] of [
      [ada, 'set-recording', undefined],
      [ada, 'set-recording', { recording: 'yes' }],
      // The client does not get to say when it started.
      [ada, 'set-recording', { recording: true, since: 0 }],
      [host, 'allow-recording', { participantId: adaId }],
      [host, 'allow-recording', { participantId: '', allowed: true }],
      [host, 'allow-recording', { participantId: adaId, allowed: true, recording: true }],
      [ada, 'meeting-info', {}],
      [ada, 'meeting-info', { code: 'abc-defg-hij', hostKey: 'x' }],
    ] as const) {
      assert.equal(code(await raw(socket).emitWithAck(event, payload)), 'invalid-payload', `${event} ${JSON.stringify(payload)}`);
    }
  });
});

describe('local recording on two nodes', () => {
  const { nodes, on } = useTwoNodes();

  test('a host on one node allows a participant on the other; every page hears the recording start and end', async () => {
    const meeting = await createMeeting(nodes[0]!);
    const host = await on(0);
    await join(host, meeting.code, 'Hana', meeting.hostKey);
    const ada = await on(1);
    const adaId = (await join(ada, meeting.code, 'Ada')).self.id;
    const bob = await on(0);
    await join(bob, meeting.code, 'Bob');
    const heard = [host, ada, bob].map(recordEvents);
    const everywhere = (recorders: string[]) => waitUntil(() => heard.every((received) => JSON.stringify(lastState(received)?.recorders) === JSON.stringify(recorders)));

    await allow(host, adaId);
    // Ada's node learns of the permission through Redis before it lets her start.
    await waitUntil(() => lastState(heard[1]!)?.allowed.includes(adaId) === true);
    await setRecording(ada);
    await everywhere([adaId]);
    const newcomer = await on(0);
    assert.deepEqual(await newcomer.emitWithAck('meeting-info', { code: meeting.code }), { ok: true, data: { recording: true } });
    await ada.emitWithAck('leave-meeting');
    await waitUntil(() => heard.filter((_, index) => index !== 1).every((received) => lastState(received)?.recorders.length === 0));
  });
});
