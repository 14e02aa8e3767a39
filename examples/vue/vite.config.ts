import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// Parley's elements are custom elements, not Vue components: Vue leaves them to the browser.
const parleyTags = new Set(['meeting-room', 'participant-grid', 'participant-tile', 'meeting-controls', 'chat-panel']);

export default defineConfig({
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => parleyTags.has(tag) } } })],
});
