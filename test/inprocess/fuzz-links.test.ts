/**
 * Structure-aware fuzzing of both links (docs/security.md): frames generated
 * from the catalogue's declarations, then broken, sent to the controller's
 * agent port (before and after a valid Register), its local API socket, and a
 * real agent. Every frame gets the answer the protocol demands, floods and
 * oversized frames close with a policy code, and nothing else changes: the real
 * nodes stay online, their job runs, their systemd is not called. Each run
 * prints its seed and counts; FUZZ_SEED=N repeats one. Longer runs:
 * `FUZZ_CASES=N npm run bench -- fuzz`.
 */
import { describe, expect, it } from 'vitest';
import { fuzzSeed } from '../harness/fuzz/prng.js';
import { fuzzAgentLink, fuzzApiLink, fuzzControllerAgentLink } from '../harness/fuzz/targets.js';

const seed = fuzzSeed();

describe(`fuzzed frames (seed ${seed})`, () => {
  it('the controller answers 10,000 fuzzed agent-link frames with refusals and changes nothing', { timeout: 60_000 }, async () => {
    const r = await fuzzControllerAgentLink(seed, 10_000);
    console.log(r.summary);
    expect(r.violations.slice(0, 5)).toEqual([]);
    expect(r.tally.cases).toBeGreaterThanOrEqual(10_000);
  });

  it('the controller answers fuzzed API frames with refusals and changes nothing', { timeout: 60_000 }, async () => {
    const r = await fuzzApiLink(seed + 1, 3_000);
    console.log(r.summary);
    expect(r.violations.slice(0, 5)).toEqual([]);
  });

  it('an agent answers 10,000 fuzzed controller frames with refusals and calls no systemd for them', { timeout: 60_000 }, async () => {
    const r = await fuzzAgentLink(seed + 2, 10_000);
    console.log(r.summary);
    expect(r.violations.slice(0, 5)).toEqual([]);
    expect(r.tally.cases).toBeGreaterThanOrEqual(10_000);
  });
});
