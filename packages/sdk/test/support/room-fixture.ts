/**
 * What the Room, LocalParticipant and SignalClient tests share: a fake server and environment per test, rooms
 * that are left and released afterwards, and a log of a room's events.
 */
import { expect } from '@esm-bundle/chai';
import { FakeSignalingServer } from './fake-signaling-server.js';
import { ParleyError, type ErrorCode } from '../../src/errors.js';
import { Room, type JoinOptions, type RoomOptions } from '../../src/room.js';
import type { RoomEventMap } from '../../src/events.js';
import { FakeEnvironment } from './fake-environment.js';

export { waitFor, sleep } from './peer-wire.js';

export const CODE = 'abcd-efgh-jkmn';

/**
 * One test's world: a server with a meeting at `CODE`, an environment, and the rooms made in it. `perTest()` makes
 * a fresh one before each test of the enclosing `describe` and releases it after.
 */
export class RoomFixture {
  server!: FakeSignalingServer;
  environment!: FakeEnvironment;
  #rooms: Room[] = [];
  #environments: FakeEnvironment[] = [];

  static perTest(): RoomFixture {
    const world = new RoomFixture();
    beforeEach(() => world.#renew());
    afterEach(() => world.release());
    return world;
  }

  private constructor() {}

  /** A room on the fake server; its own environment if `environment` is given. */
  room(options: Partial<RoomOptions> = {}): Room {
    const environment = options.environment ?? this.environment;
    if (environment instanceof FakeEnvironment && !this.#environments.includes(environment)) this.#environments.push(environment);
    const room = new Room({ server: this.server.url, requestTimeoutMs: 3000, sessionId: `session-${this.#rooms.length}`, ...options, environment });
    this.#rooms.push(room);
    return room;
  }

  /** A room that has joined `CODE`. */
  async joined(options: Partial<JoinOptions> = {}, roomOptions: Partial<RoomOptions> = {}): Promise<Room> {
    const room = this.room(roomOptions);
    await room.join({ code: CODE, name: 'Ada', ...options });
    return room;
  }

  async release(): Promise<void> {
    await Promise.all(this.#rooms.map((room) => room.leave()));
    for (const environment of this.#environments) environment.dispose();
    this.server.close();
  }

  #renew(): void {
    this.server = new FakeSignalingServer();
    this.server.createMeeting(CODE);
    this.environment = new FakeEnvironment();
    this.#rooms = [];
    this.#environments = [this.environment];
  }
}

/** Asserts that `error` is a ParleyError with `code`. */
export function expectParleyError(error: unknown, code: ErrorCode): void {
  expect(error, String(error)).to.be.instanceOf(ParleyError);
  expect((error as ParleyError).code).to.equal(code);
}

export type RoomEventName = keyof RoomEventMap;

/** Every event `room` emits from now on, by name, with its arguments. */
export function recordEvents(room: Room, names: RoomEventName[]): { name: RoomEventName; args: unknown[] }[] {
  const log: { name: RoomEventName; args: unknown[] }[] = [];
  for (const name of names) {
    room.on(name, ((...args: unknown[]) => log.push({ name, args })) as RoomEventMap[typeof name]);
  }
  return log;
}

/** The names of logged events, a state change as `state:<state>`. */
export function eventNames(log: { name: RoomEventName; args: unknown[] }[]): string[] {
  return log.map(({ name, args }) => (name === 'state-changed' ? `state:${String(args[0])}` : name));
}

/** Resolves with the arguments of `room`'s next `name` event. */
export function nextEvent<E extends RoomEventName>(room: Room, name: E): Promise<Parameters<RoomEventMap[E]>> {
  return new Promise((resolve) => room.once(name, ((...args: Parameters<RoomEventMap[E]>) => resolve(args)) as RoomEventMap[E]));
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but it resolved');
}
