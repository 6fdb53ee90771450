/**
 * Small helpers shared by the SDK's modules. Not part of the public API.
 *
 * @module fanout/util
 */

import { FanoutError, invalidParams } from './errors.js';

/** A tiny event emitter. A handler that throws is reported on the console and skipped. */
export class Emitter {
  #handlers = new Map();

  /**
   * Registers a handler.
   * @param {string} event
   * @param {Function} handler
   * @returns {this}
   */
  on(event, handler) {
    if (typeof handler !== 'function') throw invalidParams('handler must be a function');
    if (!this.#handlers.has(event)) this.#handlers.set(event, []);
    this.#handlers.get(event).push(handler);
    return this;
  }

  /**
   * Registers a handler that runs once.
   * @param {string} event
   * @param {Function} handler
   * @returns {this}
   */
  once(event, handler) {
    const wrapper = (...args) => {
      this.off(event, wrapper);
      handler.apply(this, args);
    };
    return this.on(event, wrapper);
  }

  /**
   * Removes one handler, or every handler of the event when `handler` is omitted.
   * @param {string} event
   * @param {Function} [handler]
   * @returns {this}
   */
  off(event, handler) {
    if (!handler) {
      this.#handlers.delete(event);
      return this;
    }
    const list = this.#handlers.get(event);
    if (list) {
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  /** @param {string} event */
  listenerCount(event) {
    return (this.#handlers.get(event) || []).length;
  }

  /** @protected */
  _emit(event, ...args) {
    for (const handler of [...(this.#handlers.get(event) || [])]) {
      try {
        handler.apply(this, args);
      } catch (e) {
        console.error(`fanout: a '${event}' handler threw`, e);
      }
    }
  }
}

export function randomId(prefix) {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function optionalObject(v, what) {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) throw invalidParams(`${what} must be an object`);
  return v;
}

export function resolveElement(elementOrId) {
  if (typeof elementOrId === 'string') {
    const el = document.getElementById(elementOrId);
    if (!el) throw invalidParams(`no element with id '${elementOrId}'`);
    return el;
  }
  if (typeof HTMLElement !== 'undefined' && elementOrId instanceof HTMLElement) return elementOrId;
  throw invalidParams('play() needs an element or an element id');
}

export function mediaDevices(method) {
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  if (!md || typeof md[method] !== 'function') {
    throw new FanoutError('NOT_SUPPORTED',
      `navigator.mediaDevices.${method} is not available (an insecure http:// page, or an old browser?)`);
  }
  return md;
}

export function withTimeout(promise, ms, onTimeout) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A promise chain that runs async functions one at a time. */
export class SerialQueue {
  #tail = Promise.resolve();

  run(fn) {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => {});
    return result;
  }
}

export function bitrateSince(holder, bytes) {
  const now = performance.now();
  const last = holder._lastStats;
  holder._lastStats = { bytes, at: now };
  if (!last || now <= last.at || bytes < last.bytes) return 0;
  return Math.round(((bytes - last.bytes) * 8 * 1000) / (now - last.at));
}
