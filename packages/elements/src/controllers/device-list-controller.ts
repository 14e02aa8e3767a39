import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DeviceList, RoomEventMap } from '@parley/sdk';
import type { RoomPart } from '../room-like.js';
import { EmitterController } from './emitter-controller.js';

type Host = ReactiveControllerHost & HTMLElement;

const noDevices: DeviceList = { cameras: [], microphones: [], speakers: [] };

/**
 * The cameras, microphones and speakers to choose from, kept current while the host is in the page. With a room, as
 * the room lists them (and again on its `devices-changed`); without one (before joining), as the browser does, once
 * the page may see them: without permission the entries have empty ids, nothing to choose from.
 */
export class DeviceListController implements ReactiveController {
  /** The devices listed last; none before the first listing or without a room to ask. */
  devices = noDevices;
  readonly #host: Host;
  readonly #room: (() => RoomPart<'listDevices'> | null) | undefined;

  constructor(host: Host, room?: () => RoomPart<'listDevices'> | null) {
    this.#host = host;
    this.#room = room;
    host.addController(this);
    if (room) new EmitterController<RoomEventMap>(host, room, ['devices-changed'], this.refresh);
  }

  hostConnected(): void {
    // A room's devices are listed at once; the browser's are worth listing only after a capture (see `refresh`).
    if (this.#room) void this.refresh();
    else navigator.mediaDevices?.addEventListener('devicechange', this.refresh);
  }

  hostDisconnected(): void {
    navigator.mediaDevices?.removeEventListener('devicechange', this.refresh);
  }

  /** Lists the devices again, e.g. once a capture made their labels (and ids) visible. */
  refresh = async (): Promise<void> => {
    // Nothing to list (no room, or the browser refused): nothing to choose from.
    this.devices = (await (this.#room ? this.#room()?.listDevices() : this.#browserDevices())?.catch(() => null)) ?? noDevices;
    this.#host.requestUpdate();
  };

  async #browserDevices(): Promise<DeviceList> {
    const devices = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
    const usable = devices.filter((device) => device.deviceId);
    const ofKind = (kind: MediaDeviceKind) => usable.filter((device) => device.kind === kind);
    return { cameras: ofKind('videoinput'), microphones: ofKind('audioinput'), speakers: ofKind('audiooutput') };
  }
}
