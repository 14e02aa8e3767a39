import { expect } from '@esm-bundle/chai';
import { SESSION_KEY_PREFIX, sessionIdFor, sessionSecret, type SessionStores } from './session-id.js';

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
    const server = 'https://meet.example.com';
    const id = await sessionIdFor(server, 'abcd-efgh-jkmn');
    expect(id).to.match(/^[\w-]{43}$/, 'within the protocol’s 64 characters');
    expect(await sessionIdFor(server, 'ABCD EFGH JKMN')).to.equal(id);
    expect(await sessionIdFor(server, 'abcd-efgh-jkmp')).not.to.equal(id);
    expect(id).not.to.include(sessionSecret(server));
  });

  describe('without Web Crypto’s digest (a page on http://192.168.x.x is no secure context)', () => {
    const subtle = Object.getOwnPropertyDescriptor(Crypto.prototype, 'subtle')!;
    beforeEach(() => Object.defineProperty(Crypto.prototype, 'subtle', { configurable: true, get: () => undefined }));
    afterEach(() => Object.defineProperty(Crypto.prototype, 'subtle', subtle));

    it('the same session in one meeting after a reload, another in another meeting', async () => {
      expect(crypto.subtle).to.equal(undefined, 'the digest really is hidden');
      const server = 'http://192.168.1.20:3000/';
      const id = await sessionIdFor(server, 'abcd-efgh-jkmn');
      expect(id).to.match(/^[\w-]{43}$/);
      expect(localStorage.getItem(`${SESSION_KEY_PREFIX}http://192.168.1.20:3000:abcd-efgh-jkmn`)).to.equal(id, 'kept for a reload');
      expect(await sessionIdFor(server, 'ABCD EFGH JKMN')).to.equal(id);
      expect(await sessionIdFor(server, 'abcd-efgh-jkmp')).not.to.equal(id);
      expect(await sessionIdFor('http://192.168.1.21:3000', 'abcd-efgh-jkmn')).not.to.equal(id, 'another server');
    });

    it('localStorage blocked: sessionStorage keeps it', async () => {
      const session = store();
      const id = await sessionIdFor('http://192.168.1.20:3000', 'abcd-efgh-jkmn', [store('blocked'), session]);
      expect(session().items.get(`${SESSION_KEY_PREFIX}http://192.168.1.20:3000:abcd-efgh-jkmn`)).to.equal(id);
      expect(await sessionIdFor('http://192.168.1.20:3000', 'abcd-efgh-jkmn', [store('blocked'), session])).to.equal(id);
    });
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
