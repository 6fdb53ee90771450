// A web app that uses the SDK as an npm dependency: `import ... from 'fanout-sdk'`, typed by the
// package's declarations. It publishes a canvas painted one colour, or shows another user's
// video and reports the colour it decodes. The test drives it through `window.app`.
import Fanout, { type FanoutClient, type RemoteTrack } from 'fanout-sdk';

type Rgb = [number, number, number];

let client: FanoutClient | null = null;
let colour: Rgb = [0, 0, 0];
let received: RemoteTrack | null = null;

/** A canvas repainted in the current colour, captured as a video MediaStreamTrack. */
function canvasTrack(): MediaStreamTrack {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 240;
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2d context');
  const paint = () => {
    g.fillStyle = `rgb(${colour.join(',')})`;
    g.fillRect(0, 0, canvas.width, canvas.height);
  };
  paint();
  setInterval(paint, 40); // a canvas stream only produces frames when it is drawn
  return canvas.captureStream(25).getVideoTracks()[0];
}

async function join(server: string, room: string, identity: string): Promise<FanoutClient> {
  const c = Fanout.createClient({ url: server });
  await c.join({ room, identity });
  client = c;
  return c;
}

const app = {
  version: Fanout.VERSION,

  /** Joins and publishes a canvas of one colour; resolves to the server's track id. */
  async publish(server: string, room: string, identity: string, rgb: Rgb): Promise<string> {
    colour = rgb;
    const c = await join(server, room, identity);
    const track = Fanout.createCustomVideoTrack({ mediaStreamTrack: canvasTrack(), encoderConfig: { bitrateMax: 300 } });
    await c.publish(track);
    return track.publishedTrackId ?? '';
  },

  /** Paints the published canvas another colour from now on. */
  paint(rgb: Rgb): void {
    colour = rgb;
  },

  /** Joins and plays the video `publisher` publishes, as soon as it is there. */
  async watch(server: string, room: string, identity: string, publisher: string): Promise<void> {
    const c = Fanout.createClient({ url: server });
    c.on('user-published', async (user, mediaType) => {
      if (user.uid !== publisher || mediaType !== 'video') return;
      const track = await c.subscribe(user, mediaType);
      const box = document.getElementById('remote');
      if (!box) throw new Error('no #remote');
      track.play(box, { fit: 'fill' });
      received = track;
    });
    await c.join({ room, identity });
    client = c;
  },

  /** The colour at the centre of the remote video, or null before a frame was decoded. */
  centreColour(): Rgb | null {
    const video = document.querySelector<HTMLVideoElement>('#remote video');
    if (!received || !video || video.videoWidth === 0) return null;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const g = canvas.getContext('2d');
    if (!g) return null;
    g.drawImage(video, 0, 0);
    const [r, gr, b] = g.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data;
    return [r, gr, b];
  },

  async leave(): Promise<void> {
    if (client) await client.leave();
    client = null;
  },
};

declare global {
  interface Window {
    app: typeof app;
  }
}
window.app = app;
