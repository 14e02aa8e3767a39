import { expect } from '@esm-bundle/chai';
import { html } from 'lit';
import { ParticipantGrid } from './components/participant-grid/participant-grid.component.js';
import { ParticipantTile } from './components/participant-tile/participant-tile.component.js';
import { define, ParleyElement } from './parley-element.js';

class Badge extends ParleyElement {
  override render() {
    return html`<span part="badge">badge</span>`;
  }
}

class OwnBadge extends HTMLElement {}

/** Renders a `<parley-test-badge>` it lists as a dependency, as a component renders its children. */
class Card extends ParleyElement {
  static override dependencies = { 'parley-test-badge': Badge };

  override render() {
    return html`<parley-test-badge></parley-test-badge>`;
  }
}

class PageCard extends ParleyElement {
  static override dependencies = { 'parley-test-own-badge': Badge };
}

describe('ParleyElement dependencies', () => {
  afterEach(() => document.body.replaceChildren());

  it('defines the elements a component renders when it is defined, and not before', async () => {
    expect(customElements.get('parley-test-badge'), 'before').to.equal(undefined);
    define('parley-test-card', Card);
    expect(customElements.get('parley-test-badge')).to.equal(Badge);

    const card = document.createElement('parley-test-card') as Card;
    document.body.append(card);
    await card.updateComplete;
    const badge = card.shadowRoot!.querySelector('parley-test-badge')!;
    expect(badge).to.be.instanceOf(Badge);
    await (badge as Badge).updateComplete;
    expect(badge.shadowRoot!.textContent).to.equal('badge');
  });

  it("leaves a tag the page defined first as the page's", () => {
    customElements.define('parley-test-own-badge', OwnBadge);
    expect(() => define('parley-test-page-card', PageCard)).to.not.throw();
    expect(customElements.get('parley-test-own-badge')).to.equal(OwnBadge);
    expect(customElements.get('parley-test-page-card')).to.equal(PageCard);
  });

  it('gives <participant-grid> its tiles without a side-effect import', async () => {
    // Only the component modules are imported here: nothing defines <participant-tile> but the grid's definition.
    expect(customElements.get('participant-tile'), 'before the grid is defined').to.equal(undefined);
    define('participant-grid', ParticipantGrid);
    expect(customElements.get('participant-tile')).to.equal(ParticipantTile);
  });
});
