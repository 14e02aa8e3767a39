import { expect } from '@esm-bundle/chai';
import { FakeRoom } from '../../test/support/fake-room.js';
import '../components/meeting-controls/meeting-controls.js';
import type { MeetingControls } from '../components/meeting-controls/meeting-controls.component.js';
import { en } from './en.js';
import de from './locales/de.js';
import es from './locales/es.js';
import fr from './locales/fr.js';
import { availableLanguages, registerTranslation, type Catalog } from './localize.js';

/** The shape of a catalog: keys, array lengths, nested keys; function arity. */
function shape(catalog: Catalog): unknown {
  return Object.fromEntries(
    Object.entries(catalog).map(([key, value]) => [
      key,
      typeof value === 'function' ? `fn/${value.length}` : Array.isArray(value) ? `array/${value.length}` : typeof value === 'object' ? Object.keys(value).sort() : 'string',
    ]),
  );
}

async function controlsIn(container: HTMLElement): Promise<MeetingControls> {
  const controls = document.createElement('meeting-controls');
  controls.room = new FakeRoom();
  controls.participants = true;
  container.append(controls);
  await controls.updateComplete;
  return controls;
}

const label = (controls: MeetingControls, part: string) =>
  controls.shadowRoot!.querySelector(`[part~="${part}"]`)!.getAttribute('aria-label');

async function until(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 100 && !check(); attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(check(), 'condition reached in time').to.equal(true);
}

describe('translations', () => {
  afterEach(() => {
    document.body.replaceChildren();
    document.documentElement.lang = 'en';
  });

  it('ship German, French and Spanish with every string English has', () => {
    expect(availableLanguages()).to.include.members(['en', 'de', 'es', 'fr']);
    for (const catalog of [de, es, fr]) expect(shape(catalog)).to.deep.equal(shape(en));
    for (const [key, value] of Object.entries(de)) {
      if (typeof value === 'string') expect(value, key).to.not.equal('');
    }
  });

  it('German says du throughout, as a meeting app does, never the formal Sie', () => {
    const texts = Object.values(de).flatMap(function strings(value: unknown): string[] {
      if (typeof value === 'string') return [value];
      if (typeof value === 'function') return [String(value('Ada', 2, 3))];
      return value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
    });
    // "Sie" opening a sentence may be "they"; within one it can only be the formal "you".
    const formal = texts.filter((text) => /(?<!^|[.:!?] )\b(Sie|Ihnen|Ihre?[mnrs]?)\b/.test(text));
    expect(formal).to.deep.equal([]);
  });

  it('follow the nearest lang attribute, through shadow roots, and change with it', async () => {
    const wrapper = document.createElement('div');
    wrapper.lang = 'de-AT';
    document.body.append(wrapper);
    const controls = await controlsIn(wrapper);
    await until(() => label(controls, 'microphone') === 'Mikrofon');
    expect(controls.getAttribute('aria-label')).to.equal('Besprechungssteuerung');

    wrapper.lang = 'es';
    await until(() => label(controls, 'microphone') === 'Micrófono');
    wrapper.removeAttribute('lang');
    document.documentElement.lang = 'fr';
    await until(() => label(controls, 'microphone') === 'Micro');
  });

  it('fall back to English for an unknown language and for strings a registered translation lacks', async () => {
    const wrapper = document.createElement('div');
    wrapper.lang = 'xx';
    document.body.append(wrapper);
    const controls = await controlsIn(wrapper);
    expect(label(controls, 'microphone')).to.equal('Microphone');

    registerTranslation('xx', { leaveMeeting: 'Partir' });
    await controls.updateComplete;
    expect(label(controls, 'leave')).to.equal('Partir');
    expect(label(controls, 'microphone')).to.equal('Microphone');
  });

  it('can be overridden per element; overrides reach the elements inside, the innermost wins', async () => {
    const controls = await controlsIn(document.body);
    controls.strings = { leaveMeeting: 'Hang up', participants: 'People' };
    await controls.updateComplete;
    expect(label(controls, 'leave')).to.equal('Hang up');
    expect(label(controls, 'participants')).to.equal('People');
  });
});
