/** `custom-elements.json` from the components' JSDoc (@fires, @slot, @csspart, @cssprop): `npm run build`. */
export default {
  // The base class too, so every element lists the members it inherits (`strings`).
  globs: ['src/components/**/*.component.ts', 'src/parley-element.ts'],
  outdir: '.',
  litelement: true,
};
