// The Fanout demo room: join by name, publish camera+mic, a screen or a test pattern, pick the
// camera, microphone and speaker, and see a tile for every camera and screen in the room.
// Uses only the public SDK API (docs/sdk.md).
import Fanout from '/sdk/fanout.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

let client = null;
/** Local tracks of this page, published or disabled: track → { li, rate, group }. */
const local = new Map();
/** What each publish button started: group name → its tracks (null when off). */
const groups = { cam: null, screen: null, pattern: null };
/** Groups whose start or stop is under way. */
const busy = new Set();
/** Tiles by key: 'local:' + local trackId, 'track:' + remote trackId, 'person:' + uid. */
const tiles = new Map();
/** Remote subscriptions by trackId: { track, uid, info, audio? }. */
const remote = new Map();
/** Display order of remote users, by uid (join order). */
const personOrder = new Map();
let personSeq = 0;
let statsTimer = null;
let patternStop = null;
let activeSpeaker = null;
/** The chosen audio output (a deviceId), '' for the system default. */
let speakerId = '';
const sinkSupported = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

$('room').value = params.get('room') || 'lobby';
$('identity').value = localStorage.getItem('fanout-demo-name') || `guest-${Math.random().toString(36).slice(2, 6)}`;

// --- server mode: /dev/token exists only on a server in dev mode (404 otherwise) ---

fetch('/dev/token', { cache: 'no-store' })
  .then((r) => (r.status === 404 ? 'token' : 'dev'), () => 'unknown')
  .then((mode) => {
    document.body.dataset.serverMode = mode;
    $('dev-hint').hidden = mode !== 'dev';
    $('token-hint').hidden = mode !== 'token' || params.has('token');
  });

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

// --- icons (inline, so the page needs no font or image for them) ---

const ICONS = {
  audio: '<path d="M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21"/>',
  video: '<rect x="2.5" y="6" width="13" height="12" rx="2"/><path d="M15.5 10.5 21 7v10l-5.5-3.5z"/>',
  screen: '<rect x="2.5" y="4" width="19" height="12.5" rx="2"/><path d="M8 20.5h8M12 16.5v4"/>',
  slash: '<path d="M3.5 3.5l17 17"/>',
};

function icon(name, muted) {
  const span = document.createElement('span');
  span.className = 'icon';
  span.setAttribute('aria-hidden', 'true');
  span.innerHTML = `<svg viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" stroke-width="2"
    stroke-linecap="round" stroke-linejoin="round">${ICONS[name]}${muted ? ICONS.slash : ''}</svg>`;
  return span;
}

// --- tiles: one per video track, or one per person who shows no video ---

const SOURCE_LABELS = {
  camera: 'camera', microphone: 'mic', screen: 'screen', 'screen-audio': 'screen audio', custom: 'custom video', file: 'audio file',
};
const SOURCE_RANK = { camera: 1, custom: 2, screen: 3 };

function sourceLabel(source, isLocal) {
  return isLocal && source === 'custom' ? 'test pattern' : SOURCE_LABELS[source] || source;
}

/** Tiles sort by person (you first, then in join order), then camera, other video, screen. */
function tileOrder(uid, source) {
  const person = client && uid === client.uid ? 0 : personOrder.get(uid) || 999;
  return person * 10 + (SOURCE_RANK[source] || 0);
}

