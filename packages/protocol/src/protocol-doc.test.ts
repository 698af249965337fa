/**
 * docs/protocol.md lists every message of the catalogue, and nothing else: a
 * message added or renamed without its row fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentMethods, AgentSignals, ApiMethods, ApiSignals, ControllerMethods, ControllerSignals } from './catalogue/index.js';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

/** The rows of the table under a `## heading`: names (a cell may list several) with kind and direction. */
function rows(heading: string): Array<{ name: string; kind: string; direction: string }> {
  const start = doc.indexOf(`## ${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| ((?:`[A-Za-z]+`(?:, )?)+) \| (method|signal) \| ([^|]+) \|/gm)].flatMap((m) =>
    [...m[1]!.matchAll(/`([A-Za-z]+)`/g)].map((n) => ({ name: n[1]!, kind: m[2]!, direction: m[3]!.trim() })),
  );
}

const key = (r: { name: string; kind: string; direction: string }) => `${r.kind} ${r.direction} ${r.name}`;
const of = (table: object, kind: string, direction: string) => Object.keys(table).map((name) => key({ name, kind, direction }));

describe('docs/protocol.md', () => {
  it('lists every message of the agent link, with its kind and direction, and no others', () => {
    const expected = [
      ...of(AgentMethods, 'method', 'controller → agent'),
      ...of(AgentSignals, 'signal', 'agent → controller'),
      ...of(ControllerMethods, 'method', 'agent → controller'),
      ...of(ControllerSignals, 'signal', 'controller → agent'),
    ];
    expect(rows('Agent link').map(key).sort()).toEqual(expected.sort());
  });

  it('lists every message of the API link, with its kind and direction, and no others', () => {
    const expected = [...of(ApiMethods, 'method', 'client → controller'), ...of(ApiSignals, 'signal', 'controller → client')];
    expect(rows('API link').map(key).sort()).toEqual(expected.sort());
  });
});
