/**
 * The seam between an RpcPeer and a byte stream. Two implementations: a
 * WebSocket (agent link) and newline-delimited JSON over a stream socket (API link).
 */
import type { Socket } from 'node:net';

export type CloseInfo = { code: number; reason: string };

export interface Transport {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  onMessage(listener: (text: string) => void): void;
  /** Called once, when the transport is closed for any reason. */
  onClose(listener: (info: CloseInfo) => void): void;
}

/** The part of a `ws` WebSocket this module relies on (kept structural on purpose). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

const WS_OPEN = 1;

/**
 * Closing with this code drops the connection at once, without a closing
 * handshake (ws `terminate()`): the way to end a silent peer, which would
 * never answer a polite close and keep the link half-open for ws's 30 s
 * closing timeout. The close listeners see code 1006.
 */
export const CLOSE_TERMINATE = 1006;

/** Close codes an endpoint may send (RFC 6455 §7.4); others (e.g. 1006) are local-only. */
function sendableCloseCode(code: number): boolean {
  return code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014 && code !== 1010) || (code >= 3000 && code <= 4999);
}

export function webSocketTransport(ws: WebSocketLike): Transport {
  let closed = false;
  const closeListeners: Array<(info: CloseInfo) => void> = [];
  const fireClose = (info: CloseInfo) => {
    if (closed) return;
    closed = true;
    for (const l of closeListeners) l(info);
  };
  ws.on('close', (code, reason) => fireClose({ code, reason: reason.toString() }));
  // Errors are followed by 'close'; a listener must exist so they never throw.
  ws.on('error', () => {});
  return {
    send(text) {
      if (ws.readyState === WS_OPEN) ws.send(text);
    },
    close(code = 1000, reason = '') {
      if (ws.readyState === WS_OPEN && sendableCloseCode(code)) ws.close(code, reason.slice(0, 120));
      else ws.terminate();
    },
    onMessage(listener) {
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          listener('\u0000binary');
          return;
        }
        const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString();
        listener(text);
      });
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
  };
}

/** Newline-delimited JSON over a stream socket, with a hard limit per line. */
export function lineTransport(socket: Socket, maxLineBytes: number): Transport {
  let closed = false;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  const messageListeners: Array<(text: string) => void> = [];
  const closeListeners: Array<(info: CloseInfo) => void> = [];
  let closeInfo: CloseInfo = { code: 1000, reason: '' };

  const fireClose = () => {
    if (closed) return;
    closed = true;
    for (const l of closeListeners) l(closeInfo);
  };
  socket.setNoDelay?.(true);
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      const line = bufferedBytes === 0 ? piece : Buffer.concat([...buffered, piece]);
      buffered = [];
      bufferedBytes = 0;
      start = nl + 1;
      if (line.length > maxLineBytes) {
        closeInfo = { code: 1009, reason: `frame larger than ${maxLineBytes} bytes` };
        socket.destroy();
        return;
      }
      if (line.length > 0) for (const l of messageListeners) l(line.toString('utf8'));
      if (closed) return;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      bufferedBytes += rest.length;
      buffered.push(rest);
      if (bufferedBytes > maxLineBytes) {
        closeInfo = { code: 1009, reason: `frame larger than ${maxLineBytes} bytes` };
        socket.destroy();
      }
    }
  });
  socket.on('error', (err) => {
    closeInfo = { code: 1006, reason: err.message };
  });
  socket.on('close', fireClose);
  return {
    send(text) {
      if (!closed && socket.writable) socket.write(text + '\n');
    },
    close(code = 1000, reason = '') {
      closeInfo = { code, reason };
      socket.end();
      // A peer that never reads must not keep the socket alive.
      setTimeout(() => socket.destroy(), 1000).unref();
    },
    onMessage(listener) {
      messageListeners.push(listener);
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
  };
}
