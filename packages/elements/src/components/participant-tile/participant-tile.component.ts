import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { RemoteParticipant, type ConnectionQuality, type Participant, type ParticipantEventMap, type Reaction } from '@parley/sdk';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { dispatchParleyEvent } from '../../events.js';
import { icon } from '../../icons.js';
import { ParleyElement } from '../../parley-element.js';
import { ignore } from '../../outcomes.js';
import { tokens } from '../../styles/tokens.js';
import { participantTileStyles } from './participant-tile.styles.js';

/**
 * One participant: their video (or initials while the camera is off), name, [HOST] badge, a muted-microphone
 * indicator, and while their hand is up a badge with its place in the queue ("✋ 2", `hand`). Plays the participant's audio too, unless it is you. A camera tile has a pin button (shown on hover and
 * focus, always on touch screens) that asks `<participant-grid>` to put the participant on the stage; hide it with
 * `::part(pin) { display: none }` where nothing handles `parley-pin-toggle`.
 *
 * @fires parley-pin-toggle - The pin button was pressed: `detail.participantId` is the participant to pin, or
 *   `null` to unpin (the tile was `pinned`). Bubbles out of shadow roots.
 *
 * @csspart video - The `<video>` element: always muted, paused while off screen or while the page is hidden.
 * @csspart placeholder - What shows while the camera is off.
 * @csspart avatar - The initials inside the placeholder.
 * @csspart label - The bar with name, badge and microphone state.
 * @csspart name - The participant's name.
 * @csspart host-badge - The [HOST] badge.
 * @csspart mic-off - The muted-microphone icon.
 * @csspart quality - Connection-quality bars (remote participants, once measured).
 * @csspart overlay - "Connecting…" / "Reconnecting…" over a tile whose media is not flowing.
 * @csspart pin - The pin toggle button (`aria-pressed` while `pinned`).
 * @csspart hand - The raised-hand badge with the hand's place in the queue (while `hand` is set).
 * @csspart unlock-sound - The button that appears when the browser blocked the participant's sound.
 * @csspart reactions - The participant's reactions, stacked over the tile's corner (camera tiles), each for 3 s.
 * @csspart reaction - One reaction: its emoji in a bubble. Hidden from screen readers: `<meeting-room>` announces it.
 *
 * @cssprop --parley-surface - Tile background behind the placeholder.
 * @cssprop --parley-accent - Avatar and badge colour, the speaking and active-speaker rings, a pressed pin.
 * @cssprop --parley-danger - Muted-microphone icon colour.
 * @cssprop --parley-radius - Corner radius.
 * @cssprop --parley-hand - Border of the raised-hand badge.
 * @cssprop --parley-reaction-size - Size of a reaction's emoji (default 32px).
 * @cssprop --parley-reaction-background - Bubble behind a reaction (default translucent black).
 *
 * @tag participant-tile
 */
export class ParticipantTile extends ParleyElement {
  /** Shadow styles: the shared design tokens, then this element's own. Theme with `--parley-*` properties and `::part()`. */
  static override styles = [tokens, participantTileStyles];

  static override properties: PropertyDeclarations = {
    participant: { attribute: false },
    source: { reflect: true },
    sinkId: { attribute: false },
    local: { type: Boolean, reflect: true },
    audioMuted: { type: Boolean, reflect: true, attribute: 'audio-muted' },
    cameraOff: { type: Boolean, reflect: true, attribute: 'camera-off' },
    speaking: { type: Boolean, reflect: true },
    activeSpeaker: { type: Boolean, reflect: true, attribute: 'active-speaker' },
    pinned: { type: Boolean, reflect: true },
    hand: { type: Number },
    interrupted: { type: Boolean, reflect: true },
    soundBlocked: { state: true },
  };

  /** The participant to show, from `room.localParticipant` or `room.participants`. */
  participant: Participant | null = null;

  /** What the tile shows: the participant's camera (and sound), or the screen they share. */
  source: 'camera' | 'screen' = 'camera';

