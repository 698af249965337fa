/**
 * The strerror() text upstream bluechictl prints for a failed call, e.g.
 * `Failed to get status of unit X on node Y - Invalid request descriptor`.
 * sd-bus derives an errno from the D-Bus error name; these are its tables
 * (sd-bus's standard errors and systemd's common errors), written out here
 * because the texts must match byte for byte. Unknown names give EIO.
 */
import { BluechiError } from '@bluechi-ts/protocol';

const DBUS = 'org.freedesktop.DBus.Error.';
const SYSTEMD = 'org.freedesktop.systemd1.';

const ERRNO_OF_NAME: Record<string, string> = {
  [`${DBUS}Failed`]: 'EACCES',
  [`${DBUS}NoMemory`]: 'ENOMEM',
  [`${DBUS}ServiceUnknown`]: 'EHOSTUNREACH',
  [`${DBUS}NameHasNoOwner`]: 'ENXIO',
  [`${DBUS}NoReply`]: 'ETIMEDOUT',
  [`${DBUS}IOError`]: 'EIO',
  [`${DBUS}BadAddress`]: 'EADDRNOTAVAIL',
  [`${DBUS}NotSupported`]: 'EOPNOTSUPP',
  [`${DBUS}LimitsExceeded`]: 'ENOBUFS',
  [`${DBUS}AccessDenied`]: 'EACCES',
  [`${DBUS}AuthFailed`]: 'EACCES',
  [`${DBUS}InteractiveAuthorizationRequired`]: 'EACCES',
  [`${DBUS}NoServer`]: 'EHOSTDOWN',
  [`${DBUS}Timeout`]: 'ETIMEDOUT',
  [`${DBUS}TimedOut`]: 'ETIMEDOUT',
  [`${DBUS}NoNetwork`]: 'ENONET',
  [`${DBUS}AddressInUse`]: 'EADDRINUSE',
  [`${DBUS}Disconnected`]: 'ECONNRESET',
  [`${DBUS}InvalidArgs`]: 'EINVAL',
  [`${DBUS}InvalidSignature`]: 'EINVAL',
  [`${DBUS}FileNotFound`]: 'ENOENT',
  [`${DBUS}FileExists`]: 'EEXIST',
  [`${DBUS}UnknownMethod`]: 'EBADR',
  [`${DBUS}UnknownObject`]: 'EBADR',
  [`${DBUS}UnknownInterface`]: 'EBADR',
  [`${DBUS}UnknownProperty`]: 'EBADR',
  [`${DBUS}PropertyReadOnly`]: 'EROFS',
  [`${DBUS}UnixProcessIdUnknown`]: 'ESRCH',
  [`${DBUS}InconsistentMessage`]: 'EBADMSG',
  [`${DBUS}MatchRuleNotFound`]: 'ENOENT',
  [`${DBUS}MatchRuleInvalid`]: 'EINVAL',
  [`${DBUS}ObjectPathInUse`]: 'EBUSY',
  [`${SYSTEMD}NoSuchUnit`]: 'ENOENT',
  [`${SYSTEMD}NoUnitForPID`]: 'ESRCH',
  [`${SYSTEMD}UnitExists`]: 'EEXIST',
  [`${SYSTEMD}LoadFailed`]: 'EIO',
  [`${SYSTEMD}BadUnitSetting`]: 'ENOEXEC',
  [`${SYSTEMD}JobFailed`]: 'EREMOTEIO',
  [`${SYSTEMD}NoSuchJob`]: 'ENOENT',
  [`${SYSTEMD}NoSuchProcess`]: 'ESRCH',
  [`${SYSTEMD}TransactionJobsConflicting`]: 'EDEADLK',
  [`${SYSTEMD}TransactionOrderIsCyclic`]: 'EDEADLK',
  [`${SYSTEMD}TransactionIsDestructive`]: 'EDEADLK',
  [`${SYSTEMD}UnitMasked`]: 'ERFKILL',
  [`${SYSTEMD}UnitGenerated`]: 'EADDRNOTAVAIL',
  [`${SYSTEMD}UnitLinked`]: 'ELOOP',
  [`${SYSTEMD}JobTypeNotApplicable`]: 'EBADR',
  [`${SYSTEMD}NoIsolation`]: 'EPERM',
  [`${SYSTEMD}ShuttingDown`]: 'ECANCELED',
  [`${SYSTEMD}ScopeNotRunning`]: 'EHOSTDOWN',
  [`${SYSTEMD}UnitBusy`]: 'EBUSY',
  [`${SYSTEMD}UnitInactive`]: 'ENOLINK',
  [`${SYSTEMD}FreezeCancelled`]: 'ECANCELED',
};

const STRERROR: Record<string, string> = {
  EACCES: 'Permission denied',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EBADMSG: 'Bad message',
  EBADR: 'Invalid request descriptor',
  EBUSY: 'Device or resource busy',
  ECANCELED: 'Operation canceled',
  ECONNRESET: 'Connection reset by peer',
  EDEADLK: 'Resource deadlock avoided',
  EEXIST: 'File exists',
  EHOSTDOWN: 'Host is down',
  EHOSTUNREACH: 'No route to host',
  EINVAL: 'Invalid argument',
  EIO: 'Input/output error',
  ELOOP: 'Too many levels of symbolic links',
  ENOBUFS: 'No buffer space available',
  ENOENT: 'No such file or directory',
  ENOEXEC: 'Exec format error',
  ENOLINK: 'Link has been severed',
  ENOMEM: 'Cannot allocate memory',
  ENONET: 'Machine is not on the network',
  ENXIO: 'No such device or address',
  EOPNOTSUPP: 'Operation not supported',
  EPERM: 'Operation not permitted',
  EREMOTEIO: 'Remote I/O error',
  ERFKILL: 'Operation not possible due to RF-kill',
  EROFS: 'Read-only file system',
  ESRCH: 'No such process',
  ETIMEDOUT: 'Connection timed out',
};

/** sd-bus's errno for a D-Bus error name (`System.Error.ENOENT` names the errno itself). */
export function errnoOfDbusName(name: string): string {
  if (name.startsWith('System.Error.')) {
    const e = name.slice('System.Error.'.length);
    return STRERROR[e] ? e : 'EIO';
  }
  return ERRNO_OF_NAME[name] ?? 'EIO';
}

/** strerror() of the errno sd-bus would derive from this error. */
export function errnoTextFor(err: unknown): string {
  if (!(err instanceof BluechiError)) return STRERROR.EIO!;
  return STRERROR[errnoOfDbusName(err.dbusName)]!;
}
