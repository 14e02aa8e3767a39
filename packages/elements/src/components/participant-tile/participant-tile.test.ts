import { expect } from '@esm-bundle/chai';
import { RemoteParticipant } from '@parley/sdk';
import './participant-tile.js';
import type { ParticipantTile } from './participant-tile.component.js';

function remote(overrides: Partial<ConstructorParameters<typeof RemoteParticipant>[0]> = {}): RemoteParticipant {
  return new RemoteParticipant({
    id: 'p1',
    name: 'Ada Lovelace',
    isHost: false,
    audioEnabled: true,
    videoEnabled: true,
    screenSharing: false,
    ...overrides,
  });
}

async function render(participant: RemoteParticipant): Promise<ParticipantTile> {
  const tile = document.createElement('participant-tile');
  tile.participant = participant;
  document.body.append(tile);
  await tile.updateComplete;
  return tile;
}

const part = (tile: ParticipantTile, name: string) => tile.shadowRoot!.querySelector(`[part~="${name}"]`);

describe('<participant-tile>', () => {
  afterEach(() => {
    document.body.replaceChildren();
  });

  it('shows the name, and initials while no video has arrived', async () => {
    const tile = await render(remote());
    expect(part(tile, 'name')!.textContent).to.equal('Ada Lovelace');
    expect(tile.hasAttribute('camera-off'), 'no track yet').to.equal(true);
    expect(part(tile, 'avatar')!.textContent).to.equal('AL');
    expect(part(tile, 'host-badge')).to.equal(null);
  });

  it('shows the [HOST] badge and the muted microphone', async () => {
    const tile = await render(remote({ isHost: true, audioEnabled: false }));
    expect(part(tile, 'host-badge')!.textContent).to.equal('HOST');
    expect(part(tile, 'mic-off')!.getAttribute('aria-label')).to.equal('Microphone off');
    expect(tile.hasAttribute('audio-muted')).to.equal(true);
  });

  it('follows the participant: mute, speaking, connection state and quality', async () => {
    const participant = remote();
    const tile = await render(participant);
    expect(part(tile, 'overlay')!.textContent!.trim(), 'before the first connection').to.equal('Connecting…');

    participant.setConnectionState('connected');
    participant.setConnectionQuality(5);
    participant.setSpeaking(true);
    participant.setMediaState(false, true);
    await tile.updateComplete;
    expect(part(tile, 'overlay')).to.equal(null);
    expect(tile.hasAttribute('speaking')).to.equal(true);
    expect(tile.hasAttribute('audio-muted')).to.equal(true);
    expect(part(tile, 'quality')!.getAttribute('aria-label')).to.equal('Excellent connection');
    expect(part(tile, 'quality')!.querySelectorAll('[data-lit]').length).to.equal(3);

    participant.setConnectionState('disconnected');
    participant.setConnectionQuality(2);
    await tile.updateComplete;
    expect(part(tile, 'overlay')!.textContent!.trim(), 'after a loss').to.equal('Reconnecting…');
    expect(part(tile, 'quality')!.querySelectorAll('[data-lit]').length).to.equal(1);
  });

  function withVideo(participant: RemoteParticipant): RemoteParticipant {
    const canvas = document.createElement('canvas');
    canvas.getContext('2d')!.fillRect(0, 0, 10, 10);
    participant.addTrack(canvas.captureStream(5).getVideoTracks()[0]!);
    return participant;
  }

  async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('plays sound from its own element and keeps the picture muted', async () => {
    const participant = withVideo(remote());
    const tile = await render(participant);
    const video = tile.shadowRoot!.querySelector('video')!;
    const audio = tile.shadowRoot!.querySelector('audio');
    expect(video.muted).to.equal(true);
    expect(audio?.srcObject).to.equal(participant.stream);
    tile.source = 'screen';
    await tile.updateComplete;
    expect(tile.shadowRoot!.querySelector('audio'), 'a screen has no sound of its own').to.equal(null);
  });

  it('pauses the picture while the tile is off screen, and resumes it when it is back', async () => {
    const tile = await render(withVideo(remote()));
    const video = tile.shadowRoot!.querySelector('video')!;
    Object.assign(tile.style, { display: 'block', width: '160px', height: '90px' });
    await until(() => !video.paused, 'the picture to play');
    Object.assign(tile.style, { position: 'fixed', top: '-1000px' });
    await until(() => video.paused, 'the picture to pause off screen');
    tile.style.top = '0';
    await until(() => !video.paused, 'the picture to play again');
  });

  it('releases the stream when it leaves the page', async () => {
    const participant = withVideo(remote());
    const tile = await render(participant);
    const video = tile.shadowRoot!.querySelector('video')!;
    const audio = tile.shadowRoot!.querySelector('audio')!;
    expect(video.srcObject).to.equal(participant.stream);
    tile.remove();
    expect(video.srcObject).to.equal(null);
    expect(audio.srcObject).to.equal(null);
  });

  describe('frozen-picture watchdog', () => {
    const painters: ReturnType<typeof setInterval>[] = [];
    afterEach(() => painters.splice(0).forEach(clearInterval));

    /**
     * A participant whose SDK side is faked: `framesDecoded()` keeps advancing, as inbound-rtp's counter does, and
     * `repairVideo()` is counted. `frames` says whether their video presents frames (a canvas that draws) or none.
     */
    function decodingParticipant(frames: boolean): {
      participant: RemoteParticipant;
      repairs: () => number;
      /** The watchdog's checks so far (each reads `framesDecoded()` once), and the check each repair came after. */
      checks: () => number;
      repairedAt: number[];
    } {
      const participant = remote();
      const canvas = document.createElement('canvas');
      const context = canvas.getContext('2d')!;
      const stream = canvas.captureStream(frames ? 10 : 0);
      if (frames) painters.push(setInterval(() => context.fillRect(0, 0, Math.random() * 10, 10), 50));
      participant.addTrack(stream.getVideoTracks()[0]!);
      participant.setConnectionState('connected');
      let decoded = 0;
      let checks = 0;
      const repairedAt: number[] = [];
      participant.framesDecoded = async () => {
        checks += 1;
        return (decoded += 25);
      };
      participant.repairVideo = () => {
        repairedAt.push(checks);
      };
      return { participant, repairs: () => repairedAt.length, checks: () => checks, repairedAt };
    }

    async function show(participant: RemoteParticipant): Promise<ParticipantTile> {
      const tile = await render(participant);
      Object.assign(tile.style, { display: 'block', width: '160px', height: '90px' });
      return tile;
    }

    // Two checks, 2.5 s apart, are needed to see frames decoded but none presented; give it a third.
    const WATCHED_MS = 8000;

    it('asks the SDK to repair a picture whose frames are decoded but never presented', async function () {
      this.timeout(WATCHED_MS + 5000);
      const { participant, repairs } = decodingParticipant(false);
      await show(participant);
      await until(() => repairs() > 0, 'a repair', WATCHED_MS);
    });

    it('backs off while the picture stays frozen', async function () {
      this.timeout(40_000);
      const { participant, repairs, checks, repairedAt } = decodingParticipant(false);
      await show(participant);
      // Counted in the watchdog's checks, not in time (a loaded machine delays them): the first sets the baseline,
      // then repairs come 1, 2, 4… frozen checks apart. Without the backoff there would be one every check.
      await until(() => repairs() === 2, 'a second repair', 25_000);
      const [first, second] = repairedAt as [number, number];
      expect(second - first).to.equal(2);
      await until(() => checks() >= second + 3, 'three more checks', 15_000);
      expect(repairedAt).to.deep.equal([first, second]);
    });

    it('leaves a picture that shows alone', async function () {
      this.timeout(WATCHED_MS + 5000);
      const { participant, repairs } = decodingParticipant(true);
      await show(participant);
      await new Promise((resolve) => setTimeout(resolve, WATCHED_MS));
      expect(repairs()).to.equal(0);
    });

    it('does not repair while the camera is off', async function () {
      this.timeout(WATCHED_MS + 5000);
      const { participant, repairs } = decodingParticipant(false);
      participant.setMediaState(true, false);
      await show(participant);
      await new Promise((resolve) => setTimeout(resolve, WATCHED_MS));
      expect(repairs()).to.equal(0);
    });
  });

  it('shows a raised hand with its place in the queue, labelled for screen readers, and none while `hand` is 0', async () => {
    const tile = await render(remote());
    expect(part(tile, 'hand')).to.equal(null);
    tile.hand = 2;
    await tile.updateComplete;
    const badge = part(tile, 'hand') as HTMLElement;
    expect(badge.textContent!.trim()).to.equal('✋ 2');
    expect(badge.getAttribute('aria-label')).to.equal('Hand raised, number 2 in line');
    expect(badge.checkVisibility()).to.equal(true);
    tile.hand = 0;
    await tile.updateComplete;
    expect(part(tile, 'hand')).to.equal(null);
  });
});

