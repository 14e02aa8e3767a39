import type { BackgroundChoice } from './background/background-choice.js';
import type { LeaveReason, Participant, ParticipantLeftReason, Reaction, RemoteParticipant } from '@parley/sdk';

/** The side panels `<meeting-controls>` can open and close. */
export type PanelName = 'chat' | 'participants' | 'settings';

/** `detail` of every `parley-*` DOM event. All of them bubble and are composed, so they cross shadow roots. */
export interface ParleyEventDetailMap {
  'parley-joined': { meetingCode: string; participantId: string };
  'parley-left': { reason: LeaveReason };
  'parley-participant-joined': { participant: RemoteParticipant };
  'parley-participant-left': { participant: RemoteParticipant; reason: ParticipantLeftReason };
  'parley-media-changed': { participant: Participant; audioEnabled: boolean; videoEnabled: boolean };
  /** Someone's hand (yours too) went up; `position`: its place in the queue, 1 first. */
  'parley-hand-raised': { participant: Participant; position: number };
  /** Someone's hand (yours too) went down: lowered, by them or a host, or they left with it up. */
  'parley-hand-lowered': { participant: Participant };
  'parley-error': { code: string; message: string; cause?: unknown };
  'parley-pin-toggle': { participantId: string | null };
  'parley-prejoin-submit': {
    name: string;
    stream: MediaStream;
    audio: boolean;
    video: boolean;
    audioOutputDeviceId: string;
  };
  /** From `<meeting-controls>`: a panel toggle was pressed; `open` is what the panel should become. */
  'parley-panel-toggle': { panel: PanelName; open: boolean };
  /**
   * From `<meeting-controls>`: a host confirmed "End meeting for all". Cancelable: `preventDefault()` keeps the
   * meeting going.
   */
  'parley-end-meeting': Record<string, never>;
  /**
   * From `<meeting-room>`: the way out of an end screen was chosen. Cancelable: `preventDefault()` stops the
   * navigation to `url`, for a page that routes by itself. `reason`: why the meeting ended for this page, or
   * `join-failed`.
   */
  'parley-exit': { url: string; reason: LeaveReason | 'join-failed' };
  /** From `<meeting-room>`: someone reacted (`participant.isLocal`: you, once the server took it). */
  'parley-reaction': { participant: Participant; emoji: Reaction };
  /** Your microphone's noise suppression went on or off (`<device-settings>`, or `<meeting-room>` as it joins). */
  'parley-noise-suppression-changed': { enabled: boolean };
  /** `<meeting-controls>`' picture-in-picture button was pressed. */
  'parley-pip-request': Record<string, never>;
  /** The picture-in-picture window opened. */
  'parley-pip-opened': Record<string, never>;
  /** The picture-in-picture window closed. */
  'parley-pip-closed': Record<string, never>;
  /** From `<meeting-room>`: your background (none, a blur, an image) is now `background`, on the preview and the call. */
  'parley-background-changed': { background: BackgroundChoice };
  /** From `<prejoin-screen>` and `<device-settings>`: a background was chosen, for `<meeting-room>` to apply. */
  'parley-background-select': { background: BackgroundChoice };
  /** From `<meeting-room>`: someone (you too) started recording the meeting. */
  'parley-recording-started': { participant: Participant };
  /**
   * From `<meeting-room>`: someone stopped recording, or left while recording. Your own recording carries the file:
   * `blob` (WebM) and `fileName`; cancelable then: `preventDefault()` keeps it from being saved as a download.
   */
  'parley-recording-stopped': { participant: Participant; blob?: Blob; fileName?: string };
  /** From `<meeting-controls>`: the record toggle was pressed; `recording` is what it should become. */
  'parley-recording-toggle': { recording: boolean };
}

export type ParleyEventName = keyof ParleyEventDetailMap;

/** Returns false when a listener cancelled a `cancelable` event. */
export function dispatchParleyEvent<E extends ParleyEventName>(
  target: EventTarget,
  name: E,
  detail: ParleyEventDetailMap[E],
  { cancelable = false } = {},
): boolean {
  return target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable }));
}

/** Turns anything thrown into the `parley-error` detail: SDK errors keep their code. */
export function errorDetail(error: unknown): ParleyEventDetailMap['parley-error'] {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  return { code, message, cause: error };
}

declare global {
  interface GlobalEventHandlersEventMap {
    'parley-joined': CustomEvent<ParleyEventDetailMap['parley-joined']>;
    'parley-left': CustomEvent<ParleyEventDetailMap['parley-left']>;
    'parley-participant-joined': CustomEvent<ParleyEventDetailMap['parley-participant-joined']>;
    'parley-participant-left': CustomEvent<ParleyEventDetailMap['parley-participant-left']>;
    'parley-media-changed': CustomEvent<ParleyEventDetailMap['parley-media-changed']>;
    'parley-hand-raised': CustomEvent<ParleyEventDetailMap['parley-hand-raised']>;
    'parley-hand-lowered': CustomEvent<ParleyEventDetailMap['parley-hand-lowered']>;
    'parley-error': CustomEvent<ParleyEventDetailMap['parley-error']>;
    'parley-pin-toggle': CustomEvent<ParleyEventDetailMap['parley-pin-toggle']>;
    'parley-prejoin-submit': CustomEvent<ParleyEventDetailMap['parley-prejoin-submit']>;
    'parley-panel-toggle': CustomEvent<ParleyEventDetailMap['parley-panel-toggle']>;
    'parley-end-meeting': CustomEvent<ParleyEventDetailMap['parley-end-meeting']>;
    'parley-exit': CustomEvent<ParleyEventDetailMap['parley-exit']>;
    'parley-reaction': CustomEvent<ParleyEventDetailMap['parley-reaction']>;
    'parley-noise-suppression-changed': CustomEvent<ParleyEventDetailMap['parley-noise-suppression-changed']>;
    'parley-pip-request': CustomEvent<ParleyEventDetailMap['parley-pip-request']>;
    'parley-pip-opened': CustomEvent<ParleyEventDetailMap['parley-pip-opened']>;
    'parley-pip-closed': CustomEvent<ParleyEventDetailMap['parley-pip-closed']>;
    'parley-background-changed': CustomEvent<ParleyEventDetailMap['parley-background-changed']>;
    'parley-background-select': CustomEvent<ParleyEventDetailMap['parley-background-select']>;
    'parley-recording-started': CustomEvent<ParleyEventDetailMap['parley-recording-started']>;
    'parley-recording-stopped': CustomEvent<ParleyEventDetailMap['parley-recording-stopped']>;
    'parley-recording-toggle': CustomEvent<ParleyEventDetailMap['parley-recording-toggle']>;
  }
}