  /** Speaker (audio output device id) to play the participant's sound on, where the browser allows choosing. */
  sinkId = '';

  /** Reflects whether this tile shows you (the video is mirrored and never plays your own audio). */
  local = false;

  /** Reflects the participant's microphone state, for styling. */
  audioMuted = false;

  /** Reflects whether the participant's camera is off, for styling. */
  cameraOff = false;

  /** Reflects whether the participant is speaking (debounced by the SDK), for styling: a thin ring. */
  speaking = false;

  /** The room's active speaker (`room.activeSpeaker`, set by `<participant-grid>`): a thick ring. */
  activeSpeaker = false;

  /** Whether the participant is pinned to the stage (set by `<participant-grid>`): the pin button shows pressed. */
  pinned = false;

  /** The participant's place in the queue of raised hands (set by `<participant-grid>`), 1 first; 0 while their hand is down. */
  hand = 0;

  /** Reflects that media from this participant is not flowing: connecting at first, reconnecting later. */
  interrupted = false;

  /** Set when the browser blocked playing this tile's sound until the user interacts. */
  private soundBlocked = false;

  private get video(): HTMLVideoElement {
    return this.renderRoot?.querySelector('video') as HTMLVideoElement;
  }
  private get audio(): HTMLAudioElement | null {
    return this.renderRoot?.querySelector('audio') as HTMLAudioElement | null;
  }

  /** Whether any of the tile is in the viewport; off-screen video is paused (its sound never is). */
  #onScreen = true;
  #visibility: IntersectionObserver | null = null;

  /** Tells "connecting" (never had media) from "reconnecting" (had it, lost it). */
  #everConnected = false;

  // The frozen-picture watchdog: frames the video presented (counted by requestVideoFrameCallback, the only per-frame
  // work), and what the previous check saw.
  #presented = 0;
  #counting = false;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #lastPresented = 0;
  #lastDecoded: number | null = null;
  #frozenChecks = 0;
  /** Repairs since the picture last showed: each waits twice as many frozen checks as the one before. */
  #repairs = 0;

  /** The reactions shown now, oldest first; keyed, as the same emoji may show twice. */
  #reactions: { emoji: Reaction; key: number }[] = [];
  #reactionKeys = 0;

