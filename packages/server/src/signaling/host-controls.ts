import {
  ProtocolErrorCode,
  type LowerHandRequest,
  type MeetingSettings,
  type RaisedHand,
  type RecordingState,
  type Result,
} from '@parley/protocol';
import type { Logger } from '../logger.js';
import type { Meeting } from '../meetings/meeting.js';
import { capacityOf, type MeetingConfiguration, type MeetingService } from '../meetings/meeting-service.js';
import type { Metrics } from '../metrics.js';
import type { SfuRooms } from '../sfu/sfu-rooms.js';
import type { Webhooks } from '../webhooks/webhooks.js';
import { ok, refusal } from './dispatch.js';
import type { EndedMeetings } from './ended-meetings.js';
import { handQueue } from './hands.js';
import type { Member, Presence } from './presence.js';
import { recordingState } from './recording.js';
import type { Replication } from './replication.js';
import { meetingRoom, participantRoom } from './rooms.js';
import type { ParleyServer, ParleySocket } from './types.js';
import type { Waiter, WaitingRooms } from './waiting-room.js';

/** Host controls, as counted in `parley_host_actions_total{action}` and logged. */
type HostAction = 'end' | 'mute' | 'remove' | 'transfer-host' | 'update' | 'admit' | 'deny' | 'lower-hand' | 'allow-recording';

/** The server API (the embedding site's backend) acting on a meeting as its host would, from outside it. */
export interface ApiController {
  readonly meetingCode: string;
  readonly api: true;
}

/** Who carries out a host control: a host in the meeting, or the server API. */
export type Controller = Member | ApiController;

/** The controlling participant's id; `undefined` for the server API. */
function idOf(controller: Controller): string | undefined {
  return 'info' in controller ? controller.info.id : undefined;
}

/** The membership host controls act on (implemented by `Signaling`). */
export interface ControlledMembership {
  readonly presence: Presence;
  readonly waitingRooms: WaitingRooms;
  readonly ended: EndedMeetings;
  /** The connection speaking for `member` on this node, if it is here. */
  socketOf(member: Member): ParleySocket | undefined;
  /** Removes a participant from its meeting and tells the others. */
  drop(member: Member, reason: 'removed'): void;
  /** Makes `socket` speak for nobody. */
  detach(socket: ParleySocket): void;
  /** Tells a connection why it is closed, then closes it. */
  disconnectWith(socket: ParleySocket, event: 'removed' | 'meeting-ended' | 'denied'): void;
  /** Sends `member` a new resume token. */
  renewResumeToken(member: Member, now: number): void;
  /** Takes a waiter off the list and into the meeting; the caller sends hosts the new list. */
  letIn(waiter: Waiter, meeting: Meeting): void;
  /** Takes a waiter off the list, tells them `denied` and closes their connection. */
  turnAway(waiter: Waiter): void;
  /** Tells every host of the meeting who waits now. */
  sendWaitingList(code: string): void;
  /** Whether the meeting's media goes through Janus now (in auto mode, a meeting of two does not). */
  onSfu(code: string): boolean;
  /** Tells the meeting's participants on this node the queue of raised hands. */
  sendHands(code: string): void;
  /** Tells the meeting's participants on this node its recording state. */
  sendRecording(code: string): void;
}

export interface HostControlsOptions {
  io: ParleyServer;
  meetings: MeetingService;
  maxParticipants: number;
  replication: Replication;
  logger: Logger;
  metrics: Metrics;
  membership: ControlledMembership;
  /** SFU mode: the meetings' Janus rooms, which host controls reach too. */
  sfu?: SfuRooms | undefined;
  /** Tells the embedding site's backend that a host ended a meeting, when set. */
  webhooks?: Webhooks | undefined;
}

const notFound = () => refusal(ProtocolErrorCode.ParticipantNotFound, 'No such participant in this meeting');
const notWaiting = () => refusal(ProtocolErrorCode.ParticipantNotFound, 'Nobody with that id is waiting for this meeting');

/**
 * What a host may do to the meeting and the others in it: end it, mute, remove, hand the host role over, change the
 * settings, admit or deny whoever waits. Each takes the host (the dispatcher checked the sender is one).
 */
