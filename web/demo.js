// The Fanout demo room: join by name, publish camera+mic, a screen or a test pattern, and see
// every other participant in a tile. Uses only the public SDK API (docs/sdk.md).
import Fanout from '/sdk/fanout.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

let client = null;
/** Published local tracks with their list row. */
const published = new Map();
/** Tiles by key: 'local', a uid, or uid + ':screen'. */
const tiles = new Map();
let statsTimer = null;
let patternStop = null;

$('room').value = params.get('room') || 'lobby';
$('identity').value = localStorage.getItem('fanout-demo-name') || `guest-${Math.random().toString(36).slice(2, 6)}`;

function showMessage(text, kind = 'error', action) {
  const box = $('message');
  box.hidden = false;
  box.className = `message ${kind === 'info' ? 'info' : ''}`;
  box.textContent = text;
  if (action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = action.label;
    b.onclick = () => {
      box.hidden = true;
      action.run();
    };
    box.append(document.createElement('br'), b);
  }
}

function clearMessage() {
  $('message').hidden = true;
}

function describeError(e) {
  return e && e.code ? `${e.code}: ${e.message}` : String(e);
}

// --- tiles ---

function tile(key, label, local = false) {
  let t = tiles.get(key);
  if (!t) {
    const el = $('tile-template').content.firstElementChild.cloneNode(true);
    el.classList.toggle('local', local);
    el.querySelector('.name').textContent = label;
    el.querySelector('.video').dataset.initial = label.slice(0, 1).toUpperCase();
    if (local) $('tiles').prepend(el);
    else $('tiles').append(el);
    t = { el, video: el.querySelector('.video'), stats: el.querySelector('.stats'), badges: el.querySelector('.badges'), tracks: [] };
    tiles.set(key, t);
  }
  $('empty').hidden = true;
  return t;
}

function dropTile(key) {
  const t = tiles.get(key);
  if (!t) return;
  t.el.remove();
  tiles.delete(key);
  $('empty').hidden = tiles.size > 0;
}

function remoteKey(uid, info) {
  return info && info.kind === 'video' && info.source === 'screen' ? `${uid}:screen` : uid;
}

function updateBadges(user) {
  const t = tiles.get(user.uid);
  if (!t) return;
  t.badges.replaceChildren();
  for (const info of user.tracks) {
    if (!info.muted || info.source === 'screen' || info.source === 'screen-audio') continue;
    const b = document.createElement('span');
    b.textContent = info.kind === 'audio' ? 'mic off' : 'video off';
    t.badges.append(b);
  }
}

function showLocalPreview() {
  const video = [...published.keys()].find((t) => t.kind === 'video' && t.enabled);
  const t = tile('local', `${client.uid} (you)`, true);
  t.video.replaceChildren();
  if (video) video.play(t.video, { fit: 'contain' });
}

// --- joining ---

$('join-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearMessage();
  const room = $('room').value.trim();
  const identity = $('identity').value.trim();
  localStorage.setItem('fanout-demo-name', identity);
  $('join').disabled = true;
  client = Fanout.createClient();
  wire(client);
  try {
    const token = params.get('token');
    await client.join(token ? { room, token } : { room, identity });
  } catch (e) {
    showMessage(`Could not join: ${describeError(e)}`);
    client = null;
    $('join').disabled = false;
    return;
  }
  $('room-label').textContent = `room “${client.room}”`;
  $('join-form').hidden = true;
  $('publish-card').hidden = false;
  tile('local', `${client.uid} (you)`, true);
  statsTimer = setInterval(updateStats, 1000);
});