function tile(key, { uid, name, source = null, isLocal = false }) {
  let t = tiles.get(key);
  if (!t) {
    const el = $('tile-template').content.firstElementChild.cloneNode(true);
    el.classList.toggle('local', isLocal);
    el.dataset.uid = uid;
    el.dataset.source = source || 'none';
    el.querySelector('.name').textContent = name;
    el.querySelector('.source').textContent = source ? sourceLabel(source, isLocal) : '';
    el.querySelector('.video').dataset.initial = uid.slice(0, 1).toUpperCase();
    el.classList.toggle('speaking', uid === activeSpeaker);
    const order = tileOrder(uid, source);
    // In place from the start: moving a playing <video> around the page would interrupt it.
    const next = [...tiles.values()].filter((x) => x.order > order).sort((a, b) => a.order - b.order)[0];
    $('tiles').insertBefore(el, next ? next.el : null);
    t = {
      el, uid, source, isLocal, order, track: null,
      video: el.querySelector('.video'), stats: el.querySelector('.stats'), badges: el.querySelector('.badges'),
    };
    tiles.set(key, t);
  }
  $('empty').hidden = true;
  return t;
}

function dropTile(key) {
  const t = tiles.get(key);
  if (!t) return;
  if (t.track) t.track.stop();
  t.el.remove();
  tiles.delete(key);
  $('empty').hidden = tiles.size > 0;
}

function tilesOf(uid) {
  return [...tiles.values()].filter((t) => t.uid === uid).sort((a, b) => a.order - b.order);
}

/** A person without a video tile gets a placeholder tile (their initial), and loses it with the first video. */
function syncPlaceholder(uid) {
  const key = `person:${uid}`;
  const hasVideo = tilesOf(uid).some((t) => t.source);
  if (hasVideo) {
    dropTile(key);
  } else {
    const isLocal = uid === client.uid;
    tile(key, { uid, name: isLocal ? `${uid} (you)` : uid, isLocal });
  }
}

/** The tracks a person publishes, as trackInfo-like objects. */
function personTracks(uid) {
  if (client && uid === client.uid) {
    return [...local.keys()].filter((t) => t.enabled).map((t) => ({ kind: t.kind, source: t.source, muted: t.muted, local: t }));
  }
  const user = client && client.remoteUsers.find((u) => u.uid === uid);
  return user ? user.tracks : [];
}

/** Badges on a person's tiles: a muted video on its tile, a muted microphone on their first tile. */
function renderBadges(uid) {
  const tracks = personTracks(uid);
  const micMuted = tracks.some((t) => t.source === 'microphone' && t.muted);
  tilesOf(uid).forEach((t, i) => {
    const badges = [];
    const info = t.source && tracks.find((x) => (t.isLocal ? x.local === t.track : x.trackId === t.trackId));
    if (info && info.muted) badges.push('video muted');
    if (t.isLocal && t.track && !t.track.enabled) badges.push('video off');
    if (i === 0 && micMuted) badges.push('mic muted');
    t.badges.replaceChildren(...badges.map((text) => {
      const b = document.createElement('span');
      b.textContent = text;
      return b;
    }));
    t.el.classList.toggle('off', !!(t.isLocal && t.track && !t.track.enabled));
  });
}

function renderPerson(uid) {
  if (!client) return;
  syncPlaceholder(uid);
  renderBadges(uid);
  renderPeople();
}

// --- participants ---

function renderPeople() {
  if (!client) return;
  const uids = [client.uid, ...client.remoteUsers.map((u) => u.uid)];
  $('people-count').textContent = `(${uids.length})`;
  $('participants').replaceChildren(...uids.map((uid) => {
    const li = document.createElement('li');
    li.dataset.uid = uid;
    li.classList.toggle('speaking', uid === activeSpeaker);
    const name = document.createElement('span');
    name.className = 'who';
    name.textContent = uid === client.uid ? `${uid} (you)` : uid;
    const media = document.createElement('span');
    media.className = 'media';
    const tracks = personTracks(uid);
    for (const t of tracks) {
      const chip = document.createElement('span');
      chip.className = 'chip';
      chip.dataset.kind = t.kind;
      chip.dataset.source = t.source;
      chip.dataset.muted = String(!!t.muted);
      const what = sourceLabel(t.source, uid === client.uid);
      const text = document.createElement('span');
      text.textContent = t.muted ? `${what} muted` : what;
      chip.title = text.textContent;
      chip.append(icon(t.source === 'screen' ? 'screen' : t.kind, t.muted), text);
      media.append(chip);
    }
    if (!tracks.length) {
      media.textContent = 'no media';
      media.classList.add('none');
    }
    li.append(name, media);
    return li;
  }));
}

