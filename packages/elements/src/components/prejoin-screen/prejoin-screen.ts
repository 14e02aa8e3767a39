import { PrejoinScreen } from './prejoin-screen.component.js';
import { define } from '../../parley-element.js';

export { PrejoinScreen };

define('prejoin-screen', PrejoinScreen);

declare global {
  interface HTMLElementTagNameMap {
    'prejoin-screen': PrejoinScreen;
  }
}
