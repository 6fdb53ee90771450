// Mistakes an app could make. `tsc -p` on this folder must fail, reporting each line marked
// `// error:` (SdkTypesTest compares the lines), so a type check that accepted anything would
// be caught.
import Fanout from 'fanout-sdk';

export async function mistakes(canvas: HTMLCanvasElement): Promise<void> {
  const client = Fanout.createClient({ server: 'https://sfu.example.com' }); // error: no such option
  await client.join({ room: 42, identity: 'alice' }); // error: room is a string
  client.on('user-published', (user, mediaType: number) => console.log(user, mediaType)); // error: mediaType is 'audio' | 'video'
  const track = Fanout.createCustomVideoTrack({ mediaStreamTrack: canvas }); // error: not a MediaStreamTrack
  track.setVolume(10); // error: video tracks have no volume
  const label: number = track.getTrackLabel(); // error: a string
  await Fanout.createMicrophoneAudioTrack({ encoderConfig: '720p_2' }); // error: a video preset
  console.log(label);
}
