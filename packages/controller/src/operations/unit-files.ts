/** Unit files, the default target and daemon-reload, forwarded to the node's agent. */
import { assertUnitName } from '@bluechi-ts/protocol';
import { forward, oneOrEveryNode } from './forward.js';
import type { OperationsFor, Services } from './context.js';

export function unitFileOperations(
  s: Services,
): OperationsFor<'ListUnitFiles' | 'GetUnitFileState' | 'EnableUnitFiles' | 'DisableUnitFiles' | 'Reload' | 'GetDefaultTarget' | 'SetDefaultTarget'> {
  return {
    ListUnitFiles: async ({ node }, ctx) => ({
      nodes: await oneOrEveryNode(s, ctx, node, 'ListUnitFiles', {}, (name, r) => ({ node: name, unitFiles: r.unitFiles })),
    }),
    GetUnitFileState: ({ node, file }, ctx) => forward(s, ctx, node, 'GetUnitFileState', { file }),
    EnableUnitFiles: ({ node, files, runtime, force }, ctx) => forward(s, ctx, node, 'EnableUnitFiles', { files, runtime, force }),
    DisableUnitFiles: ({ node, files, runtime }, ctx) => forward(s, ctx, node, 'DisableUnitFiles', { files, runtime }),
    Reload: ({ node }, ctx) => forward(s, ctx, node, 'Reload', {}),
    GetDefaultTarget: ({ node }, ctx) => forward(s, ctx, node, 'GetDefaultTarget', {}),
    SetDefaultTarget: async ({ node, target, force }, ctx) => {
      assertUnitName(target);
      return forward(s, ctx, node, 'SetDefaultTarget', { target, force });
    },
  };
}