export class HostControls {
  readonly #options: HostControlsOptions;
  readonly #membership: ControlledMembership;
  /** Removal marks being stored, per meeting: already refused while the write is under way. */
  readonly #removing = new Map<string, Set<string | symbol>>();

  constructor(options: HostControlsOptions) {
    this.#options = options;
    this.#membership = options.membership;
  }

  /** Whether `marks` keep someone out of `meeting`: stored removals, and those being stored. */
  isRemoved(meeting: Meeting, marks: readonly string[]): boolean {
    const removing = this.#removing.get(meeting.code);
    return this.#options.meetings.isRemoved(meeting, marks) || marks.some((mark) => removing?.has(mark));
  }

  /** Whether a removal is being stored: its waiting room may not be yet, so newcomers wait meanwhile. */
  removalUnderWay(code: string): boolean {
    return (this.#removing.get(code)?.size ?? 0) > 0;
  }

  /**
   * Ends the meeting for everyone: stored as ended first (its code is dead from then on), then everyone is taken
   * out of it at once. They are told, and their connections closed, right after the host's acknowledgement.
   */
  async end(host: Controller): Promise<Result<undefined>> {
    const { presence, waitingRooms, ended } = this.#membership;
    const code = host.meetingCode;
    if (ended.has(code)) return ok(undefined);
    ended.add(code);
    try {
      await this.#options.meetings.end(code);
    } catch (error) {
      ended.delete(code);
      throw error;
    }
    this.#hostAction('end', host);
    this.#options.webhooks?.meetingEnded(code);

    const closing: { socket: ParleySocket; event: 'meeting-ended' | 'denied' }[] = [];
    for (const member of presence.members(code)) {
      presence.remove(code, member.info.id);
      this.#options.metrics.leaves.inc({ reason: 'ended' });
      const memberSocket = this.#membership.socketOf(member);
      if (!memberSocket) continue;
      this.#membership.detach(memberSocket);
      closing.push({ socket: memberSocket, event: 'meeting-ended' });
    }
    for (const waiter of waitingRooms.waiters(code)) {
      waitingRooms.remove(code, waiter.id);
      const waiterSocket = this.#options.io.sockets.sockets.get(waiter.socketId);
      if (!waiterSocket) continue;
      waiterSocket.data.waiting = undefined;
      closing.push({ socket: waiterSocket, event: 'denied' });
    }
    this.#options.logger.info({ meeting: code, participants: closing.length }, 'meeting ended');
    // Its media ends with it, for everyone still connected to Janus (SfuRooms logs a failure; the sweep retries).
    this.#options.sfu?.closeRoom(code).catch(() => {});
    setImmediate(() => {
      // Away participants whose connection Socket.IO recovers get it replayed, then are disconnected. With several
      // nodes, each other node tells its own connections (below).
      this.#options.replication.ownConnections(meetingRoom(code)).emit('meeting-ended');
      for (const { socket: closed, event } of closing) this.#membership.disconnectWith(closed, event);
      // Other nodes let go of their participants and waiters of this meeting (after the room heard the end).
      this.#options.replication.meetingEnded(code);
    });
    return ok(undefined);
  }

  mute(host: Member, participantId: string): Result<undefined> {
    const target = this.#targetOf(host, participantId);
    if (!target) return notFound();
    this.#options.io.to(participantRoom(target.info.id)).emit('mute-requested', { by: host.info.id });
    // In SFU mode Janus stops forwarding their audio at once, whatever their client does (SfuRooms logs a failure).
    if (this.#membership.onSfu(host.meetingCode)) this.#options.sfu?.muteAudio(host.meetingCode, target.info.id).catch(() => {});
    this.#hostAction('mute', host, target.info.id);
    return ok(undefined);
  }

  /**
   * Takes a participant out of the meeting and keeps their session (and token subject) out for good; the meeting's
   * waiting room turns on, for whoever comes back under another session. The removal counts from this tick on;
   * storing it may take a moment, so meanwhile it is also remembered here (and joins go to the waiting room).
   */
  async remove(host: Controller, participantId: string): Promise<Result<undefined>> {
    const target = this.#targetOf(host, participantId);
    if (!target) return notFound();
    const code = host.meetingCode;
    let removing = this.#removing.get(code);
    if (!removing) {
      removing = new Set();
      this.#removing.set(code, removing);
    }
    for (const mark of target.removalMarks) removing.add(mark);

    const targetSocket = this.#membership.socketOf(target);
    // To the participant's room, so that an away participant whose connection is recovered hears it too. A
    // participant connected to another node is told by that node when it hears of the removal.
    if (!targetSocket && !this.#options.replication.connectedElsewhere(target, targetSocket)) {
      this.#options.io.to(participantRoom(target.info.id)).emit('removed');
    }
    this.#membership.drop(target, 'removed');
    if (targetSocket) this.#membership.disconnectWith(targetSocket, 'removed');
    // Janus stops forwarding their media, and to them, at once: their tokens may be good for a while yet.
    this.#options.sfu?.kick(code, target.info.id).catch(() => {});
    this.#hostAction('remove', host, target.info.id);
    // A participant without marks still makes the removal under way, for the waiting room's sake.
    const pending = Symbol('removal');
    removing.add(pending);
    try {
      const opened = await this.#options.meetings.recordRemoval(code, target.removalMarks);
      if (opened) {
        this.#options.logger.info({ meeting: code, ...opened }, 'waiting room turned on after a removal');
        this.#options.io.to(meetingRoom(code)).emit('meeting-updated', opened);
      }
    } finally {
      for (const mark of target.removalMarks) removing.delete(mark);
      removing.delete(pending);
      if (removing.size === 0 && this.#removing.get(code) === removing) this.#removing.delete(code);
    }
    return ok(undefined);
  }

  transferHost(host: Member, participantId: string): Result<undefined> {
    const target = this.#targetOf(host, participantId);
    if (!target) return notFound();
    const { presence, waitingRooms } = this.#membership;
    const room = this.#options.io.to(meetingRoom(host.meetingCode));
    // The new host first, so that the meeting never looks hostless.
    if (!target.info.isHost) {
      target.info.isHost = true;
      room.emit('host-changed', { participantId: target.info.id, isHost: true });
    }
    host.info.isHost = false;
    room.emit('host-changed', { participantId: host.info.id, isHost: false });
    this.#options.replication.publish(target);
    this.#options.replication.publish(host);
    // A token says whether its holder is host. From now on, a token from before says nothing about the role (a
    // server taking its holder back after a crash makes them a guest): every host and the old one get new ones.
    const changedAt = Date.now();
    this.#options.meetings
      .recordRoleChange(host.meetingCode, changedAt)
      .catch((error: unknown) => this.#options.logger.error({ err: error, meeting: host.meetingCode }, 'storing a host change failed'));
    for (const member of presence.members(host.meetingCode)) {
      if (member.info.isHost || member === host) this.#membership.renewResumeToken(member, changedAt);
    }
    this.#options.io.to(participantRoom(target.info.id)).emit('waiting-list', { waiting: waitingRooms.list(host.meetingCode) });
    this.#options.io.to(participantRoom(host.info.id)).emit('waiting-list', { waiting: [] });
    this.#hostAction('transfer-host', host, target.info.id);
    return ok(undefined);
  }

  /** Changes the meeting's settings (the server API may also set its participant limit and expiry). */
  async updateMeeting(host: Controller, update: MeetingConfiguration): Promise<Result<MeetingSettings>> {
    const { presence, waitingRooms, ended } = this.#membership;
    const code = host.meetingCode;
    const changed = await this.#options.meetings.configure(code, update);
    if (!changed) return refusal(ProtocolErrorCode.Internal, 'The meeting is not stored');
    const { previous, current } = changed;
    const unchanged =
      previous.locked === current.locked &&
      previous.waitingRoom === current.waitingRoom &&
      previous.waitingRoomAfterRemoval === current.waitingRoomAfterRemoval;
    if (unchanged) {
      // Participants see only the lock and the waiting room; the limit and expiry are counted as a change still.
      if (update.maxParticipants !== undefined || update.expiresAt !== undefined) this.#hostAction('update', host);
      return ok(current);
    }
    this.#hostAction('update', host);
    this.#options.logger.info({ meeting: code, ...current }, 'meeting settings changed');
    this.#options.io.to(meetingRoom(code)).emit('meeting-updated', current);
    // No waiting room any more: everyone waiting comes in, first come first, as far as there is room.
    if (previous.waitingRoom && !current.waitingRoom && waitingRooms.size(code) > 0) {
      const meeting = await this.#options.meetings.findJoinable(code);
      if (meeting && !ended.has(code)) {
        for (const waiter of waitingRooms.waiters(code)) {
          if (presence.list(code).length >= capacityOf(meeting, this.#options.maxParticipants)) break;
          this.#membership.letIn(waiter, meeting);
        }
        this.#membership.sendWaitingList(code);
      }
    }
    return ok(current);
  }

  async admit(host: Member, participantId: string): Promise<Result<undefined>> {
    const { presence, waitingRooms, ended } = this.#membership;
    const code = host.meetingCode;
    if (!waitingRooms.get(code, participantId)) return notWaiting();
    const meeting = await this.#options.meetings.findJoinable(code);
    if (!meeting || ended.has(code)) return refusal(ProtocolErrorCode.MeetingNotFound, 'The meeting is no longer open');
    // The lookup awaited: check again.
    const waiter = waitingRooms.get(code, participantId);
    if (!waiter) return notWaiting();
    if (presence.list(code).length >= capacityOf(meeting, this.#options.maxParticipants)) {
      return refusal(ProtocolErrorCode.MeetingFull, 'The meeting is full');
    }
    this.#membership.letIn(waiter, meeting);
    this.#membership.sendWaitingList(code);
    this.#hostAction('admit', host, waiter.id);
    return ok(undefined);
  }

  deny(host: Member, participantId: string): Result<undefined> {
    const waiter = this.#membership.waitingRooms.get(host.meetingCode, participantId);
    if (!waiter) return notWaiting();
    this.#membership.turnAway(waiter);
    this.#membership.sendWaitingList(host.meetingCode);
    this.#hostAction('deny', host, waiter.id);
    return ok(undefined);
  }

  /** Lowers one participant's hand (the host's own too), or every hand in the meeting; answers the queue now. */
  lowerHands(host: Member, target: LowerHandRequest): Result<RaisedHand[]> {
    const { presence } = this.#membership;
    const code = host.meetingCode;
    const named = 'all' in target ? undefined : presence.get(code, target.participantId);
    if (!('all' in target) && !named) return notFound();
    const lowered = (named ? [named] : presence.members(code)).filter((member) => member.handRaisedAt !== undefined);
    for (const member of lowered) {
      member.handRaisedAt = undefined;
      // Their own node, if another, tells its participants once it hears.
      this.#options.replication.publish(member);
    }
    if (lowered.length > 0) {
      this.#membership.sendHands(code);
      this.#hostAction('lower-hand', host, named?.info.id);
    }
    return ok(handQueue(presence.members(code)));
  }

  /**
   * Allows another participant to record, or takes it back: their recording, if one runs, stops (their client stops
   * it on hearing `recording-changed`). Answers the state now.
   */
  allowRecording(host: Member, participantId: string, allowed: boolean): Result<RecordingState> {
    const target = this.#targetOf(host, participantId);
    if (!target) return notFound();
    if (allowed !== (target.recordingAllowed === true)) {
      target.recordingAllowed = allowed || undefined;
      if (!allowed && !target.info.isHost) target.recordingSince = undefined;
      this.#options.replication.publish(target);
      this.#membership.sendRecording(host.meetingCode);
      this.#hostAction('allow-recording', host, target.info.id);
    }
    return ok(recordingState(this.#membership.presence.members(host.meetingCode)));
  }

  /** Another participant of the host's meeting (away ones included); for the server API, any participant. */
  #targetOf(host: Controller, participantId: string): Member | undefined {
    return participantId === idOf(host) ? undefined : this.#membership.presence.get(host.meetingCode, participantId);
  }

  #hostAction(action: HostAction, host: Controller, target?: string): void {
    this.#options.metrics.hostActions.inc({ action });
    const by = 'info' in host ? { participant: host.info.id } : { api: true };
    this.#options.logger.info({ meeting: host.meetingCode, ...by, action, target }, 'host action');
  }
}
