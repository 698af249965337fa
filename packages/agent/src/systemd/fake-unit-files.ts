/**
 * The unit-file half of the in-memory systemd: installed unit files with their
 * [Install] section, enable/disable with the symlink changes systemd reports,
 * the default target and daemon-reload. Error names and texts are systemd 252's.
 *
 * Not modelled: Alias=, Also=, masking, presets, templates.
 */
import type { UnitFileChange, UnitFileInfo } from '@bluechi-ts/protocol';
import { DBUS_ERRORS, SystemdError } from './manager.js';

export type FakeUnitFileOptions = {
  /** Where the file lives; default /usr/lib/systemd/system. */
  dir?: string;
  /** [Install] WantedBy= targets; none means the file carries no install information (static). */
  wantedBy?: string[];
};

type UnitFile = { name: string; dir: string; wantedBy: string[]; links: Map<string, string> };

const SYSTEM_DIR = '/etc/systemd/system';
const RUNTIME_DIR = '/run/systemd/system';
/** systemd's strerror-based error for a missing file in GetUnitFileState. */
export const ENOENT_ERROR = 'System.Error.ENOENT';

function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

export class FakeUnitFiles {
  private readonly files = new Map<string, UnitFile>();
  private defaultTarget = 'graphical.target';
  /** Whether /etc/systemd/system/default.target has been written (so a change unlinks it first). */
  private customDefault = false;
  /** How many times daemon-reload ran. */
  reloads = 0;

  constructor() {
    for (const t of ['graphical.target', 'multi-user.target']) this.install(t);
  }

  install(name: string, opts: FakeUnitFileOptions = {}): void {
    this.files.set(name, { name, dir: opts.dir ?? '/usr/lib/systemd/system', wantedBy: opts.wantedBy ?? [], links: new Map() });
  }

  has(name: string): boolean {
    return this.files.has(name);
  }

  list(): UnitFileInfo[] {
    return [...this.files.values()].map((f) => ({ path: `${f.dir}/${f.name}`, state: this.stateOf(f) }));
  }

  state(file: string): string {
    const f = this.files.get(baseName(file));
    if (!f) throw new SystemdError(ENOENT_ERROR, 'No such file or directory');
    return this.stateOf(f);
  }

  /** The UnitFileState property of a loaded unit ("" when no file backs it). */
  unitFileState(name: string): string {
    const f = this.files.get(name);
    return f ? this.stateOf(f) : '';
  }

  enable(names: string[], runtime: boolean): { carriesInstallInfo: boolean; changes: UnitFileChange[] } {
    const files = names.map((n) => this.mustGet(n));
    const changes: UnitFileChange[] = [];
    let carries = false;
    for (const f of files) {
      if (f.wantedBy.length === 0) continue;
      carries = true;
      for (const target of f.wantedBy) {
        const link = `${runtime ? RUNTIME_DIR : SYSTEM_DIR}/${target}.wants/${f.name}`;
        if (f.links.has(link)) continue;
        const destination = `${f.dir}/${f.name}`;
        f.links.set(link, destination);
        changes.push({ type: 'symlink', file: link, destination });
      }
    }
    return { carriesInstallInfo: carries, changes };
  }

  disable(names: string[], runtime: boolean): UnitFileChange[] {
    const files = names.map((n) => this.mustGet(n));
    const changes: UnitFileChange[] = [];
    const dir = runtime ? RUNTIME_DIR : SYSTEM_DIR;
    for (const f of files) {
      for (const link of [...f.links.keys()]) {
        if (!link.startsWith(`${dir}/`)) continue;
        f.links.delete(link);
        changes.push({ type: 'unlink', file: link, destination: '' });
      }
    }
    return changes;
  }

  getDefaultTarget(): string {
    return this.defaultTarget;
  }

  setDefaultTarget(target: string): UnitFileChange[] {
    const f = this.mustGet(target);
    const link = `${SYSTEM_DIR}/default.target`;
    const changes: UnitFileChange[] = [];
    if (this.customDefault) changes.push({ type: 'unlink', file: link, destination: '' });
    changes.push({ type: 'symlink', file: link, destination: `${f.dir}/${f.name}` });
    this.defaultTarget = target;
    this.customDefault = true;
    return changes;
  }

  private mustGet(name: string): UnitFile {
    const f = this.files.get(baseName(name));
    if (!f) throw new SystemdError(DBUS_ERRORS.NO_SUCH_UNIT, `Unit file ${baseName(name)} does not exist.`);
    return f;
  }

  private stateOf(f: UnitFile): string {
    if (f.wantedBy.length === 0) return 'static';
    const links = [...f.links.keys()];
    if (links.some((l) => l.startsWith(`${SYSTEM_DIR}/`))) return 'enabled';
    if (links.some((l) => l.startsWith(`${RUNTIME_DIR}/`))) return 'enabled-runtime';
    return 'disabled';
  }
}
