import { readFileSync } from 'node:fs';
import { createMeeting, startEmbedder, startParley } from '../../test/e2e/support/servers.js';
import { startSfuServer } from '../../test/e2e/support/sfu-server.js';
import type { Cleanups } from './run.js';

/** How media goes: peer to peer between every two participants, or through a Janus VideoRoom (SFU mode). */
export type Topology = 'mesh' | 'sfu';

export function parseTopologies(value: string): Topology[] {
  const topologies = value.split(',').map((name) => name.trim());
  for (const name of topologies) if (name !== 'mesh' && name !== 'sfu') throw new Error(`--topology: "${name}" is neither mesh nor sfu`);
  return topologies as Topology[];
}

/** A Parley server for one topology, a page on another origin that embeds it, and a meeting on it. */
export interface BenchServer {
  topology: Topology;
  parleyUrl: string;
  embedderUrl: string;
  meeting: { code: string; hostKey: string };
  /** The Janus process, in SFU mode: its CPU and memory are the SFU's cost. */
  janusPid: number | undefined;
}

/**
 * Mesh: the server in this process. SFU: a Parley server process with MEDIA_MODE=sfu on a Janus of its own, as the
 * e2e tests run it (it must run inside scripts/loopback-netns.sh, which gives Janus an address to gather on).
 */
export async function startTopology(topology: Topology, cleanups: Cleanups): Promise<BenchServer> {
  if (topology === 'sfu') {
    const sfu = await startSfuServer();
    cleanups.add(() => sfu.stop());
    const meeting = await createMeeting(sfu.parley.url);
    return { topology, parleyUrl: sfu.parley.url, embedderUrl: sfu.embedder.url, meeting, janusPid: sfu.janus.pid };
  }
  const parley = await startParley();
  cleanups.add(() => parley.close());
  const embedder = await startEmbedder(parley.url);
  cleanups.add(() => embedder.close());
  return { topology, parleyUrl: parley.url, embedderUrl: embedder.url, meeting: await createMeeting(parley.url), janusPid: undefined };
}

/** A process's CPU time (user + system, seconds) and resident memory (bytes), from /proc. */
export interface ProcessUsage {
  cpuSeconds: number;
  rssBytes: number;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times (`getconf CLK_TCK`), 100 on every architecture Debian ships. */
const CLOCK_TICKS_PER_SECOND = 100;

export function processUsage(pid: number): ProcessUsage {
  // Fields after the command name (in parentheses, which may hold spaces): state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, rssBytes: rssKb * 1024 };
}
