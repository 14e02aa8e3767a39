import { expect } from '@esm-bundle/chai';

interface Declaration {
  tagName?: string;
  attributes?: { name: string }[];
  events?: { name: string }[];
  cssParts?: { name: string }[];
}

/** The manifest the build generates from the components' JSDoc, as IDEs and docs read it. */
async function declaration(tagName: string): Promise<Declaration> {
  const manifest = (await (await fetch('/packages/elements/custom-elements.json')).json()) as {
    modules: { declarations?: Declaration[] }[];
  };
  return manifest.modules.flatMap((module) => module.declarations ?? []).find((entry) => entry.tagName === tagName)!;
}

describe('custom-elements.json', () => {
  it('lists <meeting-room> as CONTRACT names it, and no internal state as attributes', async () => {
    const room = await declaration('meeting-room');
    expect(room.attributes!.map((attribute) => attribute.name)).to.have.members([
      'lang',
      'server',
      'code',
      'name',
      'host-key',
      'token',
      'autojoin',
      'theme',
      'exit-url',
      'invite-url',
      'no-invite',
      'no-noise-suppression',
      'waiting-sound',
      'ice-transport-policy',
      'hide',
      'auto-pip',
      'background-assets-url',
    ]);
    expect(room.events!.map((event) => event.name)).to.include.members([
      'parley-joined',
      'parley-left',
      'parley-participant-joined',
      'parley-participant-left',
      'parley-media-changed',
      'parley-error',
      'parley-end-meeting',
      'parley-exit',
      'parley-hand-raised',
      'parley-hand-lowered',
      'parley-reaction',
      'parley-noise-suppression-changed',
      'parley-pip-opened',
      'parley-pip-closed',
      'parley-background-changed',
    ]);
    expect(room.cssParts!.map((part) => part.name)).to.include.members(['grid', 'controls', 'prejoin', 'panel']);
  });

  it('documents the background choice of the prejoin screen and the settings, and the event it fires', async () => {
    for (const tag of ['prejoin-screen', 'device-settings']) {
      const element = await declaration(tag);
      expect(element.cssParts!.map((part) => part.name)).to.include('background-select');
      expect(element.events!.map((event) => event.name)).to.include('parley-background-select');
    }
  });

  it('documents the raise hand toggle, the tile\'s badge and the panel\'s raised hands as parts', async () => {
    const parts = async (tag: string) => (await declaration(tag)).cssParts!.map((part) => part.name);
    expect(await parts('meeting-controls')).to.include('hand');
    expect(await parts('participant-tile')).to.include('hand');
    expect(await parts('participant-list')).to.include.members(['hands', 'hand-list', 'hand', 'hand-place', 'lower-all']);
    expect((await declaration('meeting-controls')).attributes!.map((attribute) => attribute.name)).to.include('hand');
  });

  it('documents the reactions: the toolbar button and its picker, the emoji over a tile', async () => {
    const controls = await declaration('meeting-controls');
    expect(controls.attributes!.map((attribute) => attribute.name)).to.include('reactions');
    expect(controls.cssParts!.map((part) => part.name)).to.include.members(['reactions', 'reaction-picker', 'reaction-choice']);
    const tile = await declaration('participant-tile');
    expect(tile.cssParts!.map((part) => part.name)).to.include.members(['reactions', 'reaction']);
  });

  it('lists the noise suppression switch of <device-settings>, its attribute and its event', async () => {
    const settings = await declaration('device-settings');
    expect(settings.attributes!.map((attribute) => attribute.name)).to.include('no-noise-suppression');
    expect(settings.events!.map((event) => event.name)).to.include('parley-noise-suppression-changed');
    expect(settings.cssParts!.map((part) => part.name)).to.include('noise-suppression');
  });

  it('documents picture in picture: the toolbar button and its request', async () => {
    const controls = await declaration('meeting-controls');
    expect(controls.attributes!.map((attribute) => attribute.name)).to.include('pip');
    expect(controls.cssParts!.map((part) => part.name)).to.include('picture-in-picture');
    expect(controls.events!.map((event) => event.name)).to.include('parley-pip-request');
  });

  it('documents local recording: the events, the indicator, the record toggle, the prejoin notice, the panel badge', async () => {
    const room = await declaration('meeting-room');
    expect(room.events!.map((event) => event.name)).to.include.members(['parley-recording-started', 'parley-recording-stopped']);
    expect(room.cssParts!.map((part) => part.name)).to.include('recording');
    const controls = await declaration('meeting-controls');
    expect(controls.attributes!.map((attribute) => attribute.name)).to.include('record');
    expect(controls.cssParts!.map((part) => part.name)).to.include('record');
    expect(controls.events!.map((event) => event.name)).to.include('parley-recording-toggle');
    expect((await declaration('prejoin-screen')).cssParts!.map((part) => part.name)).to.include('recorded');
    expect((await declaration('participant-list')).cssParts!.map((part) => part.name)).to.include('recording-badge');
  });

  it('documents every element', async () => {
    for (const tag of ['prejoin-screen', 'participant-grid', 'participant-tile', 'meeting-controls', 'chat-panel', 'participant-list', 'device-settings', 'meeting-notices', 'confirm-dialog']) {
      const entry = await declaration(tag);
      expect(entry, tag).to.not.equal(undefined);
      expect(entry.cssParts?.length ?? 0, `${tag} parts`).to.be.greaterThan(0);
    }
  });
});
