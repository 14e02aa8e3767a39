import { html, nothing, type PropertyDeclarations } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Participant, Room, RoomEventMap } from '@parley/sdk';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { icon } from '../../icons.js';
import { ParleyElement } from '../../parley-element.js';
import { tokens } from '../../styles/tokens.js';
import { participantListStyles } from './participant-list.styles.js';

/**
 * Everyone in the meeting as a list: you first, then others in the order they joined, each with their
 * [HOST] badge and whether their microphone and camera are on. Usable on its own with any SDK `Room`.
 *
 * @csspart list - The `<ul>`.
 * @csspart participant - Each `<li>`.
 * @csspart name - A participant's name.
 * @csspart host-badge - The [HOST] badge.
 * @csspart microphone - The microphone state icon.
 * @csspart camera - The camera state icon.
 *
 * @cssprop --parley-accent - Badge colour.
 * @cssprop --parley-danger - Colour of devices that are off.
 *
 * @tag participant-list
 */
export class ParticipantList extends ParleyElement {
  static override styles = [tokens, participantListStyles];

  static override properties: PropertyDeclarations = {
    room: { attribute: false },
  };

  /** The room whose participants to list. */
  room: Room | null = null;

  constructor() {
    super();
    new EmitterController<RoomEventMap>(this, () => this.room, [
      'joined',
      'participant-joined',
      'participant-left',
      'media-changed',
    ]);
  }

  protected override render() {
    const room = this.room;
    const participants = room ? [room.localParticipant, ...room.participants.values()] : [];
    return html`<ul part="list" aria-label=${this.text.participantCount(participants.length)}>
      ${repeat(
        participants,
        (participant) => participant.id,
        (participant) => this.#renderParticipant(participant),
      )}
    </ul>`;
  }

  #renderParticipant(participant: Participant) {
    const name = participant.isLocal ? this.text.youSuffix(participant.name) : participant.name;
    return html`<li part="participant" data-participant-id=${participant.id}>
      <span part="name" class="name">${name}</span>
      ${participant.isHost ? html`<span part="host-badge" class="badge">${this.text.host}</span>` : nothing}
      ${deviceState('microphone', participant.audioEnabled, participant.audioEnabled ? this.text.microphoneOn : this.text.microphoneOff)}
      ${deviceState('camera', participant.videoEnabled, participant.videoEnabled ? this.text.cameraOn : this.text.cameraOff)}
    </li>`;
  }
}

/** A microphone or camera icon, red when off, labelled for screen readers. */
function deviceState(kind: 'microphone' | 'camera', on: boolean, label: string) {
  const name = kind === 'microphone' ? (on ? 'mic' : 'micOff') : on ? 'videocam' : 'videocamOff';
  return html`<span part=${kind} class="state" ?data-off=${!on} role="img" aria-label=${label}>${icon(name)}</span>`;
}
