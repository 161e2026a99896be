import { describe, expect, it } from 'vitest';
import { checkSetting, decodeSetting, settingLabel } from '../../../src/config/settings.js';
import { SERVICE_SETTINGS, SETTINGS } from '../../../src/config/settingsTable.js';

const row = (key: string) => {
  const spec = SETTINGS.find((s) => s.key === key);
  if (!spec) throw new Error(`no row ${key}`);
  return spec;
};

describe('the settings table', () => {
  it('has one row per config key, variable and flag', () => {
    for (const names of [
      SETTINGS.map((s) => s.key),
      SETTINGS.map((s) => s.env),
      SETTINGS.map((s) => s.flag),
    ]) {
      const given = names.filter(Boolean);
      expect(new Set(given).size).toBe(given.length);
    }
  });

  it('a row with a flag says which commands take it; a flag has no value syntax only when it is a switch', () => {
    for (const spec of SETTINGS.filter((s) => s.flag)) {
      expect(spec.flagOn?.length, spec.key).toBeGreaterThan(0);
      expect(spec.argument === undefined, spec.key).toBe(spec.kind === 'boolean');
    }
  });

  it('every default passes its own row', () => {
    for (const spec of SETTINGS.filter((s) => s.default !== undefined)) {
      expect(checkSetting(spec, String(spec.default)), spec.key).toEqual({ value: spec.default });
    }
  });

  it('service rows are all `run` flags, but --log-format, which every command takes', () => {
    for (const spec of SERVICE_SETTINGS)
      expect(spec.flagOn).toEqual(spec.key === 'logFormat' ? ['all'] : ['run']);
  });
});

describe('checkSetting', () => {
  it.each<[string, string | boolean, unknown]>([
    ['httpPort', ' 9090 ', { value: 9090 }],
    ['httpPort', 'lots', { error: 'must be an integer, got "lots"' }],
    ['httpPort', '70000', { error: 'must be at most 65535, got 70000' }],
    ['cycleTimeout', '0', { error: 'must be at least 1 s, got 0' }],
    ['cycleTimeout', '1.5', { value: 1.5 }],
    ['cycleTimeout', 'soon', { error: 'must be a number of seconds, got "soon"' }],
    ['dryRun', 'YES', { value: true }],
    ['dryRun', false, { value: false }],
    ['dryRun', 'maybe', { error: 'must be true or false, got "maybe"' }],
    ['output', 'xml', { error: 'must be one of none, json, got "xml"' }],
    ['holderId', '  ', { error: 'must not be empty' }],
    ['endpointUrl', 'ftp://x', { error: 'must be an http(s) URL' }],
    ['lambdaRequestsPerSecond', '0', { error: 'Too small: expected number to be >=1' }],
    ['requestTimeoutMs', '2147483648', { error: 'must be at most 900000 ms (15 minutes)' }],
    [
      'logLevel',
      'loud',
      { error: 'must be one of fatal, error, warn, info, debug, trace, silent, got "loud"' },
    ],
  ])('%s = %j', (key, raw, expected) => {
    expect(checkSetting(row(key), raw)).toEqual(expected);
  });

  it('a cron expression is checked with node-cron and its reason given', () => {
    expect(decodeSetting(row('schedule'), '*/1 * * * * *')).toEqual({ value: '*/1 * * * * *' });
    expect(checkSetting(row('schedule'), 'every minute')).toEqual({
      error: expect.stringMatching(/^is not a valid cron expression "every minute" \(/),
    });
  });

  it('labels a setting with every name an operator may have used', () => {
    expect(settingLabel(row('httpPort'))).toBe(
      'httpPort (--http-port, EDAGUARD_HTTP_PORT, httpPort in the config file)',
    );
    expect(settingLabel(row('verifyDelayMs'))).toBe(
      'verifyDelayMs (EDAGUARD_VERIFY_DELAY_MS, verifyDelayMs in the config file)',
    );
  });
});
