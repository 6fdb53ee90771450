/**
 * Local tracks: camera, microphone, screen, custom (any MediaStreamTrack) and audio-file
 * tracks, the functions that create them, and device listing.
 *
 * @module fanout/local-tracks
 */

import { FanoutError, captureError, invalidOperation, invalidParams } from './errors.js';
import { Player } from './playback.js';
import {
  Emitter, SerialQueue, bitrateSince, isPlainObject, mediaDevices, optionalObject, randomId, resolveElement,
} from './util.js';

/** @typedef {import('./playback.js').PlayConfig} PlayConfig */

// ---------------------------------------------------------------------------------------------
// Encoder configurations

/** @typedef {import('./fanout.d.ts').VideoEncoderConfiguration} VideoEncoderConfiguration */

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

/** @typedef {import('./fanout.d.ts').AudioEncoderConfiguration} AudioEncoderConfiguration */

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

/** @typedef {import('./fanout.d.ts').TrackSource} TrackSource */

/** @typedef {import('./fanout.d.ts').LocalTrackStats} LocalTrackStats */

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

/** @typedef {import('./fanout.d.ts').CameraVideoTrackConfig} CameraVideoTrackConfig */

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

/** @typedef {import('./fanout.d.ts').MicrophoneAudioTrackConfig} MicrophoneAudioTrackConfig */

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

/** @typedef {import('./fanout.d.ts').AudioSourceState} AudioSourceState */

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
export async function createCameraVideoTrack(config) {
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
export async function createMicrophoneAudioTrack(config) {
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
export async function createMicrophoneAndCameraTracks(audioConfig, videoConfig) {
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

/** @typedef {import('./fanout.d.ts').ScreenVideoTrackConfig} ScreenVideoTrackConfig */

/**
 * Asks the user for a screen, window or tab to share.
 * `withAudio`: `'enable'` (or true) requires audio and fails with SHARE_AUDIO_NOT_ALLOWED when
 * the user does not share it; `'auto'` returns audio only when shared; `'disable'` (default).
 * @param {ScreenVideoTrackConfig} [config]
 * @param {'enable'|'disable'|'auto'|boolean} [withAudio]
 * @returns {Promise<ScreenVideoTrack|[ScreenVideoTrack, ScreenAudioTrack]>}
 */
export async function createScreenVideoTrack(config, withAudio = 'disable') {
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
export function createCustomVideoTrack(config) {
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
export function createCustomAudioTrack(config) {
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
export async function createBufferSourceAudioTrack(config) {
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

/** @typedef {import('./fanout.d.ts').DeviceInfo} DeviceInfo */

async function listDevices(kind) {
  const md = mediaDevices('enumerateDevices');
  const all = await md.enumerateDevices();
  return all.filter((d) => !kind || d.kind === kind)
    .map((d) => ({ deviceId: d.deviceId, groupId: d.groupId, kind: d.kind, label: d.label }));
}

/** @returns {Promise<DeviceInfo[]>} cameras */
export const getCameras = () => listDevices('videoinput');
/** @returns {Promise<DeviceInfo[]>} microphones */
export const getMicrophones = () => listDevices('audioinput');
/** @returns {Promise<DeviceInfo[]>} speakers and headphones */
export const getPlaybackDevices = () => listDevices('audiooutput');
/** @returns {Promise<DeviceInfo[]>} every media device */
export const getDevices = () => listDevices(null);

/**
 * Whether this browser has what the SDK needs (WebRTC, WebSocket, capture).
 * @returns {boolean}
 */
export function checkSystemRequirements() {
  return typeof RTCPeerConnection !== 'undefined' && typeof WebSocket !== 'undefined'
    && typeof navigator !== 'undefined' && !!navigator.mediaDevices
    && typeof navigator.mediaDevices.getUserMedia === 'function';
}
