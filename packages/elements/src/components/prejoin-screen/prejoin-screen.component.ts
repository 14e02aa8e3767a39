import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { createPreview, ErrorCode, type LocalParticipant, type VideoEffect } from '@parley/sdk';
import type { BackgroundChoice } from '../../background/background-choice.js';
import { DeviceListController } from '../../controllers/device-list-controller.js';
import { MicLevelController } from '../../controllers/mic-level-controller.js';
import { dispatchParleyEvent, type ParleyEventDetailMap } from '../../events.js';
import { icon } from '../../icons.js';
import { ignore } from '../../outcomes.js';
import { ParleyElement } from '../../parley-element.js';
import { formStyles } from '../../styles/form.js';
import { tokens } from '../../styles/tokens.js';
import { backgroundSelect } from '../../templates/background-select.js';
import { deviceSelect, showSelectedDevices } from '../../templates/device-select.js';
import { prejoinScreenStyles } from './prejoin-screen.styles.js';
import { rememberedName, rememberName } from './remembered-name.js';

const NAME_MAX_LENGTH = 64;

type Kind = 'audio' | 'video';
type Status = 'starting' | 'ready' | 'permission-denied' | 'no-device' | 'device-busy' | 'failed';

/**
 * The "ready to join?" screen: a camera preview, a microphone level meter, device choice, camera and microphone
 * toggles and your name. It captures camera and microphone when connected and, on Join, hands that stream to
 * whoever joins the meeting (e.g. `room.join({ ...event.detail })`), so nothing is captured twice.
 *
 * If it leaves the page without being submitted it releases camera and microphone; after a submit the stream
 * belongs to the receiver and is left running.
 *
 * @fires parley-prejoin-submit - Join was chosen. `detail`: `name`, `stream` (the previewed `MediaStream`; empty when
 *   joining without devices), `audio` and `video` (whether each starts on), `audioOutputDeviceId` ('' = default).
 *
 * @fires parley-background-select - A background was chosen in its `<select>`. `detail`: `background`.
 *   `<meeting-room>` applies it (`setVideoEffect()`).
 * @csspart form - The `<form>` around everything.
 * @csspart heading - The "Ready to join?" heading.
 * @csspart meeting-code - The line naming the meeting code.
 * @csspart recorded - "This meeting is being recorded", with `recorded` set.
 * @csspart preview - The mirrored camera `<video>`.
 * @csspart meter - The microphone level meter (`role="meter"`).
 * @csspart camera-toggle - The camera on/off button (`aria-pressed`).
 * @csspart microphone-toggle - The microphone on/off button (`aria-pressed`).
 * @csspart camera-select - The camera `<select>`.
 * @csspart microphone-select - The microphone `<select>`.
 * @csspart speaker-select - The speaker `<select>` (only where the browser can choose speakers).
 * @csspart background-select - The background `<select>` (none, light or strong blur), when `background` is set.
 * @csspart name - The name `<input>`.
 * @csspart join - The Join button.
 * @csspart error - The alert showing `error`.
 * @csspart permission-help - What shows instead of the preview when capture failed, with Try again.
 * @csspart retry - The Try again button.
 * @csspart join-without-devices - The "Join without camera and microphone" button.
 *
 * @cssprop --parley-background - Background.
 * @cssprop --parley-surface - Preview and field background.
 * @cssprop --parley-text - Text colour.
 * @cssprop --parley-muted-text - Labels and hints.
 * @cssprop --parley-accent - Join button, meter and focus rings.
 * @cssprop --parley-danger - Devices that are off, and errors.
 * @cssprop --parley-radius - Preview corner radius.
 * @cssprop --parley-font - Font family.
 *
 * @tag prejoin-screen
 */
export class PrejoinScreen extends ParleyElement {
  /** Shadow styles: the shared design tokens, then this element's own. Theme with `--parley-*` properties and `::part()`. */
  static override styles = [tokens, formStyles, prejoinScreenStyles];

