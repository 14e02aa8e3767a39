import { html } from 'lit';

/**
 * A labelled `<select>` of devices. Devices without a label (no permission yet) are numbered with `fallback`.
 * Call `showSelectedDevices` after each render: a select the user changed no longer follows `selected` attributes.
 */
export function deviceSelect(
  part: string,
  label: string,
  devices: readonly MediaDeviceInfo[],
  selected: string,
  onChange: (deviceId: string) => void,
  fallback: (kind: string, index: number) => string,
) {
  return html`<label class="field"
    >${label}
    <select
      part=${part}
      data-selected=${selected}
      ?disabled=${devices.length === 0}
      @change=${(event: Event) => onChange((event.target as HTMLSelectElement).value)}
    >
      ${devices.map(
        (device, index) =>
          html`<option value=${device.deviceId} ?selected=${device.deviceId === selected}>
            ${device.label || fallback(label, index + 1)}
          </option>`,
      )}
    </select></label
  >`;
}

/** Makes every device select in `root` show the device in use (e.g. after a switch failed). */
export function showSelectedDevices(root: ParentNode): void {
  for (const select of root.querySelectorAll<HTMLSelectElement>('select[data-selected]')) {
    if (select.dataset.selected) select.value = select.dataset.selected;
  }
}
