// A program that uses the SDK's whole public API through its declarations. It is type-checked,
// never run: each statement checks that a call is accepted and that its result has the
// documented type. Lines under `@ts-expect-error` are mistakes the types must reject.
import Fanout, {
  BufferSourceAudioTrack,
  CameraVideoTrack,
  CustomAudioTrack,
  CustomVideoTrack,
  FanoutClient,
  FanoutError,
  LocalAudioTrack,
  LocalTrack,
  LocalVideoTrack,
  MicrophoneAudioTrack,
  RemoteTrack,
  RemoteUser,
  ScreenAudioTrack,
  ScreenVideoTrack,
} from 'fanout-sdk';
import type {
  AudioSourceState,
  ClientException,
  ConnectionChangeReason,
  ConnectionState,
  DeviceInfo,
  FanoutErrorCode,
  LocalTrackStats,
  MediaType,
  RemoteTrackStats,
  TrackInfo,
  TrackSource,
  UserInfoUpdate,
  UserLeftReason,
} from 'fanout-sdk';

export async function localTracks(canvas: HTMLCanvasElement, audio: AudioContext): Promise<void> {
  const version: string = Fanout.VERSION;
  const ok: boolean = Fanout.checkSystemRequirements();
  const cameras: DeviceInfo[] = await Fanout.getCameras();
  const mics: DeviceInfo[] = await Fanout.getMicrophones();
  const speakers: DeviceInfo[] = await Fanout.getPlaybackDevices();
  const all: DeviceInfo[] = await Fanout.getDevices();
  const kinds: ('videoinput' | 'audioinput' | 'audiooutput')[] = all.map((d) => d.kind);
  console.log(version, ok, cameras[0].deviceId, mics[0].label, speakers[0].groupId, kinds);

  const cam: CameraVideoTrack = await Fanout.createCameraVideoTrack({
    cameraId: cameras[0].deviceId,
    facingMode: 'user',
    encoderConfig: '720p_2',
    optimizationMode: 'motion',
  });
  const mic: MicrophoneAudioTrack = await Fanout.createMicrophoneAudioTrack({
    microphoneId: mics[0].deviceId,
    AEC: true,
    AGC: false,
    ANS: true,
    encoderConfig: 'music_standard',
  });
  const [mic2, cam2]: [MicrophoneAudioTrack, CameraVideoTrack] = await Fanout.createMicrophoneAndCameraTracks(
    { encoderConfig: { sampleRate: 48000, stereo: true, bitrate: 64 } },
    { encoderConfig: { width: { exact: 1280 }, height: 720, frameRate: { ideal: 30, max: 30 }, bitrateMax: 1500 } },
  );
  const screen: ScreenVideoTrack = await Fanout.createScreenVideoTrack({ encoderConfig: '1080p_1', displaySurface: 'window' });
  const [screenVideo, screenAudio]: [ScreenVideoTrack, ScreenAudioTrack] = await Fanout.createScreenVideoTrack({}, 'enable');
  const maybeAudio = await Fanout.createScreenVideoTrack(undefined, 'auto');
  const screenTrack: ScreenVideoTrack = Array.isArray(maybeAudio) ? maybeAudio[0] : maybeAudio;

  const custom: CustomVideoTrack = Fanout.createCustomVideoTrack({
    mediaStreamTrack: canvas.captureStream(30).getVideoTracks()[0],
    encoderConfig: { bitrateMax: 800 },
    optimizationMode: 'detail',
  });
  const tone: CustomAudioTrack = Fanout.createCustomAudioTrack({
    mediaStreamTrack: audio.createMediaStreamDestination().stream.getAudioTracks()[0],
    encoderConfig: 'speech_standard',
  });
  const file: BufferSourceAudioTrack = await Fanout.createBufferSourceAudioTrack({ source: '/media/intro.ogg' });
  await Fanout.createBufferSourceAudioTrack({ source: new Blob([]) });
  await Fanout.createBufferSourceAudioTrack({ source: audio.createBuffer(1, 48000, 48000) });

  // Every local track
  const tracks: LocalTrack[] = [cam, mic, mic2, cam2, screen, screenVideo, screenAudio, screenTrack, custom, tone, file];
  for (const t of tracks) {
    const id: string = t.trackId;
    const kind: MediaType = t.kind;
    const source: TrackSource = t.source;
    const state: boolean[] = [t.enabled, t.muted, t.isPlaying, t.closed];
    const published: string | null = t.publishedTrackId;
    const mst: MediaStreamTrack = t.getMediaStreamTrack();
    const label: string = t.getTrackLabel();
    console.log(id, kind, source, state, published, mst, label);
    await t.setEnabled(false);
    await t.setMuted(true);
    await t.replaceMediaStreamTrack(mst, true);
    await t.replaceMediaStreamTrack(mst);
    const stats: LocalTrackStats = await t.getStats();
    const fps: number | undefined = stats.framesPerSecond;
    console.log(stats.bytesSent + stats.packetsSent + stats.sendBitrate, fps, stats.codec?.toLowerCase());
    t.on('track-ended', () => t.close()).once('track-ended', () => {}).off('track-ended');
    t.stop();
  }
  const video: 'video' = cam.kind;
  const audioKind: 'audio' = mic.kind;
  const camSource: 'camera' = cam.source;
  console.log(video, audioKind, camSource);

  cam.play('me', { fit: 'contain', mirror: false });
  cam.play(document.body);
  mic.play();
  mic.play('speaker-box');
  await cam.setDevice(cameras[1].deviceId);
  await mic.setDevice(mics[1].deviceId);
  await cam.setEncoderConfiguration('480p');
  await cam.setEncoderConfiguration({ width: 640, height: 480 });
  await custom.setOptimizationMode('balanced');
  mic.setVolume(200);
  const level: number = tone.getVolumeLevel();
  console.log(level);

  // Audio files
  file.startProcessAudioBuffer({ loop: true, startPlayTime: 1.5 });
  file.startProcessAudioBuffer();
  file.pauseProcessAudioBuffer();
  file.resumeProcessAudioBuffer();
  file.seekAudioBuffer(file.duration / 2);
  file.stopProcessAudioBuffer();
  const position: number = file.getCurrentTime();
  const fileState: AudioSourceState = file.currentState;
  const buffer: AudioBuffer = file.audioBuffer;
  file.on('source-state-change', (s) => {
    const st: AudioSourceState = s;
    console.log(st);
  });
  file.on('track-ended', () => {});
  console.log(position, fileState, buffer);

  // Class hierarchy
  const asVideo: LocalVideoTrack[] = [cam, screen, custom];
  const asAudio: LocalAudioTrack[] = [mic, screenAudio, tone, file];
  if (tracks[0] instanceof CameraVideoTrack) await tracks[0].setDevice('x');
  console.log(asVideo, asAudio);

  // @ts-expect-error: a video track plays into an element
  cam.play();
  // @ts-expect-error: unknown preset
  await Fanout.createCameraVideoTrack({ encoderConfig: '4k' });
  // @ts-expect-error: not an optimization mode
  await custom.setOptimizationMode('fast');
  // @ts-expect-error: a microphone has no encoder configuration
  await mic.setEncoderConfiguration('720p');
  // @ts-expect-error: custom tracks need a MediaStreamTrack
  Fanout.createCustomVideoTrack({});
  // @ts-expect-error: the SDK creates tracks, not `new`
  new CameraVideoTrack();
  // @ts-expect-error: local tracks have no such event
  cam.on('user-joined', () => {});
  // @ts-expect-error: only a file track has source-state-change
  mic.on('source-state-change', () => {});
  // @ts-expect-error: the state is read-only
  cam.enabled = false;
}