// --- devices ---

function currentDeviceOf(source) {
  const track = [...local.keys()].find((t) => t.source === source && t.enabled);
  return track ? track.getMediaStreamTrack().getSettings().deviceId : undefined;
}

function fillSelect(select, devices, noun, current) {
  const keep = current !== undefined ? current : select.value;
  select.replaceChildren(...devices.map((d, i) => new Option(d.label || `${noun} ${i + 1}`, d.deviceId)));
  if (devices.some((d) => d.deviceId === keep)) select.value = keep;
  select.disabled = devices.length === 0;
}

async function refreshDevices() {
  try {
    const [cams, mics, outs] = await Promise.all([
      Fanout.getCameras(), Fanout.getMicrophones(), sinkSupported ? Fanout.getPlaybackDevices() : [],
    ]);
    fillSelect($('camera-select'), cams, 'Camera', currentDeviceOf('camera'));
    fillSelect($('mic-select'), mics, 'Microphone', currentDeviceOf('microphone'));
    fillSelect($('speaker-select'), outs, 'Speaker', speakerId || undefined);
  } catch (e) {
    showMessage(`Cannot list devices: ${describeError(e)}`);
  }
}

if (navigator.mediaDevices) navigator.mediaDevices.addEventListener('devicechange', () => client && refreshDevices());
$('speaker-field').hidden = !sinkSupported;
$('speaker-unsupported').hidden = sinkSupported;

/** Switches the live camera or microphone; with none running, the choice waits for "Camera + mic". */
async function switchDevice(source, select) {
  const id = select.value;
  const track = [...local.keys()].find((t) => t.source === source);
  if (!track || !id) return;
  select.disabled = true;
  try {
    await track.setDevice(id);
  } catch (e) {
    showMessage(`Cannot switch to that ${source}: ${describeError(e)}`);
  } finally {
    await refreshDevices(); // shows the device the track now uses
    select.disabled = false;
  }
}

$('camera-select').onchange = () => switchDevice('camera', $('camera-select'));
$('mic-select').onchange = () => switchDevice('microphone', $('mic-select'));
$('speaker-select').onchange = async () => {
  speakerId = $('speaker-select').value;
  try {
    await Promise.all([...remote.values()].filter((s) => s.audio).map((s) => s.audio.setSinkId(speakerId)));
  } catch (e) {
    showMessage(`Cannot play through that speaker: ${describeError(e)}`);
  }
};

// --- invite link ---

function inviteUrl(room) {
  const u = new URL(location.pathname, location.origin);
  u.searchParams.set('room', room);
  return u.href;
}

$('copy-invite').onclick = async () => {
  const input = $('invite-link');
  let copied = false;
  try {
    await navigator.clipboard.writeText(input.value);
    copied = true;
  } catch (e) {
    input.focus();
    input.select();
    copied = document.execCommand('copy');
  }
  const b = $('copy-invite');
  b.textContent = copied ? 'Copied' : 'Press Ctrl+C';
  setTimeout(() => { b.textContent = 'Copy'; }, 2000);
};

// --- joining ---

