import { expect } from '@esm-bundle/chai';
import { SESSION_KEY_PREFIX, sessionIdFor, sessionSecret, type SessionStores } from '../src/session-id.js';

/** A Storage in memory, or one that refuses every call as blocked storage does. */
function store(behaviour: 'works' | 'blocked' | 'full' = 'works'): () => Pick<Storage, 'getItem' | 'setItem'> & { items: Map<string, string> } {
  const items = new Map<string, string>();
  const storage = {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => {
      if (behaviour === 'full') throw new DOMException('full', 'QuotaExceededError');
      items.set(key, value);
    },
  };
  return () => {
    if (behaviour === 'blocked') throw new DOMException('blocked', 'SecurityError');
    return storage;
  };
}

describe('session ids', () => {
  afterEach(() => {
    for (const storage of [localStorage, sessionStorage]) {
      for (const key of Object.keys(storage)) if (key.startsWith(SESSION_KEY_PREFIX)) storage.removeItem(key);
    }
  });

  it('a browser keeps one secret per server in localStorage: the same after a reload', () => {
    const first = sessionSecret('https://meet.example.com/some/path');
    expect(first).to.match(/^[\w-]{43}$/);
    expect(localStorage.getItem(`${SESSION_KEY_PREFIX}https://meet.example.com`)).to.equal(first);
    expect(sessionSecret('https://meet.example.com')).to.equal(first, 'what a reloaded page reads');
    expect(sessionSecret('https://other.example.org')).not.to.equal(first, 'another server, another secret');
  });

  it('the same session in one meeting however its code is typed, unlinkable across meetings', async () => {
    const secret = sessionSecret('https://meet.example.com');
    const id = await sessionIdFor(secret, 'abcd-efgh-jkmn');
    expect(id).to.match(/^[\w-]{43}$/, 'within the protocol’s 64 characters');
    expect(await sessionIdFor(secret, 'ABCD EFGH JKMN')).to.equal(id);
    expect(await sessionIdFor(secret, 'abcd-efgh-jkmp')).not.to.equal(id);
    expect(id).not.to.include(secret);
  });

  it('localStorage blocked or full: sessionStorage keeps it (this tab, across reloads)', () => {
    const session = store();
    const secret = sessionSecret('https://meet.example.com', [store('blocked'), session]);
    expect(session().items.get(`${SESSION_KEY_PREFIX}https://meet.example.com`)).to.equal(secret);
    expect(sessionSecret('https://meet.example.com', [store('full'), session])).to.equal(secret);
  });

  it('no storage at all (a sandboxed iframe): the page keeps one secret, and joins still work', () => {
    const stores: SessionStores = [store('blocked'), store('full')];
    const secret = sessionSecret('https://nowhere.example', stores);
    expect(secret).to.match(/^[\w-]{43}$/);
    expect(sessionSecret('https://nowhere.example', stores)).to.equal(secret, 'one per page');
  });
});
