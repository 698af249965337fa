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
  [`${DBUS}InvalidFileContent`]: 'EINVAL',
  [`${DBUS}SELinuxSecurityContextUnknown`]: 'ESRCH',
  [`${SYSTEMD}NoSuchUnit`]: 'ENOENT',
  [`${SYSTEMD}NoUnitForPID`]: 'ESRCH',
  [`${SYSTEMD}NoUnitForInvocationID`]: 'ENOENT',
  [`${SYSTEMD}UnitExists`]: 'EEXIST',
  [`${SYSTEMD}LoadFailed`]: 'EIO',
  [`${SYSTEMD}BadUnitSetting`]: 'ENOEXEC',
  [`${SYSTEMD}JobFailed`]: 'EREMOTEIO',
  [`${SYSTEMD}NoSuchJob`]: 'ENOENT',
  [`${SYSTEMD}NotSubscribed`]: 'EINVAL',
  [`${SYSTEMD}AlreadySubscribed`]: 'EINVAL',
  [`${SYSTEMD}OnlyByDependency`]: 'EINVAL',
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
  [`${SYSTEMD}NoSuchDynamicUser`]: 'ESRCH',
  [`${SYSTEMD}NotReferenced`]: 'EUNATCH',
  [`${SYSTEMD}DiskFull`]: 'ENOSPC',
  [`${SYSTEMD}FileDescriptorStoreDisabled`]: 'EHOSTDOWN',
  [`${SYSTEMD}FileIsProtected`]: 'EACCES',
  [`${SYSTEMD}ReadOnlyFilesystem`]: 'EROFS',
  [`${SYSTEMD}UnitBusy`]: 'EBUSY',
  [`${SYSTEMD}UnitInactive`]: 'ENOLINK',
  [`${SYSTEMD}FreezeCancelled`]: 'ECANCELED',
};

/** glibc's strerror() texts, for the errnos above and the common ones `System.Error.<ERRNO>` may name. */
const STRERROR: Record<string, string> = {
  E2BIG: 'Argument list too long',
  EACCES: 'Permission denied',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EAGAIN: 'Resource temporarily unavailable',
  EALREADY: 'Operation already in progress',
  EBADF: 'Bad file descriptor',
  EBADMSG: 'Bad message',
  EBADR: 'Invalid request descriptor',
  EBUSY: 'Device or resource busy',
  ECANCELED: 'Operation canceled',
  ECONNABORTED: 'Software caused connection abort',
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EDEADLK: 'Resource deadlock avoided',
  EEXIST: 'File exists',
  EFAULT: 'Bad address',
  EHOSTDOWN: 'Host is down',
  EHOSTUNREACH: 'No route to host',
  EINPROGRESS: 'Operation now in progress',
  EINTR: 'Interrupted system call',
  EINVAL: 'Invalid argument',
  EIO: 'Input/output error',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  EMFILE: 'Too many open files',
  ENAMETOOLONG: 'File name too long',
  ENETDOWN: 'Network is down',
  ENETUNREACH: 'Network is unreachable',
  ENOBUFS: 'No buffer space available',
  ENODATA: 'No data available',
  ENODEV: 'No such device',
  ENOENT: 'No such file or directory',
  ENOEXEC: 'Exec format error',
  ENOLINK: 'Link has been severed',
  ENOMEM: 'Cannot allocate memory',
  ENONET: 'Machine is not on the network',
  ENOSPC: 'No space left on device',
  ENOSYS: 'Function not implemented',
  ENOTCONN: 'Transport endpoint is not connected',
  ENOTDIR: 'Not a directory',
  ENOTEMPTY: 'Directory not empty',
  ENOTSUP: 'Operation not supported',
  ENOTTY: 'Inappropriate ioctl for device',
  ENXIO: 'No such device or address',
  EOPNOTSUPP: 'Operation not supported',
  EOVERFLOW: 'Value too large for defined data type',
  EPERM: 'Operation not permitted',
  EPIPE: 'Broken pipe',
  EPROTO: 'Protocol error',
  ERANGE: 'Numerical result out of range',
  EREMOTEIO: 'Remote I/O error',
  ERFKILL: 'Operation not possible due to RF-kill',
  EROFS: 'Read-only file system',
  ESHUTDOWN: 'Cannot send after transport endpoint shutdown',
  ESRCH: 'No such process',
  ESTALE: 'Stale file handle',
  ETIME: 'Timer expired',
  ETIMEDOUT: 'Connection timed out',
  ETXTBSY: 'Text file busy',
  EUNATCH: 'Protocol driver not attached',
  EXDEV: 'Invalid cross-device link',
};

/** sd-bus's errno for a D-Bus error name (`System.Error.ENOENT` names the errno itself). */
export function errnoOfDbusName(name: string): string {
  if (name.startsWith('System.Error.')) {
    const e = name.slice('System.Error.'.length);
    return Object.hasOwn(STRERROR, e) ? e : 'EIO';
  }
  return Object.hasOwn(ERRNO_OF_NAME, name) ? ERRNO_OF_NAME[name]! : 'EIO';
}

/** strerror() of the errno sd-bus would derive from this error. */
export function errnoTextFor(err: unknown): string {
  if (!(err instanceof BluechiError)) return STRERROR.EIO!;
  return STRERROR[errnoOfDbusName(err.dbusName)]!;
}