  constructor() {
    super();
    new EmitterController<ParticipantEventMap>(this, () => this.participant, [
      'media-changed',
      'stream-changed',
      'screen-share-changed',
      'speaking-changed',
      'connection-state-changed',
      'connection-quality-changed',
    ]);
    new EmitterController<ParticipantEventMap>(this, () => this.participant, ['reaction'], (emoji?: Reaction) => emoji && this.#showReaction(emoji));
  }

  protected override willUpdate(): void {
    const participant = this.participant;
    this.local = participant?.isLocal ?? false;
    this.audioMuted = !(participant?.audioEnabled ?? false);
    this.cameraOff =
      this.source === 'camera' &&
      (!(participant?.videoEnabled ?? false) || !participant?.stream?.getVideoTracks().length);
    this.speaking = this.source === 'camera' && (participant?.isSpeaking ?? false);
    const state = participant instanceof RemoteParticipant ? participant.connectionState : 'connected';
    if (state === 'connected') this.#everConnected = true;
    this.interrupted = state !== 'connected' && state !== 'closed';
    if (participant) this.dataset.participantId = participant.id;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#visibility = new IntersectionObserver(([entry]) => {
      this.#onScreen = entry?.isIntersecting ?? true;
      this.#updateVideoPlayback();
    });
    this.#visibility.observe(this);
    document.addEventListener('visibilitychange', this.#updateVideoPlayback);
    this.#watchdog = setInterval(this.#checkFrozen, FROZEN_CHECK_MS);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const stream = (this.source === 'screen' ? this.participant?.screenStream : this.participant?.stream) ?? null;
    if (this.video.srcObject !== stream) {
      this.video.srcObject = stream;
      this.#updateVideoPlayback();
    }
    if (!this.#counting && 'requestVideoFrameCallback' in this.video) {
      this.#counting = true;
      this.#countFrame();
    }
    const audio = this.audio;
    if (audio && audio.srcObject !== stream) {
      audio.srcObject = stream;
      if (stream) this.#playAudio();
    }
    if (audio && (changed.has('sinkId') || changed.has('participant')) && this.sinkId && 'setSinkId' in audio) {
      // A speaker that went away leaves the default one playing: nothing to recover.
      audio.setSinkId(this.sinkId).catch(ignore);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#visibility?.disconnect();
    this.#visibility = null;
    document.removeEventListener('visibilitychange', this.#updateVideoPlayback);
    clearInterval(this.#watchdog);
    // Release the stream with the tile: detached media elements must not keep decoding or playing.
    if (this.video) this.video.srcObject = null;
    if (this.audio) this.audio.srcObject = null;
  }

  protected override render() {
    const participant = this.participant;
    if (!participant) return nothing;
    const person = participant.isLocal ? `${participant.name || this.text.you} (${this.text.you})` : participant.name;
    const name = this.source === 'screen' ? `${person} · ${this.text.screen}` : person;
    // Sound plays from its own element, so pausing an off-screen picture never silences anyone. Your own sound
    // never plays back to you; a screen has none of its own.
    const audible = !this.local && this.source === 'camera';
    return html`
      <video part="video" playsinline muted ?hidden=${this.cameraOff}></video>
      ${audible ? html`<audio></audio>` : nothing}
      ${this.cameraOff
        ? html`<div part="placeholder" class="placeholder">
            <span part="avatar" class="avatar" aria-hidden="true">${initials(participant.name)}</span>
          </div>`
        : nothing}
      ${this.source === 'camera'
        ? html`<button part="pin" class="pin" aria-pressed=${this.pinned} aria-label=${this.text.pin(person)} @click=${this.#togglePin}>
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="currentColor"><path d="m16 12 2 2v2h-5v6l-1 1-1-1v-6H6v-2l2-2V5H7V3h10v2h-1z" /></svg>
          </button>`
        : nothing}
      ${this.hand > 0 && this.source === 'camera'
        ? html`<span part="hand" class="hand" role="img" aria-label=${this.text.handPlace(this.hand)}>✋ ${this.hand}</span>`
        : nothing}
      <div part="label" class="label">
        <span part="name" class="name">${name}</span>
        ${participant.isHost ? html`<span part="host-badge" class="host-badge">${this.text.host}</span>` : nothing}
        ${participant instanceof RemoteParticipant && participant.connectionQuality > 0 && this.source === 'camera'
          ? qualityBars(participant.connectionQuality, this.text.connectionQuality[participant.connectionQuality]!)
          : nothing}
        ${this.audioMuted && this.source === 'camera'
          ? html`<span part="mic-off" class="mic-off" role="img" aria-label=${this.text.microphoneOff}
              >${icon('micOff')}</span
            >`
          : nothing}
      </div>
      ${this.interrupted
        ? html`<div part="overlay" class="overlay" role="status">
            ${this.#everConnected ? this.text.reconnecting : this.text.connecting}
          </div>`
        : nothing}
      ${this.soundBlocked
        ? html`<button class="unlock-sound" part="unlock-sound" @click=${this.#unlockSound}>
            ${this.text.enableSound}
          </button>`
        : nothing}
      ${this.#reactions.length > 0
        ? html`<div part="reactions" class="reactions" aria-hidden="true">
            ${repeat(this.#reactions, (reaction) => reaction.key, ({ emoji }) => html`<span part="reaction" class="reaction">${emoji}</span>`)}
          </div>`
        : nothing}
    `;
  }

  /** Shows a reaction for {@link REACTION_SHOWN_MS}; past {@link MAX_REACTIONS_SHOWN}, the oldest goes early. */
  #showReaction(emoji: Reaction): void {
    if (this.source !== 'camera') return;
    const reaction = { emoji, key: this.#reactionKeys++ };
    this.#reactions = [...this.#reactions, reaction].slice(-MAX_REACTIONS_SHOWN);
    this.requestUpdate();
    setTimeout(() => {
      this.#reactions = this.#reactions.filter((shown) => shown !== reaction);
      this.requestUpdate();
    }, REACTION_SHOWN_MS);
  }

  /** Plays the picture while the tile is on screen and the page visible; pauses it otherwise. */
  #updateVideoPlayback = (): void => {
    const video = this.video;
    if (!video?.srcObject) return;
    // The picture is muted, so autoplay allows it: play() rejects only when a pause or a new source interrupts it,
    // and the newer call wins.
    if (this.#onScreen && !document.hidden) video.play().catch(ignore);
    else video.pause();
  };

  #countFrame = (): void => {
    this.#presented++;
    this.video.requestVideoFrameCallback(this.#countFrame);
  };

  /**
   * A picture can freeze inside the browser: frames keep being decoded, yet none is presented (seen after both sides
   * restarted ICE at once). While the camera is on and the video plays, such a stall asks the SDK to repair it,
   * backing off while it lasts.
   */
  #checkFrozen = async (): Promise<void> => {
    const { participant, video } = this;
    const presented = this.#presented;
    const remote =
      participant instanceof RemoteParticipant && this.source === 'camera' && !this.cameraOff && video?.paused === false ? participant : null;
    const decoded = remote && (await remote.framesDecoded());
    const frozen = decoded !== null && this.#lastDecoded !== null && decoded > this.#lastDecoded && presented === this.#lastPresented;
    if (presented > this.#lastPresented) this.#repairs = 0;
    this.#lastDecoded = decoded;
    this.#lastPresented = presented;
    this.#frozenChecks = frozen ? this.#frozenChecks + 1 : 0;
    if (!remote || !frozen || this.#frozenChecks < 2 ** this.#repairs) return;
    this.#frozenChecks = 0;
    this.#repairs = Math.min(this.#repairs + 1, MAX_REPAIR_BACKOFF);
    console.warn(`[parley] video from ${remote.id} is decoded but not shown: repairing the connection`);
    remote.repairVideo();
  };

  #playAudio(): void {
    this.audio?.play().then(
      () => (this.soundBlocked = false),
      (error: unknown) => {
        // Autoplay policy: sound needs a user gesture first. Offer one.
        if (error instanceof DOMException && error.name === 'NotAllowedError') this.soundBlocked = true;
      },
    );
  }

  #unlockSound = (): void => {
    this.#playAudio();
  };

  #togglePin = (): void => {
    dispatchParleyEvent(this, 'parley-pin-toggle', { participantId: this.pinned ? null : this.participant!.id });
  };
}

/** How long a reaction shows over its sender's tile: its animation in the styles lasts as long. */
const REACTION_SHOWN_MS = 3000;
/** Reactions shown at once over one tile: a burst stacks up to this, never floods the picture. */
const MAX_REACTIONS_SHOWN = 3;

/** How often the watchdog compares frames decoded with frames presented. */
const FROZEN_CHECK_MS = 2500;
/** Repairs of a picture that stays frozen back off up to 2⁵ checks (80 s) apart. */
const MAX_REPAIR_BACKOFF = 5;

/** Three bars, lit by the 1–5 score: 1–2 one bar, 3 two, 4–5 three. */
function qualityBars(quality: ConnectionQuality, label: string) {
  const lit = quality >= 4 ? 3 : quality >= 3 ? 2 : 1;
  return html`<span part="quality" class="quality" data-level=${lit} role="img" aria-label=${label}>
    ${[1, 2, 3].map((bar) => html`<span class="bar" ?data-lit=${bar <= lit}></span>`)}
  </span>`;
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words.at(-1)!] : words.slice(0, 1);
  return letters.map((word) => [...word][0]!.toUpperCase()).join('') || '?';
}
