import { JanusError } from './janus-error.js';
import { Listeners } from './listeners.js';
import type { JanusCandidate, JanusMessage, Jsep, PluginAnswer, PluginData } from './messages.js';

/** What a {@link JanusHandle} reports. */
export type JanusHandleEvents = {
  /** A plugin event nobody's request waits for (someone published, left …), with a session description or not. */
  event: (data: PluginData, jsep: Jsep | undefined) => void;
  /** The handle's PeerConnection is up (ICE and DTLS done). */
  webrtcup: () => void;
  /** The handle's PeerConnection is gone; Janus says why. */
  hangup: (reason: string) => void;
  /** Janus started or stopped receiving a medium on this handle. */
  media: (event: { type: 'audio' | 'video'; receiving: boolean; mid?: string }) => void;
  /** Janus sees packet loss on this handle's PeerConnection (`uplink`: in what Janus receives). */
  slowlink: (event: { uplink: boolean; lost: number; mid?: string }) => void;
  /** An ICE candidate of Janus's (full trickle only). */
  trickle: (candidate: JanusCandidate) => void;
  /** The handle is gone: detached here or by Janus, or its session ended. */
  detached: () => void;
};

/** How a handle reaches Janus: through its session. */
export interface HandleChannel {
  send(message: { janus: string; [field: string]: unknown }, handleId: number): Promise<JanusMessage>;
  forget(handleId: number): void;
}

/** A plugin handle (`attach`): plugin requests, trickled candidates, and the events of one PeerConnection. */
export class JanusHandle extends Listeners<JanusHandleEvents> {
  #detached = false;

  constructor(
    /** Janus's id for the handle. */
    readonly id: number,
    /** The plugin's package name, e.g. `janus.plugin.videoroom`. */
    readonly plugin: string,
    private readonly channel: HandleChannel,
  ) {
    super();
  }

  /** Whether the handle is gone (see the `detached` event). */
  get detached(): boolean {
    return this.#detached;
  }

  /**
   * Sends a plugin request (`body`, with `jsep` when it carries a session description). Resolves with the
   * plugin's answer: at once for synchronous requests (`success`), or the `event` that follows Janus's `ack` for
   * asynchronous ones. Rejects with a {@link JanusError}: `janus` for a refusal by Janus (e.g. 403, a bad token),
   * `plugin` for one by the plugin (its `error_code`), `closed` or `timeout`.
   */
  async request<Data extends PluginData = PluginData>(body: object, jsep?: Jsep): Promise<PluginAnswer<Data>> {
    const answer = await this.channel.send({ janus: 'message', body, ...(jsep ? { jsep } : {}) }, this.id);
    const data = (answer.plugindata?.data ?? {}) as Data & { error_code?: number; error?: string };
    if (typeof data.error_code === 'number') throw new JanusError('plugin', data.error_code, String(data.error ?? 'plugin error'));
    return answer.jsep ? { data, jsep: answer.jsep } : { data };
  }

  /** Sends local ICE candidates to Janus; `null` says there are no more. */
  async trickle(candidates: JanusCandidate | JanusCandidate[] | null): Promise<void> {
    const message = Array.isArray(candidates)
      ? { janus: 'trickle', candidates }
      : { janus: 'trickle', candidate: candidates ?? { completed: true } };
    await this.channel.send(message, this.id);
  }

  /** Closes the handle's PeerConnection on Janus's side; the handle stays attached. */
  async hangup(): Promise<void> {
    await this.channel.send({ janus: 'hangup' }, this.id);
  }

  /** Detaches the handle (leaving whatever the plugin had it in). Does nothing if it is already gone. */
  async detach(): Promise<void> {
    if (this.#detached) return;
    try {
      await this.channel.send({ janus: 'detach' }, this.id);
    } finally {
      this.gone();
    }
  }

  /** @internal The session routes Janus's messages for this handle here. */
  receive(message: JanusMessage): void {
    switch (message.janus) {
      case 'event':
        this.emit('event', message.plugindata?.data ?? {}, message.jsep);
        break;
      case 'webrtcup':
        this.emit('webrtcup');
        break;
      case 'hangup':
        this.emit('hangup', String(message['reason'] ?? ''));
        break;
      case 'media':
        this.emit('media', { type: message['type'] as 'audio' | 'video', receiving: message['receiving'] === true, ...mid(message) });
        break;
      case 'slowlink':
        this.emit('slowlink', { uplink: message['uplink'] === true, lost: Number(message['lost'] ?? 0), ...mid(message) });
        break;
      case 'trickle':
        this.emit('trickle', message['candidate'] as JanusCandidate);
        break;
      case 'detached':
        this.gone();
        break;
    }
  }

  /** @internal Marks the handle gone, once: by detach, by Janus, or with its session. */
  gone(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.channel.forget(this.id);
    this.emit('detached');
  }
}

const mid = (message: JanusMessage): { mid?: string } => (typeof message['mid'] === 'string' ? { mid: message['mid'] } : {});
