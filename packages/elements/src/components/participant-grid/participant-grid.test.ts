import { expect } from '@esm-bundle/chai';
import { RemoteParticipant, TypedEmitter, type Participant, type RoomEventMap } from '@parley/sdk';
import { axeViolations } from '../../../test/support/axe.js';
import type { ParticipantTile } from '../participant-tile/participant-tile.component.js';
import { gridShape } from './layout.js';
import './participant-grid.js';
import type { ParticipantGrid } from './participant-grid.component.js';

const shape = (count: number, width?: number, height?: number) => {
  const { columns, rows } = gridShape(count, width, height);
  return `${columns}x${rows}`;
};

describe('gridShape', () => {
  it('lays out the design card: 1 full, 2 side by side, 3–4 as 2×2, 5–9 as 3×3', () => {
    const shapes = [1, 2, 3, 4, 5, 9].map((count) => shape(count));
    expect(shapes).to.deep.equal(['1x1', '2x1', '2x2', '2x2', '3x3', '3x3']);
    expect([1, 2, 3, 5].map((count) => shape(count, 1280, 648)), 'in a desktop window').to.deep.equal(['1x1', '2x1', '2x2', '3x3']);
  });

  it('gives an empty room one cell and pages past 9 in 3×3', () => {
    expect(gridShape(0)).to.deep.equal({ columns: 1, rows: 1, size: 9 });
    expect(gridShape(10)).to.deep.equal({ columns: 3, rows: 3, size: 9 });
    expect(gridShape(40, 1920, 1080)).to.deep.equal({ columns: 3, rows: 3, size: 9 });
  });

  it('keeps tiles readable in a narrow container: at most 2 columns, smaller pages, the largest tiles', () => {
    expect(gridShape(12, 360, 640)).to.deep.equal({ columns: 2, rows: 3, size: 6 });
    expect([1, 2, 3, 4].map((count) => shape(count, 360, 640)), 'a phone in portrait').to.deep.equal(['1x1', '1x2', '1x3', '2x2']);
    expect(gridShape(12, 300, 120).size, 'never fewer than you and one other').to.equal(2);
  });
});

function person(id: string, name = `Person ${id}`): RemoteParticipant {
  const participant = new RemoteParticipant({ id, name, isHost: false, audioEnabled: true, videoEnabled: true, screenSharing: false });
  participant.setConnectionState('connected');
  return participant;
}

/** What <participant-grid> uses of a Room: you, the others in join order, the active speaker. */
class FakeRoom extends TypedEmitter<RoomEventMap> {
  readonly localParticipant = Object.assign(person('me', 'Grace'), { isLocal: true });
  readonly participants = new Map<string, RemoteParticipant>();
  activeSpeaker: Participant | null = null;
  audioOutputDeviceId = '';
  raisedHands: string[] = [];

  constructor(count: number) {
    super();
    for (let index = 1; index < count; index++) this.add(`p${index}`);
  }

  add(id: string): void {
    const participant = person(id);
    this.participants.set(id, participant);
    this.emit('participant-joined', participant);
  }

  remove(id: string): void {
    const participant = this.participants.get(id)!;
    this.participants.delete(id);
    if (this.activeSpeaker === participant) this.activeSpeaker = null;
    this.emit('participant-left', participant, 'left');
  }

  speak(id: string): void {
    this.activeSpeaker = this.participants.get(id) ?? this.localParticipant;
    this.emit('active-speaker-changed', this.activeSpeaker);
  }

  shareScreen(id: string): void {
    const participant = this.participants.get(id) ?? this.localParticipant;
    participant.setScreenSharing(true);
    this.emit('screen-share-changed', participant);
  }

  /** The queue of raised hands is now `ids`, first raised first. */
  raiseHands(...ids: string[]): void {
    this.raisedHands = ids;
    this.emit('hands-changed', ids);
  }

  /** Like `Room.stopScreenShare`: your screen share ends. */
  async stopScreenShare(): Promise<void> {
    this.localParticipant.setScreenSharing(false);
    this.emit('screen-share-changed', this.localParticipant);
  }
}

const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

/** Lets the grid measure itself and render, and its tiles render. */
async function settle(grid: ParticipantGrid): Promise<void> {
  await frame();
  await grid.updateComplete;
  await Promise.all(tiles(grid).map((tile) => tile.updateComplete));
}

async function render(room: FakeRoom, width = 1280, height = 648): Promise<ParticipantGrid> {
  const grid = document.createElement('participant-grid');
  Object.assign(grid.style, { width: `${width}px`, height: `${height}px`, background: '#202124' });
  grid.room = room;
  document.body.append(grid);
  await settle(grid);
  return grid;
}

