/**
 * Fuzzed configuration files and proxy names (docs/security.md): each gives a
 * valid result or a clear refusal (a ConfigError, a reason), never another
 * exception. Each run prints its seed and counts; FUZZ_SEED=N repeats one.
 */
import { describe, expect, it } from 'vitest';
import { fuzzSeed } from '../harness/fuzz/prng.js';
import { fuzzConfig, fuzzProxyNames } from '../harness/fuzz/targets.js';

const seed = fuzzSeed();

describe(`fuzzed text (seed ${seed})`, () => {
  it('fuzzed INI files give a config or a ConfigError', () => {
    const r = fuzzConfig(seed, 5_000);
    console.log(r.summary);
    expect(r.violations.slice(0, 5)).toEqual([]);
    // Both outcomes occur: the generator reaches valid configs, not only refusals.
    expect(r.tally.counts.get('controller:valid')).toBeGreaterThan(0);
    expect(r.tally.counts.get('agent:ConfigError')).toBeGreaterThan(0);
  });

  it('fuzzed proxy names parse or are refused with a reason', () => {
    const r = fuzzProxyNames(seed, 20_000);
    console.log(r.summary);
    expect(r.violations.slice(0, 5)).toEqual([]);
    expect(r.tally.counts.get('parsed')).toBeGreaterThan(0);
    expect(r.tally.counts.get('refused')).toBeGreaterThan(0);
  });
});
