/**
 * `bluechictl status NODE UNIT...`: the header first, then one row per unit as
 * its properties arrive. A unit systemd does not know prints no row but
 * `Unit X could not be found.` on stderr, and the exit status stays 0. A failed
 * call (unknown or offline node, ...) stops the listing with exit status 1.
 */
import { unlessStopped, type CtlClient, type Deps } from '../deps.js';
import { errnoTextFor, errorMessage, isConnectionLost } from '../exit-codes.js';
import {
  formatUnitHeader,
  formatUnitRow,
  isUnitNotFound,
  maxNameLength,
  unitNotFoundMessage,
  unitStatusFromProperties,
  type UnitStatus,
} from '../format/unit-table.js';
/** ANSI "erase display" + "cursor home", as upstream's watch mode prints them. */
export const CLEAR_SCREEN = '\x1b[2J\x1b[0;0H';

export type StatusMode = { watch: boolean; json: boolean };

type Sink = { out(text: string): void; err(text: string): void };

function callFailed(sink: Sink, node: string, unit: string, err: unknown): void {
  sink.err(`Failed to issue call: ${errorMessage(err)}\n`);
  sink.err(`Failed to get status of unit ${unit} on node ${node} - ${errnoTextFor(err)}\n`);
}

/** Writes the table to `sink`; resolves with the error that stopped it, if any. */
export async function writeUnitStatus(
  node: string,
  units: readonly string[],
  client: CtlClient,
  sink: Sink,
): Promise<{ failed?: unknown }> {
  const width = maxNameLength(units);
  sink.out(formatUnitHeader(width));
  for (const unit of units) {
    let status: UnitStatus;
    try {
      status = unitStatusFromProperties(unit, await client.getUnitProperties(node, unit));
    } catch (err) {
      callFailed(sink, node, unit, err);
      return { failed: err };
    }
    if (isUnitNotFound(status)) sink.err(unitNotFoundMessage(status));
    else sink.out(formatUnitRow(status, width));
  }
  return {};
}

type Frame = { out: string; err: string; failed?: unknown };

async function collectFrame(node: string, units: readonly string[], client: CtlClient): Promise<Frame> {
  const frame: Frame = { out: '', err: '' };
  const result = await writeUnitStatus(node, units, client, {
    out: (t) => (frame.out += t),
    err: (t) => (frame.err += t),
  });
  if ('failed' in result) frame.failed = result.failed;
  return frame;
}

async function watchUnits(node: string, units: readonly string[], deps: Deps): Promise<number> {
  const stop = deps.stopSignal();
  // The first table is printed without clearing the screen, like upstream.
  let shown = await unlessStopped(collectFrame(node, units, deps.client), stop);
  if (shown === undefined) return 0;
  deps.out(shown.out);
  deps.err(shown.err);
  if ('failed' in shown) return 1;
  for (;;) {
    await deps.clock.sleep(deps.watchIntervalMs, stop);
    const frame = await unlessStopped(collectFrame(node, units, deps.client), stop);
    if (frame === undefined) return 0;
    if (frame.out !== shown.out || frame.err !== shown.err) {
      deps.out(CLEAR_SCREEN + frame.out);
      deps.err(frame.err);
      shown = frame;
    }
    if ('failed' in frame && isConnectionLost(frame.failed)) return 1;
  }
}

async function unitStatusJson(node: string, units: readonly string[], deps: Deps): Promise<number> {
  const statuses: Array<UnitStatus & { unit: string }> = [];
  for (const unit of units) {
    try {
      statuses.push({ unit, ...unitStatusFromProperties(unit, await deps.client.getUnitProperties(node, unit)) });
    } catch (err) {
      callFailed(deps, node, unit, err);
      return 1;
    }
  }
  deps.out(JSON.stringify({ node, units: statuses }, null, 2) + '\n');
  return 0;
}

export async function runUnitStatus(node: string, units: readonly string[], mode: StatusMode, deps: Deps): Promise<number> {
  if (mode.json) return unitStatusJson(node, units, deps);
  if (mode.watch) return watchUnits(node, units, deps);
  const result = await writeUnitStatus(node, units, deps.client, deps);
  return 'failed' in result ? 1 : 0;
}
