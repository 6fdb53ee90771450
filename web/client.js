/**
 * The client: joins a room over signaling, publishes local tracks on the publish connection
 * and subscribes to remote tracks on the subscribe connection; reconnects when the connection
 * is lost.
 *
 * @module fanout/client
 */

import { FanoutError, invalidOperation, invalidParams, rtcError } from './errors.js';
import { LocalTrack } from './local-tracks.js';
import { RemoteTrack, RemoteUser, orderedTracks } from './remote-tracks.js';
import { REQUEST_TIMEOUT_MS, Signaling } from './signaling.js';
import {
  Emitter, SerialQueue, isPlainObject, optionalObject, withTimeout,
} from './util.js';

const SUBSCRIBE_TIMEOUT_MS = 15_000;
const RECONNECT_BASE_MS = 300;
const RECONNECT_MAX_MS = 10_000;
const SPEAKER_INTERVAL_MS = 500;
const SPEAKER_THRESHOLD = 0.05;
/** The largest data message the server takes (docs/protocol.md, send-data). */
const MAX_STREAM_MESSAGE_BYTES = 15 * 1024;

/** @typedef {import('./fanout.d.ts').ConnectionState} ConnectionState */

/** @typedef {import('./fanout.d.ts').ClientConfig} ClientConfig */

/** @typedef {import('./fanout.d.ts').JoinOptions} JoinOptions */

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

  /**
   * Sends a data message over signaling to everyone else in the room, or to the identities in
   * `options.to`; they get `stream-message`. A string is sent as UTF-8. At most 15 KiB, and the
   * server takes at most 60 messages or 64 KiB per second from one client (beyond that the
   * promise rejects with `RATE_LIMITED` and the message is not sent).
   * @param {Uint8Array|string} payload
   * @param {{to?: string[]}} [options]
   * @returns {Promise<number>} how many participants it was sent to
   */
  async sendStreamMessage(payload, options) {
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    if (!(bytes instanceof Uint8Array)) throw invalidParams('payload must be a Uint8Array or a string');
    if (!bytes.length) throw invalidParams('payload is empty');
    if (bytes.length > MAX_STREAM_MESSAGE_BYTES) throw invalidParams(`payload has ${bytes.length} bytes; at most ${MAX_STREAM_MESSAGE_BYTES} are allowed`);
    const { to } = optionalObject(options, 'stream message options');
    if (to !== undefined && (!Array.isArray(to) || to.some((id) => typeof id !== 'string'))) throw invalidParams('options.to must be an array of identities');
    if (this.#state !== 'CONNECTED') throw invalidOperation(`send a stream message while ${this.#state.toLowerCase()}`);
    const params = { payload: toBase64(bytes) };
    if (to && to.length) params.to = to;
    const result = await this.#sig.request('send-data', params);
    return result.recipients;
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
      if ((p.name || p.identity) !== u.name || (p.metadata || '') !== u.metadata) this.#onUserUpdated(p);
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
        if (data.byServer && data.identity === this.uid) {
          this.#onServerMute(data);
          break;
        }
        const u = this.#users.get(data.identity);
        const info = u && u.tracks.find((t) => t.trackId === data.trackId);
        if (!info || info.muted === !!data.muted) break;
        info.muted = !!data.muted;
        this._emit('user-info-updated', u.uid, `${info.muted ? 'mute' : 'unmute'}-${info.kind}`, info);
        break;
      }
      case 'participant-updated':
        if (data.participant) this.#onUserUpdated(data.participant);
        break;
      case 'data':
        if (typeof data.payload === 'string') this._emit('stream-message', data.from ?? null, fromBase64(data.payload));
        break;
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

  #onServerMute(data) {
    const track = [...this.#published.entries()].find(([, pub]) => pub && pub.serverTrackId === data.trackId);
    if (track) this._emit('track-muted-by-server', track[0], !!data.muted);
  }

  #onUserUpdated(p) {
    const info = { name: p.name || p.identity, metadata: p.metadata || '' };
    const u = this.#users.get(p.identity);
    if (u) {
      u.name = info.name;
      u.metadata = info.metadata;
    } else if (p.identity !== this.uid) {
      return;
    }
    this._emit('user-updated', p.identity, info);
  }

  #addUser(p) {
    if (this.#users.has(p.identity)) this.#removeUser(p.identity, 'replaced');
    const u = new RemoteUser(p.identity, p.name, p.metadata);
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

/** Standard base64 (RFC 4648 §4), as the protocol carries data payloads. */
function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
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
export function createClient(config) {
  return new FanoutClient(config);
}
