import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { Room, type LocalParticipant, type RoomEventMap } from '@parley/sdk';
import type { BackgroundChoice } from '../../background/background-choice.js';
import { DeviceListController } from '../../controllers/device-list-controller.js';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { ParleyElement } from '../../parley-element.js';
import type { RoomPart } from '../../room-like.js';
import { formStyles } from '../../styles/form.js';
import { tokens } from '../../styles/tokens.js';
import { setNoiseSuppression } from '../../noise-suppression.js';
import { backgroundSelect } from '../../templates/background-select.js';
import { deviceSelect, showSelectedDevices } from '../../templates/device-select.js';
import { deviceSettingsStyles } from './device-settings.styles.js';

/**
 * Camera, microphone and speaker choice during a meeting. Switching replaces the track being sent, so nobody
 * renegotiates; a device that fails to start leaves the previous one in use. Usable on its own with any SDK `Room`.
 *
 * @csspart camera-select - The camera `<select>`.
 * @csspart microphone-select - The microphone `<select>`.
 * @csspart speaker-select - The speaker `<select>` (only where the browser can choose speakers).
 * @csspart noise-suppression - The "Noise suppression" switch (a checkbox with `role="switch"`): RNNoise takes
 *   steady background noise out of your microphone. The choice is remembered on this site.
 * @csspart background-select - The background `<select>` (none, light or strong blur), when `background` is set.
 * @csspart error - The alert shown when a device could not be started, or noise suppression could not.
 *
 * @fires parley-noise-suppression-changed - The switch turned noise suppression on or off. `detail`: `enabled`.
 * @fires parley-background-select - A background was chosen in its `<select>`. `detail`: `background`. `<meeting-room>`
 *   applies it.
 *
 * @cssprop --parley-surface - Field background.
 * @cssprop --parley-muted-text - Labels.
 *
 * @tag device-settings
 */
export class DeviceSettings extends ParleyElement {
  /** Shadow styles: the shared design tokens, then this element's own. Theme with `--parley-*` properties and `::part()`. */
  static override styles = [tokens, formStyles, deviceSettingsStyles];

  static override properties: PropertyDeclarations = {
    room: { attribute: false },
    noNoiseSuppression: { type: Boolean, attribute: 'no-noise-suppression' },
    background: { attribute: false },
    switchError: { state: true },
  };

  /** The room whose devices to choose. */
  room:
    | (RoomPart<'audioOutputDeviceId' | 'listDevices' | 'switchCamera' | 'switchMicrophone'> & {
        /** You, with the devices you capture from and whether your microphone's noise is suppressed. */
        readonly localParticipant: Pick<LocalParticipant, 'deviceId' | 'noiseSuppression' | 'setNoiseSuppression'>;
      })
    | null = null;

  /** Hides the "Noise suppression" switch. */
  noNoiseSuppression = false;
  /** The background in use, for its `<select>`; `null` shows none (as `<meeting-room hide="background">` does). */
  background: BackgroundChoice | null = null;

  private switchError = '';

  constructor() {
    super();
    new EmitterController<RoomEventMap>(this, () => this.room, ['stream-changed', 'audio-output-changed']);
  }

  readonly #devices = new DeviceListController(this, () => this.room);

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    showSelectedDevices(this.renderRoot);
  }

  protected override render() {
    const local = this.room?.localParticipant;
    const { cameras, microphones, speakers } = this.#devices.devices;
    return html`<div class="settings">
      ${this.#select('camera-select', this.text.camera, cameras, local?.deviceId('video'), (id) => this.room!.switchCamera(id))}
      ${this.#select('microphone-select', this.text.microphone, microphones, local?.deviceId('audio'), (id) =>
        this.room!.switchMicrophone(id),
      )}
      ${this.noNoiseSuppression
        ? nothing
        : html`<label class="switch"
            ><input
              type="checkbox"
              role="switch"
              part="noise-suppression"
              .checked=${!!local?.noiseSuppression}
              @change=${this.#toggleNoiseSuppression}
            />${this.text.noiseSuppression}</label
          >`}
      ${Room.canSelectAudioOutput && speakers.length > 0
        ? this.#select('speaker-select', this.text.speaker, speakers, this.room?.audioOutputDeviceId || 'default', (id) => {
            this.room!.audioOutputDeviceId = id;
          })
        : nothing}
      ${this.background ? backgroundSelect(this, this.text, this.background) : nothing}
      ${this.switchError ? html`<p part="error" class="error" role="alert">${this.switchError}</p>` : nothing}
    </div>`;
  }

  #select(
    part: string,
    label: string,
    devices: MediaDeviceInfo[],
    selected: string | undefined,
    choose: (deviceId: string) => unknown,
  ) {
    return deviceSelect(part, label, devices, selected ?? '', (id) => this.#choose(choose, id), this.text.deviceFallback);
  }

  #toggleNoiseSuppression = async (event: Event): Promise<void> => {
    const toggle = event.target as HTMLInputElement;
    this.switchError = '';
    try {
      await setNoiseSuppression(this, this.room!, toggle.checked);
    } catch {
      this.switchError = this.text.noiseSuppressionFailed;
    }
    // The switch shows what is in effect, also when it failed (the template's value did not change then).
    toggle.checked = this.room!.localParticipant.noiseSuppression;
  };

  async #choose(choose: (deviceId: string) => unknown, deviceId: string): Promise<void> {
    this.switchError = '';
    try {
      await choose(deviceId);
    } catch {
      this.switchError = this.text.deviceSwitchFailed;
    }
    // Show what is actually in use, also when the switch failed.
    this.requestUpdate();
  }
}
