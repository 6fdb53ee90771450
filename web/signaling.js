/**
 * The signaling connection: one WebSocket to `/rtc` speaking docs/protocol.md (requests with
 * ids, events, a keepalive).
 *
 * @module fanout/signaling
 */

import { FanoutError, serverError } from './errors.js';
import { isPlainObject } from './util.js';

const PROTOCOL_VERSION = 1;
const PING_INTERVAL_MS = 10_000;
/** How long a request waits for its answer. */
export const REQUEST_TIMEOUT_MS = 15_000;
const OPEN_TIMEOUT_MS = 10_000;

/** One /rtc WebSocket: requests with ids, events, a 10 s keepalive. */
export class Signaling {
  #ws;
  #nextId = 1;
  #pending = new Map();
  #ping = null;
  #closed = false;
  #onEvent;
  #onClose;

  constructor(url, onEvent, onClose) {
    this.url = url;
    this.#onEvent = onEvent;
    this.#onClose = onClose;
  }

  get isOpen() {
    return !this.#closed && this.#ws && this.#ws.readyState === WebSocket.OPEN;
  }

  /** Opens the socket. */
  open() {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this.url);
      } catch (e) {
        reject(new FanoutError('NETWORK_ERROR', `cannot open ${this.url}: ${e.message}`, { cause: e }));
        return;
      }
      this.#ws = ws;
      let opened = false;
      const timer = setTimeout(() => {
        if (!opened) this.#fail(4002, 'open timed out');
      }, OPEN_TIMEOUT_MS);
      ws.onopen = () => {
        opened = true;
        clearTimeout(timer);
        this.#ping = setInterval(() => this.#keepalive(), PING_INTERVAL_MS);
        resolve();
      };
      ws.onmessage = (m) => this.#message(m.data);
      ws.onclose = (e) => {
        clearTimeout(timer);
        if (!opened) reject(new FanoutError('NETWORK_ERROR', `cannot connect to ${this.url} (close ${e.code})`));
        this.#closedWith(e.code, e.reason || '');
      };
      ws.onerror = () => {
        // onclose follows with the status
      };
    });
  }

  /**
   * Sends a request; resolves with its result, rejects with a FanoutError.
   * @returns {Promise<any>}
   */
  request(method, params, timeoutMs = REQUEST_TIMEOUT_MS) {
    if (!this.isOpen) return Promise.reject(new FanoutError('NETWORK_ERROR', `${method}: not connected`));
    const id = this.#nextId++;
    const msg = { v: PROTOCOL_VERSION, id, method };
    if (params !== undefined) msg.params = params;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new FanoutError('NETWORK_ERROR', `${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { method, resolve, reject, timer });
      this.#ws.send(JSON.stringify(msg));
    });
  }

  /** Closes on purpose; the close callback does not run. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#cleanup('closed');
    try {
      this.#ws && this.#ws.close(1000);
    } catch (e) {
      // already closing
    }
  }

  #keepalive() {
    this.request('ping', undefined, PING_INTERVAL_MS).catch(() => {
      if (!this.#closed) this.#fail(4002, 'keepalive unanswered');
    });
  }

  #fail(code, reason) {
    try {
      this.#ws.close(4002, reason);
    } catch (e) {
      // ignore
    }
    this.#closedWith(code, reason);
  }

  #closedWith(code, reason) {
    if (this.#closed) return;
    this.#closed = true;
    this.#cleanup(`connection closed (${code})`);
    this.#onClose(code, reason);
  }

  #cleanup(why) {
    clearInterval(this.#ping);
    for (const [, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new FanoutError('NETWORK_ERROR', `${p.method}: ${why}`));
    }
    this.#pending.clear();
  }

  #message(text) {
    if (this.#closed) return;
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (!isPlainObject(msg)) return;
    if (typeof msg.event === 'string') {
      this.#onEvent(msg.event, msg.data || {});
      return;
    }
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.error) p.reject(serverError(p.method, msg.error));
    else p.resolve(msg.result || {});
  }
}
