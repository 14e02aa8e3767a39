import { ChatPanel } from './chat-panel.component.js';
import { define } from '../../parley-element.js';

export { ChatPanel };

define('chat-panel', ChatPanel);

declare global {
  interface HTMLElementTagNameMap {
    'chat-panel': ChatPanel;
  }
}
