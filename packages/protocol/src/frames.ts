/**
 * The frame envelope shared by both links. Decoding validates the envelope only;
 * the peer then validates params/results against the catalogue.
 */
import { ErrorCodes, BluechiError, isErrorCode, type WireError } from './errors.js';

export type RequestFrame = { type: 'request'; id: number; method: string; params: unknown };
export type ResponseFrame = { type: 'response'; id: number; result: unknown };
export type ErrorFrame = { type: 'error'; id: number | null; error: WireError };
export type SignalFrame = { type: 'signal'; name: string; params: unknown };
/** Asks the peer to abort its request `id`, which it answers with a CANCELLED error (if at all). */
export type CancelFrame = { type: 'cancel'; id: number };
export type Frame = RequestFrame | ResponseFrame | ErrorFrame | SignalFrame | CancelFrame;

const DBUS_NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)+$/;

const NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
}

/** Parses one text frame; throws BluechiError(MALFORMED_FRAME) with a reason. */
export function decodeFrame(text: string): Frame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BluechiError(ErrorCodes.MALFORMED_FRAME, `frame is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BluechiError(ErrorCodes.MALFORMED_FRAME, 'frame is not a JSON object');
  }
  const f = raw as Record<string, unknown>;
  switch (f.type) {
    case 'request':
      if (!isId(f.id)) throw new BluechiError(ErrorCodes.MALFORMED_FRAME, 'request frame without a valid id');
      if (typeof f.method !== 'string' || !NAME.test(f.method)) {
        throw new BluechiError(ErrorCodes.MALFORMED_FRAME, 'request frame without a valid method name');
      }
      return { type: 'request', id: f.id, method: f.method, params: f.params ?? {} };
    case 'response':
      if (!isId(f.id)) throw new BluechiError(ErrorCodes.MALFORMED_FRAME, 'response frame without a valid id');
      return { type: 'response', id: f.id, result: f.result ?? {} };
    case 'error': {
      if (f.id !== null && !isId(f.id)) throw new BluechiError(ErrorCodes.MALFORMED_FRAME, 'error frame with an invalid id');
      const e = f.error as Record<string, unknown> | undefined;
      if (typeof e !== 'object' || e === null || typeof e.message !== 'string') {
        throw new BluechiError(ErrorCodes.MALFORMED_FRAME, 'error frame without an error message');
      }
      const code = isErrorCode(e.code) ? e.code : ErrorCodes.INTERNAL;
      const error: WireError = { code, message: e.message.slice(0, 4096) };
      const data = e.data as Record<string, unknown> | undefined;
      if (typeof data?.dbusName === 'string' && data.dbusName.length <= 255 && DBUS_NAME.test(data.dbusName)) {
        error.data = { dbusName: data.dbusName };
      }
      return { type: 'error', id: (f.id as number | null) ?? null, error };
    }
    case 'cancel':
      if (!isId(f.id)) throw new BluechiError(ErrorCodes.MALFORMED_FRAME, 'cancel frame without a valid id');
      return { type: 'cancel', id: f.id };
    case 'signal':
      if (typeof f.name !== 'string' || !NAME.test(f.name)) {
        throw new BluechiError(ErrorCodes.MALFORMED_FRAME, 'signal frame without a valid name');
      }
      return { type: 'signal', name: f.name, params: f.params ?? {} };
    default:
      throw new BluechiError(ErrorCodes.MALFORMED_FRAME, `unknown frame type ${JSON.stringify(f.type)?.slice(0, 40)}`);
  }
}

export function encodeFrame(frame: Frame): string {
  return JSON.stringify(frame);
}