  static override properties: PropertyDeclarations = {
    name: {},
    meetingCode: { attribute: 'meeting-code' },
    busy: { type: Boolean, reflect: true },
    recorded: { type: Boolean },
    error: {},
    background: { attribute: false },
    status: { state: true },
    audioEnabled: { state: true },
    videoEnabled: { state: true },
    hasAudio: { state: true },
    hasVideo: { state: true },
    speakerId: { state: true },
    switchError: { state: true },
  };

  /** Your display name. Default: the name submitted last time on this site, if any. */
  name = rememberedName();

  /** The meeting code, shown under the heading. */
  meetingCode = '';

  /** Disables the form, e.g. while the page joins with the submitted stream. */
  busy = false;

  /** The meeting is being recorded: said before anyone joins it. */
  recorded = false;

  /** A message to show in an alert, e.g. why joining failed. */
  error = '';

  /**
   * The background in use, for its `<select>` (`parley-background-select` when one is chosen); `null` shows none.
   * `<meeting-room>` sets it and applies the effect with `setVideoEffect()`.
   */
  background: BackgroundChoice | null = null;

  private status: Status = 'starting';
  private audioEnabled = true;
  private videoEnabled = true;
  private hasAudio = false;
  private hasVideo = false;
  private speakerId = '';
  private switchError = '';

  private get video(): HTMLVideoElement | null {
    return this.renderRoot?.querySelector('video') as HTMLVideoElement | null;
  }
  private get meter(): HTMLElement | null {
    return this.renderRoot?.querySelector('[part~="meter"]') as HTMLElement | null;
  }
  private get nameInput(): HTMLInputElement | null {
    return this.renderRoot?.querySelector('[part~="name"]') as HTMLInputElement | null;
  }

  /** Captures and switches devices the way a meeting does; `#stream` is what it captured. */
  #preview: LocalParticipant | null = null;
  #videoEffect: VideoEffect | null = null;
  #stream: MediaStream | null = null;
  /** Set once the stream was submitted: it then belongs to the receiver and is never stopped here. */
  #handedOver = false;
  /** Bumped by every capture and release, so a capture that resolves late knows it is stale. */
  #generation = 0;
  readonly #devices = new DeviceListController(this);
  readonly #meter = new MicLevelController(this, () => this.meter);

  readonly #supportsSpeakers = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

