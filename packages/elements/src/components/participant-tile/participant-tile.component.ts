import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { Participant, ParticipantEventMap } from '@parley/sdk';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { icon } from '../../icons.js';
import { strings } from '../../strings.js';
import { tokens } from '../../styles/tokens.js';
import { participantTileStyles } from './participant-tile.styles.js';

/**
 * One participant: their video (or initials while the camera is off), name, [HOST] badge and a muted-microphone
 * indicator. Plays the participant's audio too, unless it is you.
 *
 * @csspart video - The `<video>` element.
 * @csspart placeholder - What shows while the camera is off.
 * @csspart avatar - The initials inside the placeholder.
 * @csspart label - The bar with name, badge and microphone state.
 * @csspart name - The participant's name.
 * @csspart host-badge - The [HOST] badge.
 * @csspart mic-off - The muted-microphone icon.
 *
 * @cssprop --parley-surface - Tile background behind the placeholder.
 * @cssprop --parley-accent - Avatar and badge colour.
 * @cssprop --parley-danger - Muted-microphone icon colour.
 * @cssprop --parley-radius - Corner radius.
 *
 * @tag participant-tile
 */
export class ParticipantTile extends LitElement {
  static override styles = [tokens, participantTileStyles];

  /** The participant to show, from `room.localParticipant` or `room.participants`. */
  @property({ attribute: false }) participant: Participant | null = null;

  /** What the tile shows: the participant's camera (and sound), or the screen they share. */
  @property({ reflect: true }) source: 'camera' | 'screen' = 'camera';

  /** Speaker (audio output device id) to play the participant's sound on, where the browser allows choosing. */
  @property({ attribute: false }) sinkId = '';

  /** Reflects whether this tile shows you (the video is mirrored and never plays your own audio). */
  @property({ type: Boolean, reflect: true }) local = false;

  /** Reflects the participant's microphone state, for styling. */
  @property({ type: Boolean, reflect: true, attribute: 'audio-muted' }) audioMuted = false;

  /** Reflects whether the participant's camera is off, for styling. */
  @property({ type: Boolean, reflect: true, attribute: 'camera-off' }) cameraOff = false;

  /** Set when the browser blocked playing this tile's sound until the user interacts. */
  @state() private soundBlocked = false;

  @query('video') private video!: HTMLVideoElement;

  constructor() {
    super();
    new EmitterController<ParticipantEventMap>(this, () => this.participant, [
      'media-changed',
      'stream-changed',
      'screen-share-changed',
    ]);
  }

  protected override willUpdate(): void {
    const participant = this.participant;
    this.local = participant?.isLocal ?? false;
    this.audioMuted = !(participant?.audioEnabled ?? false);
    this.cameraOff =
      this.source === 'camera' &&
      (!(participant?.videoEnabled ?? false) || !participant?.stream?.getVideoTracks().length);
    if (participant) this.dataset.participantId = participant.id;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const stream = (this.source === 'screen' ? this.participant?.screenStream : this.participant?.stream) ?? null;
    if (this.video.srcObject !== stream) {
      this.video.srcObject = stream;
      if (stream) this.#play();
    }
    if (changed.has('sinkId') && this.sinkId && 'setSinkId' in this.video) {
      // A speaker that went away leaves the default one playing: nothing to recover.
      this.video.setSinkId(this.sinkId).catch(() => undefined);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Release the stream with the tile: a detached <video> must not keep decoding.
    if (this.video) this.video.srcObject = null;
  }

  protected override render() {
    const participant = this.participant;
    if (!participant) return nothing;
    const person = participant.isLocal ? `${participant.name || strings.you} (${strings.you})` : participant.name;
    const name = this.source === 'screen' ? `${person} · ${strings.screen}` : person;
    // Your own sound never plays back to you; a screen has none of its own.
    const silent = this.local || this.source === 'screen';
    return html`
      <video part="video" playsinline autoplay .muted=${silent} ?hidden=${this.cameraOff}></video>
      ${this.cameraOff
        ? html`<div part="placeholder" class="placeholder">
            <span part="avatar" class="avatar" aria-hidden="true">${initials(participant.name)}</span>
          </div>`
        : nothing}
      <div part="label" class="label">
        <span part="name" class="name">${name}</span>
        ${participant.isHost ? html`<span part="host-badge" class="host-badge">${strings.host}</span>` : nothing}
        ${this.audioMuted && this.source === 'camera'
          ? html`<span part="mic-off" class="mic-off" role="img" aria-label=${strings.microphoneOff}
              >${icon('micOff')}</span
            >`
          : nothing}
      </div>
      ${this.soundBlocked
        ? html`<button class="unlock-sound" part="unlock-sound" @click=${this.#unlockSound}>
            ${strings.enableSound}
          </button>`
        : nothing}
    `;
  }

  #play(): void {
    this.video.play().catch((error: unknown) => {
      // Autoplay policy: without a user gesture only muted media may play. Play muted, offer to unmute.
      if (!(error instanceof DOMException) || error.name !== 'NotAllowedError' || this.video.muted) return;
      this.video.muted = true;
      this.soundBlocked = true;
      this.video.play().catch(() => undefined);
    });
  }

  #unlockSound = (): void => {
    this.video.muted = this.local || this.source === 'screen';
    this.soundBlocked = false;
    this.#play();
  };
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words.at(-1)!] : words.slice(0, 1);
  return letters.map((word) => [...word][0]!.toUpperCase()).join('') || '?';
}
