// The fake server replaces the page's WebSocket: it must load before the SDK (see the module).
import '../test/support/fake-signaling-server.js';
import { expect } from '@esm-bundle/chai';
import type { ProtocolErrorCode } from '@parley/protocol';
import { refusal } from '../test/support/fake-signaling-server.js';
import { FakeEnvironment } from '../test/support/fake-environment.js';
import { CODE, eventNames, nextEvent, recordEvents, expectParleyError, rejectionOf, RoomFixture, sleep, waitFor } from '../test/support/room-fixture.js';
import { ErrorCode } from './errors.js';
import type { RemoteParticipant } from './remote-participant.js';
import type { Room } from './room.js';

describe('Room', function () {
  this.timeout(20_000);
  const world = RoomFixture.perTest();

  /** Nothing the room started is left: no live track, no open peer connection, no socket, no listener. */
  async function expectNothingRunning(room: Room): Promise<void> {
    expect(room.inMeeting, 'inMeeting').to.equal(false);
    expect(world.environment.liveTracks.map((track) => track.kind), 'live tracks').to.deep.equal([]);
    const open = world.environment.peerConnections.filter((pc) => pc.signalingState !== 'closed');
    expect(open, 'open peer connections').to.deep.equal([]);
    expect(world.environment.listeners, 'page-hide and device-change listeners').to.equal(0);
    await waitFor(() => world.server.openConnections.length === 0, 'the socket to close');
  }

  describe('join', () => {
    it('enters the meeting: joining → joined, with its id, the others there, and camera and microphone on', async () => {
      const bea = world.server.addRemoteParticipant(CODE, 'Bea', { audioEnabled: false });
      const room = world.room();
      const events = recordEvents(room, ['state-changed', 'joined', 'participant-joined', 'error']);
      expect(room.state).to.equal('idle');

      await room.join({ code: 'ABCD EFGH JKMN', name: 'Ada' });

      expect(eventNames(events)).to.deep.equal(['state:joining', 'participant-joined', 'state:joined', 'joined']);
      expect(room.state).to.equal('joined');
      expect(room.inMeeting).to.equal(true);
      expect(room.meetingCode).to.equal(CODE);
      const [request] = world.server.received('join-meeting');
      expect(request).to.deep.include({ code: 'ABCD EFGH JKMN', name: 'Ada', audio: true, video: true, sessionId: 'session-0' });
      const local = room.localParticipant;
      expect(local.id).to.equal(world.server.participantIds(CODE)[1]);
      expect([local.name, local.isHost, local.audioEnabled, local.videoEnabled]).to.deep.equal(['Ada', false, true, true]);
      expect(local.audioTrack?.readyState).to.equal('live');
      expect(local.videoTrack?.readyState).to.equal('live');
      const remote = room.participants.get(bea.id)!;
      expect([remote.name, remote.audioEnabled, remote.videoEnabled, remote.isLocal]).to.deep.equal(['Bea', false, true, false]);
      // One peer connection per remote participant, made through the environment.
      expect(world.environment.peerConnections).to.have.length(1);
    });

    it('captures nothing when joining with camera and microphone off, and says so to the server', async () => {
      const room = await world.joined({ audio: false, video: false });
      expect(world.environment.mediaRequests).to.deep.equal([]);
      expect(world.server.received('join-meeting')[0]).to.deep.include({ audio: false, video: false });
      expect([room.localParticipant.audioEnabled, room.localParticipant.videoEnabled]).to.deep.equal([false, false]);
    });

    it('joins without a refused camera, to watch and listen, and reports the refusal after `joined`', async () => {
      world.environment.refusals.set('video', 'NotAllowedError');
      const room = world.room();
      const events = recordEvents(room, ['joined', 'error']);
      await room.join({ code: CODE, name: 'Ada' });
      expect(events.map(({ name }) => name)).to.deep.equal(['joined', 'error']);
      expectParleyError(events[1]!.args[0], ErrorCode.PermissionDenied);
      expect(world.server.received('join-meeting')[0]).to.deep.include({ audio: true, video: false });
      expect(room.localParticipant.videoTrack?.id).to.equal(undefined);
      expect(room.localParticipant.audioTrack?.readyState).to.equal('live');
    });

    it('refuses an unknown meeting code with `meeting-not-found`, and leaves nothing running', async () => {
      const room = world.room();
      const error = await rejectionOf(room.join({ code: 'zzzz-zzzz-zzzz', name: 'Ada' }));
      expectParleyError(error, ErrorCode.MeetingNotFound);
      expect(room.state).to.equal('left');
      await expectNothingRunning(room);
    });

    it('refuses a meeting that ended with `meeting-not-found`, as the server does not tell them apart', async () => {
      world.server.endMeeting(CODE);
      const room = world.room();
      expectParleyError(await rejectionOf(room.join({ code: CODE, name: 'Ada' })), ErrorCode.MeetingNotFound);
      await expectNothingRunning(room);
    });

    const refusals: [ProtocolErrorCode, ErrorCode][] = [
      ['meeting-full', ErrorCode.MeetingFull],
      ['meeting-ended', ErrorCode.MeetingEnded],
      ['meeting-locked', ErrorCode.MeetingLocked],
      ['removed', ErrorCode.RemovedByHost],
      ['unauthorized', ErrorCode.Unauthorized],
      ['rate-limited', ErrorCode.RateLimited],
    ];
    for (const [protocolCode, code] of refusals) {
      it(`rejects a join the server refuses with "${protocolCode}" as "${code}", and leaves nothing running`, async () => {
        world.server.answer('join-meeting', () => refusal(protocolCode));
        const room = world.room();
        const left = recordEvents(room, ['left']);
        expectParleyError(await rejectionOf(room.join({ code: CODE, name: 'Ada' })), code);
        expect(room.state).to.equal('left');
        // A join that never got in is no meeting left: no `left` event.
        expect(left).to.deep.equal([]);
        await expectNothingRunning(room);
      });
    }

    it('rejects with `server-unreachable` when the server cannot be reached', async () => {
      world.server.refuseConnections = true;
      const room = world.room();
      expectParleyError(await rejectionOf(room.join({ code: CODE, name: 'Ada' })), ErrorCode.ServerUnreachable);
      expect(room.state).to.equal('left');
      await expectNothingRunning(room);
    });

    it('rejects with `timeout` when the server never answers', async () => {
      world.server.answer('join-meeting', () => undefined);
      const room = world.room({ requestTimeoutMs: 500 });
      expectParleyError(await rejectionOf(room.join({ code: CODE, name: 'Ada' })), ErrorCode.Timeout);
      await expectNothingRunning(room);
    });

    it('refuses a second join while joining or joined with `invalid-state`', async () => {
      const room = world.room();
      const first = room.join({ code: CODE, name: 'Ada' });
      expectParleyError(await rejectionOf(room.join({ code: CODE, name: 'Ada' })), ErrorCode.InvalidState);
      await first;
      expectParleyError(await rejectionOf(room.join({ code: CODE, name: 'Ada' })), ErrorCode.InvalidState);
      expect(world.server.received('join-meeting')).to.have.length(1);
      expect(room.state).to.equal('joined');
    });

    it('stops camera and microphone when leave() is called while joining', async () => {
      world.server.answer('join-meeting', () => undefined);
      const room = world.room();
      const joining = rejectionOf(room.join({ code: CODE, name: 'Ada' }));
      await waitFor(() => world.server.received('join-meeting').length === 1, 'the join request');
      await room.leave();
      // As a leave while waiting for a host: `invalid-state`, not the `timeout` its ack failing as the socket closed
      // once made it.
      expectParleyError(await joining, ErrorCode.InvalidState);
      expect(room.state).to.equal('left');
      await expectNothingRunning(room);
    });
  });

  describe('waiting room', () => {
    beforeEach(() => {
      world.server.createMeeting('wait-wait-wait', { waitingRoom: true });
    });

    async function waitingRoom(): Promise<{ room: Room; joining: Promise<void>; participantId: string }> {
      const room = world.room();
      const waiting = nextEvent(room, 'waiting');
      const joining = room.join({ code: 'wait-wait-wait', name: 'Ada' });
      await waiting;
      await waitFor(() => world.server.waitingIds('wait-wait-wait').length === 1, 'the server to hold the join');
      return { room, joining, participantId: world.server.waitingIds('wait-wait-wait')[0]! };
    }

    it('waits, then joins once a host admits', async () => {
      const { room, joining, participantId } = await waitingRoom();
      expect(room.state).to.equal('waiting');
      expect(room.inMeeting).to.equal(false);
      world.server.admit('wait-wait-wait', participantId);
      await joining;
      expect(room.state).to.equal('joined');
      expect(room.localParticipant.id).to.equal(participantId);
    });

    it('rejects with `denied` when a host turns it away, and leaves nothing running', async () => {
      const { room, joining, participantId } = await waitingRoom();
      world.server.deny('wait-wait-wait', participantId);
      expectParleyError(await rejectionOf(joining), ErrorCode.Denied);
      expect(room.state).to.equal('left');
      await expectNothingRunning(room);
    });

    it('stops waiting when leave() is called, and leaves nothing running', async () => {
      const { room, joining } = await waitingRoom();
      await room.leave();
      expectParleyError(await rejectionOf(joining), ErrorCode.InvalidState);
      expect(room.state).to.equal('left');
      await expectNothingRunning(room);
      expect(world.server.waitingIds('wait-wait-wait')).to.deep.equal([]);
    });
  });

  describe('participants', () => {
    it('reports who joins and leaves, with the reason, and closes the connection to who left', async () => {
      const room = await world.joined();
      const joined = nextEvent(room, 'participant-joined');
      const bea = world.server.addRemoteParticipant(CODE, 'Bea');
      const [participant] = await joined;
      expect(participant.id).to.equal(bea.id);
      expect(participant.name).to.equal('Bea');
      expect(room.participants.get(bea.id) === participant, 'the participant in `participants`').to.equal(true);
      // We were here first: we offer.
      await waitFor(() => world.server.received('offer').some((offer) => offer.to === bea.id), 'an offer to Bea');
      const pc = world.environment.peerConnections[0]!;

      const left = nextEvent(room, 'participant-left');
      world.server.removeParticipant(CODE, bea.id, 'removed');
      const [gone, reason] = await left;
      expect([gone === participant, reason]).to.deep.equal([true, 'removed']);
      expect(room.participants.size).to.equal(0);
      expect(pc.signalingState).to.equal('closed');
    });

    it('follows a remote participant’s microphone, camera and screen share', async () => {
      const room = await world.joined();
      const bea = world.server.addRemoteParticipant(CODE, 'Bea');
      await waitFor(() => room.participants.has(bea.id), 'Bea');
      const participant = room.participants.get(bea.id)!;
      const events = recordEvents(room, ['media-changed', 'screen-share-changed']);

      world.server.broadcast(CODE, 'media-state', { participantId: bea.id, audio: false, video: true, screen: true });
      await waitFor(() => events.length === 2, 'media and screen events');
      expect(events.map(({ name, args }) => [name, args[0] === participant])).to.deep.equal([
        ['media-changed', true],
        ['screen-share-changed', true],
      ]);
      expect([participant.audioEnabled, participant.videoEnabled, participant.screenSharing]).to.deep.equal([false, true, true]);
    });

    it('connects two rooms peer to peer: media arrives, chat goes both ways, even sent before the channel opened', async () => {
      const ada = await world.joined({ name: 'Ada' });
      const beaEnvironment = new FakeEnvironment();
      const bea = world.room({ environment: beaEnvironment });
      const received = nextEvent(bea, 'chat-message');
      const beaJoined = nextEvent(ada, 'participant-joined');
      await bea.join({ code: CODE, name: 'Bea' });
      const [beaSeenByAda] = await beaJoined;
      // At once: the data channel is not open yet; the message waits for it.
      const sent = ada.sendChatMessage('  hello Bea  ');
      expect(sent).to.deep.include({ senderId: ada.localParticipant.id, senderName: 'Ada', text: 'hello Bea' });
      expect(ada.chatMessages).to.deep.equal([sent]);

      const [message] = await received;
      expect(message).to.deep.equal(sent);
      expect(bea.chatMessages).to.deep.equal([sent]);

      const adaSeenByBea = bea.participants.get(ada.localParticipant.id)!;
      const connected = (participant: RemoteParticipant) => participant.connectionState === 'connected';
      await waitFor(() => connected(beaSeenByAda) && connected(adaSeenByBea), 'both peer connections', 10_000);
      await waitFor(() => adaSeenByBea.stream?.getTracks().length === 2, 'Ada’s camera and microphone at Bea');

      const reply = nextEvent(ada, 'chat-message');
      const answer = bea.sendChatMessage('hi Ada');
      expect((await reply)[0]).to.deep.include({ id: answer.id, senderId: bea.localParticipant.id, senderName: 'Bea', text: 'hi Ada' });
    });

    it('refuses empty and over-long chat messages with `invalid-request`, and chat outside a meeting', async () => {
      const room = world.room();
      expectParleyError(rejectionOfSync(() => room.sendChatMessage('hi')), ErrorCode.InvalidState);
      await room.join({ code: CODE, name: 'Ada' });
      expectParleyError(rejectionOfSync(() => room.sendChatMessage('   ')), ErrorCode.InvalidRequest);
      expectParleyError(rejectionOfSync(() => room.sendChatMessage('x'.repeat(4001))), ErrorCode.InvalidRequest);
      expect(room.chatMessages).to.deep.equal([]);
    });
  });

  describe('reconnecting', () => {
    it('on a drop: `reconnecting`, resumes with its token, `reconnected`, and catches up with the meeting', async () => {
      const room = await world.joined();
      const bea = world.server.addRemoteParticipant(CODE, 'Bea');
      await waitFor(() => room.participants.has(bea.id), 'Bea');
      const id = room.localParticipant.id;
      const events = recordEvents(room, ['state-changed', 'reconnecting', 'reconnected', 'participant-left', 'left']);

      world.server.connectionOf(id).drop();
      await waitFor(() => room.state === 'reconnecting', 'reconnecting');
      expect(room.inMeeting).to.equal(true);
      // Bea leaves while we are away: nobody can tell us but the resume answer.
      world.server.removeParticipant(CODE, bea.id, 'left');
      await nextEvent(room, 'reconnected');

      expect(eventNames(events)).to.deep.equal([
        'state:reconnecting',
        'reconnecting',
        'participant-left',
        'state:joined',
        'reconnected',
      ]);
      expect(events[1]!.args).to.deep.equal(['transport close']);
      expect(events[2]!.args[1]).to.equal('disconnected');
      expect(room.state).to.equal('joined');
      expect(room.localParticipant.id).to.equal(id);
      expect(world.server.received('resume-meeting')).to.have.length(1);
      expect(world.server.connectionOf(id).closed).to.equal(false);
      // What we send is said again: a change sent as the connection died may have been lost.
      await waitFor(() => world.server.received('media-state').length === 1, 'the media state again');
    });

    it('holds requests made while reconnecting until it is back in, then sends them', async () => {
      const room = await world.joined();
      world.server.connectionOf(room.localParticipant.id).drop();
      await waitFor(() => room.state === 'reconnecting', 'reconnecting');
      const muting = room.toggleMicrophone(false);
      await muting;
      expect(room.state).to.equal('joined');
      const resumedAt = world.server.requests.findIndex((request) => request.event === 'resume-meeting');
      const mutedAt = world.server.requests.findIndex((request) => request.event === 'media-state');
      expect(resumedAt).to.be.greaterThan(-1);
      expect(mutedAt, 'media-state after resume-meeting').to.be.greaterThan(resumedAt);
      expect(world.server.received('media-state')[0]).to.deep.include({ audio: false, video: true });
    });

    it('asks again when the server cannot answer a resume for now (`internal`)', async () => {
      const room = await world.joined();
      let refused = 0;
      world.server.answer('resume-meeting', () => {
        refused += 1;
        world.server.answer('resume-meeting', null);
        return refusal('internal');
      });
      world.server.connectionOf(room.localParticipant.id).drop();
      await nextEvent(room, 'reconnected');
      expect(refused).to.equal(1);
      expect(world.server.received('resume-meeting')).to.have.length(2);
    });

    it('leaves with `connection-lost` and an error when the server refuses the resume', async () => {
      const room = await world.joined();
      world.server.answer('resume-meeting', () => refusal('resume-rejected'));
      const events = recordEvents(room, ['disconnected', 'error', 'left']);
      world.server.connectionOf(room.localParticipant.id).drop();
      await nextEvent(room, 'left');
      expect(events.map(({ name }) => name)).to.deep.equal(['disconnected', 'error', 'left']);
      expectParleyError(events[1]!.args[0], ErrorCode.ConnectionLost);
      expect(events[2]!.args).to.deep.equal(['connection-lost']);
      expect(room.state).to.equal('left');
      await expectNothingRunning(room);
    });

    it('leaves with `ended` when the meeting ended while it was away', async () => {
      const room = await world.joined();
      world.server.refuseConnections = true;
      world.server.connectionOf(room.localParticipant.id).drop();
      await waitFor(() => room.state === 'reconnecting', 'reconnecting');
      world.server.endMeeting(CODE);
      world.server.refuseConnections = false;
      expect(await nextEvent(room, 'left')).to.deep.equal(['ended']);
      await expectNothingRunning(room);
    });

    it('gives up with `connection-lost` when alone and the server stays away past the resume window', async () => {
      world.server.createMeeting('shor-twin-dow0', { resumeWindowMs: 400 });
      const room = world.room();
      await room.join({ code: 'shor-twin-dow0', name: 'Ada' });
      const events = recordEvents(room, ['error', 'left']);
      world.server.refuseConnections = true;
      world.server.connectionOf(room.localParticipant.id).drop();
      await nextEvent(room, 'left');
      expectParleyError(events[0]!.args[0], ErrorCode.ConnectionLost);
      expect(events[1]!.args).to.deep.equal(['connection-lost']);
      await expectNothingRunning(room);
    });

    it('leaves with `connection-lost` when the server closes the connection itself', async () => {
      const room = await world.joined();
      const left = nextEvent(room, 'left');
      world.server.connectionOf(room.localParticipant.id).disconnect();
      expect(await left).to.deep.equal(['connection-lost']);
      expect(world.server.received('resume-meeting')).to.deep.equal([]);
    });
  });

  describe('leave', () => {
    it('tells the server, stops every track, closes every connection and forgets the meeting', async () => {
      const room = await world.joined();
      world.server.addRemoteParticipant(CODE, 'Bea');
      await waitFor(() => room.participants.size === 1 && world.environment.peerConnections.length === 1, 'Bea');
      await room.startScreenShare();
      expect(world.environment.liveTracks.map((track) => track.kind)).to.deep.equal(['audio', 'video', 'video']);
      const events = recordEvents(room, ['state-changed', 'left']);

      await room.leave();

      expect(world.server.received('leave-meeting')).to.have.length(1);
      expect(events.map(({ name, args }) => [name, ...args])).to.deep.equal([
        ['state-changed', 'left'],
        ['left', 'left'],
      ]);
      expect(room.participants.size).to.equal(0);
      expect(room.meetingCode).to.equal(null);
      expect(room.localParticipant.stream?.id).to.equal(undefined);
      expect(room.localParticipant.screenStream?.id).to.equal(undefined);
      expect(world.environment.peerConnections[0]!.signalingState).to.equal('closed');
      await expectNothingRunning(room);
    });

    it('does not hang on a server that never confirms', async () => {
      world.server.answer('leave-meeting', () => undefined);
      const room = await world.joined();
      await room.leave();
      expect(room.state).to.equal('left');
      await expectNothingRunning(room);
    });

    it('afterwards, meeting actions reject with `invalid-state`; leave() again is harmless; join() works again', async () => {
      const room = await world.joined();
      await room.leave();
      const left = recordEvents(room, ['left', 'state-changed']);
      for (const action of [
        () => room.toggleMicrophone(),
        () => room.toggleCamera(true),
        () => room.startScreenShare(),
        () => room.switchCamera('camera-2'),
        () => room.switchMicrophone('microphone-2'),
        () => room.endMeeting(),
        () => room.muteParticipant('p1'),
      ]) {
        expectParleyError(await rejectionOf(action()), ErrorCode.InvalidState);
      }
      expectParleyError(rejectionOfSync(() => room.sendChatMessage('hi')), ErrorCode.InvalidState);
      await room.leave();
      expect(left).to.deep.equal([]);
      expect(world.environment.liveTracks.map((track) => track.kind)).to.deep.equal([]);

      await room.join({ code: CODE, name: 'Ada' });
      expect(room.state).to.equal('joined');
      expect(world.server.received('join-meeting')).to.have.length(2);
    });

    it('says goodbye when the page is closed', async () => {
      const room = await world.joined();
      const left = nextEvent(room, 'left');
      world.environment.hidePage();
      expect(await left).to.deep.equal(['left']);
      await waitFor(() => world.server.received('leave-meeting').length === 1, 'leave-meeting');
      await expectNothingRunning(room);
    });
  });

  describe('host controls', () => {
    it('leaves with `removed` when a host removes it', async () => {
      const room = await world.joined();
      const left = nextEvent(room, 'left');
      const connection = world.server.connectionOf(room.localParticipant.id);
      connection.emit('removed');
      connection.disconnect();
      expect(await left).to.deep.equal(['removed']);
      await expectNothingRunning(room);
    });

    it('leaves with `ended` when a host ends the meeting', async () => {
      const room = await world.joined();
      const left = nextEvent(room, 'left');
      world.server.endMeeting(CODE);
      expect(await left).to.deep.equal(['ended']);
      await expectNothingRunning(room);
    });

    it('turns the microphone off when a host asks, and says which host asked', async () => {
      const room = await world.joined();
      const host = world.server.addRemoteParticipant(CODE, 'Hal', { isHost: true });
      await waitFor(() => room.participants.has(host.id), 'the host');
      const requested = nextEvent(room, 'mute-requested');
      world.server.connectionOf(room.localParticipant.id).emit('mute-requested', { by: host.id });
      expect((await requested)[0] === room.participants.get(host.id), 'the host named').to.equal(true);
      await waitFor(() => world.server.received('media-state').length === 1, 'the mute announced');
      expect(world.server.received('media-state')[0]).to.deep.include({ audio: false });
      expect(room.localParticipant.audioEnabled).to.equal(false);
      expect(room.localParticipant.audioTrack?.enabled).to.equal(false);
    });

    it('follows host changes, meeting settings and the waiting list', async () => {
      const room = await world.joined();
      const connection = world.server.connectionOf(room.localParticipant.id);
      const events = recordEvents(room, ['host-changed', 'meeting-updated', 'waiting-list-changed']);
      connection.emit('host-changed', { participantId: room.localParticipant.id, isHost: true });
      connection.emit('meeting-updated', { locked: true, waitingRoom: true });
      connection.emit('waiting-list', { waiting: [{ id: 'p9', name: 'Cy' }] });
      await waitFor(() => events.length === 3, 'three events');
      expect(events.map(({ name }) => name)).to.deep.equal(['host-changed', 'meeting-updated', 'waiting-list-changed']);
      expect(room.localParticipant.isHost).to.equal(true);
      expect(room.settings).to.deep.equal({ locked: true, waitingRoom: true });
      expect(room.waitingParticipants).to.deep.equal([{ id: 'p9', name: 'Cy' }]);
    });

    it('refuses host actions to a non-host with `not-host`, without asking the server', async () => {
      const room = await world.joined();
      expectParleyError(await rejectionOf(room.removeParticipant('p9')), ErrorCode.NotHost);
      expectParleyError(await rejectionOf(room.updateMeeting({ locked: true })), ErrorCode.NotHost);
      expect(world.server.received('remove-participant')).to.deep.equal([]);
    });

    it('sends host actions, resolves with the server’s answer and rejects with its refusal', async () => {
      const room = await world.joined({ hostKey: 'key' });
      expect(room.localParticipant.isHost).to.equal(true);
      world.server.answer('update-meeting', () => ({ ok: true as const, data: { locked: true, waitingRoom: false } }));
      const updated = nextEvent(room, 'meeting-updated');
      expect(await room.updateMeeting({ locked: true })).to.deep.equal({ locked: true, waitingRoom: false });
      expect(await updated).to.deep.equal([{ locked: true, waitingRoom: false }]);
      await room.admit('p9');
      expect(world.server.received('admit-participant')).to.deep.equal([{ participantId: 'p9' }]);

      world.server.answer('remove-participant', () => refusal('participant-not-found'));
      expectParleyError(await rejectionOf(room.removeParticipant('p9')), ErrorCode.InvalidRequest);
      world.server.answer('transfer-host', () => refusal('not-host'));
      expectParleyError(await rejectionOf(room.transferHost('p9')), ErrorCode.NotHost);
    });

    it('rejects a host action the server never answers with `timeout`', async () => {
      const room = await world.joined({ hostKey: 'key' }, { requestTimeoutMs: 500 });
      world.server.answer('end-meeting', () => undefined);
      expectParleyError(await rejectionOf(room.endMeeting()), ErrorCode.Timeout);
      expect(room.state).to.equal('joined');
    });
  });

  describe('local recording', () => {
    it('tells before joining whether the meeting is being recorded, over the connection the join then takes over', async () => {
      const room = world.room();
      world.server.answer('meeting-info', () => ({ ok: true as const, data: { recording: true } }));
      expect(await room.meetingInfo(CODE)).to.deep.equal({ recording: true });
      expect(world.server.received('meeting-info')).to.deep.equal([{ code: CODE }]);
      world.server.answer('meeting-info', () => refusal('meeting-not-found'));
      expectParleyError(await rejectionOf(room.meetingInfo('zzzz-zzzz-zzzz', 'token')), ErrorCode.MeetingNotFound);
      await room.join({ code: CODE, name: 'Ada' });
      expect(world.server.openConnections).to.have.length(1);
    });

    it('keeps the state the server tells (answers and recording-changed), and a refusal is a typed error', async () => {
      const room = await world.joined();
      const me = room.localParticipant.id;
      const events = recordEvents(room, ['recording-changed']);
      world.server.answer('set-recording', () => refusal('recording-not-allowed'));
      expectParleyError(await rejectionOf(room.setRecording(true)), ErrorCode.RecordingNotAllowed);
      expect(room.recording).to.deep.equal({ recorders: [], allowed: [] });

      // A host allows this page, which starts.
      world.server.connectionOf(me).emit('recording-changed', { recording: { recorders: [], allowed: [me] } });
      await waitFor(() => events.length === 1, 'the permission');
      world.server.answer('set-recording', () => ({ ok: true as const, data: { recorders: [me], allowed: [me] } }));
      await room.setRecording(true);
      expect(world.server.received('set-recording')).to.deep.equal([{ recording: true }, { recording: true }]);
      expect(room.getSnapshot().recording).to.deep.equal({ recorders: [me], allowed: [me] });
      // The same state told again is no change.
      world.server.connectionOf(me).emit('recording-changed', { recording: { recorders: [me], allowed: [me] } });
      await sleep(50);
      expect(events).to.have.length(2);

      // Leaving forgets it.
      await room.leave();
      expect(room.recording).to.deep.equal({ recorders: [], allowed: [] });
    });

    it('lets only a host allow someone to record, without asking the server otherwise', async () => {
      const room = await world.joined();
      expectParleyError(await rejectionOf(room.allowRecording('p9')), ErrorCode.NotHost);
      expect(world.server.received('allow-recording')).to.deep.equal([]);
      const host = await world.joined({ hostKey: 'key' });
      world.server.answer('allow-recording', () => ({ ok: true as const, data: { recorders: [], allowed: ['p9'] } }));
      await host.allowRecording('p9');
      await host.allowRecording('p9', false);
      expect(world.server.received('allow-recording')).to.deep.equal([
        { participantId: 'p9', allowed: true },
        { participantId: 'p9', allowed: false },
      ]);
      expect(host.recording.allowed).to.deep.equal(['p9']);
    });
  });

  describe('raised hands', () => {
    it('raises your hand once: raising again keeps its place and says nothing new', async () => {
      const room = await world.joined();
      const bea = world.server.addRemoteParticipant(CODE, 'Bea');
      await waitFor(() => room.participants.has(bea.id), 'Bea');
      const events = recordEvents(room, ['hands-changed']);
      world.server.setHand(CODE, bea.id, true);
      await waitFor(() => events.length === 1, 'Bea’s hand');
      await room.raiseHand();
      await room.raiseHand();
      expect(world.server.received('raise-hand')).to.deep.equal([{ raised: true }, { raised: true }]);
      expect(room.raisedHands).to.deep.equal([bea.id, room.localParticipant.id]);
      expect(events.map(({ args }) => args[0])).to.deep.equal([[bea.id], [bea.id, room.localParticipant.id]]);
      expect([room.localParticipant.handRaised, room.participants.get(bea.id)!.handRaised]).to.deep.equal([true, true]);
      expect(room.getSnapshot().raisedHands).to.deep.equal([bea.id, room.localParticipant.id]);

      await room.lowerHand();
      expect(world.server.received('raise-hand').at(-1)).to.deep.equal({ raised: false });
      expect(room.raisedHands).to.deep.equal([bea.id]);
      expect(room.localParticipant.handRaised).to.equal(false);
      // Bea leaves: out of the queue.
      world.server.removeParticipant(CODE, bea.id);
      await waitFor(() => room.raisedHands.length === 0, 'the queue to empty');
    });

    it('refuses to lower someone else’s hand, or all of them, to a non-host, without asking the server', async () => {
      const room = await world.joined();
      const bea = world.server.addRemoteParticipant(CODE, 'Bea');
      world.server.setHand(CODE, bea.id, true);
      await waitFor(() => room.raisedHands.length === 1, 'Bea’s hand');
      expectParleyError(await rejectionOf(room.lowerHand(bea.id)), ErrorCode.NotHost);
      expectParleyError(await rejectionOf(room.lowerAllHands()), ErrorCode.NotHost);
      expect(world.server.received('lower-hand')).to.deep.equal([]);
      expect(room.raisedHands).to.deep.equal([bea.id]);
    });

    it('lets a host lower one hand, then all', async () => {
      const room = await world.joined({ hostKey: 'key' });
      const [bea, cy] = [world.server.addRemoteParticipant(CODE, 'Bea'), world.server.addRemoteParticipant(CODE, 'Cy')];
      world.server.setHand(CODE, cy.id, true);
      world.server.setHand(CODE, bea.id, true);
      await waitFor(() => room.raisedHands.length === 2, 'two hands');
      expect(room.raisedHands).to.deep.equal([cy.id, bea.id]);
      await room.lowerHand(cy.id);
      expect(room.raisedHands).to.deep.equal([bea.id]);
      expect(room.participants.get(cy.id)!.handRaised).to.equal(false);
      await room.lowerAllHands();
      expect(world.server.received('lower-hand')).to.deep.equal([{ participantId: cy.id }, { all: true }]);
      expect(room.raisedHands).to.deep.equal([]);
    });

    it('after a resume, shows the queue as it is now, hands raised while away included', async () => {
      const room = await world.joined();
      const bea = world.server.addRemoteParticipant(CODE, 'Bea');
      await waitFor(() => room.participants.has(bea.id), 'Bea');
      await room.raiseHand();
      world.server.connectionOf(room.localParticipant.id).drop();
      await waitFor(() => room.state === 'reconnecting', 'reconnecting');
      // Nobody can tell us but the resume answer: Bea raises her hand behind ours.
      world.server.setHand(CODE, bea.id, true);
      const changed = nextEvent(room, 'hands-changed');
      await nextEvent(room, 'reconnected');
      expect(await changed).to.deep.equal([[room.localParticipant.id, bea.id]]);
      expect(room.participants.get(bea.id)!.handRaised).to.equal(true);
      expect(room.localParticipant.handRaised).to.equal(true);
    });

    it('with `lowerHandAfterSpeakingMs`, lowers your hand once you have spoken that long, not after a short remark', async () => {
      const room = await world.joined({}, { lowerHandAfterSpeakingMs: 300 });
      await room.raiseHand();
      room.localParticipant.setSpeaking(true);
      room.localParticipant.setSpeaking(false);
      await sleep(500);
      expect(room.raisedHands, 'a short remark').to.deep.equal([room.localParticipant.id]);
      room.localParticipant.setSpeaking(true);
      await waitFor(() => room.raisedHands.length === 0, 'the hand lowered');
      expect(world.server.received('raise-hand').at(-1)).to.deep.equal({ raised: false });
    });

    it('a newcomer sees the queue from its join answer; leaving clears it; no hand outside a meeting', async () => {
      const bea = world.server.addRemoteParticipant(CODE, 'Bea');
      world.server.setHand(CODE, bea.id, true);
      const room = world.room();
      expectParleyError(await rejectionOf(room.raiseHand()), ErrorCode.InvalidState);
      await room.join({ code: CODE, name: 'Ada' });
      expect(room.raisedHands).to.deep.equal([bea.id]);
      expect(room.participants.get(bea.id)!.handRaised).to.equal(true);
      await room.raiseHand();
      await room.leave();
      expect(room.raisedHands).to.deep.equal([]);
      expect(room.localParticipant.handRaised).to.equal(false);
    });
  });

  describe('inMeeting', () => {
    it('is true while joined or reconnecting, and false while idle, joining, waiting and left', async () => {
      world.server.createMeeting('wait-wait-wait', { waitingRoom: true });
      const room = world.room();
      const seen: [string, boolean][] = [[room.state, room.inMeeting]];
      room.on('state-changed', (state) => seen.push([state, room.inMeeting]));

      const joining = room.join({ code: 'wait-wait-wait', name: 'Ada' });
      await waitFor(() => world.server.waitingIds('wait-wait-wait').length === 1, 'waiting');
      world.server.admit('wait-wait-wait', world.server.waitingIds('wait-wait-wait')[0]!);
      await joining;
      world.server.connectionOf(room.localParticipant.id).drop();
      await nextEvent(room, 'reconnected');
      await room.leave();

      expect(seen).to.deep.equal([
        ['idle', false],
        ['joining', false],
        ['waiting', false],
        ['joined', true],
        ['reconnecting', true],
        ['joined', true],
        ['left', false],
      ]);
    });
  });

  describe('devices', () => {
    it('lists devices by kind, and reports plugging in and out while joined', async () => {
      const room = await world.joined();
      const devices = await room.listDevices();
      expect(devices.microphones.map((device) => device.deviceId)).to.deep.equal(['microphone-1', 'microphone-2']);
      expect(devices.cameras.map((device) => device.deviceId)).to.deep.equal(['camera-1', 'camera-2']);
      expect(devices.speakers.map((device) => device.deviceId)).to.deep.equal(['speaker-1']);

      const changed = nextEvent(room, 'devices-changed');
      world.environment.changeDevices(world.environment.devices.filter((device) => device.deviceId !== 'camera-2'));
      const [list] = await changed;
      expect(list.cameras.map((device) => device.deviceId)).to.deep.equal(['camera-1']);
    });
  });
});

/** The error `action` throws (fails the test if it returns). */
function rejectionOfSync(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but it returned');
}
