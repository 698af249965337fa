import { BluechiError, ErrorCodes } from '@bluechi-ts/protocol';
import { describe, expect, it } from 'vitest';
import { errnoOfDbusName, errnoTextFor } from './errno.js';

const named = (dbusName: string) => new BluechiError(ErrorCodes.SYSTEMD_ERROR, 'whatever systemd said', { dbusName });

describe('errno text of a failed call, as sd-bus derives it from the D-Bus error name', () => {
  it.each([
    ['org.freedesktop.DBus.Error.UnknownObject', 'EBADR', 'Invalid request descriptor'],
    ['org.freedesktop.DBus.Error.UnknownMethod', 'EBADR', 'Invalid request descriptor'],
    ['org.freedesktop.DBus.Error.Failed', 'EACCES', 'Permission denied'],
    ['org.freedesktop.DBus.Error.AccessDenied', 'EACCES', 'Permission denied'],
    ['org.freedesktop.DBus.Error.InvalidArgs', 'EINVAL', 'Invalid argument'],
    ['org.freedesktop.DBus.Error.FileNotFound', 'ENOENT', 'No such file or directory'],
    ['org.freedesktop.DBus.Error.NoReply', 'ETIMEDOUT', 'Connection timed out'],
    ['org.freedesktop.DBus.Error.Disconnected', 'ECONNRESET', 'Connection reset by peer'],
    ['org.freedesktop.DBus.Error.LimitsExceeded', 'ENOBUFS', 'No buffer space available'],
    ['org.freedesktop.DBus.Error.InconsistentMessage', 'EBADMSG', 'Bad message'],
    ['org.freedesktop.DBus.Error.ServiceUnknown', 'EHOSTUNREACH', 'No route to host'],
    ['org.freedesktop.DBus.Error.AddressInUse', 'EADDRINUSE', 'Address already in use'],
    ['org.freedesktop.DBus.Error.NotSupported', 'EOPNOTSUPP', 'Operation not supported'],
    ['org.freedesktop.systemd1.NoSuchUnit', 'ENOENT', 'No such file or directory'],
    ['org.freedesktop.systemd1.UnitMasked', 'ERFKILL', 'Operation not possible due to RF-kill'],
    ['org.freedesktop.systemd1.JobTypeNotApplicable', 'EBADR', 'Invalid request descriptor'],
    ['org.freedesktop.systemd1.TransactionIsDestructive', 'EDEADLK', 'Resource deadlock avoided'],
    ['org.freedesktop.systemd1.NoSuchProcess', 'ESRCH', 'No such process'],
    ['org.freedesktop.systemd1.UnitLinked', 'ELOOP', 'Too many levels of symbolic links'],
    ['org.freedesktop.systemd1.NotReferenced', 'EUNATCH', 'Protocol driver not attached'],
    ['org.freedesktop.systemd1.DiskFull', 'ENOSPC', 'No space left on device'],
  ])('%s: %s, %s', (name, errno, text) => {
    expect(errnoOfDbusName(name)).toBe(errno);
    expect(errnoTextFor(named(name))).toBe(text);
  });

  it.each([
    ['System.Error.ENOENT', 'ENOENT', 'No such file or directory'],
    ['System.Error.EPERM', 'EPERM', 'Operation not permitted'],
    ['System.Error.ENOTDIR', 'ENOTDIR', 'Not a directory'],
    ['System.Error.ENOTSUP', 'ENOTSUP', 'Operation not supported'],
  ])('takes the errno that %s names', (name, errno, text) => {
    expect(errnoOfDbusName(name)).toBe(errno);
    expect(errnoTextFor(named(name))).toBe(text);
  });

  it.each([
    'org.eclipse.bluechi.Offline',
    'org.example.Whatever',
    'System.Error.ENOSUCHERRNO',
    'System.Error.',
    'System.Error.constructor',
    'toString',
    '__proto__',
    '',
  ])('gives Input/output error for a name it does not know: %j', (name) => {
    expect(errnoOfDbusName(name)).toBe('EIO');
    expect(errnoTextFor(named(name))).toBe('Input/output error');
  });

  it("uses the error code's D-Bus name when the error carries none", () => {
    expect(errnoTextFor(new BluechiError(ErrorCodes.NODE_NOT_FOUND, "Unknown object '/org/eclipse/bluechi/node/x'."))).toBe(
      'Invalid request descriptor',
    );
    expect(errnoTextFor(new BluechiError(ErrorCodes.NODE_OFFLINE, 'Node is offline'))).toBe('Input/output error');
    expect(errnoTextFor(new BluechiError(ErrorCodes.INVALID_PARAMS, 'bad'))).toBe('Invalid argument');
  });

  it('gives Input/output error for anything that is not a controller error', () => {
    expect(errnoTextFor(new Error('socket hang up'))).toBe('Input/output error');
    expect(errnoTextFor('boom')).toBe('Input/output error');
    expect(errnoTextFor(undefined)).toBe('Input/output error');
  });
});
