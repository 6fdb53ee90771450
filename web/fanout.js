/**
 * Fanout browser SDK: local tracks (camera, microphone, screen, custom and audio-file tracks),
 * and a client that joins a Fanout room, publishes and subscribes over WebRTC.
 *
 * One ES module without dependencies. The signaling protocol it speaks is docs/protocol.md;
 * the API reference is docs/sdk.md.
 *
 * @example
 * import Fanout from '/sdk/fanout.js';
 * const client = Fanout.createClient();
 * client.on('user-published', async (user, mediaType) => {
 *   const track = await client.subscribe(user, mediaType);
 *   track.play(mediaType === 'video' ? 'remote' : undefined);
 * });
 * await client.join({ room: 'lobby', identity: 'alice' });
 * const [mic, cam] = await Fanout.createMicrophoneAndCameraTracks();
 * cam.play('local');
 * await client.publish([mic, cam]);
 *
 * @module fanout
 */

const VERSION = '0.1.0';
const PROTOCOL_VERSION = 1;
const PING_INTERVAL_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
const OPEN_TIMEOUT_MS = 10_000;
const SUBSCRIBE_TIMEOUT_MS = 15_000;
const RECONNECT_BASE_MS = 300;
const RECONNECT_MAX_MS = 10_000;
const SPEAKER_INTERVAL_MS = 500;
const SPEAKER_THRESHOLD = 0.05;

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * @typedef {'NOT_SUPPORTED'|'MEDIA_OPTION_INVALID'|'DEVICE_NOT_FOUND'|'PERMISSION_DENIED'|
 *   'CONSTRAINT_NOT_SATISFIED'|'SHARE_AUDIO_NOT_ALLOWED'|'INVALID_PARAMS'|'INVALID_OPERATION'|
 *   'UNAUTHORIZED'|'NETWORK_ERROR'|'ROOM_FULL'} FanoutErrorCode
 */

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

const invalidParams = (message) => new FanoutError('INVALID_PARAMS', message);
const invalidOperation = (message) => new FanoutError('INVALID_OPERATION', message);

/** Constraints whose failure means the requested format, not the device, is impossible. */
const FORMAT_CONSTRAINTS = new Set(['width', 'height', 'frameRate', 'aspectRatio', 'resizeMode',
  'sampleRate', 'sampleSize', 'channelCount', 'latency']);

/** Maps a getUserMedia / getDisplayMedia failure to a FanoutError. */
function captureError(e) {
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
  INTERNAL_ERROR: 'NETWORK_ERROR',
};

function serverError(method, error) {
  const code = SERVER_ERRORS[error.code] || 'NETWORK_ERROR';
  return new FanoutError(code, `${method}: ${error.message || error.code}`, { serverCode: error.code });
}