  /** The previewed stream; `null` while starting or after capture failed. */
  get stream(): MediaStream | null {
    return this.#stream;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.#stream && this.#live(this.#stream)) this.#meter.listen(this.#track('audio'));
    else if (!this.#handedOver) void this.#capture();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A moved element is reconnected in the same task; only one that stays out of the page lets go of the devices.
    queueMicrotask(() => {
      if (!this.isConnected) this.#release();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The speaker chosen went away: back to the default one.
    if (this.speakerId && !this.#devices.devices.speakers.some((device) => device.deviceId === this.speakerId)) this.speakerId = '';
    // A failed join (the page clears `busy` or sets `error`) may have stopped the handed-over tracks: start again.
    if ((changed.has('busy') || changed.has('error')) && !this.busy && this.#handedOver && this.#stream) {
      if (!this.#live(this.#stream)) {
        this.#handedOver = false;
        this.#stream = null;
        if (this.isConnected) void this.#capture();
      }
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const input = this.nameInput;
    if (input) input.setCustomValidity(this.name.trim() ? '' : this.text.enterYourName);
    // Also after a failed switch: the selects show the devices actually in use.
    showSelectedDevices(this.renderRoot);
    const video = this.video;
    if (video && video.srcObject !== this.#stream) {
      video.srcObject = this.#stream;
      // Muted, so no autoplay policy refuses it: it rejects only when a newer stream interrupts it, which `autoplay`
      // then plays.
      if (this.#stream) video.play().catch(ignore);
    }
  }

  protected override render() {
    const failed = this.status !== 'starting' && this.status !== 'ready';
    return html`<form part="form" aria-busy=${this.busy ? 'true' : 'false'} @submit=${this.#onSubmit} novalidate>
      <div class="intro">
        <h2 part="heading">${this.text.prejoinHeading}</h2>
        ${this.meetingCode
          ? html`<p part="meeting-code" class="code">${this.text.meetingCodeLine(this.meetingCode)}</p>`
          : nothing}
        ${this.recorded ? html`<p part="recorded" class="recorded" role="status">● ${this.text.meetingIsRecorded}</p>` : nothing}
      </div>
      <fieldset ?disabled=${this.busy}>
        ${failed ? this.#renderHelp() : this.#renderPreview()}
        <div class="fields">
          ${failed ? nothing : this.#renderDevices()}
          <label class="field"
            >${this.text.yourName}
            <input
              part="name"
              name="name"
              autocomplete="name"
              required
              maxlength=${NAME_MAX_LENGTH}
              .value=${this.name}
              @input=${this.#onNameInput}
          /></label>
          ${this.error ? html`<p part="error" class="error" role="alert">${this.error}</p>` : nothing}
          ${failed
            ? html`<button part="join-without-devices" class="primary" type="submit" data-without-devices>
                ${this.busy ? this.text.joining : this.text.joinWithoutDevices}
              </button>`
            : html`<button part="join" class="primary" type="submit" ?disabled=${this.status === 'starting'}>
                ${this.busy ? this.text.joining : this.text.join}
              </button>`}
        </div>
      </fieldset>
    </form>`;
  }

  #renderPreview() {
    return html`<div class="stage">
      <video
        part="preview"
        aria-label=${this.text.cameraPreview}
        playsinline
        autoplay
        muted
        ?hidden=${!this.hasVideo || !this.videoEnabled}
      ></video>
      ${this.status === 'starting'
        ? html`<p class="stage-note" role="status">${this.text.startingDevices}</p>`
        : !this.hasVideo || !this.videoEnabled
          ? html`<p class="stage-note">${this.text.cameraIsOff}</p>`
          : nothing}
      <div class="stage-controls">
        <button
          part="microphone-toggle"
          class="toggle"
          type="button"
          aria-label=${this.text.microphone}
          aria-pressed=${this.hasAudio && this.audioEnabled ? 'true' : 'false'}
          ?disabled=${!this.hasAudio}
          @click=${() => this.#toggle('audio')}
        >
          ${icon(this.hasAudio && this.audioEnabled ? 'mic' : 'micOff')}
        </button>
        <button
          part="camera-toggle"
          class="toggle"
          type="button"
          aria-label=${this.text.camera}
          aria-pressed=${this.hasVideo && this.videoEnabled ? 'true' : 'false'}
          ?disabled=${!this.hasVideo}
          @click=${() => this.#toggle('video')}
        >
          ${icon(this.hasVideo && this.videoEnabled ? 'videocam' : 'videocamOff')}
        </button>
      </div>
      <div
        part="meter"
        class="meter"
        role="meter"
        aria-label=${this.text.microphoneLevel}
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow="0"
        ?hidden=${!this.hasAudio}
      >
        <span class="meter-fill"></span>
      </div>
    </div>`;
  }

  #renderHelp() {
    const [title, text] =
      this.status === 'permission-denied'
        ? [this.text.permissionDeniedTitle, this.text.permissionDeniedText]
        : this.status === 'no-device'
          ? [this.text.noDeviceTitle, this.text.noDeviceText]
          : this.status === 'device-busy'
            ? [this.text.deviceBusyTitle, this.text.deviceBusyText]
            : [this.text.deviceFailedTitle, this.text.deviceFailedText];
    return html`<section part="permission-help" class="help" role="alert" aria-labelledby="help-title" data-reason=${this.status}>
      <h3 id="help-title">${title}</h3>
      <p>${text}</p>
      ${this.status === 'permission-denied'
        ? html`<ol>
            ${this.text.permissionDeniedSteps.map((step) => html`<li>${step}</li>`)}
          </ol>`
        : nothing}
      <button part="retry" class="secondary" type="button" @click=${this.#retry}>${this.text.tryAgain}</button>
    </section>`;
  }

  #renderDevices() {
    const { cameras, microphones, speakers } = this.#devices.devices;
    return html`<div class="devices">
      ${this.#select('camera-select', this.text.camera, cameras, this.#deviceId('video'), (id) => this.#switch('video', id))}
      ${this.#select('microphone-select', this.text.microphone, microphones, this.#deviceId('audio'), (id) =>
        this.#switch('audio', id),
      )}
      ${this.#supportsSpeakers && speakers.length
        ? this.#select('speaker-select', this.text.speaker, speakers, this.speakerId, (id) => {
            this.speakerId = id;
          })
        : nothing}
      ${this.background ? backgroundSelect(this, this.text, this.background) : nothing}
      ${this.switchError ? html`<p class="error" role="alert">${this.switchError}</p>` : nothing}
    </div>`;
  }

  #select(part: string, label: string, devices: MediaDeviceInfo[], selected: string, onChange: (id: string) => void) {
    return deviceSelect(part, label, devices, selected, onChange, this.text.deviceFallback);
  }

  #onNameInput = (event: Event): void => {
    this.name = (event.target as HTMLInputElement).value;
  };

  #onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    if (this.busy) return;
    const input = this.nameInput!;
    input.setCustomValidity(this.name.trim() ? '' : this.text.enterYourName);
    if (!input.reportValidity()) return;
    const withoutDevices = (event.submitter as HTMLElement | null)?.hasAttribute('data-without-devices') ?? false;
    const name = this.name.trim();
    rememberName(name);
    const media = this.#handOver(withoutDevices);
    dispatchParleyEvent(this, 'parley-prejoin-submit', { name, ...media });
  };

