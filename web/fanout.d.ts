/**
 * Types of the Fanout browser SDK (`fanout.js`). The reference is docs/sdk.md; the members
 * declared here are the public ones, and everything whose name starts with `_` stays internal.
 *
 * @example
 * import Fanout from 'fanout-sdk';            // or from 'https://your-server/sdk/fanout.js'
 * const client = Fanout.createClient();
 * client.on('user-published', async (user, mediaType) => {
 *   const track = await client.subscribe(user, mediaType);
 *   track.play(mediaType === 'video' ? 'remote' : undefined);
 * });
 * await client.join({ room: 'lobby', identity: 'alice' });
 */

// ---------------------------------------------------------------------------------------------
// Errors

/** The stable codes of {@link FanoutError}. */
export type FanoutErrorCode =
  | 'NOT_SUPPORTED'
  | 'MEDIA_OPTION_INVALID'
  | 'DEVICE_NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'CONSTRAINT_NOT_SATISFIED'
  | 'SHARE_AUDIO_NOT_ALLOWED'
  | 'INVALID_PARAMS'
  | 'INVALID_OPERATION'
  | 'UNAUTHORIZED'
  | 'NETWORK_ERROR'
  | 'ROOM_FULL'
  | 'RATE_LIMITED';

/**
 * Every error the SDK throws or rejects with. `code` is stable; `message` is for humans.
 */
export declare class FanoutError extends Error {
  constructor(code: FanoutErrorCode, message: string, extra?: { cause?: unknown; serverCode?: string });
  name: 'FanoutError';
  code: FanoutErrorCode;
  /** The browser's original exception, when there was one. */
  cause?: unknown;
  /** The signaling error code (docs/protocol.md) when the server refused a request. */
  serverCode?: string;
}

// ---------------------------------------------------------------------------------------------
// Shared

export type MediaType = 'audio' | 'video';

export type TrackSource = 'camera' | 'microphone' | 'screen' | 'screen-audio' | 'custom' | 'file';

/** How `play()` shows a track. */
export interface PlayConfig {
  /** How video fills its container (default `cover`). */
  fit?: 'cover' | 'contain' | 'fill';
  /** Mirror the video horizontally (default: true for a local camera, else false). */
  mirror?: boolean;
}

/**
 * Event emitters of the SDK: `on`, `once` and `off` take an event name of `Events` and a handler
 * with that event's arguments. (Not exported by the SDK; its members are inherited.)
 */
declare class FanoutEventEmitter<Events extends { [E in keyof Events]: (...args: any[]) => void }> {
  /** Registers a handler. */
  on<E extends keyof Events>(event: E, handler: Events[E]): this;
  /** Registers a handler that runs once. */
  once<E extends keyof Events>(event: E, handler: Events[E]): this;
  /** Removes one handler, or every handler of the event when `handler` is omitted. */
  off<E extends keyof Events>(event: E, handler?: Events[E]): this;
  /** How many handlers the event has. */
  listenerCount(event: keyof Events): number;
}

// ---------------------------------------------------------------------------------------------
// Encoder configurations and track configs

type VideoResolution = '120p' | '180p' | '240p' | '360p' | '480p' | '720p' | '1080p';

/** `NNNp` and `NNNp_1` are 15 fps, `NNNp_2` is 30 fps. */
export type VideoEncoderConfigurationPreset = VideoResolution | `${VideoResolution}_1` | `${VideoResolution}_2`;

export interface VideoEncoderConfiguration {
  /** An ideal value, or `MediaTrackConstraints` ranges such as `{ exact: 1280 }`. */
  width?: number | ConstrainULongRange;
  height?: number | ConstrainULongRange;
  frameRate?: number | ConstrainDoubleRange;
  /** kbps (advisory). */
  bitrateMin?: number;
  /** kbps, applied as the sender's maxBitrate. */
  bitrateMax?: number;
}

export type AudioEncoderConfigurationPreset =
  | 'speech_low_quality'
  | 'speech_standard'
  | 'music_standard'
  | 'standard_stereo'
  | 'high_quality'
  | 'high_quality_stereo';

export interface AudioEncoderConfiguration {
  sampleRate?: number;
  stereo?: boolean;
  /** kbps, applied as the sender's maxBitrate. */
  bitrate?: number;
}

/** `'motion'` keeps the frame rate, `'detail'` keeps sharpness. */
export type OptimizationMode = 'motion' | 'detail' | 'balanced';