describe('<participant-tile> reactions', function () {
  this.timeout(10_000);
  afterEach(() => document.body.replaceChildren());

  const shown = (tile: ParticipantTile) => [...tile.shadowRoot!.querySelectorAll('[part~="reaction"]')].map((node) => node.textContent);

  it('shows a reaction over the tile for 3 s, hidden from screen readers (the room announces it)', async () => {
    const participant = remote();
    const tile = await render(participant);
    participant.reacted('👍');
    await tile.updateComplete;
    expect(shown(tile)).to.deep.equal(['👍']);
    expect(part(tile, 'reactions')!.getAttribute('aria-hidden')).to.equal('true');
    const bubble = part(tile, 'reaction')!.getBoundingClientRect();
    expect(bubble.width, 'visible').to.be.greaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(shown(tile)).to.deep.equal(['👍']);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(shown(tile)).to.deep.equal([]);
    expect(part(tile, 'reactions')).to.equal(null);
  });

  it('stacks a burst up to three, the newest last, the oldest going early', async () => {
    const participant = remote();
    const tile = await render(participant);
    for (const emoji of ['👍', '👏', '👏', '🎉', '😮'] as const) participant.reacted(emoji);
    await tile.updateComplete;
    expect(shown(tile)).to.deep.equal(['👏', '🎉', '😮']);
  });

  it('shows none over the tile of a shared screen', async () => {
    const participant = remote({ screenSharing: true });
    const tile = document.createElement('participant-tile');
    tile.participant = participant;
    tile.source = 'screen';
    document.body.append(tile);
    await tile.updateComplete;
    participant.reacted('🎉');
    await tile.updateComplete;
    expect(shown(tile)).to.deep.equal([]);
  });
});
