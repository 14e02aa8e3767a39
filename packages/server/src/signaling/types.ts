import type { Server, Socket } from 'socket.io';
import type { Waiter } from './waiting-room.js';
import type { ClientToServerEvents, ParticipantInfo, ParticipantLeftReason, ServerToClientEvents } from '@parley/protocol';

/** A participant as one node tells the others (see docs/scaling.md). */
export interface MemberSnapshot {
  info: ParticipantInfo;
  meetingCode: string;
  removalMarks: string[];
  /** The connection speaking for them (on `node`), or `null` while away. */
  socketId: string | null;
  /** The node that owns them. */
  node: string;
  joinedAt: number;
  /** Who their join answer listed. */
  listedInJoinAnswer: string[];
  /** When their latest and previous resume tokens were issued (see `Member`). */
  tokenIssuedAt?: number | undefined;
  previousTokenIssuedAt?: number | undefined;
  /** While their hand is up: its stamp (see `Member`). Absent while it is down (`null` once through the adapter). */
  handRaisedAt?: number | undefined;
  /** While they record: since when; a host allowed them to record (see `Member`). `null` once through the adapter. */
  recordingSince?: number | undefined;
  recordingAllowed?: boolean | undefined;
}

/** Messages between server nodes sharing a Redis (`REDIS_URL`), through the Socket.IO adapter. */
export interface InterServerEvents {
  /** A node joined: everyone sends it their own participants. */
  'presence:hello': (node: string) => void;
  'node:alive': (node: string) => void;
  /** A participant joined, changed, went away or came back. */
  'presence:member': (snapshot: MemberSnapshot) => void;
  'presence:drop': (meetingCode: string, participantId: string, reason: ParticipantLeftReason) => void;
  'meeting:ended': (meetingCode: string) => void;
  /** Someone waits for a host's answer, their connection on the sending node. */
  'waiting:add': (waiter: Waiter) => void;
  /** A waiter is off the list: let in (by the node that holds their connection), turned away, or gone. */
  'waiting:done': (meetingCode: string, participantId: string, verdict: 'admitted' | 'denied' | 'withdrew') => void;
}

/** What the server remembers about a socket, set on join. */
export interface SocketData {
  participantId?: string;
  meetingCode?: string;
  /** In a meeting's waiting room (and so in no meeting yet). */
  waiting?: { meetingCode: string; participantId: string };
  /** Since when (epoch ms) the socket has spoken for nobody: closed once idle too long (ConnectionGuard). */
  idleSince?: number;
}

export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