/** Wraps anything thrown by a WebRTC call into a FanoutError. */
function rtcError(what, e) {
  if (e instanceof FanoutError) return e;
  return new FanoutError('NOT_SUPPORTED', `${what}: ${(e && e.message) || e}`, { cause: e });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** A tiny event emitter. A handler that throws is reported on the console and skipped. */
class Emitter {
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

function randomId(prefix) {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function optionalObject(v, what) {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) throw invalidParams(`${what} must be an object`);
  return v;
}

function resolveElement(elementOrId) {
  if (typeof elementOrId === 'string') {
    const el = document.getElementById(elementOrId);
    if (!el) throw invalidParams(`no element with id '${elementOrId}'`);
    return el;
  }
  if (typeof HTMLElement !== 'undefined' && elementOrId instanceof HTMLElement) return elementOrId;
  throw invalidParams('play() needs an element or an element id');
}

function mediaDevices(method) {
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  if (!md || typeof md[method] !== 'function') {
    throw new FanoutError('NOT_SUPPORTED',
      `navigator.mediaDevices.${method} is not available (an insecure http:// page, or an old browser?)`);
  }
  return md;
}

function withTimeout(promise, ms, onTimeout) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise chain that runs async functions one at a time. */
class SerialQueue {
  #tail = Promise.resolve();

  run(fn) {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => {});
    return result;
  }
}

let autoplayFailedReported = false;
function reportAutoplayFailure(e) {
  if (e && e.name === 'AbortError') return; // the element got a new source; not a policy failure
  if (!autoplayFailedReported && typeof Fanout.onAutoplayFailed === 'function') {
    autoplayFailedReported = true;
    try {
      Fanout.onAutoplayFailed();
    } catch (err) {
      console.error('fanout: onAutoplayFailed threw', err);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Playback

/**
 * @typedef {Object} PlayConfig
 * @property {'cover'|'contain'|'fill'} [fit] how video fills its container (default `cover`)
 * @property {boolean} [mirror] mirror the video horizontally (default: true for a local camera)
 */

/** Shows one MediaStreamTrack in one element and can follow source changes. */
class Player {
  /**
   * @param {'audio'|'video'} kind
   * @param {HTMLElement|null} target a container, or an `<audio>`/`<video>` element to use as is
   * @param {PlayConfig} config
   */
  constructor(kind, target, config) {
    this.target = target;
    const tag = target && target.tagName;
    if (tag === 'VIDEO' || tag === 'AUDIO') {
      this.element = target;
      this.created = false;
    } else {
      this.element = document.createElement(kind === 'video' ? 'video' : 'audio');
      this.created = true;
      if (kind === 'video') {
        this.element.style.cssText = 'width:100%;height:100%;display:block;background:#000;'
          + `object-fit:${config.fit || 'cover'};`;
      } else {
        this.element.style.display = 'none';
      }
      if (target) target.appendChild(this.element);
    }
    const el = this.element;
    el.autoplay = true;
    if (kind === 'video') {
      el.playsInline = true;
      el.muted = true;
      if (config.mirror) el.style.transform = 'scaleX(-1)';
    }
    el.dataset.fanoutPlayer = kind;
  }

  setTrack(mst) {
    const el = this.element;
    el.srcObject = mst ? new MediaStream([mst]) : null;
    if (mst) {
      const started = el.play();
      if (started && started.catch) started.catch(reportAutoplayFailure);
    }
  }

  setVolume(volume) {
    if (this.element.tagName === 'AUDIO') this.element.volume = Math.max(0, Math.min(1, volume));
  }

  destroy() {
    const el = this.element;
    el.srcObject = null;
    if (this.created) el.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// Encoder configurations

/**
 * @typedef {Object} VideoEncoderConfiguration
 * @property {number|ConstrainULongRange} [width]
 * @property {number|ConstrainULongRange} [height]
 * @property {number|ConstrainDoubleRange} [frameRate]
 * @property {number} [bitrateMin] kbps (advisory)
 * @property {number} [bitrateMax] kbps, applied as the sender's maxBitrate
 */

/** Resolution presets: `NNNp` or `NNNp_1` is 15 fps, `NNNp_2` is 30 fps. [width, height, kbps at 15 fps] */
const VIDEO_PRESETS = {
  '120p': [160, 120, 65],
  '180p': [320, 180, 140],
  '240p': [320, 240, 200],
  '360p': [640, 360, 400],
  '480p': [640, 480, 500],
  '720p': [1280, 720, 1130],
  '1080p': [1920, 1080, 2080],
};

/** @returns {VideoEncoderConfiguration} */
function videoEncoderConfig(cfg) {
  if (cfg === undefined || cfg === null) return {};
  if (typeof cfg === 'string') {
    const m = /^(\d+p)(?:_([12]))?$/.exec(cfg);
    const preset = m && VIDEO_PRESETS[m[1]];
    if (!preset) {
      throw invalidParams(`unknown video encoder preset '${cfg}' (use ${Object.keys(VIDEO_PRESETS).join(', ')}, optionally with _1 or _2)`);
    }
    const fps = m[2] === '2' ? 30 : 15;
    return { width: preset[0], height: preset[1], frameRate: fps, bitrateMax: Math.round(preset[2] * (fps === 30 ? 1.5 : 1)) };
  }
  if (!isPlainObject(cfg)) throw invalidParams('encoderConfig must be a preset name or an object');
  for (const key of ['width', 'height', 'frameRate']) {
    const v = cfg[key];
    if (v === undefined) continue;
    if (typeof v === 'number' ? !(v > 0) : !isPlainObject(v)) {
      throw invalidParams(`encoderConfig.${key} must be a positive number or a constraint object`);
    }
  }
  for (const key of ['bitrateMin', 'bitrateMax']) {
    const v = cfg[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0)) throw invalidParams(`encoderConfig.${key} must be a positive number (kbps)`);
  }
  return { ...cfg };
}

function constraintOf(v) {
  return typeof v === 'number' ? { ideal: v } : v;
}

function applyVideoFormat(constraints, enc) {
  if (enc.width !== undefined) constraints.width = constraintOf(enc.width);
  if (enc.height !== undefined) constraints.height = constraintOf(enc.height);
  if (enc.frameRate !== undefined) constraints.frameRate = constraintOf(enc.frameRate);
  return constraints;
}

/**
 * @typedef {Object} AudioEncoderConfiguration
 * @property {number} [sampleRate]
 * @property {boolean} [stereo]
 * @property {number} [bitrate] kbps, applied as the sender's maxBitrate
 */

const AUDIO_PRESETS = {
  speech_low_quality: { sampleRate: 16000, stereo: false, bitrate: 24 },
  speech_standard: { sampleRate: 32000, stereo: false, bitrate: 24 },
  music_standard: { sampleRate: 48000, stereo: false, bitrate: 48 },
  standard_stereo: { sampleRate: 48000, stereo: true, bitrate: 64 },
  high_quality: { sampleRate: 48000, stereo: false, bitrate: 128 },
  high_quality_stereo: { sampleRate: 48000, stereo: true, bitrate: 192 },
};

/** @returns {AudioEncoderConfiguration} */
function audioEncoderConfig(cfg) {
  if (cfg === undefined || cfg === null) return {};
  if (typeof cfg === 'string') {
    const preset = AUDIO_PRESETS[cfg];
    if (!preset) throw invalidParams(`unknown audio encoder preset '${cfg}' (use ${Object.keys(AUDIO_PRESETS).join(', ')})`);
    return { ...preset };
  }
  if (!isPlainObject(cfg)) throw invalidParams('encoderConfig must be a preset name or an object');
  if (cfg.bitrate !== undefined && !(typeof cfg.bitrate === 'number' && cfg.bitrate > 0)) {
    throw invalidParams('encoderConfig.bitrate must be a positive number (kbps)');
  }
  return { ...cfg };
}

// ---------------------------------------------------------------------------------------------
// Local tracks

/**
 * @typedef {'camera'|'microphone'|'screen'|'screen-audio'|'custom'|'file'} TrackSource
 */

/**
 * @typedef {Object} LocalTrackStats
 * @property {number} bytesSent
 * @property {number} packetsSent
 * @property {number} sendBitrate bits per second since the previous getStats() call
 * @property {number} [framesEncoded]
 * @property {number} [framesPerSecond]
 * @property {number} [frameWidth]
 * @property {number} [frameHeight]
 * @property {string} [codec] e.g. `video/VP8`
 */

/**
 * A local audio or video track. Create one with the `Fanout.create*Track` functions.
 *
 * Events (`track.on(name, handler)`): `track-ended()` when the underlying capture ends by
 * itself (a camera unplugged, "Stop sharing" clicked).
 */
export class LocalTrack extends Emitter {
  /** @type {string} */ trackId;
  /** @type {'audio'|'video'} */ kind;
  /** @type {TrackSource} */ source;

  /** @protected @type {MediaStreamTrack} */ _mst;
  /** @protected */ _enabled = true;
  /** @protected */ _muted = false;
  /** @protected */ _closed = false;
  /** @protected the client this track is published on (or will be re-published on) */ _client = null;
  /** @protected MediaStreamTracks this SDK opened and must stop */ _owned = new Set();
  /** @protected @type {Player[]} */ _players = [];
  /** @protected */ _queue = new SerialQueue();
  /** @protected */ _stream = null;
  /** @protected */ _lastStats = null;
  #onEnded;

  /** @protected */
  constructor(kind, source, mst, owned) {
    super();
    this.trackId = randomId('LT_');
    this.kind = kind;
    this.source = source;
    this.#onEnded = () => this._emit('track-ended');
    this._setMst(mst, owned);
  }

  /** False after `setEnabled(false)`. */
  get enabled() {
    return this._enabled;
  }

  /** True after `setMuted(true)`. */
  get muted() {
    return this._muted;
  }

  /** True while the track plays in at least one element. */
  get isPlaying() {
    return this._players.length > 0;
  }

  /** True after `close()`. */
  get closed() {
    return this._closed;
  }

  /**
   * The id the server gave this track when it was published, or null while not published.
   * It changes each time the track is published again.
   * @returns {string|null}
   */
  get publishedTrackId() {
    return this._client ? this._client._serverTrackIdOf(this) : null;
  }

  /**
   * The MediaStreamTrack this track currently carries (raw access).
   * @returns {MediaStreamTrack}
   */
  getMediaStreamTrack() {
    return this._mst;
  }

  /** The device or source label. */
  getTrackLabel() {
    return this._mst ? this._mst.label : '';
  }

  /**
   * Plays the track. A video track renders into a `<video>` it creates inside the container
   * (or into the given `<video>` element); an audio track plays through an `<audio>` element
   * (inside the given container, or detached when none is given).
   * @param {HTMLElement|string} [elementOrId]
   * @param {PlayConfig} [config]
   */
  play(elementOrId, config) {
    this._checkOpen();
    const cfg = optionalObject(config, 'config');
    let target = null;
    if (this.kind === 'video' || elementOrId !== undefined) target = resolveElement(elementOrId);
    const existing = this._players.find((p) => p.target === target && target !== null);
    if (existing) existing.destroy();
    this._players = this._players.filter((p) => p !== existing);
    const mirror = cfg.mirror !== undefined ? !!cfg.mirror : this.source === 'camera';
    const player = new Player(this.kind, target, { ...cfg, mirror });
    this._players.push(player);
    player.setTrack(this._enabled ? this._playTrack() : null);
  }

  /** Stops local playback in every element. */
  stop() {
    for (const p of this._players) p.destroy();
    this._players = [];
  }

  /**
   * Stops playback, unpublishes the track from its client and stops every MediaStreamTrack
   * the SDK opened for it (devices are released). A MediaStreamTrack you passed in yourself
   * (custom tracks, `replaceMediaStreamTrack`) keeps running. The track cannot be used again.
   */
  close() {
    if (this._closed) return;
    this._closed = true;
    this.stop();
    const client = this._client;
    if (client) client.unpublish(this).catch(() => {});
    this._release();
    this._disposeExtra();
  }

  /**
   * Enables or disables the track. Disabling stops local playback and unpublishes a published
   * track (peers get `user-unpublished`); camera, microphone and screen tracks also stop
   * capturing and release the device. Enabling captures again (a device track captures a new
   * MediaStreamTrack; a screen track asks the user again), resumes playback and re-publishes
   * a track that was published (peers get `user-published`).
   * @param {boolean} enabled
   * @returns {Promise<void>}
   */
  async setEnabled(enabled) {
    if (typeof enabled !== 'boolean') throw invalidParams('setEnabled needs a boolean');
    this._checkOpen();
    return this._queue.run(async () => {
      if (enabled === this._enabled || this._closed) return;
      if (!enabled) {
        this._enabled = false;
        for (const p of this._players) p.setTrack(null);
        if (this._client) await this._client._suspendTrack(this);
        this._releaseCapture();
      } else {
        await this._recapture();
        this._enabled = true;
        for (const p of this._players) p.setTrack(this._playTrack());
        if (this._client) await this._client._resumeTrack(this);
      }
    });
  }

  /**
   * Mutes or unmutes the track. A muted track stays published but sends no media at all
   * (its sender carries no track), capture and local playback go on, and peers see `muted`
   * on the track.
   * @param {boolean} muted
   * @returns {Promise<void>}
   */
  async setMuted(muted) {
    if (typeof muted !== 'boolean') throw invalidParams('setMuted needs a boolean');
    this._checkOpen();
    return this._queue.run(async () => {
      if (muted === this._muted) return;
      this._muted = muted;
      if (this._client) await this._client._muteTrack(this);
    });
  }

  /**
   * Switches the source of the track without renegotiation: a published track keeps its
   * media section and peers see no new `user-published`. The previous MediaStreamTrack keeps
   * running unless `stopOldTrack` is true (so a processed stream can keep reading from it).
   * @param {MediaStreamTrack} mediaStreamTrack of the same kind
   * @param {boolean} [stopOldTrack]
   * @returns {Promise<void>}
   */
  async replaceMediaStreamTrack(mediaStreamTrack, stopOldTrack = false) {
    if (typeof MediaStreamTrack === 'undefined' || !(mediaStreamTrack instanceof MediaStreamTrack)) {
      throw invalidParams('replaceMediaStreamTrack needs a MediaStreamTrack');
    }
    if (mediaStreamTrack.kind !== this.kind) {
      throw invalidParams(`cannot replace a ${this.kind} track with a ${mediaStreamTrack.kind} MediaStreamTrack`);
    }
    if (mediaStreamTrack.readyState === 'ended') throw invalidParams('the MediaStreamTrack has ended');
    this._checkOpen();
    return this._queue.run(async () => {
      const old = this._mst;
      if (old === mediaStreamTrack) return;
      await this._swap(mediaStreamTrack, false);
      if (stopOldTrack && old) {
        old.stop();
        this._owned.delete(old);
      }
    });
  }

  /**
   * Sender statistics of a published track (zeros when not published).
   * @returns {Promise<LocalTrackStats>}
   */
  async getStats() {
    const sender = this._client ? this._client._senderOf(this) : null;
    const out = { bytesSent: 0, packetsSent: 0, sendBitrate: 0 };
    if (!sender) return out;
    const report = await sender.getStats();
    let codecId = null;
    report.forEach((s) => {
      if (s.type !== 'outbound-rtp') return;
      out.bytesSent += s.bytesSent || 0;
      out.packetsSent += s.packetsSent || 0;
      if (s.framesEncoded !== undefined) out.framesEncoded = (out.framesEncoded || 0) + s.framesEncoded;
      if (s.framesPerSecond !== undefined) out.framesPerSecond = Math.max(out.framesPerSecond || 0, s.framesPerSecond);
      if (s.frameWidth !== undefined && !(out.frameWidth >= s.frameWidth)) {
        out.frameWidth = s.frameWidth;
        out.frameHeight = s.frameHeight;
      }
      codecId = codecId || s.codecId;
    });
    const codec = codecId && report.get(codecId);
    if (codec) out.codec = codec.mimeType;
    out.sendBitrate = bitrateSince(this, out.bytesSent);
    return out;
  }

  // --- internals shared with the client and subclasses ---

  /** @protected */
  _checkOpen() {
    if (this._closed) throw invalidOperation(`the ${this.source} track is closed`);
  }

  /** @protected the track that goes on the wire (an audio track may route through WebAudio) */
  _sendTrack() {
    return this._mst;
  }

  /** @protected the track local playback shows */
  _playTrack() {
    return this._sendTrack();
  }

  /** @protected */
  _setMst(mst, owned) {
    if (this._mst) this._mst.removeEventListener('ended', this.#onEnded);
    this._mst = mst;
    if (owned) this._owned.add(mst);
    if (mst) mst.addEventListener('ended', this.#onEnded);
  }

  /** @protected replaces the carried track everywhere: players, audio graph, sender */
  async _swap(mst, owned) {
    this._setMst(mst, owned);
    this._sourceChanged();
    if (this._enabled) for (const p of this._players) p.setTrack(this._playTrack());
    if (this._client) await this._client._replaceSendTrack(this);
  }

  /** @protected hook: the MediaStreamTrack changed */
  _sourceChanged() {}

  /** @protected hook: stop capturing on setEnabled(false). Custom tracks keep running. */
  _releaseCapture() {}

  /** @protected hook: capture again on setEnabled(true) */
  async _recapture() {}

  /** @protected stops everything the SDK opened */
  _release() {
    for (const mst of this._owned) {
      mst.removeEventListener('ended', this.#onEnded);
      mst.stop();
    }
    this._owned.clear();
  }

  /** @protected hook: free extra resources on close */
  _disposeExtra() {}

  /** @protected the MediaStream that names this track in SDP (a=msid) */
  _msStream() {
    if (!this._stream) this._stream = new MediaStream();
    return this._stream;
  }

  /** @protected RTCRtpEncodingParameters for the sender, or undefined */
  _sendEncodings() {
    return undefined;
  }
}

function bitrateSince(holder, bytes) {
  const now = performance.now();
  const last = holder._lastStats;
  holder._lastStats = { bytes, at: now };
  if (!last || now <= last.at || bytes < last.bytes) return 0;
  return Math.round(((bytes - last.bytes) * 8 * 1000) / (now - last.at));
}

/** A local video track. */
export class LocalVideoTrack extends LocalTrack {
  /** @protected @type {VideoEncoderConfiguration} */ _encoder = {};

  /** @protected */
  constructor(source, mst, owned, encoder) {
    super('video', source, mst, owned);
    this._encoder = encoder || {};
    if (encoder && encoder.optimizationMode) this._applyContentHint(encoder.optimizationMode);
  }

  /**
   * Changes resolution, frame rate and bitrate. Resolution and frame rate are applied to the
   * capture (`applyConstraints`); `bitrateMax` to the sender of a published track.
   * @param {string|VideoEncoderConfiguration} config a preset such as `'720p_2'`, or an object
   * @returns {Promise<void>}
   */
  async setEncoderConfiguration(config) {
    const enc = videoEncoderConfig(config);
    this._checkOpen();
    return this._queue.run(async () => {
      const constraints = applyVideoFormat({}, enc);
      if (Object.keys(constraints).length && this._mst && this._mst.readyState === 'live') {
        try {
          await this._mst.applyConstraints(constraints);
        } catch (e) {
          throw captureError(e);
        }
      }
      this._encoder = { ...this._encoder, ...enc };
      this._formatChanged();
      if (this._client) await this._client._applyEncodings(this);
    });
  }

  /**
   * Hints the encoder: `'motion'` keeps the frame rate, `'detail'` keeps sharpness.
   * @param {'motion'|'detail'|'balanced'} mode
   */
  async setOptimizationMode(mode) {
    if (!['motion', 'detail', 'balanced'].includes(mode)) throw invalidParams("mode must be 'motion', 'detail' or 'balanced'");
    this._applyContentHint(mode);
  }

  /** @protected */
  _applyContentHint(mode) {
    this._encoder.optimizationMode = mode;
    if (this._mst && 'contentHint' in this._mst) this._mst.contentHint = mode === 'balanced' ? '' : mode;
  }

  /** @protected hook for device tracks to remember the new format */
  _formatChanged() {}

  /** @protected */
  _sendEncodings() {
    const enc = {};
    if (this._encoder.bitrateMax) enc.maxBitrate = this._encoder.bitrateMax * 1000;
    if (typeof this._encoder.frameRate === 'number') enc.maxFramerate = this._encoder.frameRate;
    return Object.keys(enc).length ? [enc] : undefined;
  }
}

/** A local audio track. */
export class LocalAudioTrack extends LocalTrack {
  /** @protected */ _volume = 100;
  /** @protected WebAudio graph, built on first use of setVolume/getVolumeLevel */ _graph = null;
  /** @protected @type {AudioEncoderConfiguration} */ _encoder = {};

  /** @protected */
  constructor(source, mst, owned, encoder) {
    super('audio', source, mst, owned);
    this._encoder = encoder || {};
  }

  /**
   * Sets the volume of what is sent and played locally: 0 is silence, 100 the original level,
   * up to 1000 amplifies.
   * @param {number} volume 0..1000
   */
  setVolume(volume) {
    if (typeof volume !== 'number' || !(volume >= 0 && volume <= 1000)) throw invalidParams('volume must be a number from 0 to 1000');
    this._checkOpen();
    this._volume = volume;
    if (volume === 100 && !(this._graph && this._graph.dest)) return;
    const g = this._audioGraph();
    g.gain.gain.value = volume / 100;
    if (!g.dest) {
      g.dest = g.ctx.createMediaStreamDestination();
      g.gain.connect(g.dest);
      if (this._enabled) for (const p of this._players) p.setTrack(this._playTrack());
      if (this._client) this._client._replaceSendTrack(this).catch(() => {});
    }
  }

  /**
   * The current audio level of the track, 0..1 (RMS, so a full-scale tone is about 0.7).
   * @returns {number}
   */
  getVolumeLevel() {
    if (this._closed || !this._enabled) return 0;
    const g = this._audioGraph();
    if (g.ctx.state === 'suspended') g.ctx.resume().catch(() => {});
    const data = new Float32Array(g.analyser.fftSize);
    g.analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const x of data) sum += x * x;
    return Math.min(1, Math.sqrt(sum / data.length));
  }

  /** @protected */
  _sendTrack() {
    const g = this._graph;
    return g && g.dest ? g.dest.stream.getAudioTracks()[0] : this._mst;
  }

  /** @protected */
  _audioGraph() {
    if (!this._graph) {
      const ctx = new AudioContext();
      const gain = ctx.createGain();
      gain.gain.value = this._volume / 100;
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 1024;
      gain.connect(analyser);
      this._graph = { ctx, gain, analyser, src: null, dest: null };
      this._sourceChanged();
    }
    return this._graph;
  }

  /** @protected */
  _sourceChanged() {
    const g = this._graph;
    if (!g) return;
    if (g.src) g.src.disconnect();
    g.src = null;
    if (this._mst && this._mst.readyState === 'live') {
      g.src = g.ctx.createMediaStreamSource(new MediaStream([this._mst]));
      g.src.connect(g.gain);
    }
  }

  /** @protected */
  _disposeExtra() {
    if (this._graph) {
      const g = this._graph;
      this._graph = null;
      if (g.dest) g.dest.stream.getTracks().forEach((t) => t.stop());
      g.ctx.close().catch(() => {});
    }
  }

  /** @protected */
  _sendEncodings() {
    return this._encoder.bitrate ? [{ maxBitrate: this._encoder.bitrate * 1000 }] : undefined;
  }
}

/** Re-captures one device kind with getUserMedia. */
async function captureOne(kind, constraints) {
  const md = mediaDevices('getUserMedia');
  let stream;
  try {
    stream = await md.getUserMedia({ [kind]: constraints });
  } catch (e) {
    throw captureError(e);
  }
  const track = kind === 'video' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
  if (!track) {
    stream.getTracks().forEach((t) => t.stop());
    throw new FanoutError('DEVICE_NOT_FOUND', `the browser returned no ${kind} track`);
  }
  return track;
}

/**
 * @typedef {Object} CameraVideoTrackConfig
 * @property {string} [cameraId] a `deviceId` from `Fanout.getCameras()`
 * @property {'user'|'environment'} [facingMode]
 * @property {string|VideoEncoderConfiguration} [encoderConfig] e.g. `'720p_2'`
 * @property {'motion'|'detail'|'balanced'} [optimizationMode]
 */

/** A camera track: `setDevice`, `setEncoderConfiguration`, and it releases the camera when disabled. */
export class CameraVideoTrack extends LocalVideoTrack {
  #constraints;

  /** @protected */
  constructor(mst, constraints, encoder) {
    super('camera', mst, true, encoder);
    this.#constraints = constraints;
  }

  /**
   * Switches to another camera.
   * @param {string} deviceId
   * @returns {Promise<void>}
   */
  async setDevice(deviceId) {
    return setDeviceOf(this, 'video', deviceId, () => this.#constraints, (c) => { this.#constraints = c; });
  }

  /** @protected */
  _formatChanged() {
    this.#constraints = applyVideoFormat({ ...this.#constraints }, this._encoder);
  }

  /** @protected */
  _releaseCapture() {
    this._release();
  }

  /** @protected */
  async _recapture() {
    const mst = await captureOne('video', this.#constraints);
    await this._swap(mst, true);
  }
}

/**
 * `setDevice` of a camera or microphone track: in the track's queue, capture from `deviceId`
 * (when enabled) and keep the constraints for later recaptures. The track's constraints are
 * private, so they come and go through `get` and `set`.
 */
async function setDeviceOf(track, kind, deviceId, get, set) {
  if (typeof deviceId !== 'string' || !deviceId) throw invalidParams('setDevice needs a deviceId string');
  track._checkOpen();
  return track._queue.run(async () => {
    const constraints = { ...get(), deviceId: { exact: deviceId } };
    if (track._enabled) await switchDevice(track, kind, constraints);
    set(constraints);
  });
}

/**
 * Captures with new constraints and swaps the track in; when the device cannot be opened
 * twice (phones), the old capture is stopped first and the capture retried.
 */
async function switchDevice(track, kind, constraints) {
  const old = track._mst;
  let mst;
  try {
    mst = await captureOne(kind, constraints);
  } catch (e) {
    if (e.code !== 'DEVICE_NOT_FOUND') throw e;
    track._release();
    mst = await captureOne(kind, constraints);
  }
  await track._swap(mst, true);
  if (old && old !== mst && track._owned.has(old)) {
    old.stop();
    track._owned.delete(old);
  }
}

/**
 * @typedef {Object} MicrophoneAudioTrackConfig
 * @property {string} [microphoneId] a `deviceId` from `Fanout.getMicrophones()`
 * @property {boolean} [AEC] echo cancellation (browser default when omitted)
 * @property {boolean} [AGC] automatic gain control
 * @property {boolean} [ANS] noise suppression
 * @property {string|AudioEncoderConfiguration} [encoderConfig] e.g. `'music_standard'`
 */

/** A microphone track: `setDevice`, and it releases the microphone when disabled. */
export class MicrophoneAudioTrack extends LocalAudioTrack {
  #constraints;

  /** @protected */
  constructor(mst, constraints, encoder) {
    super('microphone', mst, true, encoder);
    this.#constraints = constraints;
  }

  /**
   * Switches to another microphone.
   * @param {string} deviceId
   * @returns {Promise<void>}
   */
  async setDevice(deviceId) {
    return setDeviceOf(this, 'audio', deviceId, () => this.#constraints, (c) => { this.#constraints = c; });
  }

  /** @protected */
  _releaseCapture() {
    this._release();
  }

  /** @protected */
  async _recapture() {
    const mst = await captureOne('audio', this.#constraints);
    await this._swap(mst, true);
  }
}

/** A screen-share video track (or its audio, source `screen-audio`). */
export class ScreenVideoTrack extends LocalVideoTrack {
  #displayOptions;

  /** @protected */
  constructor(mst, displayOptions, encoder) {
    super('screen', mst, true, encoder);
    this.#displayOptions = displayOptions;
  }

  /** @protected */
  _releaseCapture() {
    this._release();
  }

  /** @protected asks the user to pick a surface again */
  async _recapture() {
    const md = mediaDevices('getDisplayMedia');
    let stream;
    try {
      stream = await md.getDisplayMedia({ ...this.#displayOptions, audio: false });
    } catch (e) {
      throw captureError(e);
    }
    const mst = stream.getVideoTracks()[0];
    if (this._encoder.optimizationMode) mst.contentHint = this._encoder.optimizationMode === 'balanced' ? '' : this._encoder.optimizationMode;
    await this._swap(mst, true);
  }
}

/** The audio of a screen share. Re-enabling it is not possible without sharing again. */
export class ScreenAudioTrack extends LocalAudioTrack {
  /** @protected */
  constructor(mst) {
    super('screen-audio', mst, true);
  }

  /** @protected */
  _releaseCapture() {
    this._release();
  }

  /** @protected */
  async _recapture() {
    throw invalidOperation('screen audio cannot be captured again; create a new screen track');
  }
}

/** A track around a MediaStreamTrack you provide (canvas, WebAudio, processed video, ...). */
export class CustomVideoTrack extends LocalVideoTrack {
  /** @protected */
  constructor(mst, encoder) {
    super('custom', mst, false, encoder);
  }
}

/** A track around an audio MediaStreamTrack you provide. */
export class CustomAudioTrack extends LocalAudioTrack {
  /** @protected */
  constructor(mst, encoder) {
    super('custom', mst, false, encoder);
  }
}

/**
 * @typedef {'stopped'|'playing'|'paused'} AudioSourceState
 */

/**
 * An audio track that plays an audio file or an AudioBuffer. It sends silence until
 * `startProcessAudioBuffer()` is called. Events: `source-state-change(state)`.
 */
export class BufferSourceAudioTrack extends LocalAudioTrack {
  #buffer;
  #node = null;
  #offset = 0;
  #startedAt = 0;
  #loop = false;
  /** @type {AudioSourceState} */
  #state = 'stopped';

  /** @protected */
  constructor(ctx, buffer) {
    const gain = ctx.createGain();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    const dest = ctx.createMediaStreamDestination();
    gain.connect(analyser);
    gain.connect(dest);
    super('file', dest.stream.getAudioTracks()[0], true);
    this._graph = { ctx, gain, analyser, src: null, dest: null, fileDest: dest };
    this.#buffer = buffer;
  }

  /** Length of the audio in seconds. */
  get duration() {
    return this.#buffer.duration;
  }

  /** @type {AudioSourceState} */
  get currentState() {
    return this.#state;
  }

  /** The decoded audio. */
  get audioBuffer() {
    return this.#buffer;
  }

  /**
   * Starts playing the audio into the track (from `startPlayTime` seconds).
   * @param {{loop?: boolean, startPlayTime?: number}} [options]
   */
  startProcessAudioBuffer(options) {
    const opts = optionalObject(options, 'options');
    const start = opts.startPlayTime === undefined ? 0 : opts.startPlayTime;
    if (typeof start !== 'number' || !(start >= 0 && start <= this.duration)) throw invalidParams('startPlayTime must be within the duration');
    this._checkOpen();
    this.#stopNode();
    this.#loop = !!opts.loop;
    this.#offset = start;
    this.#startNode();
  }

  /** Pauses; `resumeProcessAudioBuffer()` continues from the same position. */
  pauseProcessAudioBuffer() {
    if (this.#state !== 'playing') return;
    this.#offset = this.getCurrentTime();
    this.#stopNode();
    this.#setState('paused');
  }

  /** Continues after `pauseProcessAudioBuffer()`. */
  resumeProcessAudioBuffer() {
    this._checkOpen();
    if (this.#state !== 'paused') return;
    this.#startNode();
  }

  /** Stops and rewinds to the start. */
  stopProcessAudioBuffer() {
    this.#stopNode();
    this.#offset = 0;
    this.#setState('stopped');
  }

  /**
   * Jumps to a position.
   * @param {number} seconds
   */
  seekAudioBuffer(seconds) {
    if (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= this.duration)) throw invalidParams('seek position must be within the duration');
    this._checkOpen();
    const playing = this.#state === 'playing';
    if (playing) this.#stopNode();
    this.#offset = seconds;
    if (playing) this.#startNode();
  }

  /**
   * The playback position in seconds.
   * @returns {number}
   */
  getCurrentTime() {
    if (this.#state !== 'playing') return this.#offset;
    const elapsed = this.#offset + (this._graph.ctx.currentTime - this.#startedAt);
    if (this.#loop) return elapsed % this.duration;
    return Math.min(elapsed, this.duration);
  }

  /** @protected the buffer source plays into its own destination; volume is its gain */
  _sendTrack() {
    return this._mst;
  }

  /** @protected */
  _audioGraph() {
    return this._graph;
  }

  /** @protected */
  _sourceChanged() {}

  /**
   * Volume of the file's audio, 0..1000 (100 is the original level).
   * @param {number} volume
   */
  setVolume(volume) {
    if (typeof volume !== 'number' || !(volume >= 0 && volume <= 1000)) throw invalidParams('volume must be a number from 0 to 1000');
    this._checkOpen();
    this._volume = volume;
    this._graph.gain.gain.value = volume / 100;
  }

  /** @protected */
  _disposeExtra() {
    this.#stopNode();
    this.#setState('stopped');
    const g = this._graph;
    this._graph = null;
    if (g) g.ctx.close().catch(() => {});
  }

  #startNode() {
    const ctx = this._graph.ctx;
    const node = ctx.createBufferSource();
    node.buffer = this.#buffer;
    node.loop = this.#loop;
    node.connect(this._graph.gain);
    node.onended = () => {
      if (this.#node !== node) return;
      this.#node = null;
      this.#offset = 0;
      this.#setState('stopped');
    };
    if (ctx.state === 'suspended') ctx.resume().catch(() => {});
    node.start(0, this.#offset);
    this.#startedAt = ctx.currentTime;
    this.#node = node;
    this.#setState('playing');
  }

  #stopNode() {
    const node = this.#node;
    this.#node = null;
    if (!node) return;
    node.onended = null;
    try {
      node.stop();
    } catch (e) {
      // not started yet
    }
    node.disconnect();
  }

  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    this._emit('source-state-change', state);
  }
}

// ---------------------------------------------------------------------------------------------
// Track factories

/**
 * Opens the camera.
 * @param {CameraVideoTrackConfig} [config]
 * @returns {Promise<CameraVideoTrack>}
 */
async function createCameraVideoTrack(config) {
  const { constraints, encoder } = cameraConstraints(config);
  const mst = await captureOne('video', constraints);
  return new CameraVideoTrack(mst, constraints, encoder);
}

function cameraConstraints(config) {
  const cfg = optionalObject(config, 'camera config');
  const encoder = videoEncoderConfig(cfg.encoderConfig);
  const constraints = {};
  if (cfg.cameraId !== undefined) {
    if (typeof cfg.cameraId !== 'string' || !cfg.cameraId) throw invalidParams('cameraId must be a non-empty string');
    constraints.deviceId = { exact: cfg.cameraId };
  }
  if (cfg.facingMode !== undefined) {
    if (!['user', 'environment'].includes(cfg.facingMode)) throw invalidParams("facingMode must be 'user' or 'environment'");
    constraints.facingMode = { ideal: cfg.facingMode };
  }
  if (cfg.optimizationMode !== undefined) {
    if (!['motion', 'detail', 'balanced'].includes(cfg.optimizationMode)) throw invalidParams("optimizationMode must be 'motion', 'detail' or 'balanced'");
    encoder.optimizationMode = cfg.optimizationMode;
  }
  applyVideoFormat(constraints, encoder);
  return { constraints, encoder };
}

function microphoneConstraints(config) {
  const cfg = optionalObject(config, 'microphone config');
  const encoder = audioEncoderConfig(cfg.encoderConfig);
  const constraints = {};
  if (cfg.microphoneId !== undefined) {
    if (typeof cfg.microphoneId !== 'string' || !cfg.microphoneId) throw invalidParams('microphoneId must be a non-empty string');
    constraints.deviceId = { exact: cfg.microphoneId };
  }
  for (const [key, name] of [['AEC', 'echoCancellation'], ['AGC', 'autoGainControl'], ['ANS', 'noiseSuppression']]) {
    if (cfg[key] === undefined) continue;
    if (typeof cfg[key] !== 'boolean') throw invalidParams(`${key} must be a boolean`);
    constraints[name] = cfg[key];
  }
  if (encoder.sampleRate) constraints.sampleRate = { ideal: encoder.sampleRate };
  if (encoder.stereo !== undefined) constraints.channelCount = { ideal: encoder.stereo ? 2 : 1 };
  return { constraints, encoder };
}

/**
 * Opens the microphone.
 * @param {MicrophoneAudioTrackConfig} [config]
 * @returns {Promise<MicrophoneAudioTrack>}
 */
async function createMicrophoneAudioTrack(config) {
  const { constraints, encoder } = microphoneConstraints(config);
  const mst = await captureOne('audio', constraints);
  return new MicrophoneAudioTrack(mst, constraints, encoder);
}

/**
 * Opens microphone and camera with one permission prompt. Fails as a whole: when either
 * cannot be captured, nothing stays open.
 * @param {MicrophoneAudioTrackConfig} [audioConfig]
 * @param {CameraVideoTrackConfig} [videoConfig]
 * @returns {Promise<[MicrophoneAudioTrack, CameraVideoTrack]>}
 */
async function createMicrophoneAndCameraTracks(audioConfig, videoConfig) {
  const mic = microphoneConstraints(audioConfig);
  const cam = cameraConstraints(videoConfig);
  const md = mediaDevices('getUserMedia');
  let stream;
  try {
    stream = await md.getUserMedia({ audio: mic.constraints, video: cam.constraints });
  } catch (e) {
    throw captureError(e);
  }
  const audio = stream.getAudioTracks()[0];
  const video = stream.getVideoTracks()[0];
  if (!audio || !video) {
    stream.getTracks().forEach((t) => t.stop());
    throw new FanoutError('DEVICE_NOT_FOUND', `the browser returned no ${audio ? 'video' : 'audio'} track`);
  }
  return [new MicrophoneAudioTrack(audio, mic.constraints, mic.encoder),
    new CameraVideoTrack(video, cam.constraints, cam.encoder)];
}

/**
 * @typedef {Object} ScreenVideoTrackConfig
 * @property {string|VideoEncoderConfiguration} [encoderConfig] e.g. `'1080p_1'`
 * @property {'motion'|'detail'|'balanced'} [optimizationMode] default `detail`
 * @property {'monitor'|'window'|'browser'} [displaySurface] the surface to offer first
 */

/**
 * Asks the user for a screen, window or tab to share.
 * `withAudio`: `'enable'` (or true) requires audio and fails with SHARE_AUDIO_NOT_ALLOWED when
 * the user does not share it; `'auto'` returns audio only when shared; `'disable'` (default).
 * @param {ScreenVideoTrackConfig} [config]
 * @param {'enable'|'disable'|'auto'|boolean} [withAudio]
 * @returns {Promise<ScreenVideoTrack|[ScreenVideoTrack, ScreenAudioTrack]>}
 */
async function createScreenVideoTrack(config, withAudio = 'disable') {
  const cfg = optionalObject(config, 'screen config');
  const audioMode = withAudio === true ? 'enable' : withAudio === false ? 'disable' : withAudio;
  if (!['enable', 'disable', 'auto'].includes(audioMode)) throw invalidParams("withAudio must be 'enable', 'disable', 'auto' or a boolean");
  const encoder = videoEncoderConfig(cfg.encoderConfig);
  const mode = cfg.optimizationMode === undefined ? 'detail' : cfg.optimizationMode;
  if (!['motion', 'detail', 'balanced'].includes(mode)) throw invalidParams("optimizationMode must be 'motion', 'detail' or 'balanced'");
  encoder.optimizationMode = mode;
  const video = applyVideoFormat({}, encoder);
  if (cfg.displaySurface !== undefined) video.displaySurface = cfg.displaySurface;
  const displayOptions = { video: Object.keys(video).length ? video : true };
  const md = mediaDevices('getDisplayMedia');
  let stream;
  try {
    stream = await md.getDisplayMedia({ ...displayOptions, audio: audioMode !== 'disable' });
  } catch (e) {
    throw captureError(e);
  }
  const v = stream.getVideoTracks()[0];
  const a = stream.getAudioTracks()[0];
  if (!v) {
    stream.getTracks().forEach((t) => t.stop());
    throw new FanoutError('NOT_SUPPORTED', 'the browser shared no video');
  }
  if (audioMode === 'enable' && !a) {
    stream.getTracks().forEach((t) => t.stop());
    throw new FanoutError('SHARE_AUDIO_NOT_ALLOWED', 'audio was requested but the user did not share it (tick "share audio")');
  }
  const videoTrack = new ScreenVideoTrack(v, displayOptions, encoder);
  if (a && audioMode !== 'disable') return [videoTrack, new ScreenAudioTrack(a)];
  if (a) a.stop();
  return videoTrack;
}

function customTrackArg(config, kind) {
  if (!isPlainObject(config)) throw invalidParams('pass { mediaStreamTrack }');
  const mst = config.mediaStreamTrack;
  if (typeof MediaStreamTrack === 'undefined' || !(mst instanceof MediaStreamTrack)) throw invalidParams('mediaStreamTrack must be a MediaStreamTrack');
  if (mst.kind !== kind) throw invalidParams(`mediaStreamTrack is ${mst.kind}, expected ${kind}`);
  if (mst.readyState === 'ended') throw invalidParams('mediaStreamTrack has ended');
  return mst;
}

/**
 * Wraps any video MediaStreamTrack (canvas `captureStream`, processed video, ...).
 * @param {{mediaStreamTrack: MediaStreamTrack, encoderConfig?: string|VideoEncoderConfiguration, optimizationMode?: 'motion'|'detail'|'balanced'}} config
 * @returns {CustomVideoTrack}
 */
function createCustomVideoTrack(config) {
  const mst = customTrackArg(config, 'video');
  const encoder = videoEncoderConfig(config.encoderConfig);
  if (config.optimizationMode !== undefined) encoder.optimizationMode = config.optimizationMode;
  return new CustomVideoTrack(mst, encoder);
}

/**
 * Wraps any audio MediaStreamTrack (WebAudio `MediaStreamDestination`, ...).
 * @param {{mediaStreamTrack: MediaStreamTrack, encoderConfig?: string|AudioEncoderConfiguration}} config
 * @returns {CustomAudioTrack}
 */
function createCustomAudioTrack(config) {
  const mst = customTrackArg(config, 'audio');
  return new CustomAudioTrack(mst, audioEncoderConfig(config.encoderConfig));
}

/**
 * Creates an audio track from a URL, a File/Blob or an AudioBuffer.
 * Fails with NETWORK_ERROR when the URL cannot be fetched and NOT_SUPPORTED when the browser
 * cannot decode it.
 * @param {{source: string|Blob|AudioBuffer}} config
 * @returns {Promise<BufferSourceAudioTrack>}
 */
async function createBufferSourceAudioTrack(config) {
  if (!isPlainObject(config)) throw invalidParams('pass { source }');
  const source = config.source;
  if (typeof AudioContext === 'undefined') throw new FanoutError('NOT_SUPPORTED', 'WebAudio is not available');
  let buffer = null;
  let bytes = null;
  if (typeof AudioBuffer !== 'undefined' && source instanceof AudioBuffer) {
    buffer = source;
  } else if (typeof source === 'string' && source) {
    let response;
    try {
      response = await fetch(source);
    } catch (e) {
      throw new FanoutError('NETWORK_ERROR', `cannot fetch ${source}: ${e.message}`, { cause: e });
    }
    if (!response.ok) throw new FanoutError('NETWORK_ERROR', `cannot fetch ${source}: HTTP ${response.status}`);
    bytes = await response.arrayBuffer();
  } else if (typeof Blob !== 'undefined' && source instanceof Blob) {
    bytes = await source.arrayBuffer();
  } else {
    throw invalidParams('source must be a URL, a File/Blob or an AudioBuffer');
  }
  const ctx = new AudioContext();
  if (!buffer) {
    try {
      buffer = await ctx.decodeAudioData(bytes);
    } catch (e) {
      ctx.close().catch(() => {});
      throw new FanoutError('NOT_SUPPORTED', `cannot decode the audio: ${(e && e.message) || e}`, { cause: e });
    }
  }
  return new BufferSourceAudioTrack(ctx, buffer);
}

/**
 * @typedef {Object} DeviceInfo
 * @property {string} deviceId
 * @property {string} groupId
 * @property {'videoinput'|'audioinput'|'audiooutput'} kind
 * @property {string} label empty until the page has capture permission
 */

async function listDevices(kind) {
  const md = mediaDevices('enumerateDevices');
  const all = await md.enumerateDevices();
  return all.filter((d) => !kind || d.kind === kind)
    .map((d) => ({ deviceId: d.deviceId, groupId: d.groupId, kind: d.kind, label: d.label }));
}

/** @returns {Promise<DeviceInfo[]>} cameras */
const getCameras = () => listDevices('videoinput');
/** @returns {Promise<DeviceInfo[]>} microphones */
const getMicrophones = () => listDevices('audioinput');
/** @returns {Promise<DeviceInfo[]>} speakers and headphones */
const getPlaybackDevices = () => listDevices('audiooutput');
/** @returns {Promise<DeviceInfo[]>} every media device */
const getDevices = () => listDevices(null);

/**
 * Whether this browser has what the SDK needs (WebRTC, WebSocket, capture).
 * @returns {boolean}
 */
function checkSystemRequirements() {
  return typeof RTCPeerConnection !== 'undefined' && typeof WebSocket !== 'undefined'
    && typeof navigator !== 'undefined' && !!navigator.mediaDevices
    && typeof navigator.mediaDevices.getUserMedia === 'function';
}

// ---------------------------------------------------------------------------------------------
// Signaling

/** One /rtc WebSocket: requests with ids, events, a 10 s keepalive. */
class Signaling {
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

// ---------------------------------------------------------------------------------------------
// Remote users and tracks

/**
 * @typedef {Object} TrackInfo
 * @property {string} trackId the server's id of the track
 * @property {'audio'|'video'} kind
 * @property {TrackSource} source
 * @property {boolean} muted
 */

/**
 * @typedef {Object} RemoteTrackStats
 * @property {number} bytesReceived
 * @property {number} packetsReceived
 * @property {number} packetsLost
 * @property {number} receiveBitrate bits per second since the previous getStats() call
 * @property {number} [jitter] seconds
 * @property {number} [framesDecoded]
 * @property {number} [framesPerSecond]
 * @property {number} [frameWidth]
 * @property {number} [frameHeight]
 * @property {number} [audioLevel]
 * @property {number} [totalSamplesReceived]
 * @property {string} [codec]
 */

/** A participant of the room other than you. */
export class RemoteUser {
  /** @type {string} */ uid;
  /** @type {string} */ name;
  /** @type {TrackInfo[]} published tracks */ tracks = [];
  /** @private subscribed RemoteTracks by trackId */ _subscribed = new Map();

  constructor(uid, name) {
    this.uid = uid;
    this.name = name || uid;
  }

  /** Whether the user publishes an audio track. */
  get hasAudio() {
    return this.tracks.some((t) => t.kind === 'audio');
  }

  /** Whether the user publishes a video track. */
  get hasVideo() {
    return this.tracks.some((t) => t.kind === 'video');
  }

  /** The subscribed audio track (microphone first), or undefined. @type {RemoteTrack|undefined} */
  get audioTrack() {
    return this.#firstSubscribed('audio');
  }

  /** The subscribed video track (camera first), or undefined. @type {RemoteTrack|undefined} */
  get videoTrack() {
    return this.#firstSubscribed('video');
  }

  #firstSubscribed(kind) {
    for (const info of orderedTracks(this.tracks, kind)) {
      const t = this._subscribed.get(info.trackId);
      if (t) return t;
    }
    return undefined;
  }
}

/** Tracks of one kind, camera and microphone before custom, file and screen. */
function orderedTracks(tracks, kind) {
  const rank = (s) => (s === 'camera' || s === 'microphone' ? 0 : s === 'screen' || s === 'screen-audio' ? 2 : 1);
  return tracks.filter((t) => t.kind === kind).sort((a, b) => rank(a.source) - rank(b.source));
}

/** A subscribed track of a remote user. */
export class RemoteTrack extends Emitter {
  /** @type {string} */ trackId;
  /** @type {'audio'|'video'} */ kind;
  /** @type {TrackSource} */ source;
  /** @type {string} the publisher's uid */ uid;
  /** @private */ _info;
  /** @private */ _receiver = null;
  /** @private */ _mst = null;
  /** @private */ _players = [];
  /** @private */ _volume = 100;
  /** @private */ _lastStats = null;

  constructor(uid, info) {
    super();
    this.uid = uid;
    this.trackId = info.trackId;
    this.kind = info.kind;
    this.source = info.source;
    this._info = info;
  }

  /** Whether the publisher muted the track. */
  get muted() {
    return !!this._info.muted;
  }

  /** True while the track plays in at least one element. */
  get isPlaying() {
    return this._players.length > 0;
  }

  /**
   * The received MediaStreamTrack (raw media access). After a reconnection it is a new object.
   * @returns {MediaStreamTrack|null}
   */
  getMediaStreamTrack() {
    return this._mst;
  }

  /**
   * Plays the track: video into a `<video>` created inside the container (or the given
   * `<video>`), audio through an `<audio>` element.
   * @param {HTMLElement|string} [elementOrId]
   * @param {PlayConfig} [config]
   */
  play(elementOrId, config) {
    const cfg = optionalObject(config, 'config');
    let target = null;
    if (this.kind === 'video' || elementOrId !== undefined) target = resolveElement(elementOrId);
    const existing = this._players.find((p) => p.target === target && target !== null);
    if (existing) {
      existing.destroy();
      this._players = this._players.filter((p) => p !== existing);
    }
    const player = new Player(this.kind, target, { ...cfg, mirror: !!cfg.mirror });
    player.setVolume(this._volume / 100);
    this._players.push(player);
    player.setTrack(this._mst);
  }

  /** Stops playback in every element. */
  stop() {
    for (const p of this._players) p.destroy();
    this._players = [];
  }

  /**
   * Playback volume of a remote audio track, 0..100.
   * @param {number} volume
   */
  setVolume(volume) {
    if (typeof volume !== 'number' || !(volume >= 0 && volume <= 100)) throw invalidParams('volume must be a number from 0 to 100');
    this._volume = volume;
    for (const p of this._players) p.setVolume(volume / 100);
  }

  /**
   * The audio level of the received audio, 0..1, from the RTP audio-level extension.
   * @returns {number}
   */
  getVolumeLevel() {
    if (this.kind !== 'audio' || !this._receiver || !this._receiver.getSynchronizationSources) return 0;
    const s = this._receiver.getSynchronizationSources()[0];
    return s && typeof s.audioLevel === 'number' ? s.audioLevel : 0;
  }

  /**
   * Receiver statistics.
   * @returns {Promise<RemoteTrackStats>}
   */
  async getStats() {
    const out = { bytesReceived: 0, packetsReceived: 0, packetsLost: 0, receiveBitrate: 0 };
    if (!this._receiver) return out;
    const report = await this._receiver.getStats();
    let codecId = null;
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      out.bytesReceived += s.bytesReceived || 0;
      out.packetsReceived += s.packetsReceived || 0;
      out.packetsLost += s.packetsLost || 0;
      for (const key of ['jitter', 'framesDecoded', 'framesPerSecond', 'frameWidth', 'frameHeight', 'audioLevel', 'totalSamplesReceived']) {
        if (s[key] !== undefined) out[key] = s[key];
      }
      codecId = codecId || s.codecId;
    });
    const codec = codecId && report.get(codecId);
    if (codec) out.codec = codec.mimeType;
    out.receiveBitrate = bitrateSince(this, out.bytesReceived);
    return out;
  }

  /** @private attaches the receiver of the subscribe connection that carries the track */
  _bind(receiver) {
    if (this._receiver === receiver) return;
    this._receiver = receiver;
    this._mst = receiver.track;
    this._lastStats = null;
    for (const p of this._players) p.setTrack(this._mst);
  }

  /** @private the subscribe connection is gone (reconnecting); players keep their elements */
  _unbind() {
    this._receiver = null;
  }

  /** @private the subscription ended for good */
  _end() {
    this._receiver = null;
    this.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Client

/**
 * @typedef {'DISCONNECTED'|'CONNECTING'|'CONNECTED'|'RECONNECTING'|'DISCONNECTING'} ConnectionState
 */

/**
 * @typedef {Object} ClientConfig
 * @property {string} [url] the server: `http(s)://host:port` or `ws(s)://host:port/rtc`
 *   (default: the page's origin)
 */

/**
 * @typedef {Object} JoinOptions
 * @property {string} room
 * @property {string} [token] an access token; required unless the server runs in dev mode
 * @property {string} [identity] dev mode: the identity to fetch a token for from /dev/token
 */

function endpoints(url) {
  let base;
  try {
    base = new URL(url === undefined ? location.origin : url, typeof location !== 'undefined' ? location.href : undefined);
  } catch (e) {
    throw invalidParams(`invalid url '${url}'`);
  }
  const secure = base.protocol === 'https:' || base.protocol === 'wss:';
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(base.protocol)) throw invalidParams(`unsupported url scheme '${base.protocol}'`);
  let prefix = base.pathname.replace(/\/+$/, '');
  if (prefix.endsWith('/rtc')) prefix = prefix.slice(0, -4);
  return {
    ws: `${secure ? 'wss' : 'ws'}://${base.host}${prefix}/rtc`,
    devToken: `${secure ? 'https' : 'http'}://${base.host}${prefix}/dev/token`,
  };
}

const NAME_RE = /^[\p{L}\p{N} ._@:+=-]{1,128}$/u;

/**
 * A connection to one room. Create with `Fanout.createClient()`.
 *
 * Events: `user-joined(user)`, `user-left(user, reason)`,
 * `user-published(user, mediaType, trackInfo)`, `user-unpublished(user, mediaType, trackInfo)`,
 * `user-info-updated(uid, msg, trackInfo)` (msg: `mute-audio`, `unmute-audio`, `mute-video`,
 * `unmute-video`), `connection-state-change(current, previous, reason)`,
 * `active-speaker(uid)`, `exception({code, message, uid?})`.
 */
export class FanoutClient extends Emitter {
  #endpoints;
  /** @type {ConnectionState} */
  #state = 'DISCONNECTED';
  #session = null;
  /** @type {Signaling|null} */
  #sig = null;
  /** @type {RTCPeerConnection|null} */
  #pubPc = null;
  /** @type {RTCPeerConnection|null} */
  #subPc = null;
  /** LocalTrack → publication {transceiver, serverTrackId, mid} or null while (re)publishing is pending */
  #published = new Map();
  /** @type {Map<string, RemoteUser>} */
  #users = new Map();
  /** @type {Map<string, RemoteTrack>} subscriptions by trackId */
  #subs = new Map();
  /** in-flight subscribe calls by trackId */
  #subscribing = new Map();
  /** trackId → {resolve, reject} waiting for the subscriber-offer that carries it */
  #subWaiters = new Map();
  /** trackId → mid, from the last subscriber-offer applied */
  #offerTracks = new Map();
  /** publish transceivers left inactive by a failed publish, reused by the next one of their kind */
  #spareTransceivers = [];
  #pubQueue = new SerialQueue();
  #offerQueue = new SerialQueue();
  #reconnectTimer = null;
  #reconnectAttempt = 0;
  #speakerTimer = null;
  #activeSpeaker = null;

  /** @param {ClientConfig} [config] */
  constructor(config) {
    super();
    const cfg = optionalObject(config, 'client config');
    this.#endpoints = endpoints(cfg.url);
  }

  /** @type {ConnectionState} */
  get connectionState() {
    return this.#state;
  }

  /** Your identity once joined, else null. */
  get uid() {
    return this.#session && this.#session.uid ? this.#session.uid : null;
  }

  /** The room name once joined, else null. */
  get room() {
    return this.#session && this.#session.uid ? this.#session.room : null;
  }

  /** The other participants. @type {RemoteUser[]} */
  get remoteUsers() {
    return [...this.#users.values()];
  }

  /** The local tracks published (or being re-published) by this client. @type {LocalTrack[]} */
  get localTracks() {
    return [...this.#published.keys()];
  }

  /**
   * Joins a room. Pass a `token`, or in dev mode an `identity` (the SDK fetches a token from
   * `/dev/token`). Others already in the room are announced with `user-joined` and their
   * tracks with `user-published`.
   * @param {JoinOptions} options
   * @returns {Promise<string>} your identity
   */
  async join(options) {
    if (!isPlainObject(options)) throw invalidParams('join needs { room, token } or { room, identity }');
    const { room, token, identity } = options;
    if (typeof room !== 'string' || !NAME_RE.test(room)) throw invalidParams('room must be 1-128 letters, digits, spaces or ._@:+=-');
    if (token !== undefined && (typeof token !== 'string' || !token)) throw invalidParams('token must be a non-empty string');
    if (token === undefined) {
      if (typeof identity !== 'string' || !NAME_RE.test(identity)) throw invalidParams('pass a token, or (dev mode) an identity of 1-128 letters, digits, spaces or ._@:+=-');
    }
    if (this.#state !== 'DISCONNECTED') throw invalidOperation(`join while ${this.#state.toLowerCase()}`);
    const session = { room, token, devIdentity: token === undefined ? identity : null, uid: null };
    this.#session = session;
    this.#setState('CONNECTING');
    try {
      if (!session.token) session.token = await this.#fetchDevToken(session);
      const result = await this.#open(session);
      if (this.#session !== session) throw new FanoutError('INVALID_OPERATION', 'left while joining');
      session.uid = result.identity;
      session.room = result.room || room;
      this.#setState('CONNECTED');
      for (const p of result.participants || []) this.#addUser(p);
      this.#startSpeakerDetection();
      return session.uid;
    } catch (e) {
      if (this.#session === session) {
        this.#sig && this.#sig.close();
        this.#sig = null;
        this.#session = null;
        this.#setState('DISCONNECTED', 'JOIN_FAILED');
      }
      throw e instanceof FanoutError ? e : new FanoutError('NETWORK_ERROR', String(e), { cause: e });
    }
  }

  /**
   * Replaces the token used when the client reconnects (call it before the old one expires).
   * @param {string} token
   */
  renewToken(token) {
    if (typeof token !== 'string' || !token) throw invalidParams('token must be a non-empty string');
    if (!this.#session) throw invalidOperation('not joined');
    this.#session.token = token;
    this.#session.devIdentity = null;
  }

  /**
   * Publishes local tracks. Each becomes a media section of the publish connection; peers get
   * `user-published`. Publishing a track again is a no-op.
   * @param {LocalTrack|LocalTrack[]} tracks
   * @returns {Promise<void>}
   */
  async publish(tracks) {
    const list = toTrackList(tracks);
    if (!this.#session || !this.#session.uid || this.#state === 'DISCONNECTING') throw invalidOperation('join before publishing');
    for (const t of list) {
      if (t._closed) throw invalidOperation(`the ${t.source} track is closed`);
      if (t._client && t._client !== this) throw invalidOperation(`the ${t.source} track is published by another client`);
      if (!t._enabled) throw invalidOperation(`the ${t.source} track is disabled; setEnabled(true) first`);
    }
    const fresh = list.filter((t) => !this.#published.has(t));
    if (!fresh.length) return;
    for (const t of fresh) {
      this.#published.set(t, null);
      t._client = this;
    }
    try {
      await this.#pubQueue.run(() => this.#publishNow(fresh));
    } catch (e) {
      if (this.#state === 'RECONNECTING' && e.code === 'NETWORK_ERROR') return; // restored after reconnecting
      for (const t of fresh) {
        if (this.#published.get(t) === null) {
          this.#published.delete(t);
          t._client = null;
        }
      }
      throw e;
    }
  }

  /**
   * Unpublishes tracks (all of them when omitted); peers get `user-unpublished`.
   * @param {LocalTrack|LocalTrack[]} [tracks]
   * @returns {Promise<void>}
   */
  async unpublish(tracks) {
    const list = tracks === undefined ? [...this.#published.keys()] : toTrackList(tracks);
    const pubs = [];
    for (const t of list) {
      if (!this.#published.has(t)) continue;
      pubs.push(this.#published.get(t));
      this.#published.delete(t);
      t._client = null;
    }
    const live = pubs.filter(Boolean);
    if (!live.length) return;
    await this.#pubQueue.run(() => this.#unpublishNow(live));
  }

  /**
   * Subscribes to a remote track: `'audio'` or `'video'` picks the user's first track of that
   * kind (camera and microphone before screen), or pass a `trackId`. Resolves once the
   * subscribe connection carries the track; subscribing again returns the same object.
   * @param {RemoteUser|string} user a RemoteUser or its uid
   * @param {'audio'|'video'|string} mediaTypeOrTrackId
   * @returns {Promise<RemoteTrack>}
   */
  async subscribe(user, mediaTypeOrTrackId) {
    this.#requireJoined('subscribe');
    const u = this.#userOf(user);
    const info = pickTrack(u, mediaTypeOrTrackId);
    const existing = this.#subs.get(info.trackId);
    if (existing) return existing;
    const inFlight = this.#subscribing.get(info.trackId);
    if (inFlight) return inFlight;
    const track = new RemoteTrack(u.uid, info);
    const run = (async () => {
      await this.#whenConnected();
      await this.#requestSubscription(track);
      this.#subs.set(track.trackId, track);
      u._subscribed.set(track.trackId, track);
      return track;
    })();
    this.#subscribing.set(info.trackId, run);
    try {
      return await run;
    } finally {
      this.#subscribing.delete(info.trackId);
    }
  }

  /**
   * Ends subscriptions to a user's tracks: one kind, one trackId, or all when omitted.
   * Stops their playback.
   * @param {RemoteUser|string} user
   * @param {'audio'|'video'|string} [mediaTypeOrTrackId]
   * @returns {Promise<void>}
   */
  async unsubscribe(user, mediaTypeOrTrackId) {
    const uid = typeof user === 'string' ? user : user && user.uid;
    if (typeof uid !== 'string') throw invalidParams('unsubscribe needs a RemoteUser or a uid');
    const targets = [...this.#subs.values()].filter((t) => t.uid === uid && (mediaTypeOrTrackId === undefined
      || t.kind === mediaTypeOrTrackId || t.trackId === mediaTypeOrTrackId));
    for (const t of targets) {
      this.#dropSubscription(t);
      if (this.#state === 'CONNECTED') {
        await this.#sig.request('unsubscribe', { trackId: t.trackId }).catch((e) => {
          if (e.serverCode !== 'TRACK_NOT_FOUND') throw e;
        });
      }
    }
  }

  /**
   * Leaves the room: unpublishes, closes both connections and closes every local track this
   * client published, which releases the camera, microphone and screen it opened.
   * @returns {Promise<void>}
   */
  async leave() {
    if (!this.#session) return;
    const sig = this.#sig;
    this.#session = null;
    this.#setState('DISCONNECTING', 'LEAVE');
    clearTimeout(this.#reconnectTimer);
    this.#stopSpeakerDetection();
    if (sig && sig.isOpen) await sig.request('leave', undefined, 3000).catch(() => {});
    if (sig) sig.close();
    this.#sig = null;
    this.#closePeerConnections();
    const tracks = [...this.#published.keys()];
    this.#published.clear();
    for (const t of tracks) {
      t._client = null;
      t.close();
    }
    for (const t of this.#subs.values()) t._end();
    this.#subs.clear();
    for (const w of this.#subWaiters.values()) w.reject(invalidOperation('left the room'));
    this.#subWaiters.clear();
    this.#users.clear();
    this.#setState('DISCONNECTED', 'LEAVE');
  }

  // --- called by LocalTrack ---

  /** @private */
  _serverTrackIdOf(track) {
    const pub = this.#published.get(track);
    return pub ? pub.serverTrackId : null;
  }

  /** @private */
  _senderOf(track) {
    const pub = this.#published.get(track);
    return pub ? pub.transceiver.sender : null;
  }

  /** @private setEnabled(false): unpublish but remember to publish again */
  async _suspendTrack(track) {
    if (!this.#published.has(track)) return;
    const pub = this.#published.get(track);
    this.#published.set(track, null);
    if (pub) await this.#pubQueue.run(() => this.#unpublishNow([pub]));
  }

  /** @private setEnabled(true) */
  async _resumeTrack(track) {
    if (!this.#published.has(track) || this.#state !== 'CONNECTED') return;
    await this.#pubQueue.run(() => this.#publishNow([track])).catch((e) => {
      if (this.#state !== 'RECONNECTING') throw e;
    });
  }

  /** @private */
  async _muteTrack(track) {
    const pub = this.#published.get(track);
    if (!pub) return;
    await pub.transceiver.sender.replaceTrack(track._muted ? null : track._sendTrack());
    if (this.#state === 'CONNECTED') {
      await this.#sig.request('mute', { trackId: pub.serverTrackId, muted: track._muted }).catch((e) => {
        if (this.#state === 'CONNECTED') throw e;
      });
    }
  }

  /** @private */
  async _replaceSendTrack(track) {
    const pub = this.#published.get(track);
    if (!pub || track._muted) return;
    try {
      await pub.transceiver.sender.replaceTrack(track._sendTrack());
    } catch (e) {
      throw rtcError('replaceTrack', e);
    }
  }

  /** @private */
  async _applyEncodings(track) {
    const pub = this.#published.get(track);
    const wanted = track._sendEncodings();
    if (!pub || !wanted) return;
    const sender = pub.transceiver.sender;
    const params = sender.getParameters();
    if (!params.encodings || !params.encodings.length) return;
    params.encodings.forEach((e) => Object.assign(e, wanted[0]));
    try {
      await sender.setParameters(params);
    } catch (e) {
      throw rtcError('setParameters', e);
    }
  }

  // --- internals ---

  #setState(state, reason) {
    const prev = this.#state;
    if (prev === state) return;
    this.#state = state;
    this._emit('connection-state-change', state, prev, reason);
  }

  #requireJoined(what) {
    if (!this.#session || !this.#session.uid || this.#state === 'DISCONNECTING') throw invalidOperation(`join before ${what}`);
  }

  #userOf(user) {
    const uid = typeof user === 'string' ? user : user && user.uid;
    if (typeof uid !== 'string') throw invalidParams('pass a RemoteUser or a uid');
    const u = this.#users.get(uid);
    if (!u) throw invalidParams(`no user '${uid}' in the room`);
    return u;
  }

  async #fetchDevToken(session) {
    const url = `${this.#endpoints.devToken}?room=${encodeURIComponent(session.room)}&identity=${encodeURIComponent(session.devIdentity)}`;
    let response;
    try {
      response = await fetch(url, { cache: 'no-store' });
    } catch (e) {
      throw new FanoutError('NETWORK_ERROR', `cannot reach ${url}: ${e.message}`, { cause: e });
    }
    if (response.status === 404) throw new FanoutError('UNAUTHORIZED', 'the server is not in dev mode: join with a token');
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      // handled below
    }
    if (!response.ok || !body || typeof body.token !== 'string') {
      const code = response.status === 400 ? 'INVALID_PARAMS' : 'NETWORK_ERROR';
      throw new FanoutError(code, `dev token: ${(body && body.message) || `HTTP ${response.status}`}`);
    }
    return body.token;
  }

  /** Opens a socket and joins; the socket becomes the current one. */
  async #open(session) {
    const sig = new Signaling(this.#endpoints.ws,
      (name, data) => this.#onEvent(sig, name, data),
      (code, reason) => this.#onSocketClosed(sig, code, reason));
    this.#sig = sig;
    await sig.open();
    // The room goes along so the server refuses a token for another room (INVALID_PARAMS).
    try {
      return await sig.request('join', { token: session.token, room: session.room });
    } catch (e) {
      if (e.serverCode === 'UNAUTHORIZED' && session.devIdentity && this.#session === session) {
        session.token = await this.#fetchDevToken(session); // an expired dev token
        return sig.request('join', { token: session.token, room: session.room });
      }
      throw e;
    }
  }

  #onSocketClosed(sig, code, reason) {
    if (sig !== this.#sig || !this.#session) return;
    if (this.#state === 'CONNECTING') return; // join() rejects
    if (code === 4001) {
      // Another connection joined with this identity: do not fight it.
      this.#goDisconnected('REPLACED');
      return;
    }
    if (this.#state === 'CONNECTED') this.#startReconnecting(code === 4000 ? 'TIMEOUT' : 'NETWORK_ERROR', reason);
  }

  #goDisconnected(reason) {
    const sig = this.#sig;
    this.#session = null;
    this.#sig = null;
    if (sig) sig.close();
    clearTimeout(this.#reconnectTimer);
    this.#stopSpeakerDetection();
    this.#closePeerConnections();
    for (const t of this.#published.keys()) t._client = null;
    this.#published.clear();
    for (const t of this.#subs.values()) t._end();
    this.#subs.clear();
    this.#users.clear();
    this.#setState('DISCONNECTED', reason);
  }

  #startReconnecting(reason) {
    if (this.#sig) this.#sig.close();
    this.#sig = null;
    this.#setState('RECONNECTING', reason);
    this.#closePeerConnections();
    for (const t of this.#published.keys()) this.#published.set(t, null);
    for (const t of this.#subs.values()) t._unbind();
    for (const w of this.#subWaiters.values()) w.reject(new FanoutError('NETWORK_ERROR', 'connection lost'));
    this.#subWaiters.clear();
    this.#offerTracks.clear();
    this.#reconnectAttempt = 0;
    this.#scheduleReconnect();
  }

  #scheduleReconnect() {
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** this.#reconnectAttempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.#reconnectAttempt++;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => this.#reconnect(), delay);
  }

  async #reconnect() {
    const session = this.#session;
    if (!session || this.#state !== 'RECONNECTING') return;
    let result;
    try {
      result = await this.#open(session);
    } catch (e) {
      if (this.#session !== session) return;
      if (this.#sig) this.#sig.close();
      this.#sig = null;
      if (e.code === 'UNAUTHORIZED') {
        this._emit('exception', { code: 'UNAUTHORIZED', message: `cannot rejoin: ${e.message}` });
        this.#goDisconnected('UNAUTHORIZED');
        return;
      }
      this.#scheduleReconnect();
      return;
    }
    if (this.#session !== session || this.#state !== 'RECONNECTING') return;
    this.#setState('CONNECTED', 'RECONNECTED');
    this.#reconcileUsers(result.participants || []);
    await this.#restore();
  }

  /** After rejoining: announce who came and went while the socket was down. */
  #reconcileUsers(participants) {
    const present = new Map(participants.map((p) => [p.identity, p]));
    for (const u of [...this.#users.values()]) {
      if (!present.has(u.uid)) this.#removeUser(u.uid, 'disconnected');
    }
    for (const p of participants) {
      const u = this.#users.get(p.identity);
      if (!u) {
        this.#addUser(p);
        continue;
      }
      const now = new Map((p.tracks || []).map((t) => [t.trackId, t]));
      for (const info of [...u.tracks]) {
        if (!now.has(info.trackId)) this.#removeTrack(u, info.trackId);
      }
      for (const t of now.values()) {
        const info = u.tracks.find((x) => x.trackId === t.trackId);
        if (info) info.muted = !!t.muted;
        else this.#addTrack(u, t);
      }
    }
  }

  /** After rejoining: publish what was published, subscribe to what was subscribed. */
  async #restore() {
    const tracks = [...this.#published.keys()].filter((t) => t._enabled && !t._closed && this.#published.get(t) === null);
    if (tracks.length) {
      try {
        await this.#pubQueue.run(() => this.#publishNow(tracks));
      } catch (e) {
        this._emit('exception', { code: codeOf(e, 'NETWORK_ERROR'), message: `cannot publish again after reconnecting: ${e.message}` });
      }
    }
    for (const t of [...this.#subs.values()]) {
      if (this.#state !== 'CONNECTED') return;
      try {
        await this.#requestSubscription(t);
      } catch (e) {
        if (this.#state !== 'CONNECTED') return;
        this._emit('exception', { code: codeOf(e, 'NETWORK_ERROR'), message: `cannot subscribe again to ${t.trackId}: ${e.message}`, uid: t.uid });
      }
    }
  }

  async #whenConnected() {
    if (this.#state === 'CONNECTED') return;
    if (this.#state !== 'RECONNECTING') throw invalidOperation('not joined');
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connection-state-change', onChange);
        reject(new FanoutError('NETWORK_ERROR', 'still reconnecting'));
      }, REQUEST_TIMEOUT_MS);
      const onChange = (state) => {
        if (state === 'RECONNECTING') return;
        clearTimeout(timer);
        this.off('connection-state-change', onChange);
        if (state === 'CONNECTED') resolve();
        else reject(invalidOperation('left the room'));
      };
      this.on('connection-state-change', onChange);
    });
  }

  // publish connection

  /**
   * The publish connection uses max-bundle (it always keeps one section, see #unpublishNow);
   * the subscribe connection must also accept an offer whose sections are all removed (port 0,
   * no BUNDLE group), which only the balanced policy allows.
   */
  #pc(bundlePolicy, onFailed) {
    const pc = new RTCPeerConnection({ iceServers: [], bundlePolicy, rtcpMuxPolicy: 'require' });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') onFailed(pc);
    });
    return pc;
  }

  #ensurePubPc() {
    if (!this.#pubPc) {
      this.#pubPc = this.#pc('max-bundle', (pc) => this.#transportFailed(pc, 'publish'));
    }
    return this.#pubPc;
  }

  #transportFailed(pc, which) {
    if (pc !== this.#pubPc && pc !== this.#subPc) return;
    this._emit('exception', { code: 'NETWORK_ERROR', message: `the ${which} connection failed; reconnecting` });
    if (this.#state === 'CONNECTED') this.#startReconnecting('MEDIA_FAILED');
  }

  #closePeerConnections() {
    for (const pc of [this.#pubPc, this.#subPc]) if (pc) pc.close();
    this.#spareTransceivers = [];
    this.#pubPc = null;
    this.#subPc = null;
  }

  async #publishNow(tracks) {
    const todo = tracks.filter((t) => this.#published.has(t) && this.#published.get(t) === null && t._enabled && !t._closed);
    if (!todo.length) return;
    if (this.#state !== 'CONNECTED') throw new FanoutError('NETWORK_ERROR', 'publish: not connected');
    const sig = this.#sig;
    const pc = this.#ensurePubPc();
    const added = [];
    for (const t of todo) {
      const sendTrack = t._muted ? null : t._sendTrack();
      const spare = this.#spareTransceivers.findIndex((tr) => tr.receiver.track.kind === t.kind);
      if (spare >= 0) {
        const [transceiver] = this.#spareTransceivers.splice(spare, 1);
        transceiver.direction = 'sendonly';
        await transceiver.sender.replaceTrack(sendTrack);
        transceiver.sender.setStreams(t._msStream());
        added.push({ track: t, transceiver, reused: true });
        continue;
      }
      const init = { direction: 'sendonly', streams: [t._msStream()] };
      const encodings = t._sendEncodings();
      if (encodings) init.sendEncodings = encodings;
      added.push({ track: t, transceiver: pc.addTransceiver(sendTrack || t.kind, init) });
    }
    try {
      await pc.setLocalDescription(await pc.createOffer());
      const result = await sig.request('publish', {
        offer: pc.localDescription.sdp,
        tracks: added.map(({ track, transceiver }) => ({ mid: transceiver.mid, kind: track.kind, source: track.source, muted: track._muted })),
      });
      if (pc !== this.#pubPc) throw new FanoutError('NETWORK_ERROR', 'publish: connection replaced');
      await pc.setRemoteDescription({ type: 'answer', sdp: result.answer });
      const byMid = new Map((result.tracks || []).map((t) => [t.mid, t]));
      const late = [];
      for (const { track, transceiver, reused } of added) {
        const answer = byMid.get(transceiver.mid);
        if (!answer) throw new FanoutError('NETWORK_ERROR', `publish: the server did not accept mid ${transceiver.mid}`);
        if (this.#published.has(track)) {
          this.#published.set(track, { transceiver, serverTrackId: answer.trackId, mid: transceiver.mid });
          if (reused) await this._applyEncodings(track).catch(() => {});
        } else {
          late.push({ transceiver, serverTrackId: answer.trackId }); // unpublished while publishing
        }
      }
      if (late.length) await this.#unpublishNow(late);
    } catch (e) {
      if (pc === this.#pubPc) await this.#abandonPublish(pc, added);
      throw e instanceof FanoutError ? e : rtcError('publish', e);
    }
  }

  /**
   * Undoes a failed publish. A connection that carries nothing yet is simply dropped. Otherwise
   * the offer is rolled back and the new transceivers are parked inactive for the next publish
   * of their kind: stopping never-negotiated transceivers after a rollback leaves Chromium unable
   * to create its next offer.
   */
  async #abandonPublish(pc, added) {
    if (![...this.#published.values()].some(Boolean)) {
      pc.close();
      this.#pubPc = null;
      this.#spareTransceivers = [];
      return;
    }
    if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
    for (const { transceiver } of added) {
      try {
        transceiver.direction = 'inactive';
        await transceiver.sender.replaceTrack(null);
        this.#spareTransceivers.push(transceiver);
      } catch (err) {
        // the connection closed meanwhile
      }
    }
  }

  /** Ends publications: `unpublish` (forwarding stops), then stop the transceivers and renegotiate. */
  async #unpublishNow(pubs) {
    const pc = this.#pubPc;
    const connected = this.#state === 'CONNECTED' && pc;
    const sig = this.#sig;
    let failure = null;
    if (connected) {
      await sig.request('unpublish', { trackIds: pubs.map((p) => p.serverTrackId) }).catch((e) => {
        if (e.serverCode !== 'TRACK_NOT_FOUND') failure = e;
      });
    }
    // The section that tags the BUNDLE group names the shared transport: Chromium closes the
    // DTLS association (close_notify) when that section is rejected, and the server then drops
    // the participant. It is parked like the last one instead.
    const bundle = pc && pc.localDescription && /a=group:BUNDLE ([^\r\n]*)/.exec(pc.localDescription.sdp);
    const tag = bundle ? bundle[1].trim().split(/\s+/)[0] : null;
    for (const p of pubs) {
      const tr = p.transceiver;
      const others = pc ? pc.getTransceivers().filter((x) => x !== tr && x.mid !== null && !isStopped(x)) : [];
      try {
        if (pc && (others.length === 0 || tr.mid === tag)) {
          // The last section, and the BUNDLE tag, are parked inactive instead of stopped: an
          // offer without any live section has no BUNDLE group, which max-bundle refuses, and
          // the transport would go.
          tr.direction = 'inactive';
          await tr.sender.replaceTrack(null);
          this.#spareTransceivers.push(tr);
        } else {
          tr.stop();
        }
      } catch (e) {
        // the connection closed meanwhile
      }
    }
    if (failure) throw failure;
    if (connected) await this.#renegotiatePublish(pc, sig);
  }

  async #renegotiatePublish(pc, sig) {
    try {
      await pc.setLocalDescription(await pc.createOffer());
      const result = await sig.request('publish', { offer: pc.localDescription.sdp, tracks: [] });
      if (pc === this.#pubPc) await pc.setRemoteDescription({ type: 'answer', sdp: result.answer });
    } catch (e) {
      if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      throw e instanceof FanoutError ? e : rtcError('publish renegotiation', e);
    }
  }

  // subscribe connection

  async #requestSubscription(track) {
    const sig = this.#sig;
    const arrived = new Promise((resolve, reject) => this.#subWaiters.set(track.trackId, { resolve, reject, track }));
    try {
      await sig.request('subscribe', { trackId: track.trackId });
      this.#bindIfOffered(track.trackId);
      await withTimeout(arrived, SUBSCRIBE_TIMEOUT_MS,
        () => new FanoutError('NETWORK_ERROR', `subscribe: no subscriber-offer for ${track.trackId}`));
    } finally {
      const w = this.#subWaiters.get(track.trackId);
      if (w && w.track === track) this.#subWaiters.delete(track.trackId);
    }
  }

  /** Binds a waiting subscription when an already applied offer carries its track. */
  #bindIfOffered(trackId) {
    const w = this.#subWaiters.get(trackId);
    const mid = this.#offerTracks.get(trackId);
    if (!w || mid === undefined || !this.#subPc) return;
    const tr = this.#subPc.getTransceivers().find((x) => x.mid === mid);
    if (!tr) return;
    w.track._bind(tr.receiver);
    this.#subWaiters.delete(trackId);
    w.resolve();
  }

  async #onSubscriberOffer(sig, data) {
    if (sig !== this.#sig) return;
    if (!this.#subPc) this.#subPc = this.#pc('balanced', (pc) => this.#transportFailed(pc, 'subscribe'));
    const pc = this.#subPc;
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: data.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await sig.request('subscriber-answer', { revision: data.revision, sdp: pc.localDescription.sdp });
    } catch (e) {
      if (sig !== this.#sig) return;
      // The server keeps this offer outstanding until it is answered: without a fresh start the
      // subscribe connection would stay stuck.
      this._emit('exception', { code: codeOf(e, 'NOT_SUPPORTED'), message: `cannot apply the subscriber offer, reconnecting: ${e.message}` });
      if (this.#state === 'CONNECTED') this.#startReconnecting('MEDIA_FAILED');
      return;
    }
    if (sig !== this.#sig) return;
    this.#offerTracks = new Map((data.tracks || []).map((t) => [t.trackId, t.mid]));
    const byMid = new Map(pc.getTransceivers().filter((t) => t.mid !== null).map((t) => [t.mid, t]));
    for (const [trackId, mid] of this.#offerTracks) {
      const tr = byMid.get(mid);
      if (!tr) continue;
      const sub = this.#subs.get(trackId);
      if (sub) sub._bind(tr.receiver);
      this.#bindIfOffered(trackId);
    }
  }

  #dropSubscription(track) {
    this.#subs.delete(track.trackId);
    const u = this.#users.get(track.uid);
    if (u && u._subscribed.get(track.trackId) === track) u._subscribed.delete(track.trackId);
    track._end();
  }

  // events

  #onEvent(sig, name, data) {
    if (sig !== this.#sig) return;
    switch (name) {
      case 'participant-joined':
        if (data.participant) this.#addUser(data.participant);
        break;
      case 'participant-left':
        this.#removeUser(data.identity, data.reason);
        break;
      case 'track-published': {
        const u = this.#users.get(data.identity);
        if (u && data.track) this.#addTrack(u, data.track);
        break;
      }
      case 'track-unpublished': {
        const u = this.#users.get(data.identity);
        if (u) this.#removeTrack(u, data.trackId);
        break;
      }
      case 'track-muted': {
        const u = this.#users.get(data.identity);
        const info = u && u.tracks.find((t) => t.trackId === data.trackId);
        if (!info || info.muted === !!data.muted) break;
        info.muted = !!data.muted;
        this._emit('user-info-updated', u.uid, `${info.muted ? 'mute' : 'unmute'}-${info.kind}`, info);
        break;
      }
      case 'subscriber-offer':
        this.#offerQueue.run(() => this.#onSubscriberOffer(sig, data));
        break;
      case 'error':
        this._emit('exception', { code: data.code, message: data.message });
        break;
      default:
        break; // unknown events are ignored (protocol section 2)
    }
  }

  #addUser(p) {
    if (this.#users.has(p.identity)) this.#removeUser(p.identity, 'replaced');
    const u = new RemoteUser(p.identity, p.name);
    this.#users.set(u.uid, u);
    this._emit('user-joined', u);
    for (const t of p.tracks || []) this.#addTrack(u, t);
  }

  #removeUser(uid, reason) {
    const u = this.#users.get(uid);
    if (!u) return;
    this.#users.delete(uid);
    for (const t of [...u._subscribed.values()]) this.#dropSubscription(t);
    if (this.#activeSpeaker === uid) this.#activeSpeaker = null;
    this._emit('user-left', u, reason);
  }

  #addTrack(u, t) {
    if (u.tracks.some((x) => x.trackId === t.trackId)) return;
    const info = { trackId: t.trackId, kind: t.kind, source: t.source, muted: !!t.muted };
    if (Array.isArray(t.simulcast)) info.simulcast = [...t.simulcast];
    u.tracks.push(info);
    this._emit('user-published', u, info.kind, info);
  }

  #removeTrack(u, trackId) {
    const i = u.tracks.findIndex((x) => x.trackId === trackId);
    if (i < 0) return;
    const [info] = u.tracks.splice(i, 1);
    const sub = this.#subs.get(trackId);
    if (sub) this.#dropSubscription(sub);
    this._emit('user-unpublished', u, info.kind, info);
  }

  // active speaker: the loudest subscribed remote audio, from the RTP audio-level extension

  #startSpeakerDetection() {
    this.#stopSpeakerDetection();
    this.#speakerTimer = setInterval(() => {
      if (!this.listenerCount('active-speaker') || this.#state !== 'CONNECTED') return;
      let best = null;
      let bestLevel = SPEAKER_THRESHOLD;
      for (const t of this.#subs.values()) {
        if (t.kind !== 'audio') continue;
        const level = t.getVolumeLevel();
        if (level > bestLevel) {
          best = t.uid;
          bestLevel = level;
        }
      }
      if (best && best !== this.#activeSpeaker) {
        this.#activeSpeaker = best;
        this._emit('active-speaker', best);
      }
    }, SPEAKER_INTERVAL_MS);
  }

  #stopSpeakerDetection() {
    clearInterval(this.#speakerTimer);
    this.#speakerTimer = null;
    this.#activeSpeaker = null;
  }
}

function isStopped(transceiver) {
  return transceiver.currentDirection === 'stopped' || transceiver.direction === 'stopped';
}

function codeOf(e, fallback) {
  return e instanceof FanoutError ? e.code : fallback;
}

function toTrackList(tracks) {
  const list = Array.isArray(tracks) ? tracks : [tracks];
  if (!list.length) throw invalidParams('pass a local track or an array of them');
  for (const t of list) if (!(t instanceof LocalTrack)) throw invalidParams('not a local track (create one with Fanout.create*Track)');
  return [...new Set(list)];
}

function pickTrack(user, what) {
  if (what === 'audio' || what === 'video') {
    const info = orderedTracks(user.tracks, what)[0];
    if (!info) throw invalidParams(`${user.uid} publishes no ${what} track`);
    return info;
  }
  if (typeof what !== 'string') throw invalidParams("pass 'audio', 'video' or a trackId");
  const info = user.tracks.find((t) => t.trackId === what);
  if (!info) throw invalidParams(`${user.uid} publishes no track ${what}`);
  return info;
}

/**
 * Creates a client.
 * @param {ClientConfig} [config]
 * @returns {FanoutClient}
 */
function createClient(config) {
  return new FanoutClient(config);
}

/**
 * The SDK's entry point.
 */
const Fanout = {
  VERSION,
  FanoutError,
  createClient,
  createCameraVideoTrack,
  createMicrophoneAudioTrack,
  createMicrophoneAndCameraTracks,
  createScreenVideoTrack,
  createCustomVideoTrack,
  createCustomAudioTrack,
  createBufferSourceAudioTrack,
  getCameras,
  getMicrophones,
  getPlaybackDevices,
  getDevices,
  checkSystemRequirements,
  /**
   * Called once when the browser blocks playback because the user has not interacted with the
   * page yet; show a button that calls `track.play()` again.
   * @type {(() => void)|null}
   */
  onAutoplayFailed: null,
};

export default Fanout;
