// Types for <meeting-room> in JSX. React 19 sets a custom element's props as properties when the element has them
// (server, code, name, hostKey, token, autojoin), and turns `on<event-name>` props into addEventListener('<event-name>'):
// the name after `on` is used as written, so Parley's events are `onparley-joined`, not `onParleyJoined`.
import type { MeetingRoom, ParleyEventDetailMap, ParleyEventName } from '@parley/elements';
import type { DetailedHTMLProps, HTMLAttributes } from 'react';

type ParleyEventProps = {
  [E in ParleyEventName as `on${E}`]?: (event: CustomEvent<ParleyEventDetailMap[E]>) => void;
};

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'meeting-room': DetailedHTMLProps<HTMLAttributes<MeetingRoom>, MeetingRoom> &
        Partial<Pick<MeetingRoom, 'server' | 'code' | 'name' | 'hostKey' | 'token' | 'autojoin'>> &
        ParleyEventProps;
    }
  }
}
