/** `bluechictl version`: the version of this client, without asking the controller. */
import { VERSION } from '@bluechi-ts/protocol';
import type { Deps, VerbArgs } from '../deps.js';

export function versionLine(version: string = VERSION): string {
  return `bluechictl version ${version}\n`;
}

export function runVersion(_args: VerbArgs, deps: Pick<Deps, 'out'>): number {
  deps.out(versionLine());
  return 0;
}