function wire(c) {
  c.on('connection-state-change', (state, prev, reason) => {
    const el = $('state');
    el.dataset.state = state;
    el.textContent = state.toLowerCase() + (reason && state !== 'CONNECTED' ? ` (${reason.toLowerCase()})` : '');
    if (state === 'DISCONNECTED' && reason === 'REPLACED') {
      showMessage('You joined this room with the same name somewhere else; this page was disconnected.');
      resetUi();
    }
  });
  c.on('user-joined', (user) => tile(user.uid, user.uid));
  c.on('user-left', (user) => {
    for (const key of [...tiles.keys()]) if (key === user.uid || key.startsWith(`${user.uid}:`)) dropTile(key);
  });
  c.on('user-published', async (user, kind, info) => {
    try {
      const track = await c.subscribe(user, info.trackId);
      if (kind === 'audio') {
        track.play();
      } else {
        const t = tile(remoteKey(user.uid, info), info.source === 'screen' ? `${user.uid} (screen)` : user.uid);
        t.video.replaceChildren();
        track.play(t.video, { fit: info.source === 'screen' ? 'contain' : 'cover' });
      }
      const t = tiles.get(remoteKey(user.uid, info));
      if (t) t.tracks = t.tracks.filter((x) => x.kind !== kind).concat(track);
      updateBadges(user);
    } catch (e) {
      showMessage(`Could not subscribe to ${user.uid}: ${describeError(e)}`);
    }
  });
  c.on('user-unpublished', (user, kind, info) => {
    const key = remoteKey(user.uid, info);
    if (key !== user.uid) {
      dropTile(key);
      return;
    }
    const t = tiles.get(key);
    if (!t) return;
    t.tracks = t.tracks.filter((x) => x.trackId !== info.trackId);
    if (kind === 'video') t.video.replaceChildren();
    updateBadges(user);
  });
  c.on('user-info-updated', (uid) => {
    const user = c.remoteUsers.find((u) => u.uid === uid);
    if (user) updateBadges(user);
  });
  c.on('active-speaker', (uid) => {
    for (const [key, t] of tiles) t.el.classList.toggle('speaking', key === uid);
  });
  c.on('exception', (e) => console.warn('fanout exception', e));
}

Fanout.onAutoplayFailed = () => {
  showMessage('The browser blocked sound until you interact with the page.', 'info', {
    label: 'Play sound',
    run: () => {
      for (const u of client ? client.remoteUsers : []) if (u.audioTrack) u.audioTrack.play();
    },
  });
};

// --- publishing ---

const LABELS = { camera: 'Camera', microphone: 'Microphone', screen: 'Screen', 'screen-audio': 'Screen audio', custom: 'Test pattern', file: 'Audio file' };

async function publish(tracks) {
  try {
    await client.publish(tracks);
  } catch (e) {
    tracks.forEach((t) => t.close());
    showMessage(`Could not publish: ${describeError(e)}`);
    return;
  }
  for (const t of tracks) addRow(t);
  showLocalPreview();
}

function addRow(track) {
  const li = document.createElement('li');
  const what = document.createElement('span');
  what.className = 'what';
  what.textContent = LABELS[track.source] || track.source;
  const rate = document.createElement('span');
  rate.className = 'rate';
  const mute = button('Mute', async () => {
    await track.setMuted(!track.muted);
    mute.textContent = track.muted ? 'Unmute' : 'Mute';
  });
  const enable = button('Disable', async () => {
    await track.setEnabled(!track.enabled);
    enable.textContent = track.enabled ? 'Disable' : 'Enable';
    mute.disabled = !track.enabled;
    showLocalPreview();
  });
  const stop = button('Stop', () => unpublishTrack(track));
  const controls = document.createElement('div');
  controls.className = 'controls';
  controls.append(mute, enable, stop);
  li.append(what, rate, controls);
  $('local-tracks').append(li);
  published.set(track, { li, rate });
  track.on('track-ended', () => unpublishTrack(track));
}

function button(text, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'small';
  b.textContent = text;
  b.onclick = async () => {
    b.disabled = true;
    try {
      await onClick();
    } catch (e) {
      showMessage(describeError(e));
    } finally {
      b.disabled = false;
    }
  };
  return b;
}

async function unpublishTrack(track) {
  const row = published.get(track);
  if (!row) return;
  published.delete(track);
  row.li.remove();
  await client.unpublish(track).catch(() => {});
  track.close();
  if (track.source === 'custom' && patternStop) patternStop();
  showLocalPreview();
}

