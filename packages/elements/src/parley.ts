/**
 * The `/parley.js` bundle: every element, plus the SDK for pages that drive a room themselves.
 * `<script type="module" src="https://meet.example.com/parley.js"></script>` is all a page needs.
 */
export * from './index.js';
export { Room, ParleyError, ErrorCode, browserEnvironment, normalizeMeetingCode } from '@parley/sdk';