const CARDS = ['room-card', 'publish-card', 'devices-card', 'leave'];

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
  $('invite-link').value = inviteUrl(client.room);
  if (!params.has('token')) history.replaceState(null, '', inviteUrl(client.room));
  $('join-form').hidden = true;
  for (const id of CARDS) $(id).hidden = false;
  renderButtons();
  renderPerson(client.uid);
  refreshDevices();
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
  c.on('user-joined', (user) => {
    if (c !== client) return;
    if (!personOrder.has(user.uid)) personOrder.set(user.uid, ++personSeq);
    renderPerson(user.uid);
  });
  c.on('user-left', (user) => {
    if (c !== client) return;
    for (const [id, sub] of [...remote]) if (sub.uid === user.uid) dropRemote(id);
    for (const [key, t] of [...tiles]) if (t.uid === user.uid) dropTile(key);
    renderPeople();
  });
  c.on('user-published', async (user, kind, info) => {
    if (c !== client) return;
    renderPerson(user.uid);
    let track;
    try {
      track = await c.subscribe(user, info.trackId);
    } catch (e) {
      if (c === client && user.tracks.includes(info)) showMessage(`Could not subscribe to ${user.uid}: ${describeError(e)}`);
      return;
    }
    // It may have been unpublished, or we may have left, while subscribing.
    if (c !== client || !user.tracks.includes(info) || remote.has(info.trackId)) return;
    const sub = { track, uid: user.uid, info };
    remote.set(info.trackId, sub);
    if (kind === 'audio') {
      sub.audio = document.createElement('audio');
      sub.audio.dataset.uid = user.uid;
      sub.audio.dataset.trackId = info.trackId;
      $('audio-sinks').append(sub.audio);
      if (speakerId) sub.audio.setSinkId(speakerId).catch(() => {});
      track.play(sub.audio);
    } else {
      const t = tile(`track:${info.trackId}`, { uid: user.uid, name: user.uid, source: info.source });
      t.track = track;
      t.trackId = info.trackId;
      t.el.dataset.trackId = info.trackId;
      track.play(t.video, { fit: 'contain' });
    }
    renderPerson(user.uid);
  });
  c.on('user-unpublished', (user, kind, info) => {
    if (c !== client) return;
    dropRemote(info.trackId);
    renderPerson(user.uid);
  });
  c.on('user-info-updated', (uid) => {
    if (c === client) renderPerson(uid);
  });
  c.on('active-speaker', (uid) => {
    activeSpeaker = uid;
    for (const t of tiles.values()) t.el.classList.toggle('speaking', t.uid === uid);
    for (const li of $('participants').children) li.classList.toggle('speaking', li.dataset.uid === uid);
  });
  c.on('exception', (e) => console.warn('fanout exception', e));
}

function dropRemote(trackId) {
  const sub = remote.get(trackId);
  remote.delete(trackId);
  dropTile(`track:${trackId}`); // stops a video track
  if (sub && sub.audio) {
    sub.track.stop();
    sub.audio.remove();
  }
}

Fanout.onAutoplayFailed = () => {
  showMessage('The browser blocked sound until you interact with the page.', 'info', {
    label: 'Play sound',
    run: () => {
      for (const sub of remote.values()) if (sub.audio) sub.audio.play().catch(() => {});
    },
  });
};

// --- publishing ---

const ROW_LABELS = { camera: 'Camera', microphone: 'Microphone', screen: 'Screen', 'screen-audio': 'Screen audio', custom: 'Test pattern', file: 'Audio file' };
const BUTTONS = {
  cam: { id: 'pub-cam', start: 'Camera + mic', stop: 'Stop camera + mic' },
  screen: { id: 'pub-screen', start: 'Share screen', stop: 'Stop sharing' },
  pattern: { id: 'pub-pattern', start: 'Test pattern', stop: 'Stop test pattern' },
};

function renderButtons() {
  for (const [group, b] of Object.entries(BUTTONS)) {
    const el = $(b.id);
    const on = !!groups[group];
    el.disabled = busy.has(group);
    el.textContent = busy.has(group) ? (on ? 'Stopping…' : 'Starting…') : on ? b.stop : b.start;
    el.setAttribute('aria-pressed', String(on));
    el.classList.toggle('active', on);
  }
}

