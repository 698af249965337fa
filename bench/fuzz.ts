/**
 * `npm run bench -- fuzz`: the fuzz run of the test suite
 * (test/inprocess/fuzz-*.test.ts), longer. On this host, in one process, no
 * containers: a real controller with two real agents over a fake systemd,
 * and a real agent against a raw controller.
 *
 *   FUZZ_CASES  cases per target (default 100000; the test suite runs 10,000
 *               per link, 3,000 on the API, 5,000 INI files, 20,000 names)
 *   FUZZ_SEED   the seed (default: a fresh one, printed); the same seed and
 *               FUZZ_CASES repeat a run exactly
 *
 * Prints one line per target with its counts, then every rule a case broke
 * (the frame and what happened); exits 1 if any did.
 */
import { fuzzSeed } from '../test/harness/fuzz/prng.js';
import { fuzzAgentLink, fuzzApiLink, fuzzConfig, fuzzControllerAgentLink, fuzzProxyNames, type FuzzResult } from '../test/harness/fuzz/targets.js';

const raw = process.env.FUZZ_CASES?.trim();
const cases = raw ? Number(raw) : 100_000;
if (!Number.isInteger(cases) || cases < 1) {
  console.error(`FUZZ_CASES must be a positive integer, not '${raw}'`);
  process.exit(2);
}
const seed = fuzzSeed();
console.log(`fuzz: seed=${seed} cases per target=${cases} (FUZZ_SEED=${seed} FUZZ_CASES=${cases} repeats this run)`);

const runs: Array<[string, () => Promise<FuzzResult> | FuzzResult]> = [
  ['controller agent link', () => fuzzControllerAgentLink(seed, cases)],
  ['API link', () => fuzzApiLink(seed + 1, cases)],
  ['agent link', () => fuzzAgentLink(seed + 2, cases)],
  ['config parser', () => fuzzConfig(seed, cases)],
  ['proxy names', () => fuzzProxyNames(seed, cases)],
];

let broken = 0;
for (const [name, run] of runs) {
  const started = performance.now();
  try {
    const r = await run();
    console.log(`${r.summary} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    for (const v of r.violations) console.log(`  BROKEN ${name}: ${v.problem}\n    case: ${v.mutation}\n    frame: ${v.frame}`);
    broken += r.violations.length;
  } catch (err) {
    console.log(`  BROKEN ${name}: the run stopped: ${(err as Error).stack ?? String(err)}`);
    broken++;
  }
}
console.log(broken === 0 ? 'fuzz: no rule broken' : `fuzz: ${broken} broken rules`);
process.exit(broken === 0 ? 0 : 1);
