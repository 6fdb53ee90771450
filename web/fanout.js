/**
 * Fanout browser SDK: local tracks (camera, microphone, screen, custom and audio-file tracks),
 * and a client that joins a Fanout room, publishes and subscribes over WebRTC.
 *
 * ES modules without dependencies and without a build step; this one is the entry point and
 * imports the others by relative URL, so the SDK works both served by a Fanout server under
 * `/sdk/` and installed from its npm package. The signaling protocol it speaks is
 * docs/protocol.md; the API reference is docs/sdk.md and the types are fanout.d.ts.
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

import { FanoutError } from './errors.js';
import { reportAutoplayTo } from './playback.js';
import {
  checkSystemRequirements, createBufferSourceAudioTrack, createCameraVideoTrack, createCustomAudioTrack,
  createCustomVideoTrack, createMicrophoneAndCameraTracks, createMicrophoneAudioTrack, createScreenVideoTrack,
  getCameras, getDevices, getMicrophones, getPlaybackDevices,
} from './local-tracks.js';
import { createClient } from './client.js';

export { FanoutError } from './errors.js';
export {
  BufferSourceAudioTrack, CameraVideoTrack, CustomAudioTrack, CustomVideoTrack, LocalAudioTrack, LocalTrack,
  LocalVideoTrack, MicrophoneAudioTrack, ScreenAudioTrack, ScreenVideoTrack,
} from './local-tracks.js';
export { RemoteTrack, RemoteUser } from './remote-tracks.js';
export { FanoutClient } from './client.js';

const VERSION = '0.1.0';

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

reportAutoplayTo(Fanout);

export default Fanout;
