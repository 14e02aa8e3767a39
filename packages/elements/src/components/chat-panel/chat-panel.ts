import { ChatPanel } from './chat-panel.component.js';

export { ChatPanel };

if (!customElements.get('chat-panel')) customElements.define('chat-panel', ChatPanel);

declare global {
  interface HTMLElementTagNameMap {
    'chat-panel': ChatPanel;
  }
}
