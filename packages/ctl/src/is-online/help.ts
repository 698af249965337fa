/**
 * bluechi-is-online's help text and version line. The help text is upstream's,
 * byte for byte (tabs, the space after `Usage:` and all), since scripts and
 * people compare it; our own `--initial-wait` is described in
 * docs/bluechi-is-online.md instead of here, so the text stays identical.
 */
import { VERSION } from '@bluechi-ts/protocol';

export const PROGRAM = 'bluechi-is-online';

export const HELP_TEXT = [
  'bluechi-is-online checks and monitors the connection state of BlueChi components',
  '',
  'Usage: ',
  '  bluechi-is-online [agent|node|system] [OPTIONS]',
  '',
  'Available commands:',
  '  help: \t shows this help message',
  '  version: \t shows the version of bluechi-is-online',
  '  agent: \t on the agent machine check and/or monitor the connection of the agent to the controller',
  '  node [name]: \t on the controller machine check and/or monitor the connection of the given node to the controller',
  '  system: \t on the controller machine check and/or monitor the connection of all nodes to the controller',
  'Available options:',
  '  --monitor: \t\t keeps monitoring as long as [agent|node|system] is online and exits if it detects an offline state.',
  '  --wait: \t\t Wait n milliseconds for [agent|node|system] to get online.',
  '  --switch-timeout: \t Only for [agent]. Wait n milliseconds for after switching controller to get online again.',
  '',
].join('\n');

export function versionLine(version: string = VERSION): string {
  return `${PROGRAM} version ${version}\n`;
}