const part = (grid: ParticipantGrid, name: string) => grid.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const tiles = (grid: ParticipantGrid, within: Element | ShadowRoot = grid.shadowRoot!) => [
  ...within.querySelectorAll<ParticipantTile>('participant-tile'),
];
const ids = (list: ParticipantTile[]) => list.map((tile) => `${tile.source === 'screen' ? 'screen:' : ''}${tile.dataset.participantId}`);
const tileOf = (grid: ParticipantGrid, id: string) => tiles(grid).find((tile) => tile.dataset.participantId === id && tile.source === 'camera')!;
const pin = (tile: ParticipantTile) => tile.shadowRoot!.querySelector<HTMLButtonElement>('[part="pin"]')!;

describe('<participant-grid>', () => {
  afterEach(() => {
    document.body.replaceChildren();
  });

  it('pages past 9: 3×3 pages with you on each, arrows and an indicator, only the page rendered', async () => {
    const grid = await render(new FakeRoom(12));
    const layout = part(grid, 'grid')!;
    expect(layout.dataset).to.include({ layout: '3x3', page: '1', pages: '2' });
    expect(ids(tiles(grid))).to.deep.equal(['me', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8']);
    const previous = part(grid, 'previous-page')!;
    const next = part(grid, 'next-page')!;
    expect([previous.getAttribute('aria-label'), next.getAttribute('aria-label')]).to.deep.equal(['Previous page', 'Next page']);
    expect([previous.getAttribute('aria-disabled'), next.getAttribute('aria-disabled')]).to.deep.equal(['true', 'false']);
    expect(part(grid, 'page')!.textContent).to.equal('1 / 2');
    expect(part(grid, 'page')!.getAttribute('aria-label')).to.equal('Page 1 of 2');

    const firstPage = tiles(grid);
    next.click();
    await settle(grid);
    expect(ids(tiles(grid))).to.deep.equal(['me', 'p9', 'p10', 'p11']);
    expect(tiles(grid)[0], 'your tile stays').to.equal(firstPage[0]);
    expect(firstPage.slice(1).some((tile) => tile.isConnected), 'off-page tiles are gone').to.equal(false);
    expect(layout.dataset).to.include({ layout: '3x3', page: '2', pages: '2' });
    expect(part(grid, 'page')!.getAttribute('aria-label')).to.equal('Page 2 of 2');
    expect([previous.getAttribute('aria-disabled'), next.getAttribute('aria-disabled')]).to.deep.equal(['false', 'true']);
    next.click();
    await settle(grid);
    expect(layout.dataset.page, 'no page past the last').to.equal('2');
  });

  it('keeps the page valid when people leave', async () => {
    const room = new FakeRoom(20);
    const grid = await render(room);
    part(grid, 'next-page')!.click();
    await settle(grid);
    part(grid, 'next-page')!.click();
    await settle(grid);
    expect(part(grid, 'grid')!.dataset).to.include({ page: '3', pages: '3' });
    for (const id of ['p17', 'p18', 'p19']) room.remove(id);
    await settle(grid);
    expect(part(grid, 'grid')!.dataset).to.include({ page: '2', pages: '2' });
    expect(ids(tiles(grid))).to.deep.equal(['me', 'p9', 'p10', 'p11', 'p12', 'p13', 'p14', 'p15', 'p16']);
    for (const id of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8']) room.remove(id);
    await settle(grid);
    expect(part(grid, 'grid')!.dataset).to.include({ layout: '3x3', page: '1', pages: '1' });
    expect(part(grid, 'pager'), 'one page needs no pager').to.equal(null);
  });

  it('rings the active speaker and brings them onto the visible page', async () => {
    const room = new FakeRoom(12);
    const grid = await render(room);
    room.speak('p2');
    await settle(grid);
    expect(tiles(grid).filter((tile) => tile.hasAttribute('active-speaker')).map((tile) => tile.dataset.participantId)).to.deep.equal(['p2']);

    room.speak('p10');
    await settle(grid);
    const shown = ids(tiles(grid));
    expect(shown, 'p10 swapped in').to.include('p10');
    expect(shown, 'in place of someone who never spoke').to.include('p2');
    expect(shown).to.have.length(9);
    expect(tileOf(grid, 'p10').hasAttribute('active-speaker')).to.equal(true);
    expect(tileOf(grid, 'p2').hasAttribute('active-speaker')).to.equal(false);

    room.participants.get('p2')!.setSpeaking(true);
    await settle(grid);
    expect(tileOf(grid, 'p2').hasAttribute('speaking'), 'speaking is its own attribute').to.equal(true);
    expect(tileOf(grid, 'p2').hasAttribute('active-speaker')).to.equal(false);
    const ring = (id: string) => getComputedStyle(tileOf(grid, id), '::after').boxShadow;
    expect(ring('p2')).to.not.equal(ring('p10'));
  });

  it('badges each camera tile with its hand\'s place in the queue, following the queue', async () => {
    const room = new FakeRoom(3);
    const grid = await render(room);
    const badges = () =>
      tiles(grid)
        .map((tile) => [tile.participant!.id, tile.shadowRoot!.querySelector('[part~="hand"]')?.textContent!.trim()])
        .filter(([, badge]) => badge);
    expect(badges()).to.deep.equal([]);
    room.raiseHands('p2', 'me');
    await settle(grid);
    expect(badges()).to.deep.equal([
      ['me', '✋ 2'],
      ['p2', '✋ 1'],
    ]);
    room.raiseHands('me');
    await settle(grid);
    expect(badges()).to.deep.equal([['me', '✋ 1']]);
  });

  it('pins from the tile button: the pinned participant takes the stage, and unpins when they leave', async () => {
    const room = new FakeRoom(4);
    const grid = await render(room);
    const events: (string | null)[] = [];
    document.addEventListener('parley-pin-toggle', (event) => events.push(event.detail.participantId));
    const button = pin(tileOf(grid, 'p2'));
    expect(button.getAttribute('aria-label')).to.equal('Pin Person p2');
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    button.click();
    await settle(grid);
    expect(events).to.deep.equal(['p2']);
    expect(grid.pinned).to.equal('p2');
    expect(grid.getAttribute('pinned')).to.equal('p2');
    expect(part(grid, 'grid')!.dataset.layout).to.equal('presentation');
    expect(part(grid, 'stage')!.getAttribute('aria-label')).to.equal('Pinned');
    expect(ids(tiles(grid, part(grid, 'stage')!))).to.deep.equal(['p2']);
    expect(ids(tiles(grid, part(grid, 'strip')!))).to.deep.equal(['me', 'p1', 'p3']);
    const staged = tileOf(grid, 'p2');
    expect(staged.hasAttribute('pinned')).to.equal(true);
    expect(pin(staged).getAttribute('aria-pressed')).to.equal('true');
    expect(staged.shadowRoot!.activeElement, 'the keyboard stays on the pin button').to.equal(pin(staged));

    pin(staged).click();
    await settle(grid);
    expect(events).to.deep.equal(['p2', null]);
    expect(grid.hasAttribute('pinned')).to.equal(false);
    expect(part(grid, 'grid')!.dataset.layout).to.equal('2x2');

    grid.setAttribute('pinned', 'p3');
    await settle(grid);
    expect(ids(tiles(grid, part(grid, 'stage')!)), 'sites pin too').to.deep.equal(['p3']);
    room.remove('p3');
    await settle(grid);
    expect(grid.pinned).to.equal(null);
    expect(part(grid, 'grid')!.dataset.layout).to.equal('2x2');
  });

  it('gives the stage to a pin over a shared screen, which waits in the strip', async () => {
    const room = new FakeRoom(3);
    const grid = await render(room);
    room.shareScreen('p1');
    await settle(grid);
    expect(ids(tiles(grid, part(grid, 'stage')!))).to.deep.equal(['screen:p1']);
    expect(pin(tiles(grid, part(grid, 'stage')!)[0]!), 'a screen has no pin').to.equal(null);
    grid.pinned = 'p2';
    await settle(grid);
    expect(ids(tiles(grid, part(grid, 'stage')!))).to.deep.equal(['p2']);
    expect(ids(tiles(grid, part(grid, 'strip')!))).to.deep.equal(['screen:p1', 'me', 'p1']);
  });

  it('shows you "You are presenting" with Stop where your own screen would mirror itself; others still see theirs', async () => {
    const room = new FakeRoom(3);
    const grid = await render(room);
    room.shareScreen('me');
    await settle(grid);
    const stage = part(grid, 'stage')!;
    expect(ids(tiles(grid, stage)), 'no tile of your own screen').to.deep.equal([]);
    const presenting = stage.querySelector<HTMLElement>('[part="presenting"]')!;
    expect(presenting.querySelector('p')!.textContent).to.equal('You are presenting');
    const box = presenting.getBoundingClientRect();
    expect(box.width / box.height, 'as large as a screen on the stage').to.be.closeTo(16 / 9, 0.02);
    expect(box.height).to.be.greaterThan(400);
    expect(ids(tiles(grid, part(grid, 'strip')!))).to.deep.equal(['me', 'p1', 'p2']);

    room.shareScreen('p1');
    await settle(grid);
    expect(ids(tiles(grid, stage)), "another presenter's screen shows beside it").to.deep.equal(['screen:p1']);
    expect(stage.querySelector('[part="presenting"]')).to.not.equal(null);

    const stop = part(grid, 'stop-presenting')!;
    expect(stop.textContent!.trim()).to.equal('Stop presenting');
    expect(stop.getBoundingClientRect().height).to.be.at.least(44);
    stop.click();
    await settle(grid);
    expect(room.localParticipant.screenSharing).to.equal(false);
    expect(part(grid, 'presenting')).to.equal(null);
    expect(ids(tiles(grid, part(grid, 'stage')!))).to.deep.equal(['screen:p1']);
  });

  /** Every tile's box relative to the grid element, and the box around all of them. */
  function geometry(grid: ParticipantGrid) {
    const origin = grid.getBoundingClientRect();
    const boxes = tiles(grid).map((tile) => tile.getBoundingClientRect());
    const left = Math.min(...boxes.map((box) => box.left)) - origin.left;
    const right = origin.right - Math.max(...boxes.map((box) => box.right));
    const top = Math.min(...boxes.map((box) => box.top)) - origin.top;
    const bottom = origin.bottom - Math.max(...boxes.map((box) => box.bottom));
    return { boxes, left, right, top, bottom, columns: new Set(boxes.map((box) => Math.round(box.left))).size };
  }

  for (const [width, height, count, layout] of [
    [1920, 1080, 9, '3x3'],
    [1920, 1080, 2, '2x1'],
    [360, 640, 4, '2x2'],
    [360, 640, 3, '1x3'],
  ] as const) {
    it(`keeps tiles 16:9, as large as fits and centred: ${count} in ${width}×${height}`, async () => {
      const grid = await render(new FakeRoom(count), width, height);
      expect(part(grid, 'grid')!.dataset.layout).to.equal(layout);
      const { boxes, left, right, top, bottom } = geometry(grid);
      for (const box of boxes) {
        expect(box.width / box.height).to.be.closeTo(16 / 9, 0.02);
        expect(box.width).to.be.closeTo(boxes[0]!.width, 0.5);
      }
      expect(left, 'centred across').to.be.closeTo(right, 1.5);
      expect(Math.min(left, top), 'reaching the edges one way, up to the gap').to.be.closeTo(8, 1.5);
      if (count === 9) expect(top, 'centred down').to.be.closeTo(bottom, 1.5);
    });
  }

  it('caps a narrow container at 2 columns, with smaller pages', async () => {
    const grid = await render(new FakeRoom(12), 360, 640);
    expect(part(grid, 'grid')!.dataset).to.include({ layout: '2x3', pages: '3' });
    expect(tiles(grid)).to.have.length(6);
    const { boxes, columns } = geometry(grid);
    expect(columns).to.equal(2);
    expect(boxes[0]!.width).to.be.at.least(160);
    expect(part(grid, 'pager')!.getBoundingClientRect().bottom).to.be.at.most(grid.getBoundingClientRect().bottom);

    grid.style.width = '1280px';
    await settle(grid);
    expect(part(grid, 'grid')!.dataset).to.include({ layout: '3x3', pages: '2' });
  });

  it('shows a pinned participant 16:9 on the stage', async () => {
    const grid = await render(new FakeRoom(5), 1920, 1080);
    grid.pinned = 'p1';
    await settle(grid);
    const box = tileOf(grid, 'p1').getBoundingClientRect();
    expect(box.width / box.height).to.be.closeTo(16 / 9, 0.02);
    expect(box.width).to.be.greaterThan(1200);
  });

  it('has no axe-core violations paged, pinned or presenting', async function () {
    // axe-core walks every shadow root three times: seconds on a loaded machine.
    this.timeout(20_000);
    const room = new FakeRoom(12);
    room.speak('p3');
    const grid = await render(room);
    expect(await axeViolations(grid)).to.deep.equal([]);
    part(grid, 'next-page')!.click();
    await settle(grid);
    expect(await axeViolations(grid), 'on the last page').to.deep.equal([]);
    grid.pinned = 'p4';
    room.shareScreen('p5');
    await settle(grid);
    expect(await axeViolations(grid), 'pinned').to.deep.equal([]);
    grid.pinned = null;
    room.shareScreen('me');
    await settle(grid);
    expect(await axeViolations(grid), 'you presenting').to.deep.equal([]);
  });
});
