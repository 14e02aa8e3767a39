import { DeviceSettings } from './device-settings.component.js';
import { define } from '../../parley-element.js';

export { DeviceSettings };

define('device-settings', DeviceSettings);

declare global {
  interface HTMLElementTagNameMap {
    'device-settings': DeviceSettings;
  }
}
