/**
 * Runtime schemas for everything a client sends. The server validates every inbound payload against these;
 * the TypeScript types in `events.ts` are inferred from them, so the two cannot drift apart.
 * Import from `@parley/protocol/schemas` (server side): browser code only needs the types.
 */
import { z } from 'zod';
import { LIMITS } from './limits.js';
import { REACTIONS } from './reactions.js';

const participantId = z.string().min(1).max(LIMITS.participantIdLength);

const utf8 = new TextEncoder();
/**
 * SDP text within `LIMITS.sdpBytes` of UTF-8. Control characters besides tab, CR and LF are refused: browsers never
 * write them, and JSON would escape each into six bytes, past what a message may carry.
 */
const sdp = z
  .string()
  .min(1)
  .max(LIMITS.sdpBytes)
  .refine((text) => !/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(text), 'SDP cannot hold control characters other than tab, CR and LF')
  .refine((text) => utf8.encode(text).length <= LIMITS.sdpBytes, `Too big: expected at most ${LIMITS.sdpBytes} bytes of UTF-8`);

export const joinMeetingSchema = z.object({
  /** The meeting code as typed; the server normalizes it. */
  code: z.string().max(LIMITS.codeInputLength),
  /** Display name shown to everyone in the meeting. */
  name: z.string().trim().min(1).max(LIMITS.nameLength),
  /** The host key from `POST /api/meetings`; makes this participant a host. */
  hostKey: z.string().max(LIMITS.hostKeyLength).optional(),
  /** Whether the microphone starts enabled. */
  audio: z.boolean(),
  /** Whether the camera starts enabled. */
  video: z.boolean(),
  /**
   * A participant token: a JWT the embedding site's backend signed, naming the meeting, the display name and the
   * role. Required when the server is configured for participant verification.
   */
  token: z.string().min(1).max(LIMITS.tokenLength).optional(),
  /** Random id the client keeps for the life of its room object; a session the host removed cannot come back. */
  sessionId: z.string().min(1).max(LIMITS.sessionIdLength).optional(),
});

export const resumeMeetingSchema = z.object({
  /** The `resumeToken` from the join (or last resume) answer. */
  resumeToken: z.string().min(1).max(LIMITS.resumeTokenLength),
  /**
   * What the client sends now. A server that lost the participant (it crashed) takes them back with this media
   * state; absent means off.
   */
  audio: z.boolean().optional(),
  video: z.boolean().optional(),
  screen: z.boolean().optional(),
});

export const sessionDescriptionSchema = z.object({
  /** The participant this description is for. */
  to: participantId,
  sdp,
});

export const iceCandidateSchema = z.object({
  /** The participant this candidate is for. */
  to: participantId,
  candidate: z.object({
    candidate: z.string().max(LIMITS.candidateLength),
    sdpMid: z.string().max(32).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(1024).nullable().optional(),
    usernameFragment: z.string().max(256).nullable().optional(),
  }),
});

/**
 * Asks the participant `to` to restart ICE on its connection with the sender. Only the impolite side of a connection
 * (the one already in the meeting when the other joined) restarts ICE; the polite side asks with this, so two
 * restart offers never cross.
 */
export const iceRestartRequestSchema = z.object({
  to: participantId,
});

export const mediaStateSchema = z.object({
  audio: z.boolean(),
  video: z.boolean(),
  /** Whether the participant shares their screen; absent means no. */
  screen: z.boolean().optional(),
});

/** An application message (chat) relayed by the server: its text is opaque to the server. */
export const appMessageSchema = z.object({
  data: z.string().min(1).max(LIMITS.appMessageLength),
});

/** A host action aimed at one participant (or, for admit/deny, one person in the waiting room). */
export const participantTargetSchema = z.object({
  participantId,
});

/** Meeting settings a host can change; absent fields stay as they are. */
export const meetingSettingsUpdateSchema = z
  .object({
    /** No new joins while locked. */
    locked: z.boolean().optional(),
    /** Newcomers wait until a host admits them. */
    waitingRoom: z.boolean().optional(),
  })
  .strict();

/** Raises (`true`) or lowers (`false`) the sender's own hand. */
export const raiseHandSchema = z.object({ raised: z.boolean() }).strict();

/** A host lowers one participant's hand, or every hand in the meeting. */
export const lowerHandSchema = z.union([participantTargetSchema.strict(), z.object({ all: z.literal(true) }).strict()]);
/** A reaction to show over the sender's tile: one of `REACTIONS`, nothing else. */
export const reactionSchema = z.object({
  emoji: z.enum(REACTIONS),
});

/** Before joining: what a newcomer should know about the meeting. The same code and token a join would carry. */
export const meetingInfoSchema = joinMeetingSchema.pick({ code: true, token: true }).strict();

/** The sender starts (`true`) or stops (`false`) recording the meeting in their browser. */
export const setRecordingSchema = z.object({ recording: z.boolean() }).strict();

/** A host allows a participant to record, or takes that back (which stops their recording). */
export const allowRecordingSchema = z.object({ participantId, allowed: z.boolean() }).strict();

export type JoinMeetingRequest = z.input<typeof joinMeetingSchema>;
export type ResumeMeetingRequest = z.infer<typeof resumeMeetingSchema>;
export type SessionDescriptionMessage = z.infer<typeof sessionDescriptionSchema>;
export type IceCandidateMessage = z.infer<typeof iceCandidateSchema>;
export type IceCandidatePayload = IceCandidateMessage['candidate'];
export type IceRestartRequest = z.infer<typeof iceRestartRequestSchema>;
export type MediaState = z.infer<typeof mediaStateSchema>;
export type AppMessage = z.infer<typeof appMessageSchema>;
export type ParticipantTarget = z.infer<typeof participantTargetSchema>;
export type MeetingSettingsUpdate = z.infer<typeof meetingSettingsUpdateSchema>;
export type RaiseHandRequest = z.infer<typeof raiseHandSchema>;
export type LowerHandRequest = z.infer<typeof lowerHandSchema>;
export type ReactionRequest = z.infer<typeof reactionSchema>;
export type MeetingInfoRequest = z.infer<typeof meetingInfoSchema>;
export type SetRecordingRequest = z.infer<typeof setRecordingSchema>;
export type AllowRecordingRequest = z.infer<typeof allowRecordingSchema>;
