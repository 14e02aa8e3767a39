import type { SavedParticipant } from '../meetings/meeting.js';
import type { Member } from './presence.js';

/**
 * Shutdown hand-over: a stopping process saves its participants (their connections are closed, so they are away)
 * and the next process takes them back, away, so that their clients can resume until their window closes.
 */

/** A participant as a stopping process hands them over, away until `awayUntil`. */
export function handedOver(member: Member, awayUntil: Date): SavedParticipant {
  return {
    meetingCode: member.meetingCode,
    id: member.info.id,
    name: member.info.name,
    isHost: member.info.isHost,
    audioEnabled: member.info.audioEnabled,
    videoEnabled: member.info.videoEnabled,
    screenSharing: member.info.screenSharing,
    awayUntil,
    removalMarks: member.removalMarks,
    tokenIssuedAt: member.tokenIssuedAt ?? 0,
  };
}

/**
 * A participant a previous process handed over, taken back as away by `node` at `now`; `undefined` once their resume
 * window has closed. The caller sets their expiry, after `awayUntil.getTime() - now` ms.
 */
export function takenOver(saved: SavedParticipant, node: string | undefined, now: number): Member | undefined {
  const { meetingCode, awayUntil, removalMarks, tokenIssuedAt, ...info } = saved;
  if (awayUntil.getTime() <= now) return undefined;
  // Everyone restored knows everyone restored: their clients reconcile with the resume answer.
  return {
    info,
    meetingCode,
    removalMarks,
    socketId: null,
    heldMessages: [],
    node,
    joinedAt: 0,
    listedInJoinAnswer: [],
    tokenIssuedAt: tokenIssuedAt || undefined,
    awaySince: now,
  };
}
