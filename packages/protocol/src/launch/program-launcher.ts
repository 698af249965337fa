/**
 * The installed entry point of bluechi-controller, bluechi-agent and
 * bluechi-is-online: a small CommonJS file that checks the Node version, then
 * loads the program's ES module bundle beside it.
 *
 * The build bundles this file once per program, with three constants defined
 * (scripts/build.mjs, PROGRAMS): the program's name, its bundle's file name
 * in the same folder, and the exit status for a Node that is too old. It is
 * CommonJS, and imports nothing but node-version.ts, so that an old Node
 * parses it and prints what it needs instead of failing inside the bundle.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requireSupportedNode, type TooOldExit } from './node-version.js';

declare const __BLUECHI_PROGRAM__: string;
declare const __BLUECHI_BUNDLE__: string;
declare const __BLUECHI_TOO_OLD_EXIT__: TooOldExit;

requireSupportedNode(__BLUECHI_PROGRAM__, __BLUECHI_TOO_OLD_EXIT__);
// The bundle runs its program as soon as it is loaded; a failure to load it
// (a missing or damaged file) is reported here.
import(pathToFileURL(join(__dirname, __BLUECHI_BUNDLE__)).href).catch((err: unknown) => {
  process.stderr.write(`${__BLUECHI_PROGRAM__}: cannot load ${join(__dirname, __BLUECHI_BUNDLE__)}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
