/**
 * Every message that crosses a socket, declared once: its name, direction,
 * params schema and result schema. Two links:
 *
 *   agent link (WebSocket, agent-link.ts):  controller <-> agent
 *   api link   (Unix socket, api-link.ts):  bluechictl / API client <-> controller
 *
 * `docs/protocol.md` lists every message of both links; a test keeps it complete.
 */
export * from './spec.js';
export * from './shapes.js';
export * from './agent-link.js';
export * from './api-link.js';
