import '@parley/elements';
import type { MeetingRoom } from '@parley/elements';
import { useRef, useState } from 'react';

// Where to meet comes from the page's address: ?server=https://meet.example.com&code=abcd-efgh-jkmn&name=Ada
const { server = 'http://localhost:3000', code = '', name = '', hostKey = '' } = Object.fromEntries(
  new URLSearchParams(location.search),
);

const statusText = { waiting: 'Not in the meeting', joined: 'In the meeting', left: 'You left' };

export function App() {
  const meeting = useRef<MeetingRoom>(null);
  const [status, setStatus] = useState<keyof typeof statusText>('waiting');
  const [others, setOthers] = useState<{ id: string; name: string }[]>([]);
  const [error, setError] = useState('');

  return (
    <>
      <header>
        <p role="status">{statusText[status]}</p>
        <ul aria-label="Others in the meeting">
          {others.map((person) => (
            <li key={person.id}>{person.name}</li>
          ))}
        </ul>
        {error && <p role="alert">{error}</p>}
        <button onClick={() => meeting.current?.leave()} disabled={status !== 'joined'}>
          Leave
        </button>
      </header>
      {/* #region meeting-room */}
      <meeting-room
        ref={meeting}
        server={server}
        code={code}
        name={name}
        hostKey={hostKey}
        autojoin
        onparley-joined={() => setStatus('joined')}
        onparley-participant-joined={({ detail: { participant } }) =>
          setOthers((list) => [...list, { id: participant.id, name: participant.name }])
        }
        onparley-participant-left={({ detail: { participant } }) =>
          setOthers((list) => list.filter((person) => person.id !== participant.id))
        }
        onparley-left={() => {
          setStatus('left');
          setOthers([]);
        }}
        onparley-error={({ detail }) => setError(detail.message)}
      />
      {/* #endregion meeting-room */}
    </>
  );
}
