import { html, nothing, type PropertyDeclarations } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Participant, RoomEventMap } from '@parley/sdk';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { dispatchParleyEvent, errorDetail } from '../../events.js';
import { icon } from '../../icons.js';
import { ParleyElement } from '../../parley-element.js';
import type { RoomPart } from '../../room-like.js';
import { tokens } from '../../styles/tokens.js';
import { participantListStyles } from './participant-list.styles.js';

/** What the list uses of a room. */
export type ListedRoom = RoomPart<
  | 'localParticipant'
  | 'participants'
  | 'settings'
  | 'waitingParticipants'
  | 'updateMeeting'
  | 'admit'
  | 'deny'
  | 'muteParticipant'
  | 'transferHost'
  | 'removeParticipant'
  | 'raisedHands'
  | 'lowerHand'
  | 'lowerAllHands'
  | 'recording'
  | 'allowRecording'
>;

/**
 * Everyone in the meeting as a list: you first, then others in the order they joined, each with their
 * [HOST] badge and whether their microphone and camera are on. Usable on its own with any SDK `Room`.
 *
 * Raised hands come first, in the queue's order (the server's, the same on every page), each with Lower hand for
 * hosts (and on your own), and Lower all hands for hosts.
 *
 * Hosts allow a participant to record the meeting, or stop allowing it (which stops their recording); whoever
 * records shows "Recording" by their name.
 *
 * Hosts also get the meeting's controls here: lock and waiting room switches, the waiting room with Admit and
 * Deny, and per participant Ask to mute, Make host and Remove (after a confirmation). The actions sit on a row of
 * their own under the name, so names stay readable. Failures are fired as `parley-error`.
 *
 * @fires parley-error - A host action failed.
 *
 * @csspart list - The `<ul>`.
 * @csspart participant - Each `<li>`.
 * @csspart name - A participant's name.
 * @csspart host-badge - The [HOST] badge.
 * @csspart recording-badge - The "Recording" badge by whoever records the meeting.
 * @csspart microphone - The microphone state icon.
 * @csspart camera - The camera state icon.
 * @csspart host-controls - For hosts: the lock and waiting room switches.
 * @csspart waiting-room-notice - For hosts: why the waiting room is on, when a removal turned it on.
 * @csspart waiting - For hosts: the list of people waiting to be let in.
 * @csspart actions - For hosts: the row of action buttons under a participant's name.
 * @csspart action - Each host action button (Ask to mute, Make host, Allow recording, Remove, Admit, Deny,
 *   Lower hand).
 * @csspart hands - While hands are up: the raised hands section, with its heading.
 * @csspart hand-list - The `<ol>` of raised hands, first raised first.
 * @csspart hand - Each raised hand's `<li>`.
 * @csspart hand-place - A raised hand's place in the queue ("✋ 1").
 * @csspart lower-all - For hosts: the Lower all hands button.
 *
 * @cssprop --parley-accent - Badge colour.
 * @cssprop --parley-danger - Colour of devices that are off.
 * @cssprop --parley-hand - Border of a raised hand's place.
 *
 * @tag participant-list
 */
export class ParticipantList extends ParleyElement {
  /** Shadow styles: the shared design tokens, then this element's own. Theme with `--parley-*` properties and `::part()`. */
  static override styles = [tokens, participantListStyles];

  static override properties: PropertyDeclarations = {
    room: { attribute: false },
  };

  /** The room whose participants to list. */
  room: ListedRoom | null = null;

  constructor() {
    super();
    new EmitterController<RoomEventMap>(this, () => this.room, [
      'joined',
      'participant-joined',
      'participant-left',
      'media-changed',
      'host-changed',
      'meeting-updated',
      'waiting-list-changed',
      'hands-changed',
      'recording-changed',
    ]);
  }

  protected override render() {
    const room = this.room;
    const participants = room ? [room.localParticipant, ...room.participants.values()] : [];
    const host = room?.localParticipant.isHost ?? false;
    return html`${host && room ? this.#renderHostControls(room) : nothing} ${room ? this.#renderHands(room, host) : nothing}
      <ul part="list" aria-label=${this.text.participantCount(participants.length)}>
        ${repeat(
          participants,
          (participant) => participant.id,
          (participant) => this.#renderParticipant(participant, host),
        )}
      </ul>`;
  }

