/** `custom-elements.json` from the components' JSDoc (@fires, @slot, @csspart, @cssprop): `npm run build`. */
export default {
  // The base class too, so every element lists the members it inherits (`strings`).
  globs: ['src/components/**/*.component.ts', 'src/parley-element.ts'],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      // Internal reactive state (`{ state: true }` in `static properties`, on private fields) has no attribute:
      // the analyzer would otherwise list it as one.
      name: 'parley-no-private-attributes',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (!declaration.attributes) continue;
            const hidden = new Set(
              (declaration.members ?? []).filter((member) => member.privacy && member.privacy !== 'public').map((member) => member.name),
            );
            declaration.attributes = declaration.attributes.filter((attribute) => !hidden.has(attribute.fieldName));
          }
        }
      },
    },
  ],
};