/** Starts or stops what a publish button stands for; a click while one is under way does nothing. */
async function toggleGroup(group, create) {
  if (!client || busy.has(group)) return;
  clearMessage();
  busy.add(group);
  renderButtons();
  try {
    if (groups[group]) {
      await Promise.all(groups[group].map((t) => unpublishTrack(t)));
    } else {
      await publishGroup(group, await create());
    }
  } catch (e) {
    showMessage(describeError(e));
  } finally {
    busy.delete(group);
    renderButtons();
  }
}

async function publishGroup(group, tracks) {
  const c = client;
  try {
    await c.publish(tracks);
  } catch (e) {
    tracks.forEach((t) => t.close());
    if (group === 'pattern' && patternStop) patternStop();
    throw new Error(`Could not publish: ${describeError(e)}`);
  }
  if (c !== client) { // left meanwhile
    tracks.forEach((t) => t.close());
    return;
  }
  groups[group] = tracks;
  for (const t of tracks) addLocal(t, group);
  renderPerson(client.uid);
  // Device labels are known once the page may capture; the pickers show the devices in use.
  if (group === 'cam') refreshDevices();
}

function addLocal(track, group) {
  const li = document.createElement('li');
  li.dataset.source = track.source;
  const what = document.createElement('span');
  what.className = 'what';
  what.textContent = ROW_LABELS[track.source] || track.source;
  const rate = document.createElement('span');
  rate.className = 'rate';
  const mute = button('Mute', async () => {
    await track.setMuted(!track.muted);
    mute.textContent = track.muted ? 'Unmute' : 'Mute';
    renderPerson(client.uid);
  });
  mute.classList.add('mute');
  const enable = button('Disable', async () => {
    await track.setEnabled(!track.enabled);
    enable.textContent = track.enabled ? 'Disable' : 'Enable';
    mute.disabled = !track.enabled;
    renderPerson(client.uid);
  });
  enable.classList.add('enable');
  const stop = button('Stop', () => unpublishTrack(track).then(renderButtons));
  stop.classList.add('stop');
  const controls = document.createElement('div');
  controls.className = 'controls';
  controls.append(mute, enable, stop);
  li.append(what, rate, controls);
  $('local-tracks').append(li);
  local.set(track, { li, rate, group });
  track.on('track-ended', async () => {
    // "Stop sharing" in the browser ends the screen's video: its audio goes with it.
    const all = track.source === 'screen' && groups[group] ? groups[group] : [track];
    await Promise.all(all.map((t) => unpublishTrack(t)));
    renderButtons();
  });
  if (track.kind === 'video') {
    const t = tile(`local:${track.trackId}`, { uid: client.uid, name: `${client.uid} (you)`, source: track.source, isLocal: true });
    t.track = track;
    track.play(t.video, { fit: 'contain' });
  }
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
  const entry = local.get(track);
  if (!entry) return;
  local.delete(track);
  entry.li.remove();
  dropTile(`local:${track.trackId}`);
  const g = groups[entry.group];
  if (g) {
    const rest = g.filter((t) => t !== track);
    groups[entry.group] = rest.length ? rest : null;
  }
  if (client) {
    renderPerson(client.uid);
    await client.unpublish(track).catch(() => {});
  }
  track.close();
  if (track.source === 'custom' && patternStop) patternStop();
}

$('pub-cam').onclick = () => toggleGroup('cam', async () => {
  const cameraId = $('camera-select').value;
  const microphoneId = $('mic-select').value;
  const video = { encoderConfig: '480p_2' };
  try {
    return await Fanout.createMicrophoneAndCameraTracks(microphoneId ? { microphoneId } : {}, cameraId ? { ...video, cameraId } : video);
  } catch (e) {
    if (e.code !== 'CONSTRAINT_NOT_SATISFIED' || !(cameraId || microphoneId)) throw new Error(`Camera or microphone unavailable: ${describeError(e)}`);
    return Fanout.createMicrophoneAndCameraTracks({}, video); // the chosen device is gone
  }
});

