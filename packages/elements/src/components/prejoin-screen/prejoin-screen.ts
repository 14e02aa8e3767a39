import { PrejoinScreen } from './prejoin-screen.component.js';

export { PrejoinScreen };

if (!customElements.get('prejoin-screen')) customElements.define('prejoin-screen', PrejoinScreen);

declare global {
  interface HTMLElementTagNameMap {
    'prejoin-screen': PrejoinScreen;
  }
}