export interface CameraVideoTrackConfig {
  /** A `deviceId` from `Fanout.getCameras()`. */
  cameraId?: string;
  facingMode?: 'user' | 'environment';
  encoderConfig?: VideoEncoderConfigurationPreset | VideoEncoderConfiguration;
  optimizationMode?: OptimizationMode;
}

export interface MicrophoneAudioTrackConfig {
  /** A `deviceId` from `Fanout.getMicrophones()`. */
  microphoneId?: string;
  /** Echo cancellation (the browser's default when omitted). */
  AEC?: boolean;
  /** Automatic gain control. */
  AGC?: boolean;
  /** Noise suppression. */
  ANS?: boolean;
  encoderConfig?: AudioEncoderConfigurationPreset | AudioEncoderConfiguration;
}

export interface ScreenVideoTrackConfig {
  encoderConfig?: VideoEncoderConfigurationPreset | VideoEncoderConfiguration;
  /** Default `'detail'`. */
  optimizationMode?: OptimizationMode;
  /** The surface the browser's picker offers first. */
  displaySurface?: 'monitor' | 'window' | 'browser';
}

export interface CustomVideoTrackConfig {
  mediaStreamTrack: MediaStreamTrack;
  encoderConfig?: VideoEncoderConfigurationPreset | VideoEncoderConfiguration;
  optimizationMode?: OptimizationMode;
}

export interface CustomAudioTrackConfig {
  mediaStreamTrack: MediaStreamTrack;
  encoderConfig?: AudioEncoderConfigurationPreset | AudioEncoderConfiguration;
}

export interface BufferSourceAudioTrackConfig {
  /** A URL, a `File`/`Blob` or an `AudioBuffer`. */
  source: string | Blob | AudioBuffer;
}

export interface DeviceInfo {
  deviceId: string;
  groupId: string;
  kind: 'videoinput' | 'audioinput' | 'audiooutput';
  /** Empty until the page has capture permission. */
  label: string;
}

// ---------------------------------------------------------------------------------------------
// Local tracks

export interface LocalTrackStats {
  bytesSent: number;
  packetsSent: number;
  /** Bits per second since the previous `getStats()` call. */
  sendBitrate: number;
  framesEncoded?: number;
  framesPerSecond?: number;
  frameWidth?: number;
  frameHeight?: number;
  /** e.g. `video/VP8` */
  codec?: string;
}

export interface LocalTrackEvents {
  /** The capture ended by itself: a camera unplugged, "Stop sharing" clicked. */
  'track-ended': () => void;
}

/** A local audio or video track. Create one with the `Fanout.create*Track` functions. */
export declare class LocalTrack extends FanoutEventEmitter<LocalTrackEvents> {
  protected constructor();
  /** A local id, stable for the life of the track. */
  readonly trackId: string;
  readonly kind: MediaType;
  readonly source: TrackSource;
  /** False after `setEnabled(false)`. */
  readonly enabled: boolean;
  /** True after `setMuted(true)`. */
  readonly muted: boolean;
  /** True while the track plays in at least one element. */
  readonly isPlaying: boolean;
  /** True after `close()`. */
  readonly closed: boolean;
  /** The server's id while published, else null; a new one each time the track is published. */
  readonly publishedTrackId: string | null;
  /** The MediaStreamTrack the track carries now (raw access). */
  getMediaStreamTrack(): MediaStreamTrack;
  /** The device or source label. */
  getTrackLabel(): string;
  /**
   * Plays the track: video into a `<video>` created inside the element (or the given `<video>`),
   * audio through an `<audio>` element (inside the element, or detached when none is given).
   */
  play(elementOrId?: HTMLElement | string, config?: PlayConfig): void;
  /** Stops local playback in every element. */
  stop(): void;
  /**
   * Stops playback, unpublishes, and stops every MediaStreamTrack the SDK opened for the track;
   * one you passed in keeps running. The track cannot be used again.
   */
  close(): void;
  /**
   * `false` stops local playback and unpublishes (peers get `user-unpublished`); device tracks
   * also release the device. `true` captures again and publishes again a track that was published.
   */
  setEnabled(enabled: boolean): Promise<void>;
  /** A muted track stays published but sends nothing; peers see `muted`. */
  setMuted(muted: boolean): Promise<void>;
  /** Switches the source without renegotiation; the old MediaStreamTrack keeps running unless `stopOldTrack`. */
  replaceMediaStreamTrack(mediaStreamTrack: MediaStreamTrack, stopOldTrack?: boolean): Promise<void>;
  /** Sender statistics (zeros when not published). */
  getStats(): Promise<LocalTrackStats>;
}