  /**
   * Hands the previewed stream, and the choices made here, to whoever joins: from then on the stream is theirs
   * and is not stopped by this element. Used by `<meeting-room>` when `join()` is called while this shows.
   * `null` while nothing was captured (still starting, or capture failed).
   */
  takeMedia(): Omit<ParleyEventDetailMap['parley-prejoin-submit'], 'name'> | null {
    return this.#stream && !this.#handedOver ? this.#handOver(false) : null;
  }

  /**
   * Shows the camera through `effect` (a background blur, say; `null`: as it is), now and on every camera captured
   * later. Rejects with the effect's error when it cannot start; the camera then shows as it is.
   */
  async setVideoEffect(effect: VideoEffect | null): Promise<void> {
    this.#videoEffect = effect;
    if (this.#preview && !this.#handedOver) await this.#preview.setVideoEffect(effect);
  }

  #handOver(withoutDevices: boolean): Omit<ParleyEventDetailMap['parley-prejoin-submit'], 'name'> {
    const audioOutputDeviceId = this.#supportsSpeakers ? this.speakerId : '';
    if (withoutDevices || !this.#stream) {
      this.#release();
      return { stream: new MediaStream(), audio: false, video: false, audioOutputDeviceId };
    }
    this.#handedOver = true;
    this.#preview?.handOver();
    return {
      stream: this.#stream,
      audio: this.hasAudio && this.audioEnabled,
      video: this.hasVideo && this.videoEnabled,
      audioOutputDeviceId,
    };
  }

