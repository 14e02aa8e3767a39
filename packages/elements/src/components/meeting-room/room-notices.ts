import type { WaitingParticipant } from '@parley/sdk';
import { ignore } from '../../outcomes.js';
import type { RoomPart } from '../../room-like.js';
import type { Catalog } from '../../i18n/localize.js';
import type { MeetingNotices } from '../meeting-notices/meeting-notices.component.js';

/** How long "Ada muted you" stays up (ms). Notices that ask for something stay until acted on. */
const MUTED_NOTICE_MS = 8000;

/** Device failures the user can fix, each with its title in the catalog. */
const deviceProblems = {
  'permission-denied': 'permissionDeniedTitle',
  'no-device': 'noDeviceTitle',
  'device-busy': 'deviceBusyTitle',
} as const;

/** What the notices need of the element that shows them, read when a notice is due. */
export interface RoomNoticesHost {
  notices(): MeetingNotices | null;
  text(): Catalog;
  /** Whether to play a short sound when someone starts waiting (`waiting-sound`). */
  waitingSound(): boolean;
  /** Opens the participants panel (the waiting room's full list, the raised hands). */
  seeWaitingRoom(): void;
  /** Resolves once the element has rendered its latest state (the notices exist once the call shows). */
  rendered(): Promise<unknown>;
  /** Says `message` to screen readers (the notices themselves are not a live region). */
  announce(message: string): void;
}

/**
 * What `<meeting-room>` shows, not only announces: who waits to be let in (for hosts), who muted you, and why a
 * microphone or camera will not start. Returns a function that stops listening.
 */
export function bindRoomNotices(room: RoomPart<'waitingParticipants' | 'admit'>, host: RoomNoticesHost): () => void {
  let knownWaiting = new Set<string>();
  // One for every chime: a context per chime would pile up while audio is suspended (it never ends, so never closes).
  let audio: AudioContext | undefined;
  // Who already left the queue, or a host who no longer is, is refused: the waiting list that follows updates the
  // notice, and the participants panel shows the list as it is.
  const admit = (id: string) => void room.admit(id).catch(ignore);
  const onWaiting = (waiting: readonly WaitingParticipant[]) => {
    const arrived = waiting.some(({ id }) => !knownWaiting.has(id));
    knownWaiting = new Set(waiting.map(({ id }) => id));
    if (arrived && waiting.length > 0 && host.waitingSound()) chime((audio ??= new AudioContext()));
    withNotices(host, (notices) => {
      if (waiting.length === 0) return notices.dismiss('waiting');
      // A newcomer brings the notice back; someone leaving the queue only updates it while it is up.
      if (!arrived && !notices.notices.some(({ id }) => id === 'waiting')) return;
      const text = host.text();
      const [first] = waiting;
      notices.show({
        id: 'waiting',
        message: waiting.length === 1 ? text.wantsToJoin(first!.name) : text.peopleWantToJoin(waiting.length),
        actions: [
          waiting.length === 1
            ? { label: text.admit, run: () => admit(first!.id) }
            : { label: text.admitAll, run: () => waiting.forEach(({ id }) => admit(id)) },
          { label: text.seeAll, run: () => host.seeWaitingRoom() },
        ],
      });
    });
  };
  const onMuted = (by: { name: string } | null) => {
    const text = host.text();
    const notice = { id: 'muted', message: text.mutedYou(by?.name ?? text.aHost), detail: text.mutedYouDetail, duration: MUTED_NOTICE_MS };
    withNotices(host, (notices) => notices.show(notice));
  };
  const onError = (error: { code: string }) => showDeviceProblem(host, error.code);
  // A host who joins while people already wait hears of them too.
  const onJoined = () => onWaiting(room.waitingParticipants);
  room.on('joined', onJoined);
  room.on('waiting-list-changed', onWaiting);
  room.on('mute-requested', onMuted);
  room.on('error', onError);
  return () => {
    room.off('joined', onJoined);
    room.off('waiting-list-changed', onWaiting);
    room.off('mute-requested', onMuted);
    room.off('error', onError);
    // Rejects only for a context already closed: nothing left to release.
    audio?.close().catch(ignore);
  };
}

/**
 * Shows why a microphone or camera did not start and how to fix it, for the failures a user can fix. Returns
 * whether `code` was one of them.
 */
export function showDeviceProblem(host: NoticesPlace, code: string): boolean {
  if (!(code in deviceProblems)) return false;
  const problem = code as keyof typeof deviceProblems;
  const text = host.text();
  const notice = { id: 'devices', message: text[deviceProblems[problem]], detail: text.deviceFix[problem] };
  withNotices(host, (notices) => notices.show(notice));
  host.announce(`${notice.message}. ${notice.detail}`);
  return true;
}

type NoticesPlace = Pick<RoomNoticesHost, 'notices' | 'text' | 'rendered' | 'announce'>;

/**
 * Acts on the host's `<meeting-notices>` once its module (a chunk: most calls never show a notice) has loaded and
 * the host has rendered it, e.g. a device failure reported right after `joined`, before the call shows. Notices
 * keep their order: each waits on the same import.
 */
export function withNotices(host: NoticesPlace, act: (notices: MeetingNotices) => void): void {
  import('../meeting-notices/meeting-notices.js')
    .then(() => host.rendered())
    .then(
      () => {
        const notices = host.notices();
        if (notices) act(notices);
      },
      // The notices' chunk did not load (the server is away): the call goes on without this notice.
      ignore,
    );
}

/**
 * A soft two-note chime, made on the spot: no audio file to ship. Browsers keep audio suspended until the page has
 * had a click or key press: no sound then, and the context is asked to resume for the next newcomer.
 */
function chime(context: AudioContext): void {
  if (context.state !== 'running') {
    // Waits for the page's first gesture; the next newcomer asks again anyway.
    context.resume().catch(ignore);
    return;
  }
  const gain = context.createGain();
  gain.connect(context.destination);
  const start = context.currentTime;
  gain.gain.setValueAtTime(0.12, start);
  gain.gain.exponentialRampToValueAtTime(0.001, start + 0.6);
  [660, 880].forEach((frequency, index) => {
    const tone = context.createOscillator();
    tone.frequency.value = frequency;
    tone.connect(gain);
    tone.start(start + index * 0.15);
    tone.stop(start + 0.6);
  });
}
