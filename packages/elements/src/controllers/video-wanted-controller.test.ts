import { expect } from '@esm-bundle/chai';
import type { VideoWanted } from '@parley/sdk';
import { FakeRoom } from '../../test/support/fake-room.js';
import '../components/participant-grid/participant-grid.js';
import type { ParticipantGrid } from '../components/participant-grid/participant-grid.component.js';
import type { ParticipantTile } from '../components/participant-tile/participant-tile.component.js';

// The grid is the controller's host: these tests drive it as a person would (resize, page, pin, switch tabs) and read
// what the room was told. Timings are the controller's own: told at once when shown, 2 s of grace when out of sight,
// at most one call per participant per 500 ms.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, ms = 6000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function roomOf(count: number): FakeRoom {
  const room = new FakeRoom();
  for (let index = 1; index <= count; index++) room.join(`p${index}`, `Person ${index}`);
  return room;
}

async function render(room: FakeRoom, width: number, height: number): Promise<ParticipantGrid> {
  const grid = document.createElement('participant-grid');
  Object.assign(grid.style, { display: 'flex', width: `${width}px`, height: `${height}px` });
  grid.room = room;
  document.body.append(grid);
  await grid.updateComplete;
  return grid;
}

const cameraTile = (grid: ParticipantGrid, id: string) =>
  grid.shadowRoot!.querySelector<ParticipantTile>(`participant-tile[source=camera][data-participant-id="${id}"]`);

/** What the room was told last about each participant. */
function lastTold(room: FakeRoom): Map<string, VideoWanted> {
  return new Map(room.videoWanted.map(({ id, wanted }) => [id, wanted]));
}

const toldOf = (room: FakeRoom, id: string) => room.videoWanted.filter((call) => call.id === id);

/** The size a tile is shown at, as the room should hear it. */
function shownSize(tile: ParticipantTile): { width: number; height: number } {
  const { width, height } = tile.getBoundingClientRect();
  return { width: Math.round(width), height: Math.round(height) };
}

