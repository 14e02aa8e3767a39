import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// TypeScript in <script lang="ts">, for both Vite and svelte-check.
export default { preprocess: vitePreprocess() };