/** A local video track. */
export declare class LocalVideoTrack extends LocalTrack {
  readonly kind: 'video';
  /** Renders into a `<video>` created inside the element, or into the given `<video>`. */
  play(elementOrId: HTMLElement | string, config?: PlayConfig): void;
  /** Resolution and frame rate go to the capture, `bitrateMax` to the sender. */
  setEncoderConfiguration(config: VideoEncoderConfigurationPreset | VideoEncoderConfiguration): Promise<void>;
  /** Hints the encoder: `'motion'` keeps the frame rate, `'detail'` keeps sharpness. */
  setOptimizationMode(mode: OptimizationMode): Promise<void>;
}

/** A local audio track. */
export declare class LocalAudioTrack extends LocalTrack {
  readonly kind: 'audio';
  /** Volume of what is sent and played locally: 0 is silence, 100 the original level, up to 1000. */
  setVolume(volume: number): void;
  /** The current level, 0..1 (RMS: a full-scale tone is about 0.7). */
  getVolumeLevel(): number;
}

/** A camera track. */
export declare class CameraVideoTrack extends LocalVideoTrack {
  readonly source: 'camera';
  /** Switches to another camera (a `deviceId` from `Fanout.getCameras()`). */
  setDevice(deviceId: string): Promise<void>;
}

/** A microphone track. */
export declare class MicrophoneAudioTrack extends LocalAudioTrack {
  readonly source: 'microphone';
  /** Switches to another microphone (a `deviceId` from `Fanout.getMicrophones()`). */
  setDevice(deviceId: string): Promise<void>;
}

/** A screen-share video track. */
export declare class ScreenVideoTrack extends LocalVideoTrack {
  readonly source: 'screen';
}

/** The audio of a screen share. */
export declare class ScreenAudioTrack extends LocalAudioTrack {
  readonly source: 'screen-audio';
}

/** A track around a video MediaStreamTrack you provide (canvas, processed video, ...). */
export declare class CustomVideoTrack extends LocalVideoTrack {
  readonly source: 'custom';
}

/** A track around an audio MediaStreamTrack you provide (WebAudio, ...). */
export declare class CustomAudioTrack extends LocalAudioTrack {
  readonly source: 'custom';
}

export type AudioSourceState = 'stopped' | 'playing' | 'paused';

export interface BufferSourceAudioTrackEvents extends LocalTrackEvents {
  'source-state-change': (state: AudioSourceState) => void;
}

/** An audio track that plays an audio file or an AudioBuffer; it sends silence until started. */
export declare class BufferSourceAudioTrack extends LocalAudioTrack {
  readonly source: 'file';
  /** Length of the audio in seconds. */
  readonly duration: number;
  readonly currentState: AudioSourceState;
  /** The decoded audio. */
  readonly audioBuffer: AudioBuffer;
  on<E extends keyof BufferSourceAudioTrackEvents>(event: E, handler: BufferSourceAudioTrackEvents[E]): this;
  once<E extends keyof BufferSourceAudioTrackEvents>(event: E, handler: BufferSourceAudioTrackEvents[E]): this;
  off<E extends keyof BufferSourceAudioTrackEvents>(event: E, handler?: BufferSourceAudioTrackEvents[E]): this;
  listenerCount(event: keyof BufferSourceAudioTrackEvents): number;
  /** Plays the audio into the track from `startPlayTime` seconds. */
  startProcessAudioBuffer(options?: { loop?: boolean; startPlayTime?: number }): void;
  pauseProcessAudioBuffer(): void;
  resumeProcessAudioBuffer(): void;
  /** Stops and rewinds to the start. */
  stopProcessAudioBuffer(): void;
  seekAudioBuffer(seconds: number): void;
  /** The playback position in seconds. */
  getCurrentTime(): number;
}

// ---------------------------------------------------------------------------------------------
// Remote users and tracks

/** A published track as the room announces it. */
export interface TrackInfo {
  /** The server's id of the track. */
  readonly trackId: string;
  readonly kind: MediaType;
  readonly source: TrackSource;
  readonly muted: boolean;
  /** The RIDs of a simulcast video track. */
  readonly simulcast?: string[];
}

export interface RemoteTrackStats {
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  /** Bits per second since the previous `getStats()` call. */
  receiveBitrate: number;
  /** Seconds. */
  jitter?: number;
  framesDecoded?: number;
  framesPerSecond?: number;
  frameWidth?: number;
  frameHeight?: number;
  audioLevel?: number;
  totalSamplesReceived?: number;
  codec?: string;
}