  #renderHostControls(room: ListedRoom) {
    const { locked, waitingRoom, waitingRoomAfterRemoval } = room.settings;
    const waiting = room.waitingParticipants;
    return html`<div part="host-controls" class="switches">
        ${this.#switch(this.text.lockMeeting, locked, () => room.updateMeeting({ locked: !locked }))}
        ${this.#switch(this.text.waitingRoom, waitingRoom, () => room.updateMeeting({ waitingRoom: !waitingRoom }))}
        ${waitingRoomAfterRemoval
          ? html`<p part="waiting-room-notice" class="notice" role="status">${this.text.waitingRoomAfterRemoval}</p>`
          : nothing}
      </div>
      ${waiting.length
        ? html`<ul part="waiting" aria-label=${this.text.waitingToJoin}>
            ${waiting.map(
              ({ id, name }) => html`<li>
                <span class="name">${name}</span>
                <span part="actions" class="actions">
                  ${this.#action(this.text.admit, name, () => room.admit(id))}
                  ${this.#action(this.text.deny, name, () => room.deny(id))}
                </span>
              </li>`,
            )}
          </ul>`
        : nothing}`;
  }

  /** The raised hands, first raised first; hosts lower any, everyone their own. */
  #renderHands(room: ListedRoom, host: boolean) {
    const local = room.localParticipant;
    const raised = room.raisedHands.flatMap<Participant>((id) => (id === local.id ? local : (room.participants.get(id) ?? [])));
    if (raised.length === 0) return nothing;
    return html`<section part="hands" class="hands" aria-labelledby="hands-heading">
      <div class="hands-heading">
        <h3 id="hands-heading">${this.text.raisedHands} (${raised.length})</h3>
        ${host ? html`<button part="lower-all" @click=${() => this.#run(() => room.lowerAllHands())}>${this.text.lowerAllHands}</button>` : nothing}
      </div>
      <ol part="hand-list">
        ${repeat(
          raised,
          (participant) => participant.id,
          (participant, index) => html`<li part="hand" data-participant-id=${participant.id}>
            <span part="hand-place" class="place" aria-hidden="true">✋ ${index + 1}</span>
            <span class="name">${participant.isLocal ? this.text.youSuffix(participant.name) : participant.name}</span>
            ${host || participant.isLocal
              ? this.#action(this.text.lowerHand, participant.name, () => room.lowerHand(participant.id))
              : nothing}
          </li>`,
        )}
      </ol>
    </section>`;
  }

  #renderParticipant(participant: Participant, host: boolean) {
    const name = participant.isLocal ? this.text.youSuffix(participant.name) : participant.name;
    const room = this.room!;
    return html`<li part="participant" data-participant-id=${participant.id}>
      <span part="name" class="name">${name}</span>
      ${participant.isHost ? html`<span part="host-badge" class="badge">${this.text.host}</span>` : nothing}
      ${room.recording.recorders.includes(participant.id)
        ? html`<span part="recording-badge" class="badge">${this.text.recording}</span>`
        : nothing}
      ${deviceState('microphone', participant.audioEnabled, participant.audioEnabled ? this.text.microphoneOn : this.text.microphoneOff)}
      ${deviceState('camera', participant.videoEnabled, participant.videoEnabled ? this.text.cameraOn : this.text.cameraOff)}
      ${host && !participant.isLocal
        ? html`<span part="actions" class="actions">
            ${participant.audioEnabled
              ? this.#action(this.text.askToMute, participant.name, () => room.muteParticipant(participant.id))
              : nothing}
            ${participant.isHost
              ? nothing
              : this.#action(this.text.makeHost, participant.name, () => room.transferHost(participant.id))}
            ${participant.isHost ? nothing : this.#allowRecording(participant, room.recording.allowed.includes(participant.id))}
            ${this.#action(this.text.remove, participant.name, () => this.#remove(participant))}
          </span>`
        : nothing}
    </li>`;
  }

  #allowRecording(participant: Participant, allowed: boolean) {
    const label = allowed ? this.text.disallowRecording : this.text.allowRecording;
    return this.#action(label, participant.name, () => this.room!.allowRecording(participant.id, !allowed));
  }

  /** Removes someone once the host confirmed it (the dialog is a chunk fetched on first use). */
  async #remove(participant: Participant): Promise<void> {
    const { confirmAction } = await import('../confirm-dialog/confirm-dialog.js');
    const confirmed = await confirmAction(this, {
      heading: this.text.confirmRemoveTitle(participant.name),
      message: this.text.confirmRemoveText,
      confirmLabel: this.text.remove,
    });
    if (confirmed) await this.room?.removeParticipant(participant.id);
  }

  #switch(label: string, on: boolean, toggle: () => Promise<unknown>) {
    return html`<label class="switch"
      ><input type="checkbox" role="switch" .checked=${on} @change=${() => this.#run(toggle)} />${label}</label
    >`;
  }

  /** A short visible label; screen readers also hear whom it acts on. */
  #action(label: string, name: string, act: () => Promise<unknown>) {
    return html`<button part="action" @click=${() => this.#run(act)}>
      ${label}<span class="visually-hidden"> ${name}</span>
    </button>`;
  }

  #run(action: () => Promise<unknown>): void {
    action().then(
      () => this.requestUpdate(),
      (error: unknown) => {
        dispatchParleyEvent(this, 'parley-error', errorDetail(error));
        this.requestUpdate();
      },
    );
  }
}

/** A microphone or camera icon, red when off, labelled for screen readers. */
function deviceState(kind: 'microphone' | 'camera', on: boolean, label: string) {
  const name = kind === 'microphone' ? (on ? 'mic' : 'micOff') : on ? 'videocam' : 'videocamOff';
  return html`<span part=${kind} class="state" ?data-off=${!on} role="img" aria-label=${label}>${icon(name)}</span>`;
}