$('pub-cam').onclick = async () => {
  clearMessage();
  try {
    await publish(await Fanout.createMicrophoneAndCameraTracks({}, { encoderConfig: '480p_2' }));
  } catch (e) {
    showMessage(`Camera or microphone unavailable: ${describeError(e)}`);
  }
};

$('pub-screen').onclick = async () => {
  clearMessage();
  try {
    const screen = await Fanout.createScreenVideoTrack({ encoderConfig: '1080p_1' }, 'auto');
    await publish(Array.isArray(screen) ? screen : [screen]);
  } catch (e) {
    showMessage(`Screen sharing failed: ${describeError(e)}`);
  }
};

$('pub-pattern').onclick = async () => {
  clearMessage();
  if (patternStop) return;
  const { track, stop } = testPattern(client.uid);
  patternStop = () => {
    stop();
    patternStop = null;
  };
  await publish([Fanout.createCustomVideoTrack({ mediaStreamTrack: track })]);
};

/** An animated canvas: colour bars, a moving ball, the name and the time. */
function testPattern(name) {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 360;
  const g = canvas.getContext('2d');
  const colors = ['#e5e7eb', '#facc15', '#22d3ee', '#4ade80', '#e879f9', '#f87171', '#60a5fa'];
  const started = performance.now();
  const draw = () => {
    const t = (performance.now() - started) / 1000;
    colors.forEach((c, i) => {
      g.fillStyle = c;
      g.fillRect((i * canvas.width) / colors.length, 0, canvas.width / colors.length + 1, canvas.height);
    });
    g.fillStyle = 'rgba(5, 10, 20, .72)';
    g.fillRect(0, canvas.height - 96, canvas.width, 96);
    g.beginPath();
    g.arc(40 + ((Math.sin(t * 1.7) + 1) / 2) * (canvas.width - 80), 120, 28, 0, Math.PI * 2);
    g.fillStyle = '#0b1120';
    g.fill();
    g.fillStyle = '#fff';
    g.font = '600 34px system-ui, sans-serif';
    g.fillText(name, 24, canvas.height - 52);
    g.font = '22px ui-monospace, monospace';
    g.fillText(new Date().toLocaleTimeString() + `  ${t.toFixed(1)} s`, 24, canvas.height - 20);
  };
  draw();
  const timer = setInterval(draw, 1000 / 30);
  const track = canvas.captureStream(30).getVideoTracks()[0];
  return { track, stop: () => { clearInterval(timer); track.stop(); } };
}

// --- stats ---

function kbps(bps) {
  return bps >= 1e6 ? `${(bps / 1e6).toFixed(1)} Mbps` : `${Math.round(bps / 1000)} kbps`;
}

async function updateStats() {
  for (const [track, row] of published) {
    const s = await track.getStats().catch(() => null);
    row.rate.textContent = s && track.enabled ? kbps(s.sendBitrate) : '';
  }
  for (const t of tiles.values()) {
    const lines = [];
    for (const track of t.tracks) {
      const s = await track.getStats().catch(() => null);
      if (!s) continue;
      const extra = track.kind === 'video' && s.frameWidth ? ` · ${s.frameWidth}×${s.frameHeight} · ${Math.round(s.framesPerSecond || 0)} fps` : '';
      lines.push(`${track.kind} ${kbps(s.receiveBitrate)}${extra}`);
    }
    t.stats.textContent = lines.join('\n');
  }
}

// --- leaving ---

function resetUi() {
  clearInterval(statsTimer);
  if (patternStop) patternStop();
  for (const t of published.keys()) t.close();
  published.clear();
  $('local-tracks').replaceChildren();
  for (const key of [...tiles.keys()]) dropTile(key);
  $('empty').hidden = false;
  $('publish-card').hidden = true;
  $('join-form').hidden = false;
  $('join').disabled = false;
  $('room-label').textContent = '';
  client = null;
}

$('leave').onclick = async () => {
  await client.leave();
  resetUi();
};