/** A participant of the room other than you. */
export declare class RemoteUser {
  protected constructor();
  readonly uid: string;
  readonly name: string;
  /** Application data set through the room service API (often JSON); `''` when none. */
  readonly metadata: string;
  /** Everything the user publishes. */
  readonly tracks: TrackInfo[];
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
  /** The subscribed audio track (microphone first), or undefined. */
  readonly audioTrack: RemoteTrack | undefined;
  /** The subscribed video track (camera first), or undefined. */
  readonly videoTrack: RemoteTrack | undefined;
}

/** A subscribed track of a remote user. */
export declare class RemoteTrack {
  protected constructor();
  readonly trackId: string;
  readonly kind: MediaType;
  readonly source: TrackSource;
  /** The publisher's uid. */
  readonly uid: string;
  /** Whether the publisher muted the track. */
  readonly muted: boolean;
  readonly isPlaying: boolean;
  /** The received MediaStreamTrack (raw media access); a new object after a reconnection. */
  getMediaStreamTrack(): MediaStreamTrack | null;
  /** Video into a `<video>` created inside the element (or the given `<video>`), audio through an `<audio>`. */
  play(elementOrId?: HTMLElement | string, config?: PlayConfig): void;
  stop(): void;
  /** Playback volume of remote audio, 0..100. */
  setVolume(volume: number): void;
  /** The received audio level, 0..1. */
  getVolumeLevel(): number;
  getStats(): Promise<RemoteTrackStats>;
}

// ---------------------------------------------------------------------------------------------
// Client

export type ConnectionState = 'DISCONNECTED' | 'CONNECTING' | 'CONNECTED' | 'RECONNECTING' | 'DISCONNECTING';

export type ConnectionChangeReason =
  | 'LEAVE'
  | 'JOIN_FAILED'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'MEDIA_FAILED'
  | 'RECONNECTED'
  | 'REPLACED'
  | 'UNAUTHORIZED';

/** `removed` and `room-deleted`: by the room service API. */
export type UserLeftReason = 'left' | 'disconnected' | 'timeout' | 'replaced' | 'transport-failed' | 'removed' | 'room-deleted';

export type UserInfoUpdate = 'mute-audio' | 'unmute-audio' | 'mute-video' | 'unmute-video';

export interface ClientConfig {
  /** The server: `http(s)://host[:port]` or `ws(s)://host[:port]/rtc`; default: the page's origin. */
  url?: string;
}

/** `{ room, token }`, or in dev mode `{ room, identity }` (a token is fetched from `/dev/token`). */
export type JoinOptions =
  | { room: string; token: string; identity?: string }
  | { room: string; identity: string; token?: undefined };

/** A problem the SDK handled itself, e.g. a publication it could not restore. */
export interface ClientException {
  /** A {@link FanoutErrorCode}, or a signaling error code the server sent. */
  code: string;
  message: string;
  uid?: string;
}

export interface ClientEvents {
  /** Also fired, right after `join`, for each user already there. */
  'user-joined': (user: RemoteUser) => void;
  'user-left': (user: RemoteUser, reason: UserLeftReason) => void;
  /** Also fired for tracks published before you joined. */
  'user-published': (user: RemoteUser, mediaType: MediaType, trackInfo: TrackInfo) => void;
  /** A subscription to the track ends with it. */
  'user-unpublished': (user: RemoteUser, mediaType: MediaType, trackInfo: TrackInfo) => void;
  'user-info-updated': (uid: string, msg: UserInfoUpdate, trackInfo: TrackInfo) => void;
  /** `reason` is absent when joining starts (`CONNECTING`). */
  'connection-state-change': (current: ConnectionState, previous: ConnectionState, reason?: ConnectionChangeReason) => void;
  /**
   * The room service API changed a user's name or metadata; also fired for yourself
   * (`uid === client.uid`). A remote user's `name` and `metadata` are updated before it fires.
   */
  'user-updated': (uid: string, info: { name: string; metadata: string }) => void;
  /**
   * A data message: `uid` is the sender, or null when the app's backend sent it through the room
   * service API.
   */
  'stream-message': (uid: string | null, payload: Uint8Array) => void;
  /**
   * An administrator muted or unmuted one of your published tracks through the room service
   * API. While muted the server forwards none of it, whatever the track does; the track itself
   * is unchanged, so the app decides what to show.
   */
  'track-muted-by-server': (track: LocalTrack, muted: boolean) => void;
  /** The loudest subscribed remote audio, when it changes. */
  'active-speaker': (uid: string) => void;
  exception: (event: ClientException) => void;
}