$('pub-screen').onclick = () => toggleGroup('screen', async () => {
  try {
    const screen = await Fanout.createScreenVideoTrack({ encoderConfig: '1080p_1' }, 'auto');
    return Array.isArray(screen) ? screen : [screen];
  } catch (e) {
    throw new Error(`Screen sharing failed: ${describeError(e)}`);
  }
});

$('pub-pattern').onclick = () => toggleGroup('pattern', async () => {
  const { track, stop } = testPattern(client.uid);
  patternStop = () => {
    stop();
    patternStop = null;
  };
  return [Fanout.createCustomVideoTrack({ mediaStreamTrack: track })];
});

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

// --- stats: under each tile, never over the picture ---

function kbps(bps) {
  return bps >= 1e6 ? `${(bps / 1e6).toFixed(1)} Mbps` : `${Math.round(bps / 1000)} kbps`;
}

function statsLine(kind, s, bps) {
  const size = kind === 'video' && s.frameWidth ? ` · ${s.frameWidth}×${s.frameHeight} · ${Math.round(s.framesPerSecond || 0)} fps` : '';
  return `${kind} ${kbps(bps)}${size}`;
}

async function updateStats() {
  // One getStats() per track and tick: each call measures the bitrate since the previous one.
  const sent = new Map();
  for (const [track, row] of local) {
    const s = track.enabled ? await track.getStats().catch(() => null) : null;
    if (s) sent.set(track, s);
    row.rate.textContent = s ? kbps(s.sendBitrate) : '';
  }
  const received = new Map();
  for (const [id, sub] of remote) {
    const s = await sub.track.getStats().catch(() => null);
    if (s) received.set(id, s);
  }
  const firstTile = new Map();
  const screenTile = new Map();
  for (const t of [...tiles.values()].sort((a, b) => a.order - b.order)) {
    if (!firstTile.has(t.uid)) firstTile.set(t.uid, t);
    if (t.source === 'screen' && !screenTile.has(t.uid)) screenTile.set(t.uid, t);
  }
  for (const t of tiles.values()) {
    const lines = [];
    if (t.isLocal && sent.has(t.track)) lines.push(statsLine('video', sent.get(t.track), sent.get(t.track).sendBitrate));
    if (!t.isLocal && received.has(t.trackId)) lines.push(statsLine('video', received.get(t.trackId), received.get(t.trackId).receiveBitrate));
    // Audio goes under its person's first tile, a screen's audio under the screen.
    const audioTile = (uid, source) => (source === 'screen-audio' && screenTile.get(uid)) || firstTile.get(uid);
    if (t.isLocal) {
      for (const [track, s] of sent) if (track.kind === 'audio' && audioTile(t.uid, track.source) === t) lines.push(statsLine('audio', s, s.sendBitrate));
    } else {
      for (const [id, sub] of remote) {
        if (sub.uid === t.uid && sub.info.kind === 'audio' && received.has(id) && audioTile(t.uid, sub.info.source) === t) {
          lines.push(statsLine('audio', received.get(id), received.get(id).receiveBitrate));
        }
      }
    }
    t.stats.textContent = lines.join('\n');
  }
}

// --- leaving ---

function resetUi() {
  clearInterval(statsTimer);
  if (patternStop) patternStop();
  for (const t of local.keys()) t.close();
  local.clear();
  for (const g of Object.keys(groups)) groups[g] = null;
  for (const id of [...remote.keys()]) dropRemote(id);
  $('local-tracks').replaceChildren();
  $('participants').replaceChildren();
  for (const key of [...tiles.keys()]) dropTile(key);
  personOrder.clear();
  activeSpeaker = null;
  for (const id of CARDS) $(id).hidden = true;
  $('join-form').hidden = false;
  $('join').disabled = false;
  $('room-label').textContent = '';
  client = null;
}

$('leave').onclick = async () => {
  const c = client;
  if (!c) return;
  $('leave').disabled = true;
  try {
    await c.leave();
  } finally {
    $('leave').disabled = false;
    if (c === client) resetUi();
  }
};
