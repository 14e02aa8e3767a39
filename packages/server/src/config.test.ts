import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, loadConfig } from './index.js';

/** A complete SFU-mode Janus configuration. */
const JANUS = {
  JANUS_URL: 'ws://127.0.0.1:8188',
  JANUS_TOKEN_SECRET: 't'.repeat(32),
  JANUS_ADMIN_KEY: 'a'.repeat(32),
};

const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
/** Webhooks to one receiver, with the defaults. */
const WEBHOOKS = { WEBHOOK_URL: 'https://app.example.com/hooks', WEBHOOK_SECRET };

describe('configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, contents: string) => {
    const path = join(dir, name);
    writeFileSync(path, contents);
    return path;
  };

  test('defaults: port 3000, any origin, no ICE servers, SQLite under ./data, the documented limits', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, undefined);
    assert.equal(config.allowedOrigins, '*');
    assert.deepEqual(config.iceServers, []);
    assert.equal(config.turn, undefined);
    assert.equal(config.tls, undefined);
    assert.equal(config.databasePath, resolve('data', 'parley.db'));
    assert.equal(config.meetingTtlMs, 24 * 60 * 60 * 1000);
    assert.equal(config.emptyMeetingGraceMs, 5 * 60 * 1000);
    assert.equal(config.resumeWindowMs, 30_000);
    assert.equal(config.maxParticipants, 8);
    assert.deepEqual(config.rateLimits, {
      joinFailures: { points: 10, durationS: 600 },
      createMeeting: { points: 60, durationS: 600 },
      api: { points: 600, durationS: 60 },
      socketEvents: { points: 300, durationS: 10 },
    });
    assert.equal(config.apiKey, undefined, 'the server API is off');
    assert.deepEqual(config.connections, { maxPerAddress: 500, idleTimeoutMs: 600_000 });
    assert.equal(config.trustProxy('10.0.0.1', 0), false);
    assert.equal(config.shutdownTimeoutMs, 10_000);
    assert.equal(config.logLevel, 'info');
  });

  test('environment variables, with flags taking precedence; empty values count as unset', () => {
    const config = loadConfig(
      {
        PORT: '4000',
        HOST: '127.0.0.1',
        ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443',
        ICE_SERVERS: '[{"urls":"stun:127.0.0.1:3478"},{"urls":["turn:127.0.0.1"],"username":"u","credential":"c"}]',
        TURN_URLS: 'turn:turn.example:3478?transport=udp, turns:turn.example:5349',
        TURN_SECRET: 's3cret',
        TURN_TTL_S: '600',
        DATA_DIR: dir,
        MEETING_TTL_MS: '60000',
        EMPTY_MEETING_GRACE_MS: '0',
        JOIN_FAILURE_LIMIT: '3/60',
        CREATE_MEETING_LIMIT: '5/1',
        API_LIMIT: '7/3',
        API_KEY: 'k'.repeat(32),
        SOCKET_EVENT_LIMIT: '1000/2',
        TRUST_PROXY: '1',
        MAX_CONNECTIONS_PER_ADDRESS: '20',
        CONNECTION_IDLE_TIMEOUT_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '2000',
        LOG_LEVEL: 'warn',
        MAX_PARTICIPANTS: '',
      },
      ['--port', '5000'],
    );
    assert.equal(config.port, 5000);
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.allowedOrigins, ['https://a.example', 'https://b.example:8443']);
    assert.equal(config.iceServers.length, 2);
    assert.deepEqual(config.turn, {
      urls: ['turn:turn.example:3478?transport=udp', 'turns:turn.example:5349'],
      secret: 's3cret',
      ttlS: 600,
    });
    assert.equal(config.databasePath, join(dir, 'parley.db'));
    assert.equal(config.meetingTtlMs, 60_000);
    assert.equal(config.emptyMeetingGraceMs, 0);
    assert.deepEqual(config.rateLimits.joinFailures, { points: 3, durationS: 60 });
    assert.deepEqual(config.rateLimits.createMeeting, { points: 5, durationS: 1 });
    assert.deepEqual(config.rateLimits.api, { points: 7, durationS: 3 });
    assert.equal(config.apiKey, 'k'.repeat(32));
    assert.deepEqual(config.rateLimits.socketEvents, { points: 1000, durationS: 2 });
    assert.equal(config.trustProxy('10.0.0.1', 0), true, 'one hop trusted');
    assert.equal(config.trustProxy('10.0.0.2', 1), false, 'not two');
    assert.deepEqual(config.connections, { maxPerAddress: 20, idleTimeoutMs: 0 }, 'an idle timeout of 0 never closes');
    assert.equal(config.shutdownTimeoutMs, 2000);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.maxParticipants, 8);
  });

  test('DATABASE_PATH wins over DATA_DIR; :memory: is kept as is', () => {
    assert.equal(loadConfig({ DATABASE_PATH: join(dir, 'x.db'), DATA_DIR: '/elsewhere' }).databasePath, join(dir, 'x.db'));
    assert.equal(loadConfig({ DATABASE_PATH: ':memory:' }).databasePath, ':memory:');
  });

  test('TLS_CERT and TLS_KEY are read at start', () => {
    const cert = file('cert.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const key = file('key.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    const config = loadConfig({ TLS_CERT: cert, TLS_KEY: key });
    assert.match(config.tls!.cert.toString(), /BEGIN CERTIFICATE/);
    assert.match(config.tls!.key.toString(), /BEGIN PRIVATE KEY/);
  });

  test('TRUST_PROXY takes true, false, hops or a list of addresses and subnets', () => {
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy('203.0.113.9', 5), true);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy('127.0.0.1', 0), false);
    const list = loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy;
    assert.equal(list('127.0.0.1', 0), true);
    assert.equal(list('10.1.2.3', 0), true);
    assert.equal(list('203.0.113.9', 0), false);
  });

  /** Each mistake, and the words its message must contain. */
  const mistakes: [env: NodeJS.ProcessEnv, message: RegExp][] = [
    [{ PORT: 'eighty' }, /PORT must be an integer from 0 to 65535, got "eighty"/],
    [{ PORT: '70000' }, /PORT/],
    [{ PORT: '-1' }, /PORT/],
    [{ ALLOWED_ORIGINS: 'app.example.com' }, /ALLOWED_ORIGINS .*got "app.example.com"/],
    [{ ALLOWED_ORIGINS: 'https://app.example.com/' }, /ALLOWED_ORIGINS .*no path or trailing slash/],
    [{ ICE_SERVERS: '{not json' }, /ICE_SERVERS must be a JSON array/],
    [{ ICE_SERVERS: '[{"url":"stun:x"}]' }, /ICE_SERVERS .*"urls"/],
    [{ TURN_URLS: 'turn:x' }, /TURN_URLS and TURN_SECRET go together/],
    [{ TURN_SECRET: 's' }, /TURN_URLS and TURN_SECRET go together/],
    [{ TURN_URLS: 'stun:x:3478', TURN_SECRET: 's' }, /TURN_URLS must be a comma list of turn: or turns: URLs/],
    [{ TURN_URLS: 'turn:x', TURN_SECRET: 's', TURN_TTL_S: '7200' }, /TURN_TTL_S must be .* from 60 to 3600, got "7200"/],
    [{ TURN_URLS: 'turn:x', TURN_SECRET: 's', TURN_TTL_S: 'soon' }, /TURN_TTL_S/],
    [{ TURN_TTL_S: '600' }, /TURN_TTL_S needs TURN_URLS and TURN_SECRET/],
    [{ TLS_CERT: '/nonexistent/cert.pem' }, /TLS_CERT and TLS_KEY go together/],
    [{ TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: '/nonexistent/key.pem' }, /TLS_CERT: cannot read "\/nonexistent\/cert.pem"/],
    [{ RESUME_WINDOW_MS: 'soon' }, /RESUME_WINDOW_MS must be a whole number of milliseconds, got "soon"/],
    [{ MEETING_TTL_MS: '0' }, /MEETING_TTL_MS must be a whole number of milliseconds from 1/],
    [{ EMPTY_MEETING_GRACE_MS: '1.5' }, /EMPTY_MEETING_GRACE_MS/],
    [{ SHUTDOWN_TIMEOUT_MS: '0' }, /SHUTDOWN_TIMEOUT_MS/],
    [{ MAX_PARTICIPANTS: '0' }, /MAX_PARTICIPANTS must be a whole number from 1/],
    [{ JOIN_FAILURE_LIMIT: '10' }, /JOIN_FAILURE_LIMIT must be "<count>\/<seconds>"/],
    [{ CREATE_MEETING_LIMIT: '0/60' }, /CREATE_MEETING_LIMIT/],
    [{ CREATE_MEETING_KEY: 'too-short' }, /CREATE_MEETING_KEY must be at least 32 characters, got 9/],
    [{ API_KEY: 'too-short' }, /API_KEY must be at least 32 characters, got 9/],
    [{ API_LIMIT: '10' }, /API_LIMIT/],
    [{ RESUME_TOKEN_SECRET: 'short' }, /RESUME_TOKEN_SECRET must be at least 32 characters, got 5/],
    [{ SOCKET_EVENT_LIMIT: 'lots' }, /SOCKET_EVENT_LIMIT/],
    [{ MAX_CONNECTIONS_PER_ADDRESS: '0' }, /MAX_CONNECTIONS_PER_ADDRESS must be a whole number from 1, got "0"/],
    [{ MAX_CONNECTIONS_PER_ADDRESS: 'many' }, /MAX_CONNECTIONS_PER_ADDRESS/],
    [{ CONNECTION_IDLE_TIMEOUT_MS: '500' }, /CONNECTION_IDLE_TIMEOUT_MS must be 0 \(never\) or a whole number of milliseconds from 1000, got "500"/],
    [{ CONNECTION_IDLE_TIMEOUT_MS: '10m' }, /CONNECTION_IDLE_TIMEOUT_MS/],
    [{ TRUST_PROXY: 'not-an-address' }, /TRUST_PROXY must be/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ REDIS_URL: 'redis://user:secret@' }, /REDIS_URL must be .*got "redis:\/\/\*\*\*@"/],
    [{ MEDIA_MODE: 'p2p' }, /MEDIA_MODE must be mesh, sfu or auto, got "p2p"/],
    [{ MEDIA_MODE: 'sfu' }, /MEDIA_MODE=sfu or auto needs JANUS_URL/],
    [{ MEDIA_MODE: 'auto' }, /MEDIA_MODE=sfu or auto needs JANUS_URL/],
    [{ ...JANUS, JANUS_URL: 'http://127.0.0.1:8188' }, /JANUS_URL must be a ws:\/\/ or wss:\/\/ URL/],
    [{ ...JANUS, JANUS_PUBLIC_URL: 'janus.example.com' }, /JANUS_PUBLIC_URL must be a ws:\/\/ or wss:\/\/ URL/],
    [{ ...JANUS, JANUS_TOKEN_SECRET: undefined }, /JANUS_URL needs JANUS_TOKEN_SECRET/],
    [{ ...JANUS, JANUS_ADMIN_KEY: 'short' }, /JANUS_ADMIN_KEY must be at least 32 characters, got 5/],
    [{ ...JANUS, JANUS_TOKEN_SECRET: `${'x'.repeat(32)},janus` }, /JANUS_TOKEN_SECRET must not contain spaces, quotes, commas or colons/],
    [{ ...JANUS, JANUS_URLS: 'ws://127.0.0.1:8189' }, /Set JANUS_URL \(one Janus\) or JANUS_URLS \(several\), not both/],
    [{ ...JANUS, JANUS_URL: undefined, JANUS_URLS: 'ws://127.0.0.1:8188,127.0.0.1:8189' }, /JANUS_URLS must be a ws:\/\/ or wss:\/\/ URL, got "127\.0\.0\.1:8189"/],
    [{ ...JANUS, JANUS_URL: undefined, JANUS_URLS: 'ws://a:1,ws://b:1', JANUS_PUBLIC_URLS: 'wss://a.example.com' }, /JANUS_PUBLIC_URLS must list as many URLs as JANUS_URLS, in the same order: got 1 for 2/],
    [{ ...JANUS, JANUS_URL: undefined, JANUS_URLS: 'ws://a:1,ws://a:1' }, /JANUS_URLS lists "ws:\/\/a:1" twice/],
    [{ ...JANUS, JANUS_PUBLIC_URLS: 'wss://a.example.com' }, /JANUS_PUBLIC_URLS needs JANUS_URLS/],
    [{ ...JANUS, JANUS_URL: undefined, JANUS_URLS: 'ws://a:1', JANUS_TOKEN_SECRET: undefined }, /JANUS_URLS needs JANUS_TOKEN_SECRET/],
    [{ ...JANUS, JANUS_TOKEN_TTL_S: '5' }, /JANUS_TOKEN_TTL_S must be a whole number of seconds from 10 to 86400, got "5"/],
    [{ ...JANUS, JANUS_TIMEOUT_MS: '100' }, /JANUS_TIMEOUT_MS must be a whole number of milliseconds from 500, got "100"/],
    [{ WEBHOOK_URL: 'https://app.example.com/hooks' }, /WEBHOOK_URL needs WEBHOOK_SECRET/],
    [{ WEBHOOK_SECRET: WEBHOOK_SECRET }, /WEBHOOK_SECRET needs WEBHOOK_URL/],
    [{ WEBHOOK_MAX_ATTEMPTS: '3' }, /WEBHOOK_MAX_ATTEMPTS needs WEBHOOK_URL/],
    [{ ...WEBHOOKS, WEBHOOK_URL: 'ftp://app.example.com/hooks' }, /WEBHOOK_URL must be a comma list of http:\/\/ or https:\/\/ URLs, got "ftp:/],
    [{ ...WEBHOOKS, WEBHOOK_URL: 'https://user:pass@app.example.com/hooks,nope' }, /got "nope"/],
    [{ ...WEBHOOKS, WEBHOOK_SECRET: 'hunter2hunter2hunter2hunter2hunter2' }, /WEBHOOK_SECRET must be "whsec_" and the base64 of at least 24 random bytes/],
    [{ ...WEBHOOKS, WEBHOOK_SECRET: `whsec_${Buffer.alloc(16).toString('base64')}` }, /at least 24 random bytes/],
    [{ ...WEBHOOKS, WEBHOOK_MAX_ATTEMPTS: '0' }, /WEBHOOK_MAX_ATTEMPTS must be a whole number from 1 to 20, got "0"/],
    [{ ...WEBHOOKS, WEBHOOK_MAX_ATTEMPTS: '21' }, /WEBHOOK_MAX_ATTEMPTS must be a whole number from 1 to 20, got "21"/],
    [{ ...WEBHOOKS, WEBHOOK_RETRY_BASE_MS: '0' }, /WEBHOOK_RETRY_BASE_MS must be a whole number of milliseconds from 1, got "0"/],
    [{ ...WEBHOOKS, WEBHOOK_TIMEOUT_MS: 'soon' }, /WEBHOOK_TIMEOUT_MS must be a whole number of milliseconds from 1, got "soon"/],
  ];
  for (const [env, message] of mistakes) {
    test(`refused with a clear ConfigError: ${JSON.stringify(env)}`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }

  test('media mode: the mesh with 8 people by default; with JANUS_URL, auto mode with 50, Janus reached at the same URL by browsers', () => {
    const mesh = loadConfig({});
    assert.deepEqual([mesh.mediaMode, mesh.maxParticipants, mesh.sfu], ['mesh', 8, undefined]);
    const sfu = loadConfig(JANUS);
    assert.deepEqual([sfu.mediaMode, sfu.maxParticipants], ['auto', 50]);
    assert.deepEqual(sfu.sfu, {
      instances: [{ url: 'ws://127.0.0.1:8188', publicUrl: 'ws://127.0.0.1:8188' }],
      tokenSecret: 't'.repeat(32),
      adminKey: 'a'.repeat(32),
      tokenLifetimeMs: 600_000,
      timeoutMs: 5_000,
      maxPublishers: 50,
    });
    const tuned = loadConfig({
      ...JANUS,
      JANUS_PUBLIC_URL: 'wss://media.example.com/janus',
      JANUS_TOKEN_TTL_S: '120',
      JANUS_TIMEOUT_MS: '2000',
      MAX_PARTICIPANTS: '80',
    });
    assert.deepEqual(
      [tuned.sfu?.instances[0]?.publicUrl, tuned.sfu?.tokenLifetimeMs, tuned.sfu?.timeoutMs, tuned.maxParticipants, tuned.sfu?.maxPublishers],
      ['wss://media.example.com/janus', 120_000, 2_000, 80, 80],
    );
    const several = loadConfig({
      ...JANUS,
      JANUS_URL: undefined,
      JANUS_URLS: 'ws://10.0.0.1:8188, ws://10.0.0.2:8188',
      JANUS_PUBLIC_URLS: 'wss://janus1.example.com,wss://janus2.example.com',
    });
    assert.deepEqual([several.mediaMode, several.sfu?.instances], [
      'auto',
      [
        { url: 'ws://10.0.0.1:8188', publicUrl: 'wss://janus1.example.com' },
        { url: 'ws://10.0.0.2:8188', publicUrl: 'wss://janus2.example.com' },
      ],
    ]);
    const sfuAlways = loadConfig({ ...JANUS, MEDIA_MODE: 'sfu' });
    assert.deepEqual([sfuAlways.mediaMode, sfuAlways.maxParticipants, sfuAlways.sfu?.instances.length], ['sfu', 50, 1]);
    const meshAnyway = loadConfig({ ...JANUS, MEDIA_MODE: 'mesh' });
    assert.deepEqual([meshAnyway.mediaMode, meshAnyway.maxParticipants, meshAnyway.sfu], ['mesh', 8, undefined]);
  });

  test('REDIS_URL is taken as given', () => {
    assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6380/2' }).redisUrl, 'redis://127.0.0.1:6380/2');
    assert.equal(loadConfig({}).redisUrl, undefined);
  });

  test('webhooks: off without WEBHOOK_URL; a comma list of URLs, the secret, 8 attempts from 1 s apart, 10 s each by default', () => {
    assert.equal(loadConfig({}).webhooks, undefined);
    assert.deepEqual(loadConfig({ ...WEBHOOKS, WEBHOOK_URL: 'https://a.example.com/hooks, http://127.0.0.1:8080/parley' }).webhooks, {
      urls: ['https://a.example.com/hooks', 'http://127.0.0.1:8080/parley'],
      secret: WEBHOOK_SECRET,
      maxAttempts: 8,
      retryBaseMs: 1000,
      timeoutMs: 10_000,
    });
    const tuned = loadConfig({ ...WEBHOOKS, WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_RETRY_BASE_MS: '250', WEBHOOK_TIMEOUT_MS: '2000' }).webhooks;
    assert.deepEqual([tuned?.maxAttempts, tuned?.retryBaseMs, tuned?.timeoutMs], [3, 250, 2000]);
  });

  test('a bad WEBHOOK_SECRET is refused without being repeated, a URL without its password', () => {
    const secret = `whsec_${Buffer.alloc(8, 3).toString('base64')}`;
    assert.throws(
      () => loadConfig({ ...WEBHOOKS, WEBHOOK_SECRET: secret }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes(secret.slice(6)),
    );
    assert.throws(
      () => loadConfig({ ...WEBHOOKS, WEBHOOK_URL: 'gopher://user:pass@app.example.com/hooks' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('pass@') && error.message.includes('***@'),
    );
  });

  test('a file that is not PEM is refused', () => {
    const notPem = file('not.pem', 'hello');
    assert.throws(() => loadConfig({ TLS_CERT: notPem, TLS_KEY: notPem }), /TLS_CERT: ".*not.pem" holds no PEM certificate/);
  });

  test('every mistake is reported at once, one line each', () => {
    assert.throws(
      () => loadConfig({ PORT: 'x', LOG_LEVEL: 'loud', MAX_PARTICIPANTS: '0' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^3 mistakes:\n- PORT .*\n- MAX_PARTICIPANTS .*\n- LOG_LEVEL .*$/.test(error.message),
    );
  });

  test('LOG_FORMAT: json by default, text on request, nothing else', () => {
    assert.equal(loadConfig({}).logFormat, 'json');
    assert.equal(loadConfig({ LOG_FORMAT: 'text' }).logFormat, 'text');
    assert.throws(() => loadConfig({ LOG_FORMAT: 'pretty' }), /^ConfigError: LOG_FORMAT must be one of json, text, got "pretty"$/);
  });

  test('unknown flags are refused', () => {
    assert.throws(() => loadConfig({}, ['--unknown']), (error: unknown) => error instanceof ConfigError && /Unknown option/.test(error.message));
  });
});