/** A connection to one room. Create with `Fanout.createClient()`. */
export declare class FanoutClient extends FanoutEventEmitter<ClientEvents> {
  constructor(config?: ClientConfig);
  readonly connectionState: ConnectionState;
  /** Your identity once joined, else null. */
  readonly uid: string | null;
  /** The room once joined, else null. */
  readonly room: string | null;
  /** Everybody else in the room. */
  readonly remoteUsers: RemoteUser[];
  /** The tracks published (or waiting to be published again) by this client. */
  readonly localTracks: LocalTrack[];
  /** Joins a room; resolves to your identity. */
  join(options: JoinOptions): Promise<string>;
  /** The token to use when the client reconnects. */
  renewToken(token: string): void;
  /** Publishes local tracks; peers get `user-published`. */
  publish(tracks: LocalTrack | LocalTrack[]): Promise<void>;
  /** Unpublishes tracks (all when omitted); peers get `user-unpublished`. */
  unpublish(tracks?: LocalTrack | LocalTrack[]): Promise<void>;
  /**
   * Subscribes to the user's first track of a kind (camera and microphone first), or to a
   * `trackId` of `user.tracks`. Subscribing again returns the same object.
   */
  subscribe(user: RemoteUser | string, mediaTypeOrTrackId: MediaType | string): Promise<RemoteTrack>;
  /** Ends subscriptions to one kind, one track, or every track of the user. */
  unsubscribe(user: RemoteUser | string, mediaTypeOrTrackId?: MediaType | string): Promise<void>;
  /**
   * Sends a data message over signaling (a string as UTF-8, at most 15 KiB) to everyone else,
   * or to `options.to`; they get `stream-message`. The server takes at most 60 messages or
   * 64 KiB per second from one client; beyond that it rejects with `RATE_LIMITED`. Resolves to
   * the number of participants it was sent to.
   */
  sendStreamMessage(payload: Uint8Array | string, options?: { to?: string[] }): Promise<number>;
  /** Leaves the room and closes every local track this client published. */
  leave(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Entry point

type ScreenAudioMode = 'enable' | 'disable' | 'auto' | boolean;

export interface FanoutStatic {
  /** The SDK's version. */
  readonly VERSION: string;
  readonly FanoutError: typeof FanoutError;
  createClient(config?: ClientConfig): FanoutClient;
  createCameraVideoTrack(config?: CameraVideoTrackConfig): Promise<CameraVideoTrack>;
  createMicrophoneAudioTrack(config?: MicrophoneAudioTrackConfig): Promise<MicrophoneAudioTrack>;
  /** One permission prompt; fails as a whole, nothing stays open. */
  createMicrophoneAndCameraTracks(
    audioConfig?: MicrophoneAudioTrackConfig,
    videoConfig?: CameraVideoTrackConfig,
  ): Promise<[MicrophoneAudioTrack, CameraVideoTrack]>;
  /** Asks the user for a screen, window or tab; no audio. */
  createScreenVideoTrack(config?: ScreenVideoTrackConfig, withAudio?: 'disable' | false): Promise<ScreenVideoTrack>;
  /** With audio, or `SHARE_AUDIO_NOT_ALLOWED` when the user shared none. */
  createScreenVideoTrack(
    config: ScreenVideoTrackConfig | undefined,
    withAudio: 'enable' | true,
  ): Promise<[ScreenVideoTrack, ScreenAudioTrack]>;
  /** `'auto'`: with audio when the user shared it. */
  createScreenVideoTrack(
    config: ScreenVideoTrackConfig | undefined,
    withAudio: ScreenAudioMode,
  ): Promise<ScreenVideoTrack | [ScreenVideoTrack, ScreenAudioTrack]>;
  createCustomVideoTrack(config: CustomVideoTrackConfig): CustomVideoTrack;
  createCustomAudioTrack(config: CustomAudioTrackConfig): CustomAudioTrack;
  createBufferSourceAudioTrack(config: BufferSourceAudioTrackConfig): Promise<BufferSourceAudioTrack>;
  getCameras(): Promise<DeviceInfo[]>;
  getMicrophones(): Promise<DeviceInfo[]>;
  getPlaybackDevices(): Promise<DeviceInfo[]>;
  getDevices(): Promise<DeviceInfo[]>;
  /** WebRTC, WebSocket and capture are available. */
  checkSystemRequirements(): boolean;
  /**
   * Called once when the browser blocks playback because the user has not interacted with the
   * page yet: show a button whose click calls `play()` again.
   */
  onAutoplayFailed: (() => void) | null;
}

declare const Fanout: FanoutStatic;
export default Fanout;
