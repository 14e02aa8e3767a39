// Options every package's API reference shares (each package's typedoc.json extends this).
import { OptionDefaults } from 'typedoc';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  excludePrivate: true,
  excludeInternal: true,
  // Lit's inherited members (`createProperty`, `styles`…) are Lit's to document, not ours.
  excludeExternals: true,
  // The custom elements manifest analyzer's tags: they document the elements in custom-elements.json.
  blockTags: [...OptionDefaults.blockTags, '@attr', '@csspart', '@cssprop', '@fires', '@tag'],
  // Source links need a hosted repository's URL; a clone without a web remote (CI's) would only warn about it.
  disableSources: true,
};
