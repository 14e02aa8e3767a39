import { WireClient } from './lib/wire-client.js';

/**
 * One process of simulated participants for bench/signaling.ts, driven over the fork IPC channel:
 * `connect` (idle sockets) or `join` (meetings), then `run` (signaling at a rate), then `close`.
 * Every relayed `ice-candidate` carries its send time in the candidate string, so latency is one-way, same clock.
 * The sockets speak Socket.IO's wire format directly (`WireClient`), so that the clients cost little next to the
 * server they load.
 */

export interface WorkerMeeting {
  code: string;
  hostKey: string;
  /** Server URL for each member, in join order. */
  urls: string[];
}

export type ToWorker =
  | { type: 'connect'; url: string; count: number }
  | { type: 'join'; meetings: WorkerMeeting[] }
  | { type: 'run'; seconds: number; warmupS: number; ratePerS: number; drainMs: number }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; sockets: number; failed: number }
  | { type: 'result'; sent: number; received: number; warmupLatenciesMs: number[]; latenciesMs: number[] }
  | { type: 'error'; message: string };

const sockets: WireClient[] = [];
/** Per meeting, its members' sockets and participant ids. */
const meetings: { socket: WireClient; id: string }[][] = [];

const send = (message: FromWorker) => process.send!(message);

async function open(url: string): Promise<WireClient> {
  const socket = await WireClient.connect(url);
  sockets.push(socket);
  return socket;
}

async function connectIdle(url: string, count: number): Promise<void> {
  let failed = 0;
  const batch = 200;
  for (let at = 0; at < count; at += batch) {
    const results = await Promise.allSettled(Array.from({ length: Math.min(batch, count - at) }, () => open(url)));
    failed += results.filter((result) => result.status === 'rejected').length;
  }
  send({ type: 'ready', sockets: sockets.filter((socket) => socket.connected).length, failed });
}

async function joinMeetings(list: WorkerMeeting[]): Promise<void> {
  let failed = 0;
  await Promise.all(
    list.map(async (meeting) => {
      const members: { socket: WireClient; id: string }[] = [];
      // In order: the host first, so the meeting exists before the others come.
      for (const [index, url] of meeting.urls.entries()) {
        try {
          const socket = await open(url);
          const result = await socket.emitWithAck(
            'join-meeting',
            {
              code: meeting.code,
              name: `P${index}`,
              audio: true,
              video: true,
              ...(index === 0 ? { hostKey: meeting.hostKey } : {}),
            },
            20_000,
          );
          if (!result.ok || result.data.waiting === true) throw new Error(result.ok ? 'waiting room' : result.error.code);
          members.push({ socket, id: result.data.self.id });
        } catch {
          failed++;
        }
      }
      meetings.push(members);
    }),
  );
  send({ type: 'ready', sockets: meetings.reduce((sum, members) => sum + members.length, 0), failed });
}

async function run(seconds: number, warmupS: number, ratePerS: number, drainMs: number): Promise<void> {
  let sent = 0;
  let received = 0;
  const warmupEndsAt = performance.now() + warmupS * 1000;
  const warmupLatenciesMs: number[] = [];
  const latenciesMs: number[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (const members of meetings) {
    for (const [index, member] of members.entries()) {
      member.socket.on('ice-candidate', (message) => {
        const stamp = Number(message.candidate.candidate.split(' ')[1]);
        received++;
        (stamp < warmupEndsAt ? warmupLatenciesMs : latenciesMs).push(performance.now() - stamp);
      });
      if (members.length < 2) continue;
      let turn = 0;
      const tick = () => {
        // To each other member in turn.
        turn = (turn % (members.length - 1)) + 1;
        const to = members[(index + turn) % members.length]!.id;
        sent++;
        // Without an ack, as the SDK sends candidates: a refusal shows as a message lost.
        member.socket.emit('ice-candidate', { to, candidate: { candidate: `bench ${performance.now()}`, sdpMid: '0', sdpMLineIndex: 0 } });
      };
      // Staggered, so the sockets do not all send in the same millisecond.
      timers.push(
        setTimeout(() => {
          tick();
          timers.push(setInterval(tick, 1000 / ratePerS));
        }, Math.random() * (1000 / ratePerS)),
      );
    }
  }
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  for (const timer of timers) clearTimeout(timer);
  await new Promise((resolve) => setTimeout(resolve, drainMs));
  send({ type: 'result', sent, received, warmupLatenciesMs, latenciesMs });
}

process.on('message', (message: ToWorker) => {
  const work =
    message.type === 'connect'
      ? connectIdle(message.url, message.count)
      : message.type === 'join'
        ? joinMeetings(message.meetings)
        : message.type === 'run'
          ? run(message.seconds, message.warmupS, message.ratePerS, message.drainMs)
          : Promise.resolve().then(() => {
              for (const socket of sockets) socket.disconnect();
              process.disconnect();
            });
  work.catch((error: unknown) => send({ type: 'error', message: String(error) }));
});
