/**
 * Remote users and the remote tracks subscribed from them.
 *
 * @module fanout/remote-tracks
 */

import { invalidParams } from './errors.js';
import { Player } from './playback.js';
import { Emitter, bitrateSince, optionalObject, resolveElement } from './util.js';

/** @typedef {import('./local-tracks.js').TrackSource} TrackSource */
/** @typedef {import('./playback.js').PlayConfig} PlayConfig */

/** @typedef {import('./fanout.d.ts').TrackInfo} TrackInfo */

/** @typedef {import('./fanout.d.ts').RemoteTrackStats} RemoteTrackStats */

/** A participant of the room other than you. */
export class RemoteUser {
  /** @type {string} */ uid;
  /** @type {string} */ name;
  /** @type {string} application data set through the room service API; '' when none */ metadata;
  /** @type {TrackInfo[]} published tracks */ tracks = [];
  /** @private subscribed RemoteTracks by trackId */ _subscribed = new Map();

  constructor(uid, name, metadata) {
    this.uid = uid;
    this.name = name || uid;
    this.metadata = metadata || '';
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
export function orderedTracks(tracks, kind) {
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
