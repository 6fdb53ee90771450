/**
 * Errors of the Fanout browser SDK: `FanoutError`, and how browser exceptions and signaling
 * error codes become one.
 *
 * @module fanout/errors
 */

/** @typedef {import('./fanout.d.ts').FanoutErrorCode} FanoutErrorCode */

/**
 * Every error the SDK throws or rejects with. `code` is stable; `message` is for humans.
 * `cause` holds the browser's original exception when there was one; `serverCode` the
 * signaling error code when the server refused a request.
 */
export class FanoutError extends Error {
  /**
   * @param {FanoutErrorCode} code
   * @param {string} message
   * @param {{cause?: unknown, serverCode?: string}} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message);
    /** @type {'FanoutError'} */
    this.name = 'FanoutError';
    /** @type {FanoutErrorCode} */
    this.code = code;
    if (extra.cause !== undefined) this.cause = extra.cause;
    if (extra.serverCode !== undefined) this.serverCode = extra.serverCode;
  }
}

export const invalidParams = (message) => new FanoutError('INVALID_PARAMS', message);
export const invalidOperation = (message) => new FanoutError('INVALID_OPERATION', message);

/** Constraints whose failure means the requested format, not the device, is impossible. */
const FORMAT_CONSTRAINTS = new Set(['width', 'height', 'frameRate', 'aspectRatio', 'resizeMode',
  'sampleRate', 'sampleSize', 'channelCount', 'latency']);

/** Maps a getUserMedia / getDisplayMedia failure to a FanoutError. */
export function captureError(e) {
  if (e instanceof FanoutError) return e;
  const name = e && e.name;
  const detail = (e && e.message) || String(e);
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new FanoutError('PERMISSION_DENIED', `capture not allowed: ${detail}`, { cause: e });
    case 'InvalidStateError':
      // Chromium refuses getDisplayMedia without a user gesture with this name.
      return new FanoutError('PERMISSION_DENIED', `capture refused by the browser: ${detail}`, { cause: e });
    case 'NotFoundError':
    case 'DevicesNotFoundError':
      return new FanoutError('DEVICE_NOT_FOUND', `no such capture device: ${detail}`, { cause: e });
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new FanoutError('DEVICE_NOT_FOUND', `the device could not be started (in use elsewhere?): ${detail}`, { cause: e });
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError': {
      const constraint = e.constraint || '';
      if (FORMAT_CONSTRAINTS.has(constraint)) {
        return new FanoutError('MEDIA_OPTION_INVALID', `the device cannot provide the requested ${constraint}`, { cause: e });
      }
      return new FanoutError('CONSTRAINT_NOT_SATISFIED', `no device satisfies the constraint '${constraint}'`, { cause: e });
    }
    case 'TypeError':
      return new FanoutError('MEDIA_OPTION_INVALID', `invalid capture options: ${detail}`, { cause: e });
    case 'NotSupportedError':
    default:
      return new FanoutError('NOT_SUPPORTED', `capture failed: ${detail}`, { cause: e });
  }
}

/** How signaling error codes (docs/protocol.md section 3) surface to applications. */
const SERVER_ERRORS = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'UNAUTHORIZED',
  ROOM_FULL: 'ROOM_FULL',
  INVALID_PARAMS: 'INVALID_PARAMS',
  TRACK_NOT_FOUND: 'INVALID_PARAMS',
  INVALID_MESSAGE: 'INVALID_PARAMS',
  NOT_JOINED: 'INVALID_OPERATION',
  ALREADY_JOINED: 'INVALID_OPERATION',
  INVALID_STATE: 'INVALID_OPERATION',
  TOO_MANY_TRACKS: 'INVALID_OPERATION',
  UNKNOWN_METHOD: 'NOT_SUPPORTED',
  UNSUPPORTED_VERSION: 'NOT_SUPPORTED',
  INVALID_SDP: 'NOT_SUPPORTED',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_ERROR: 'NETWORK_ERROR',
};

export function serverError(method, error) {
  const code = SERVER_ERRORS[error.code] || 'NETWORK_ERROR';
  return new FanoutError(code, `${method}: ${error.message || error.code}`, { serverCode: error.code });
}

/** Wraps anything thrown by a WebRTC call into a FanoutError. */
export function rtcError(what, e) {
  if (e instanceof FanoutError) return e;
  return new FanoutError('NOT_SUPPORTED', `${what}: ${(e && e.message) || e}`, { cause: e });
}
