import { DeviceSettings } from './device-settings.component.js';

export { DeviceSettings };

if (!customElements.get('device-settings')) customElements.define('device-settings', DeviceSettings);

declare global {
  interface HTMLElementTagNameMap {
    'device-settings': DeviceSettings;
  }
}
