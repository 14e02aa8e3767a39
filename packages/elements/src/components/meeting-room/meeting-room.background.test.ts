import { expect } from '@esm-bundle/chai';
import { until } from '../../../test/support/until.js';
import './meeting-room.js';
import type { MeetingRoom } from './meeting-room.component.js';

/** The prejoin screen's background `<select>`, once the preview started (null when hidden). */
async function backgroundSelect(room: MeetingRoom): Promise<HTMLSelectElement | null> {
  await room.updateComplete;
  const prejoin = room.shadowRoot!.querySelector('prejoin-screen')!;
  await until(() => prejoin.shadowRoot!.querySelector('[part~="camera-select"]') !== null);
  await prejoin.updateComplete;
  return prejoin.shadowRoot!.querySelector<HTMLSelectElement>('select[part~="background-select"]');
}

function meetingRoom(): MeetingRoom {
  const room = document.createElement('meeting-room');
  room.code = 'abcd-efgh-jkmn';
  document.body.append(room);
  return room;
}

describe('<meeting-room> background', function () {
  this.timeout(20_000);
  beforeEach(() => localStorage.removeItem('parley:background'));
  afterEach(() => document.body.replaceChildren());

  it('offers none, light and strong blur in the prejoin screen; hide="background" leaves the choice out', async () => {
    const shown = await backgroundSelect(meetingRoom());
    expect([...shown!.options].map((option) => option.value)).to.deep.equal(['none', 'light', 'strong']);
    expect(shown!.value).to.equal('none');
    document.body.replaceChildren();

    const hidden = meetingRoom();
    hidden.hide = 'hand background';
    expect(await backgroundSelect(hidden)).to.equal(null);
  });

  it('an effect whose files cannot be fetched: a typed rejection, parley-background-changed to none, the select back to none, nothing remembered', async () => {
    const room = meetingRoom();
    room.backgroundAssetsUrl = 'http://127.0.0.1:9/nothing-here/';
    const select = await backgroundSelect(room);
    const changes: string[] = [];
    room.addEventListener('parley-background-changed', (event) => changes.push(event.detail.background.type));
    const error = await room.setBackground({ type: 'blur', strength: 'strong' }).then(
      () => null,
      (failure: { code: string }) => failure,
    );
    expect(error?.code).to.equal('background-unavailable');
    expect(changes).to.deep.equal(['none']);
    await until(() => select!.value === 'none');
    expect(localStorage.getItem('parley:background')).to.equal(null);
    // The camera goes on as it is: the preview still shows the camera's own track.
    const preview = room.shadowRoot!.querySelector('prejoin-screen')!.shadowRoot!.querySelector('video')!;
    await until(() => (preview.srcObject as MediaStream | null)?.getVideoTracks().length === 1);
    const track = (preview.srcObject as MediaStream).getVideoTracks()[0]!;
    expect([track.readyState, track.getSettings().deviceId !== undefined]).to.deep.equal(['live', true]);
  });
});
