import { expect } from '@esm-bundle/chai';
import { SubscriptionPlan, type PublishedStream, type SubscribedStream } from './subscription-plan.js';

/** Camera, microphone and (with `screen`) a screen, as a Parley publisher describes them. */
function streams(screen = false): PublishedStream[] {
  return [
    { type: 'audio', mid: '0' },
    { type: 'video', mid: '1', description: 'camera' },
    ...(screen ? [{ type: 'video', mid: '2', description: 'screen' }] : []),
  ];
}

/** The subscription's m-lines for `[feed, feedMid, type, description?]`, numbered in order. */
function subscribed(...lines: [string, string, string, string?][]): SubscribedStream[] {
  return lines.map(([feed, feedMid, type, description], index) => ({
    mid: String(index),
    type,
    feed_id: feed,
    feed_mid: feedMid,
    ...(description && { feed_description: description }),
  }));
}

describe('SubscriptionPlan', () => {
  it('subscribes to every stream of every publisher, a camera of unknown size at Janus’ default layer', () => {
    const plan = new SubscriptionPlan();
    plan.setPublisher('ada', streams());
    plan.setPublisher('bob', streams(true));
    expect(plan.changes()).to.deep.equal({
      subscribe: [
        { feed: 'ada', mid: '0' },
        { feed: 'ada', mid: '1' },
        { feed: 'bob', mid: '0' },
        { feed: 'bob', mid: '1' },
        { feed: 'bob', mid: '2' },
      ],
      unsubscribe: [],
    });
  });

  it('maps the subscription’s mids to participants and to camera, microphone and screen', () => {
    const plan = new SubscriptionPlan();
    plan.setPublisher('bob', streams(true));
    plan.setSubscribed([
      ...subscribed(['bob', '0', 'audio'], ['bob', '1', 'video', 'camera'], ['bob', '2', 'video', 'screen']),
      { mid: '3', type: 'data' },
    ]);
    expect(plan.source('0')).to.deep.equal({ participantId: 'bob', source: 'microphone' });
    expect(plan.source('1')).to.deep.equal({ participantId: 'bob', source: 'camera' });
    expect(plan.source('2')).to.deep.equal({ participantId: 'bob', source: 'screen' });
    expect(plan.source('3')).to.equal(undefined);
    expect(plan.midsOf('bob')).to.deep.equal(['0', '1', '2']);
    expect(plan.changes()).to.deep.equal({ subscribe: [], unsubscribe: [] });
  });

  it('asks for nothing new once the subscription holds everything', () => {
    const plan = new SubscriptionPlan();
    plan.setPublisher('ada', streams());
    plan.setSubscribed(subscribed(['ada', '0', 'audio'], ['ada', '1', 'video', 'camera']));
    expect(plan.changes()).to.deep.equal({ subscribe: [], unsubscribe: [] });
  });

  it('drops the camera of a tile shown nowhere, keeps its microphone, and takes it back when shown again', () => {
    const plan = new SubscriptionPlan();
    plan.setPublisher('ada', streams());
    plan.setSubscribed(subscribed(['ada', '0', 'audio'], ['ada', '1', 'video', 'camera']));
    plan.setWanted('ada', null);
    expect(plan.changes()).to.deep.equal({ subscribe: [], unsubscribe: [{ feed: 'ada', mid: '1' }] });
    plan.setSubscribed(subscribed(['ada', '0', 'audio']));
    plan.setWanted('ada', { width: 200, height: 112 });
    expect(plan.changes()).to.deep.equal({ subscribe: [{ feed: 'ada', mid: '1', substream: 0 }], unsubscribe: [] });
  });

  it('follows a publisher that adds and then stops a screen share', () => {
    const plan = new SubscriptionPlan();
    plan.setPublisher('ada', streams());
    plan.setSubscribed(subscribed(['ada', '0', 'audio'], ['ada', '1', 'video', 'camera']));
    plan.setPublisher('ada', streams(true));
    expect(plan.changes().subscribe).to.deep.equal([{ feed: 'ada', mid: '2' }]);
    plan.setSubscribed(subscribed(['ada', '0', 'audio'], ['ada', '1', 'video', 'camera'], ['ada', '2', 'video', 'screen']));
    plan.setPublisher('ada', [...streams(), { type: 'video', mid: '2', disabled: true }]);
    expect(plan.changes()).to.deep.equal({ subscribe: [], unsubscribe: [{ feed: 'ada', mid: '2' }] });
  });

  it('leaves the streams of a publisher that went away to Janus, which drops them by itself', () => {
    const plan = new SubscriptionPlan();
    plan.setPublisher('ada', streams());
    plan.setSubscribed(subscribed(['ada', '0', 'audio'], ['ada', '1', 'video', 'camera']));
    plan.removePublisher('ada');
    expect(plan.changes()).to.deep.equal({ subscribe: [], unsubscribe: [] });
    expect([...plan.publishers]).to.deep.equal([]);
  });

  it('moves a camera to the layer of its tile as the tile is resized, once per change', () => {
    const plan = new SubscriptionPlan();
    plan.setPublisher('ada', streams());
    plan.setSubscribed(subscribed(['ada', '0', 'audio'], ['ada', '1', 'video', 'camera']));
    expect(plan.substreamChanges(), 'not measured yet: the default').to.deep.equal([]);
    plan.setWanted('ada', { width: 1280, height: 720 });
    expect(plan.substreamChanges()).to.deep.equal([{ mid: '1', substream: 2 }]);
    expect(plan.substreamChanges()).to.deep.equal([]);
    plan.setWanted('ada', { width: 240, height: 135 });
    expect(plan.substreamChanges()).to.deep.equal([{ mid: '1', substream: 0 }]);
    plan.setWanted('ada', { width: 250, height: 140 });
    expect(plan.substreamChanges(), 'same layer').to.deep.equal([]);
  });

  it('tells which layers asked for Janus has not said it sends, forgetting an m-line given to another camera', () => {
    const plan = new SubscriptionPlan();
    plan.setPublisher('ada', streams());
    plan.setPublisher('bob', streams());
    plan.setSubscribed(subscribed(['ada', '1', 'video', 'camera'], ['bob', '1', 'video', 'camera']));
    expect(plan.substreamsBehind(), 'nothing asked for').to.deep.equal([]);
    plan.setWanted('ada', { width: 240, height: 135 });
    plan.setWanted('bob', { width: 1280, height: 720 });
    plan.substreamChanges();
    plan.setSending('0', 2);
    plan.setSending('1', 2);
    expect(plan.substreamsBehind()).to.deep.equal([{ mid: '0', substream: 0 }]);
    plan.setSending('0', 0);
    expect(plan.substreamsBehind()).to.deep.equal([]);
    // Janus gives Ada's m-line to Cem: what it sent there was Ada's.
    plan.setPublisher('cem', streams());
    plan.setWanted('cem', { width: 240, height: 135 });
    plan.setSubscribed(subscribed(['cem', '1', 'video', 'camera'], ['bob', '1', 'video', 'camera']));
    plan.substreamChanges();
    expect(plan.substreamsBehind()).to.deep.equal([{ mid: '0', substream: 0 }]);
  });

  it('does not ask again for the layer a camera was subscribed at', () => {
    const plan = new SubscriptionPlan();
    plan.setPublisher('ada', streams());
    plan.setWanted('ada', { width: 640, height: 360 });
    expect(plan.changes().subscribe).to.deep.include({ feed: 'ada', mid: '1', substream: 1 });
    plan.setSubscribed(subscribed(['ada', '0', 'audio'], ['ada', '1', 'video', 'camera']));
    expect(plan.substreamChanges()).to.deep.equal([]);
  });

  it('asks afresh for the layer of a camera that comes back on a recycled m-line', () => {
    const plan = new SubscriptionPlan();
    plan.setPublisher('ada', streams());
    plan.setPublisher('bob', streams());
    plan.setWanted('ada', { width: 1280, height: 720 });
    plan.setWanted('bob', { width: 1280, height: 720 });
    plan.setSubscribed(subscribed(['ada', '1', 'video', 'camera']));
    expect(plan.substreamChanges()).to.deep.equal([{ mid: '0', substream: 2 }]);
    // Janus reuses the m-line of a stream it dropped for the next one.
    plan.setSubscribed(subscribed(['bob', '1', 'video', 'camera']));
    expect(plan.source('0')).to.deep.equal({ participantId: 'bob', source: 'camera' });
    expect(plan.substreamChanges()).to.deep.equal([{ mid: '0', substream: 2 }]);
  });
});
