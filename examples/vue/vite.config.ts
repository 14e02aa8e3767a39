import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// Parley's elements are custom elements, not Vue components: Vue leaves them to the browser.
const parleyTags = new Set([
  'meeting-room',
  'prejoin-screen',
  'participant-grid',
  'participant-tile',
  'participant-list',
  'meeting-controls',
  'chat-panel',
  'device-settings',
]);

export default defineConfig({
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => parleyTags.has(tag) } } })],
});
