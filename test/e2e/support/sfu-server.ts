import { WebSocket } from 'ws';
import { JanusSession, type JanusHandle } from '@parley/protocol/janus';
import { startJanus, type TestJanus } from '../../../packages/server/test/support/janus-server.js';
import { freePort } from '../../../packages/server/test/support/redis-server.js';
import { signCoreToken } from '../../../packages/server/src/sfu/janus-tokens.js';
import { startServerProcess, type ServerProcess } from './processes.js';
import { startEmbedder, type Embedder } from './servers.js';

/** A Janus room as the VideoRoom's admin `list` shows it. */
export interface ListedRoom {
  room: string;
  description?: string;
  num_participants: number;
}

/**
 * A Parley server process in SFU mode on a Janus of its own (the test harness's), a page on another origin that
 * embeds it, and a VideoRoom handle of the test's own that sees what Janus holds.
 */
export interface SfuServer {
  janus: TestJanus;
  parley: ServerProcess;
  embedder: Embedder;
  /** The VideoRoom's rooms, private ones included (the admin key lists them). */
  listRooms(): Promise<ListedRoom[]>;
  /** The Janus room of meeting `code` (the server names it in the room's description), if it exists. */
  roomOf(code: string): Promise<ListedRoom | undefined>;
  /** Ids of the room's publishers that send media now (a participant in the room who sends nothing is left out). */
  publishers(room: string): Promise<string[]>;
  /**
   * Starts the Parley server again on its port with the same configuration (after `parley.kill()`); `parley` is
   * the new process from then on. Meetings outlive it only on a database file (`DATABASE_PATH` in `env`).
   */
  restartParley(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts Janus, then the Parley server with `MEDIA_MODE=sfu` (and `env`) on it, then the embedder. */
export async function startSfuServer(env: NodeJS.ProcessEnv = {}): Promise<SfuServer> {
  const started: { janus?: TestJanus; parley?: ServerProcess; embedder?: Embedder; admin?: JanusSession } = {};
  let parleyEnv: NodeJS.ProcessEnv = {};
  const stop = async () => {
    await started.admin?.close();
    await started.embedder?.close();
    await started.parley?.kill('SIGTERM');
    await started.janus?.stop();
  };
  try {
    const janus = (started.janus = await startJanus());
    parleyEnv = {
      DATABASE_PATH: ':memory:',
      MEDIA_MODE: 'sfu',
      JANUS_URL: janus.url,
      JANUS_TOKEN_SECRET: janus.tokenSecret,
      JANUS_ADMIN_KEY: janus.adminKey,
      ...env,
    };
    started.parley = await startServerProcess(await freePort(), parleyEnv);
    started.embedder = await startEmbedder(started.parley.url);
    started.admin = await JanusSession.connect({
      url: janus.url,
      token: signCoreToken(janus.tokenSecret, Date.now() + 60 * 60_000),
      WebSocket,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const { janus, embedder, admin } = started as Required<typeof started>;
  let handle: Promise<JanusHandle> | undefined;
  const request = async (body: { request: string; [field: string]: unknown }) =>
    (await (handle ??= admin.attach('janus.plugin.videoroom'))).request(body);
  const listRooms = async () => ((await request({ request: 'list', admin_key: janus.adminKey })).data['list'] ?? []) as ListedRoom[];
  return {
    janus,
    get parley() {
      return started.parley!;
    },
    embedder,
    listRooms,
    roomOf: async (code) => (await listRooms()).find((room) => room.description === `parley:${code}`),
    async publishers(room) {
      const { data } = await request({ request: 'listparticipants', room });
      return ((data['participants'] ?? []) as { id: string; publisher: boolean }[])
        .filter((participant) => participant.publisher)
        .map((participant) => participant.id);
    },
    async restartParley() {
      started.parley = await startServerProcess(Number(new URL(started.parley!.url).port), parleyEnv);
    },
    stop,
  };
}
