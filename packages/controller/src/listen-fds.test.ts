import { describe, expect, it } from 'vitest';
import { ListenFdsError, parseListenFds, takeListenFds, type ListenEnv } from './listen-fds.js';

const PID = 4242;

describe('parseListenFds', () => {
  it.each<[string, ListenEnv, { fd: number; name: string }[]]>([
    ['nothing passed', {}, []],
    ['sockets for another process', { LISTEN_PID: '17', LISTEN_FDS: '2' }, []],
    ['LISTEN_PID without LISTEN_FDS', { LISTEN_PID: String(PID) }, []],
    ['one unnamed socket', { LISTEN_PID: String(PID), LISTEN_FDS: '1' }, [{ fd: 3, name: 'unknown' }]],
    [
      'two sockets named by the unit',
      { LISTEN_PID: String(PID), LISTEN_FDS: '2', LISTEN_FDNAMES: 'bluechi-controller.socket:bluechi-controller.socket' },
      [
        { fd: 3, name: 'bluechi-controller.socket' },
        { fd: 4, name: 'bluechi-controller.socket' },
      ],
    ],
    [
      'names in fd order',
      { LISTEN_PID: String(PID), LISTEN_FDS: '3', LISTEN_FDNAMES: 'tcp::unix' },
      [
        { fd: 3, name: 'tcp' },
        { fd: 4, name: '' },
        { fd: 5, name: 'unix' },
      ],
    ],
  ])('%s', (_label, env, expected) => {
    expect(parseListenFds(env, PID)).toEqual(expected);
  });

  it.each<[string, ListenEnv, string]>([
    ['a LISTEN_PID that is no number', { LISTEN_PID: 'self', LISTEN_FDS: '1' }, "LISTEN_PID='self' is not a positive integer"],
    ['LISTEN_FDS=0', { LISTEN_PID: String(PID), LISTEN_FDS: '0' }, "LISTEN_FDS='0' is not a positive integer"],
    ['a negative LISTEN_FDS', { LISTEN_PID: String(PID), LISTEN_FDS: '-1' }, "LISTEN_FDS='-1' is not a positive integer"],
    ['a LISTEN_FDS with trailing text', { LISTEN_PID: String(PID), LISTEN_FDS: '2x' }, "LISTEN_FDS='2x' is not a positive integer"],
    ['an absurd LISTEN_FDS', { LISTEN_PID: String(PID), LISTEN_FDS: '100000' }, 'LISTEN_FDS=100000 is more than 1024 sockets'],
    [
      'fewer names than sockets',
      { LISTEN_PID: String(PID), LISTEN_FDS: '2', LISTEN_FDNAMES: 'only-one' },
      "LISTEN_FDNAMES='only-one' names 1 sockets but LISTEN_FDS=2",
    ],
  ])('refuses %s', (_label, env, message) => {
    expect(() => parseListenFds(env, PID)).toThrow(new ListenFdsError(message));
  });
});

describe('takeListenFds', () => {
  it('returns the sockets and removes the variables from the environment', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: String(PID), LISTEN_FDS: '1', LISTEN_FDNAMES: 'agents', PATH: '/usr/bin' };
    expect(takeListenFds(env, PID)).toEqual([{ fd: 3, name: 'agents' }]);
    expect(env).toEqual({ PATH: '/usr/bin' });
  });

  it('removes variables meant for another process too', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '17', LISTEN_FDS: '1' };
    expect(takeListenFds(env, PID)).toEqual([]);
    expect(env).toEqual({});
  });

  it('removes malformed variables and still reports them', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: String(PID), LISTEN_FDS: 'many' };
    expect(() => takeListenFds(env, PID)).toThrow(ListenFdsError);
    expect(env).toEqual({});
  });
});
