/** `custom-elements.json` from the components' JSDoc (@fires, @slot, @csspart, @cssprop): `npm run build`. */
export default {
  globs: ['src/components/**/*.component.ts'],
  outdir: '.',
  litelement: true,
};