describe('VideoWantedController, in <participant-grid>', function () {
  this.timeout(30_000);

  afterEach(() => document.body.replaceChildren());

  it('tells the size each camera is shown at, and a new size once a tile is resized', async () => {
    const room = roomOf(2);
    const grid = await render(room, 480, 270);
    await waitFor(() => lastTold(room).size === 2, 'both sizes');
    const small = shownSize(cameraTile(grid, 'p1')!);
    expect(small.width).to.be.within(200, 240);
    expect(lastTold(room)).to.deep.equal(new Map([['p1', small], ['p2', small]]));
    expect(room.videoWanted.every(({ id }) => id !== 'me'), 'never you').to.equal(true);

    grid.style.width = '760px';
    grid.style.height = '430px';
    await waitFor(() => lastTold(room).get('p1')!.width > small.width, 'the larger size');
    const large = shownSize(cameraTile(grid, 'p1')!);
    await waitFor(() => lastTold(room).get('p2')!.width === large.width, "p2's larger size");
    expect(lastTold(room).get('p1')).to.deep.equal(large);

    // A few pixels are no news: the room hears of a size a step (a fifth) away.
    const calls = room.videoWanted.length;
    grid.style.width = '740px';
    await sleep(1000);
    expect(room.videoWanted.length, 'calls after a 3 % resize').to.equal(calls);
  });

  it('flipping pages: the sizes of the tiles that came at once, null for those that left after a grace', async () => {
    const room = roomOf(11);
    const rendered = performance.now();
    const grid = await render(room, 640, 360);
    await waitFor(() => lastTold(room).size === 11, 'everyone told');
    // Not shown from the start: unwanted only after the grace too, so a tile laid out late never pauses a video.
    expect(toldOf(room, 'p9')[0]!.at - rendered, 'p9 unwanted after the grace').to.be.at.least(1900);
    const told = lastTold(room);
    for (const id of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8']) expect(told.get(id), id).to.deep.equal(shownSize(cameraTile(grid, id)!));
    for (const id of ['p9', 'p10', 'p11']) expect(told.get(id), `${id}, on page 2`).to.equal(null);

    await sleep(600);
    const flipped = performance.now();
    grid.shadowRoot!.querySelector<HTMLElement>('[part~="next-page"]')!.click();
    await waitFor(() => ['p9', 'p10', 'p11'].every((id) => lastTold(room).get(id) !== null), 'the sizes of page 2');
    const arrived = performance.now();
    expect(arrived - flipped, 'tiles that came are told at once').to.be.below(1000);
    for (const id of ['p9', 'p10', 'p11']) expect(lastTold(room).get(id)).to.deep.equal(shownSize(cameraTile(grid, id)!));
    expect(lastTold(room).get('p1'), 'still wanted just after the flip').to.not.equal(null);
    await waitFor(() => ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'].every((id) => lastTold(room).get(id) === null), 'page 1 unwanted');
    for (const id of ['p1', 'p8']) expect(toldOf(room, id).at(-1)!.at - flipped, `${id} unwanted after the grace`).to.be.at.least(1900);

    // Back and forth within the grace: page 1 comes back at once, page 2 is never told it went.
    const before = room.videoWanted.length;
    grid.shadowRoot!.querySelector<HTMLElement>('[part~="previous-page"]')!.click();
    await waitFor(() => lastTold(room).get('p1') !== null, 'page 1 wanted again');
    await sleep(700);
    grid.shadowRoot!.querySelector<HTMLElement>('[part~="next-page"]')!.click();
    await sleep(1000);
    grid.shadowRoot!.querySelector<HTMLElement>('[part~="previous-page"]')!.click();
    await sleep(2600);
    const later = room.videoWanted.slice(before);
    expect(later.filter(({ id }) => ['p9', 'p10', 'p11'].includes(id)).map(({ wanted }) => wanted), 'page 2, glanced at').to.deep.equal([
      null,
      null,
      null,
    ]);
    expect(later.filter(({ id }) => id === 'p1').map(({ wanted }) => wanted !== null), 'p1').to.deep.equal([true]);
  });

  it('tells null for a camera out of sight: a strip scrolled past, a grid collapsed', async () => {
    const room = roomOf(8);
    const grid = await render(room, 760, 300);
    grid.pinned = 'p1';
    await waitFor(() => lastTold(room).size === 8, 'everyone told');
    const strip = grid.shadowRoot!.querySelector<HTMLElement>('[part~="strip"]')!;
    expect(strip.scrollHeight, 'a strip that scrolls').to.be.greaterThan(strip.clientHeight * 2);
    const stage = shownSize(cameraTile(grid, 'p1')!);
    expect(stage.width, 'the stage is large').to.be.greaterThan(400);
    await waitFor(() => lastTold(room).get('p7') === null, 'the bottom of the strip unwanted');
    expect(lastTold(room).get('p1')).to.deep.equal(stage);
    expect(lastTold(room).get('p2')).to.deep.equal(shownSize(cameraTile(grid, 'p2')!));

    strip.scrollTop = strip.scrollHeight;
    await waitFor(() => lastTold(room).get('p7') !== null, 'the bottom of the strip wanted once scrolled to');
    await waitFor(() => lastTold(room).get('p2') === null, 'the top of the strip unwanted');

    grid.style.display = 'none';
    await waitFor(() => [...lastTold(room).values()].every((wanted) => wanted === null), 'nothing wanted while collapsed');
  });

  it('tells null while the page is hidden (after a grace), and the sizes once it shows again', async () => {
    const room = roomOf(2);
    const grid = await render(room, 480, 270);
    await waitFor(() => lastTold(room).size === 2, 'both sizes');
    const size = lastTold(room).get('p1');
    const hide = (hidden: boolean) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    try {
      hide(true);
      await waitFor(() => lastTold(room).get('p1') === null && lastTold(room).get('p2') === null, 'nothing wanted while hidden');
      hide(false);
      await waitFor(() => lastTold(room).get('p1') !== null, 'wanted again');
      expect(lastTold(room).get('p1')).to.deep.equal(size);
      expect(cameraTile(grid, 'p1')).to.not.equal(null);
    } finally {
      delete (document as { hidden?: boolean }).hidden;
    }
  });

  it('keeps a camera shown elsewhere (picture in picture) wanted while the page is hidden, at the larger size', async () => {
    const room = roomOf(2);
    const grid = await render(room, 480, 270);
    await waitFor(() => lastTold(room).size === 2, 'both sizes');
    const gridSize = lastTold(room).get('p1')!;
    const hide = (hidden: boolean) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    try {
      grid.shownElsewhere = new Map([['p1', { width: 800, height: 450 }]]);
      await waitFor(() => lastTold(room).get('p1')?.width === 800, 'the bigger window size');
      hide(true);
      await waitFor(() => lastTold(room).get('p2') === null, 'p2 not wanted while hidden');
      expect(lastTold(room).get('p1'), 'p1 still wanted: it shows in the window').to.deep.equal({ width: 800, height: 450 });
      // The window closed while the page is hidden: p1 goes too (after the grace).
      grid.shownElsewhere = new Map();
      await waitFor(() => lastTold(room).get('p1') === null, 'p1 not wanted once the window closed');
      hide(false);
      await waitFor(() => lastTold(room).get('p1') !== null, 'wanted again');
      expect(lastTold(room).get('p1')).to.deep.equal(gridSize);
    } finally {
      delete (document as { hidden?: boolean }).hidden;
    }
  });

  it('keeps a camera that is turned off wanted at its tile size, so its picture is back as soon as it turns on', async () => {
    const room = roomOf(2);
    const grid = await render(room, 480, 270);
    await waitFor(() => lastTold(room).size === 2, 'both sizes');
    const p1 = room.participants.get('p1')!;
    p1.setMediaState(true, false);
    room.emit('media-changed', p1);
    await waitFor(() => cameraTile(grid, 'p1')!.hasAttribute('camera-off'), 'the initials');
    await sleep(2500);
    expect(toldOf(room, 'p1').map(({ wanted }) => wanted)).to.deep.equal([shownSize(cameraTile(grid, 'p1')!)]);
  });

  it('stops telling about a participant who left', async () => {
    const room = roomOf(3);
    const grid = await render(room, 480, 270);
    await waitFor(() => lastTold(room).size === 3, 'everyone told');
    room.depart('p2');
    await grid.updateComplete;
    expect(cameraTile(grid, 'p2')).to.equal(null);
    const left = room.videoWanted.length;
    // The grid re-lays out, and the tiles resize a step: the others are told, never the one who left.
    grid.style.width = '760px';
    grid.style.height = '430px';
    await waitFor(() => toldOf(room, 'p1').length > 1 && toldOf(room, 'p3').length > 1, 'the new sizes');
    await sleep(2500);
    expect(room.videoWanted.slice(left).map(({ id }) => id)).to.not.include('p2');
  });

  it('coalesces a resize drag: a few calls per participant, never one per frame, ending at the final size', async () => {
    const room = roomOf(3);
    const grid = await render(room, 400, 226);
    await waitFor(() => lastTold(room).size === 3, 'everyone told');
    const start = room.videoWanted.length;
    const began = performance.now();
    let frames = 0;
    // Dragged back and forth between small and large, twice a second: every swing crosses several size steps.
    while (performance.now() - began < 1500) {
      frames++;
      const swing = Math.abs(Math.sin(((performance.now() - began) / 1000) * 2 * Math.PI));
      grid.style.width = `${400 + swing * 380}px`;
      grid.style.height = `${226 + swing * 200}px`;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    grid.style.width = '780px';
    grid.style.height = '426px';
    await sleep(1200);
    expect(frames, 'frames of dragging').to.be.greaterThan(6);
    for (const id of ['p1', 'p2', 'p3']) {
      const calls = room.videoWanted.slice(start).filter((call) => call.id === id);
      expect(calls.length, `calls for ${id}`).to.be.within(1, 5);
      for (let at = 1; at < calls.length; at++) expect(calls[at]!.at - calls[at - 1]!.at, 'apart').to.be.at.least(450);
      const final = shownSize(cameraTile(grid, id)!);
      expect(calls.at(-1)!.wanted!.width / final.width, 'within a step of the final size').to.be.within(1 / 1.2, 1.2);
    }
  });
});
