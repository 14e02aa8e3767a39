// Types for <meeting-room> in Svelte templates. Svelte 5 sets a custom element's props as properties when the
// element has them (server, code, name, token, autojoin), and turns `on<event-name>` props into
// addEventListener('<event-name>'), so Parley's events are `onparley-joined` and the like.
import type { MeetingRoom, ParleyEventDetailMap, ParleyEventName } from '@parley/elements';
import type { HTMLAttributes } from 'svelte/elements';

type ParleyEventProps = {
  [E in ParleyEventName as `on${E}`]?: (event: CustomEvent<ParleyEventDetailMap[E]>) => void;
};

declare module 'svelte/elements' {
  interface SvelteHTMLElements {
    'meeting-room': HTMLAttributes<MeetingRoom> &
      Partial<Pick<MeetingRoom, 'server' | 'code' | 'name' | 'autojoin' | 'token'>> & {
        'host-key'?: string;
      } & ParleyEventProps;
  }
}