  #retry = (): void => {
    this.#release();
    void this.#capture();
  };

  #toggle(kind: Kind): void {
    const track = this.#track(kind);
    if (!track) return;
    const enabled = !(kind === 'audio' ? this.audioEnabled : this.videoEnabled);
    if (kind === 'audio') this.audioEnabled = enabled;
    else this.videoEnabled = enabled;
    // A stream handed to a join that failed before using it is no longer the preview's: switched here.
    if (this.#handedOver) track.enabled = enabled;
    else this.#applyToggles();
    // The first click is the user gesture some browsers want before audio processing runs.
    this.#meter.resume();
  }

  /** The toggles' state onto each device the preview holds: one captured or switched to after a toggle too. */
  #applyToggles(): void {
    for (const kind of ['audio', 'video'] as const) {
      // With its track in hand, `setEnabled` turns it on or off at once and never rejects.
      if (this.#track(kind)) void this.#preview?.setEnabled(kind, kind === 'audio' ? this.audioEnabled : this.videoEnabled);
    }
  }

  async #capture(): Promise<void> {
    const generation = ++this.#generation;
    this.status = 'starting';
    this.switchError = '';
    const preview = createPreview();
    // What cannot start is left out (a desktop without a camera still gets its microphone); nothing at all fails.
    const { stream, error } = await preview.capture(true, true);
    if (generation !== this.#generation || !this.isConnected) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    if (stream.getTracks().length === 0) {
      this.status = statusFor[error?.code ?? ''] ?? 'failed';
      return;
    }
    preview.on('stream-changed', this.#showStream);
    // With no camera in it yet this only keeps the effect; `useStream` applies it (a failure shows the camera as is).
    await preview.setVideoEffect(this.#videoEffect);
    void preview.useStream(stream);
    this.#preview = preview;
    this.#stream = stream;
    this.#applyToggles();
    this.status = 'ready';
    await this.updateComplete;
    this.#showStream();
    await this.#devices.refresh();
  }

  async #switch(kind: Kind, deviceId: string): Promise<void> {
    const preview = this.#preview;
    if (!preview || this.#handedOver || preview.deviceId(kind) === deviceId) return;
    this.switchError = '';
    try {
      await preview.switchDevice(kind, deviceId);
      this.#applyToggles();
    } catch {
      this.switchError = this.text.deviceSwitchFailed;
    }
    this.requestUpdate();
  }

  /** After a capture, a switch, or a device lost and replaced (or gone): show what the stream holds now. */
  #showStream = (): void => {
    const stream = this.#stream;
    this.hasAudio = !!stream?.getAudioTracks().length;
    this.hasVideo = !!stream?.getVideoTracks().length;
    // Some browsers keep showing a removed track's last frame: re-attach the stream.
    const video = this.video;
    if (video && stream) {
      video.srcObject = null;
      video.srcObject = stream;
      video.play().catch(ignore); // As in updated(): interrupted only by a newer stream, which plays.
    }
    this.#meter.listen(this.#track('audio'));
  };

  #deviceId(kind: Kind): string {
    // The preview's: under a background effect the stream holds the processed track, which has no device.
    return this.#preview?.deviceId(kind) ?? this.#track(kind)?.getSettings().deviceId ?? '';
  }

  #track(kind: Kind): MediaStreamTrack | undefined {
    return kind === 'audio' ? this.#stream?.getAudioTracks()[0] : this.#stream?.getVideoTracks()[0];
  }

  #live(stream: MediaStream): boolean {
    return stream.getTracks().length > 0 && stream.getTracks().every((track) => track.readyState === 'live');
  }

  /** Stops the meter and, unless they were handed over, every track. */
  #release(): void {
    this.#generation += 1;
    this.#meter.close();
    this.#preview?.off('stream-changed', this.#showStream);
    if (!this.#handedOver) {
      this.#preview?.stopTracks();
      this.#preview = null;
      this.#stream = null;
      this.hasAudio = false;
      this.hasVideo = false;
    }
  }
}

/** What the screen shows for each capture failure; anything else is `failed`. */
const statusFor: Partial<Record<string, Status>> = {
  [ErrorCode.PermissionDenied]: 'permission-denied',
  [ErrorCode.NoDevice]: 'no-device',
  [ErrorCode.DeviceBusy]: 'device-busy',
};
