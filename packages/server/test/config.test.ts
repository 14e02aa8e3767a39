import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/index.js';

test('defaults: port 3000, any origin, no ICE servers', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.host, undefined);
  assert.equal(config.allowedOrigins, '*');
  assert.deepEqual(config.iceServers, []);
});

test('environment variables, with flags taking precedence', () => {
  const config = loadConfig(
    {
      PORT: '4000',
      HOST: '127.0.0.1',
      ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      ICE_SERVERS: '[{"urls":"stun:127.0.0.1:3478"},{"urls":["turn:127.0.0.1"],"username":"u","credential":"c"}]',
    },
    ['--port', '5000'],
  );
  assert.equal(config.port, 5000);
  assert.equal(config.host, '127.0.0.1');
  assert.deepEqual(config.allowedOrigins, ['https://a.example', 'https://b.example']);
  assert.equal(config.iceServers.length, 2);
});

test('bad values fail with a clear ConfigError', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), ConfigError);
  assert.throws(() => loadConfig({ PORT: '70000' }), /PORT/);
  assert.throws(() => loadConfig({ MAX_PARTICIPANTS: '0' }), /MAX_PARTICIPANTS/);
  assert.throws(() => loadConfig({ RESUME_WINDOW_MS: 'soon' }), /RESUME_WINDOW_MS/);
  assert.throws(() => loadConfig({ ICE_SERVERS: '{not json' }), /ICE_SERVERS must be a JSON array/);
  assert.throws(() => loadConfig({ ICE_SERVERS: '[{"url":"stun:x"}]' }), /"urls"/);
  assert.throws(() => loadConfig({}, ['--unknown']), /Unknown option/);
});
