// The fake server replaces the page's WebSocket: it must load before the SDK (see the module).
import { FakeSignalingServer, refusal } from '../test/support/fake-signaling-server.js';
import { expect } from '@esm-bundle/chai';
import { expectParleyError, rejectionOf, sleep, waitFor } from '../test/support/room-fixture.js';
import { ErrorCode, ParleyError } from './errors.js';
import { SignalClient } from './signal-client.js';

const settings = { locked: true, waitingRoom: false };

describe('SignalClient', function () {
  this.timeout(15_000);
  let server: FakeSignalingServer;
  let clients: SignalClient[];

  beforeEach(() => {
    server = new FakeSignalingServer();
    clients = [];
  });

  afterEach(() => {
    for (const client of clients) client.disconnect();
    server.close();
  });

  function client(requestTimeoutMs = 3000): SignalClient {
    const made = new SignalClient(server.url, requestTimeoutMs);
    clients.push(made);
    return made;
  }

  async function connected(requestTimeoutMs?: number): Promise<SignalClient> {
    const made = client(requestTimeoutMs);
    await made.connect();
    return made;
  }

  describe('connect', () => {
    it('connects once: a second call joins the attempt under way, a third resolves at once', async () => {
      const signal = client();
      const first = signal.connect();
      const second = signal.connect();
      await Promise.all([first, second]);
      await signal.connect();
      expect(server.connections).to.have.length(1);
      expect(server.connections[0]!.connected).to.equal(true);
    });

    it('rejects with `server-unreachable` when the server is down, and tries afresh on the next call', async () => {
      server.refuseConnections = true;
      const signal = client();
      const error = await rejectionOf(signal.connect());
      expectParleyError(error, ErrorCode.ServerUnreachable);
      expect((error as ParleyError).message).to.include(server.url);

      server.refuseConnections = false;
      await signal.connect();
      expect(server.openConnections).to.have.length(1);
    });

    it('gets back by itself after the connection drops', async () => {
      await connected();
      server.connections[0]!.drop();
      await waitFor(() => server.openConnections.length === 1 && server.openConnections[0]!.connected, 'a new connection');
      expect(server.connections).to.have.length(2);
    });
  });

  describe('request', () => {
    it('resolves with what the server answers, having sent the arguments as given', async () => {
      server.answer('update-meeting', () => ({ ok: true as const, data: settings }));
      const signal = await connected();
      expect(await signal.request('update-meeting', { locked: true })).to.deep.equal(settings);
      expect(server.received('update-meeting')).to.deep.equal([{ locked: true }]);
    });

    it('rejects a refusal with the SDK’s code, the protocol error as cause', async () => {
      server.answer('join-meeting', () => refusal('meeting-full', 'Forty already'));
      const signal = await connected();
      const error = await rejectionOf(signal.request('join-meeting', { code: 'abcd-efgh-jkmn', name: 'Ada', audio: true, video: true }));
      expectParleyError(error, ErrorCode.MeetingFull);
      expect((error as ParleyError).message).to.equal('Forty already');
      expect((error as ParleyError).cause).to.deep.equal({ code: 'meeting-full', message: 'Forty already' });
    });

    it('maps a refusal it has no code for to `internal`', async () => {
      server.answer('end-meeting', () => refusal('internal'));
      const signal = await connected();
      expectParleyError(await rejectionOf(signal.request('end-meeting')), ErrorCode.Internal);
    });

    it('rejects with `timeout` when the server never answers', async () => {
      server.answer('end-meeting', () => undefined);
      const signal = await connected(300);
      const error = await rejectionOf(signal.request('end-meeting'));
      expectParleyError(error, ErrorCode.Timeout);
      expect((error as ParleyError).message).to.include('end-meeting');
    });
  });

  describe('send and post: only once the session is ready', () => {
    it('holds `send` until setReady(true), and again after setReady(false)', async () => {
      const signal = await connected();
      const sending = signal.send('media-state', { audio: false, video: true });
      await sleep(300);
      expect(server.received('media-state')).to.deep.equal([]);

      signal.setReady(true);
      // The fake answers `not-in-meeting` for a socket in no meeting: what matters is that the request went out.
      expectParleyError(await rejectionOf(sending), ErrorCode.InvalidState);
      expect(server.received('media-state')).to.deep.equal([{ audio: false, video: true }]);

      signal.setReady(false);
      const held = signal.send('leave-meeting');
      await sleep(300);
      expect(server.received('leave-meeting')).to.deep.equal([]);
      signal.setReady(true);
      await held;
      expect(server.received('leave-meeting')).to.have.length(1);
    });

    it('holds `post` until ready, then sends it without waiting for an answer', async () => {
      const signal = await connected();
      const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 };
      const posting = signal.post('ice-candidate', { to: 'p2', candidate });
      await sleep(300);
      expect(server.received('ice-candidate')).to.deep.equal([]);
      signal.setReady(true);
      await posting;
      await waitFor(() => server.received('ice-candidate').length === 1, 'the candidate');
      expect(server.received('ice-candidate')[0]).to.deep.equal({ to: 'p2', candidate });
    });
  });

  describe('disconnect', () => {
    it('closes for good: held sends and posts reject with `invalid-state`, and it never reconnects', async () => {
      const signal = await connected();
      const held = rejectionOf(signal.send('leave-meeting'));
      const posted = rejectionOf(signal.post('ice-restart-request', { to: 'p2' }));
      signal.disconnect();
      expectParleyError(await held, ErrorCode.InvalidState);
      expectParleyError(await posted, ErrorCode.InvalidState);
      await waitFor(() => server.openConnections.length === 0, 'the connection to close');
      await sleep(1000);
      expect(server.connections).to.have.length(1);
      expect(server.received('leave-meeting')).to.deep.equal([]);
    });

    it('rejects a connect still under way with `invalid-state`', async () => {
      server.refuseConnections = true;
      const signal = client();
      const connecting = rejectionOf(signal.connect());
      signal.disconnect();
      expectParleyError(await connecting, ErrorCode.InvalidState);
    });
  });
});