export async function client(track: LocalTrack, tracks: LocalTrack[]): Promise<void> {
  const c: FanoutClient = Fanout.createClient();
  const remote = Fanout.createClient({ url: 'https://sfu.example.com' });
  const direct = new FanoutClient({ url: 'wss://sfu.example.com/rtc' });
  console.log(remote, direct);

  c.on('user-joined', (user) => {
    const u: RemoteUser = user;
    const uid: string = u.uid;
    const name: string = u.name;
    const metadata: string = u.metadata;
    const has: boolean = u.hasAudio && u.hasVideo;
    const infos: TrackInfo[] = u.tracks;
    const a: RemoteTrack | undefined = u.audioTrack;
    const v: RemoteTrack | undefined = u.videoTrack;
    console.log(uid, name, metadata, has, infos, a, v);
  });
  c.on('user-left', (user, reason) => {
    const r: UserLeftReason = reason;
    console.log(user.uid, r);
  });
  c.on('user-published', async (user, mediaType, info) => {
    const mt: MediaType = mediaType;
    const rids: string[] | undefined = info.simulcast;
    console.log(info.trackId, info.kind, info.source, info.muted, rids);
    const t: RemoteTrack = await c.subscribe(user, mt);
    const byId: RemoteTrack = await c.subscribe(user.uid, info.trackId);
    const mst: MediaStreamTrack | null = t.getMediaStreamTrack();
    const fields: [string, MediaType, TrackSource, string, boolean, boolean] = [t.trackId, t.kind, t.source, t.uid, t.muted, t.isPlaying];
    t.play('box', { fit: 'fill' });
    t.play();
    t.setVolume(50);
    const level: number = t.getVolumeLevel();
    const stats: RemoteTrackStats = await t.getStats();
    console.log(byId, mst, fields, level, stats.bytesReceived, stats.packetsLost, stats.receiveBitrate, stats.jitter);
    t.stop();
    await c.unsubscribe(user, 'video');
    await c.unsubscribe(user.uid);
  });
  c.on('user-unpublished', (user, mediaType, info) => console.log(user.uid, mediaType, info.trackId));
  c.on('user-info-updated', (uid, msg, info) => {
    const m: UserInfoUpdate = msg;
    console.log(uid, m, info.muted);
  });
  c.on('user-updated', (uid, info) => console.log(uid, info.name, JSON.parse(info.metadata || '{}')));
  c.on('stream-message', (from, payload) => {
    const sender: string | null = from;
    const bytes: Uint8Array = payload;
    console.log(sender, new TextDecoder().decode(bytes));
  });
  c.on('track-muted-by-server', (mutedTrack, muted) => {
    const t: LocalTrack = mutedTrack;
    console.log(t.publishedTrackId, muted);
  });
  const onState = (current: ConnectionState, previous: ConnectionState, reason?: ConnectionChangeReason) =>
    console.log(current, previous, reason);
  c.on('connection-state-change', onState);
  c.off('connection-state-change', onState);
  c.once('active-speaker', (uid) => console.log(uid.toUpperCase()));
  c.on('exception', (e) => {
    const ex: ClientException = e;
    console.log(ex.code, ex.message, ex.uid);
  });
  const handlers: number = c.listenerCount('user-joined');
  console.log(handlers);

  const me: string = await c.join({ room: 'lobby', token: 'eyJ...' });
  await c.join({ room: 'lobby', identity: 'alice' });
  c.renewToken('eyJ...');
  const state: ConnectionState = c.connectionState;
  const uid: string | null = c.uid;
  const room: string | null = c.room;
  const users: RemoteUser[] = c.remoteUsers;
  const mine: LocalTrack[] = c.localTracks;
  console.log(me, state, uid, room, users, mine);
  await c.publish(track);
  await c.publish(tracks);
  await c.unpublish(track);
  await c.unpublish();
  const recipients: number = await c.sendStreamMessage('hello');
  await c.sendStreamMessage(new Uint8Array([1, 2, 3]), { to: ['bob'] });
  console.log(recipients);
  await c.leave();

  // @ts-expect-error: join needs a token or (dev mode) an identity
  await c.join({ room: 'lobby' });
  // @ts-expect-error: unknown event
  c.on('user-joind', () => {});
  // @ts-expect-error: user-left hands a RemoteUser, not a uid string
  c.on('user-left', (user: string) => console.log(user));
  // @ts-expect-error: a stream message is bytes or a string
  await c.sendStreamMessage({ text: 'hi' });
  // @ts-expect-error: publish takes local tracks
  await c.publish('camera');
  // @ts-expect-error: subscribe needs a kind or a trackId
  await c.subscribe(users[0]);
  // @ts-expect-error: read-only
  c.uid = 'bob';
}

export function errors(e: unknown): string {
  if (e instanceof FanoutError) {
    const code: FanoutErrorCode = e.code;
    const name: 'FanoutError' = e.name;
    const server: string | undefined = e.serverCode;
    const cause: unknown = e.cause;
    console.log(name, server, cause);
    switch (code) {
      case 'MEDIA_OPTION_INVALID':
      case 'PERMISSION_DENIED':
      case 'ROOM_FULL':
      case 'RATE_LIMITED':
        return code;
      // @ts-expect-error: not a FanoutError code
      case 'TIMEOUT':
        return 'never';
      default:
        return e.message;
    }
  }
  if (e instanceof Fanout.FanoutError) return e.code;
  const made = new FanoutError('INVALID_PARAMS', 'made by the app', { cause: e });
  Fanout.onAutoplayFailed = () => console.log('tap to play');
  Fanout.onAutoplayFailed = null;
  return made.code;
}
