// Test harness for the browser tests: loaded into a page of the server under test, it imports
// the SDK from /sdk/fanout.js and exposes helpers as window.H. The Java tests drive it through
// WebDriver (BrowserPage.run).
(async () => {
  try {
    // Remember every WebSocket the page opens, so a test can drop the SDK's connection.
    const sockets = [];
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
      constructor(...args) {
        super(...args);
        sockets.push(this);
      }
    };

    // Media through the test kit's link emulator: every remote description the page applies gets
    // the server's UDP candidates rewritten to point at the relay (H.routeMedia), so the page's
    // peer connections cross the emulated link without the SDK knowing.
    const route = { from: null, host: null, port: null, rewritten: 0 };
    const rerouteSdp = (sdp) => sdp.replace(/^(a=candidate:\S+ \d+ udp \d+ )(\S+) (\d+)( typ .*)$/gim,
      (line, head, host, port, tail) => {
        if (Number(port) !== route.from) return line;
        route.rewritten++;
        return `${head}${route.host} ${route.port}${tail}`;
      });
    const nativeSetRemoteDescription = RTCPeerConnection.prototype.setRemoteDescription;
    RTCPeerConnection.prototype.setRemoteDescription = function (description, ...rest) {
      if (route.from !== null && description && description.sdp) {
        description = { type: description.type, sdp: rerouteSdp(description.sdp) };
      }
      return nativeSetRemoteDescription.call(this, description, ...rest);
    };

    const sdk = await import('/sdk/fanout.js');
    const Fanout = sdk.default;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const log = [];
    const record = (client, ev, uid, detail) => log.push({ client, ev, uid, detail, at: Math.round(performance.now()) });

    function watch(client, name) {
      client.on('user-joined', (u) => record(name, 'user-joined', u.uid));
      client.on('user-left', (u, reason) => record(name, 'user-left', u.uid, reason));
      client.on('user-published', (u, kind, info) => record(name, 'user-published', u.uid, `${kind} ${info.source} ${info.trackId}`));
      client.on('user-unpublished', (u, kind, info) => record(name, 'user-unpublished', u.uid, `${kind} ${info.source} ${info.trackId}`));
      client.on('user-info-updated', (uid, msg) => record(name, 'user-info-updated', uid, msg));
      client.on('user-updated', (uid, info) => record(name, 'user-updated', uid, `${info.name} ${info.metadata}`));
      client.on('stream-message', (uid, payload) => record(name, 'stream-message', uid, Array.from(payload).join(',')));
      client.on('track-muted-by-server', (track, muted) => record(name, 'track-muted-by-server', undefined, `${track.publishedTrackId} ${muted}`));
      client.on('connection-state-change', (cur, prev, reason) => record(name, 'connection-state-change', undefined, `${prev}->${cur} ${reason || ''}`));
      client.on('exception', (e) => record(name, 'exception', e.uid, `${e.code} ${e.message}`));
    }

    const H = {
      Fanout,
      sdk,
      sockets,
      log,
      clients: {},
      tracks: {},
      canvases: {},
      sleep,

      dump() {
        return log.map((e) => `${e.at} ${e.client} ${e.ev} ${e.uid || ''} ${e.detail || ''}`).join('\n');
      },

      /** Runs fn; returns null when it succeeds, else the error's name, code and message. */
      async errorOf(fn) {
        try {
          await fn();
          return null;
        } catch (e) {
          return { name: e.name, code: e.code === undefined ? null : e.code, message: String(e.message), isFanoutError: e instanceof sdk.FanoutError };
        }
      },

      client(name, config) {
        const c = Fanout.createClient(config);
        watch(c, name);
        H.clients[name] = c;
        return c;
      },

      async join(name, room, identity) {
        const c = H.clients[name] || H.client(name);
        return c.join({ room, identity });
      },

      count(client, ev, uid) {
        return log.filter((e) => e.client === client && e.ev === ev && (uid === undefined || uid === null || e.uid === uid)).length;
      },

      async waitEvent(client, ev, uid, n = 1, ms = 10000) {
        await H.waitFor(() => H.count(client, ev, uid) >= n, ms, `${client}: ${n} x ${ev} ${uid || ''}`);
      },

      async waitFor(fn, ms, what) {
        const end = performance.now() + ms;
        for (;;) {
          const v = await fn();
          if (v) return v;
          if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${H.dump()}`);
          await sleep(50);
        }
      },

      /**
       * Subscribes client `name` to every track published in its room (or only to tracks of
       * kind `only`) and plays it on the stage; video `videoDelayMs` after it was published (an
       * app that takes the sound at once and the picture when its tile is ready).
       */
      autoSubscribe(name, only, videoDelayMs = 0) {
        const c = H.clients[name];
        c.on('user-published', async (user, kind, info) => {
          if (only && kind !== only) return;
          if (kind === 'video' && videoDelayMs) await sleep(videoDelayMs);
          try {
            const t = await c.subscribe(user, info.trackId);
            // A screen share plays beside the camera; other tracks take their kind's place, or
            // with H.boxBySource every source has a place of its own.
            const place = H.boxBySource || info.source === 'screen' || info.source === 'screen-audio' ? info.source : kind;
            t.play(H.box(name, user.uid, place));
            record(name, 'subscribed', user.uid, `${kind} ${info.source} ${info.trackId}`);
          } catch (e) {
            record(name, 'subscribe-failed', user.uid, `${e.code}: ${e.message}`);
          }
        });
      },

      /** The stage element for one user's audio or video (emptied for a new track). */
      box(client, uid, kind) {
        const id = `${client}-${uid}-${kind}`;
        let el = document.getElementById(id);
        if (!el) {
          el = document.createElement('div');
          el.id = id;
          el.style.cssText = 'width:320px;height:240px;display:inline-block';
          document.getElementById('stage').appendChild(el);
        }
        el.replaceChildren();
        return el;
      },

      /** The playing element of a user's 'audio' or 'video', or of a source ('screen', 'screen-audio', ...). */
      media(client, uid, kind) {
        const tag = ['video', 'screen', 'camera', 'custom'].includes(kind) ? 'video' : 'audio';
        return document.querySelector(`#${client}-${uid}-${kind} ${tag}`);
      },

      /**
       * Checks, all at once and each within ms, that every expected track plays what it should:
       * `{ uid, source, colour: [r, g, b] }` a fresh frame of that colour, `{ uid, source, tone }`
       * that tone (Hz). Returns the failures as text (empty when all played).
       */
      async expectPlaying(client, expected, ms) {
        const end = performance.now() + ms;
        const check = async (e) => {
          let last = 'no element';
          while (performance.now() < end) {
            const el = H.media(client, e.uid, e.source);
            if (el && e.colour) {
              if (el.videoWidth > 0) {
                await Promise.race([new Promise((r) => el.requestVideoFrameCallback(r)), sleep(500)]);
                const p = H.pixel(el);
                last = `shows ${p}`;
                if (p.every((x, i) => Math.abs(x - e.colour[i]) < 50)) return null;
              } else {
                last = 'no picture';
              }
            } else if (el && e.tone && el.srcObject) {
              const mst = el.srcObject.getAudioTracks()[0];
              const hz = await H.toneOf(mst, 500);
              const u = H.clients[client].remoteUsers.find((x) => x.uid === e.uid);
              const rt = u && [...u._subscribed.values()].find((x) => x.source === e.source);
              const st = rt ? await rt.getStats() : {};
              last = `plays ${hz} Hz (track ${mst.readyState}${mst.muted ? ' muted' : ''}, ${st.packetsReceived} packets, level ${st.audioLevel})`;
              if (Math.abs(hz - e.tone) <= 30) return null;
              continue;
            }
            await sleep(50);
          }
          return `${e.uid} ${e.source} (${e.colour || e.tone + ' Hz'}): ${last}`;
        };
        return (await Promise.all(expected.map(check))).filter(Boolean).join('; ');
      },

      /** Waits for a user's playing video element with a picture; returns it. */
      async video(client, uid, kind = 'video', ms = 15000) {
        return H.waitFor(() => { const e = H.media(client, uid, kind); return e && e.videoWidth > 0 && e; }, ms, `${kind} of ${uid} at ${client}`);
      },

      /** Frames presented by a video element during ms (requestVideoFrameCallback) and decoded (playback quality). */
      async frames(video, ms) {
        let presented = 0;
        let active = true;
        const onFrame = () => {
          presented++;
          if (active) video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
        const before = video.getVideoPlaybackQuality().totalVideoFrames;
        await sleep(ms);
        active = false;
        return { presented, decoded: video.getVideoPlaybackQuality().totalVideoFrames - before };
      },

      /**
       * Waits until a video element has presented n new frames (a picture that moves), with a
       * deadline rather than a fixed window, so a busy machine makes it slower, not wrong.
       */
      async framesUntil(video, n, ms) {
        let presented = 0;
        const onFrame = () => {
          presented++;
          if (presented < n) video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
        const start = performance.now();
        const before = video.getVideoPlaybackQuality().totalVideoFrames;
        while (presented < n && performance.now() - start < ms) await sleep(50);
        return {
          presented,
          decoded: video.getVideoPlaybackQuality().totalVideoFrames - before,
          ms: Math.round(performance.now() - start),
          width: video.videoWidth,
          height: video.videoHeight,
        };
      },

      /** The colour at the centre of what a video element shows. */
      pixel(video) {
        const c = document.createElement('canvas');
        c.width = video.videoWidth;
        c.height = video.videoHeight;
        const g = c.getContext('2d');
        g.drawImage(video, 0, 0);
        const d = g.getImageData(c.width >> 1, c.height >> 1, 1, 1).data;
        return [d[0], d[1], d[2]];
      },

      /** Loudest RMS level of an audio MediaStreamTrack over ms. */
      async audioEnergy(mst, ms) {
        const ctx = new AudioContext();
        await ctx.resume();
        const src = ctx.createMediaStreamSource(new MediaStream([mst]));
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 2048;
        src.connect(analyser);
        const buf = new Float32Array(analyser.fftSize);
        let max = 0;
        const end = performance.now() + ms;
        while (performance.now() < end) {
          analyser.getFloatTimeDomainData(buf);
          let sum = 0;
          for (const x of buf) sum += x * x;
          max = Math.max(max, Math.sqrt(sum / buf.length));
          await sleep(40);
        }
        await ctx.close();
        return max;
      },

      /** The frequency (Hz) of the strongest component of an audio MediaStreamTrack over ms, or 0 when silent. */
      async toneOf(mst, ms) {
        const ctx = new AudioContext();
        await ctx.resume();
        const src = ctx.createMediaStreamSource(new MediaStream([mst]));
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 4096;
        src.connect(analyser);
        const bins = new Float32Array(analyser.frequencyBinCount);
        const sum = new Float32Array(analyser.frequencyBinCount);
        const end = performance.now() + ms;
        while (performance.now() < end) {
          analyser.getFloatFrequencyData(bins);
          for (let i = 0; i < bins.length; i++) sum[i] += Math.pow(10, bins[i] / 20);
          await sleep(40);
        }
        const rate = ctx.sampleRate;
        await ctx.close();
        let best = 1;
        for (let i = 1; i < sum.length; i++) if (sum[i] > sum[best]) best = i;
        return sum[best] > 0.01 ? Math.round((best * rate) / analyser.fftSize) : 0;
      },

      /**
       * A canvas painted one solid colour, redrawn every `redrawMs`, as a MediaStreamTrack
       * captured at `fps` (0: a frame whenever the canvas is painted).
       */
      solidTrack(name, color, width = 320, height = 240, redrawMs = 40, fps = 25) {
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        const g = canvas.getContext('2d');
        const state = { color };
        const paint = () => {
          g.fillStyle = state.color;
          g.fillRect(0, 0, width, height);
        };
        paint();
        const track = (fps ? canvas.captureStream(fps) : canvas.captureStream()).getVideoTracks()[0];
        const timer = setInterval(() => {
          if (track.readyState === 'ended') clearInterval(timer);
          else paint();
        }, redrawMs);
        H.canvases[name] = state;
        return track;
      },

      /**
       * A canvas of fresh random blocks every frame, as a MediaStreamTrack: content an encoder
       * cannot compress, so its bitrate is what the link and the encoder settings allow (the fake
       * camera's picture compresses to a few hundred kbit/s whatever the budget).
       */
      noiseTrack(width, height, fps = 30, block = 8) {
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        const g = canvas.getContext('2d');
        g.imageSmoothingEnabled = false;
        const small = document.createElement('canvas');
        small.width = Math.ceil(width / block);
        small.height = Math.ceil(height / block);
        const sg = small.getContext('2d');
        const img = sg.createImageData(small.width, small.height);
        const track = canvas.captureStream(fps).getVideoTracks()[0];
        const timer = setInterval(() => {
          if (track.readyState === 'ended') {
            clearInterval(timer);
            return;
          }
          const d = img.data;
          for (let i = 0; i < d.length; i += 4) {
            d[i] = Math.random() * 256;
            d[i + 1] = Math.random() * 256;
            d[i + 2] = Math.random() * 256;
            d[i + 3] = 255;
          }
          sg.putImageData(img, 0, 0);
          g.drawImage(small, 0, 0, width, height);
        }, 1000 / fps);
        return track;
      },

      /** A WebAudio oscillator as a MediaStreamTrack. */
      tone(frequency = 440) {
        const ctx = new AudioContext();
        const osc = ctx.createOscillator();
        osc.frequency.value = frequency;
        const dest = ctx.createMediaStreamDestination();
        osc.connect(dest);
        osc.start();
        ctx.resume();
        return dest.stream.getAudioTracks()[0];
      },

      /** A mono 16-bit PCM WAV file of a sine tone. */
      wav(seconds = 1, frequency = 440, rate = 16000) {
        const n = Math.round(seconds * rate);
        const buf = new ArrayBuffer(44 + n * 2);
        const v = new DataView(buf);
        const text = (off, s) => [...s].forEach((ch, i) => v.setUint8(off + i, ch.charCodeAt(0)));
        text(0, 'RIFF');
        v.setUint32(4, 36 + n * 2, true);
        text(8, 'WAVE');
        text(12, 'fmt ');
        v.setUint32(16, 16, true);
        v.setUint16(20, 1, true);
        v.setUint16(22, 1, true);
        v.setUint32(24, rate, true);
        v.setUint32(28, rate * 2, true);
        v.setUint16(32, 2, true);
        v.setUint16(34, 16, true);
        text(36, 'data');
        v.setUint32(40, n * 2, true);
        for (let i = 0; i < n; i++) v.setInt16(44 + i * 2, Math.round(Math.sin((2 * Math.PI * frequency * i) / rate) * 16000), true);
        return new Blob([buf], { type: 'audio/wav' });
      },

      /**
       * Forces what the SDK does not choose yet on every video transceiver the page adds: a codec
       * (`codec: 'AV1'`, with optional `fmtp` text it must contain), an SVC mode
       * (`scalabilityMode: 'L2T3'`) or simulcast (`simulcast: [{ rid, scaleResolutionDownBy }, ...]`).
       */
      forceVideo(options) {
        const original = RTCPeerConnection.prototype.addTransceiver;
        RTCPeerConnection.prototype.addTransceiver = function (trackOrKind, init = {}) {
          const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind;
          if (kind !== 'video') return original.call(this, trackOrKind, init);
          const base = (init.sendEncodings && init.sendEncodings[0]) || {};
          const next = { ...init };
          if (options.simulcast) next.sendEncodings = options.simulcast.map((e) => ({ ...base, ...e }));
          else if (options.scalabilityMode) next.sendEncodings = [{ ...base, scalabilityMode: options.scalabilityMode }];
          const transceiver = original.call(this, trackOrKind, next);
          if (options.codec) {
            const caps = RTCRtpSender.getCapabilities('video').codecs;
            const wanted = caps.filter((c) => c.mimeType.toLowerCase() === `video/${options.codec.toLowerCase()}`
              && (!options.fmtp || (c.sdpFmtpLine || '').includes(options.fmtp)));
            if (!wanted.length) throw new Error(`this browser cannot send ${options.codec} ${options.fmtp || ''}`);
            const rest = caps.filter((c) => !wanted.includes(c) && /rtx|red|ulpfec/i.test(c.mimeType));
            transceiver.setCodecPreferences([...wanted, ...rest]);
          }
          return transceiver;
        };
      },

      /** Inbound video stats of a subscribed user's track: codec, size, frames, freezes. */
      async inboundVideo(client, uid, kind = 'video') {
        const c = H.clients[client];
        const u = c.remoteUsers.find((x) => x.uid === uid);
        const t = u && (kind === 'screen' ? u._subscribed && [...u._subscribed.values()].find((r) => r.source === 'screen') : u.videoTrack);
        if (!t) return null;
        if (!t._receiver) return null;
        const report = await t._receiver.getStats();
        let inbound = null;
        const codecs = {};
        report.forEach((s) => { if (s.type === 'codec') codecs[s.id] = s.mimeType; });
        report.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s; });
        return inbound && {
          codec: codecs[inbound.codecId] || '', width: inbound.frameWidth || 0, height: inbound.frameHeight || 0,
          decoded: inbound.framesDecoded || 0, bytes: inbound.bytesReceived || 0, nacks: inbound.nackCount || 0,
          freezes: inbound.freezeCount || 0, freezeSeconds: inbound.totalFreezesDuration || 0,
          lost: inbound.packetsLost || 0, received: inbound.packetsReceived || 0,
          plis: inbound.pliCount || 0, keyframes: inbound.keyFramesDecoded || 0, dropped: inbound.framesDropped || 0,
          jitterBufferMs: inbound.jitterBufferEmittedCount ? Math.round(1000 * inbound.jitterBufferDelay / inbound.jitterBufferEmittedCount) : 0,
        };
      },

      /**
       * Waits for moving video of each of `uids`, then watches them all for `millis`; returns per
       * uid what accrued meanwhile (freeze time and count, frames decoded, the run's seconds) and
       * the stats at the end.
       */
      async watchVideo(client, uids, millis) {
        for (const uid of uids) await H.framesUntil(await H.video(client, uid), 31, 20000);
        const before = {};
        for (const uid of uids) before[uid] = await H.inboundVideo(client, uid);
        const t0 = performance.now();
        await H.sleep(millis);
        const out = {};
        for (const uid of uids) {
          const a = before[uid];
          const b = await H.inboundVideo(client, uid);
          out[uid] = { ...b, freezeSeconds: b.freezeSeconds - a.freezeSeconds, freezes: b.freezes - a.freezes,
            decoded: b.decoded - a.decoded, seconds: (performance.now() - t0) / 1000 };
        }
        return out;
      },

      /**
       * Sends this page's media through a relay: candidates on the server's media port `fromPort`
       * become `host`:`port` in every remote description applied from now on. Call before join.
       */
      routeMedia(fromPort, host, port) {
        Object.assign(route, { from: fromPort, host, port });
      },

      /** Candidates rewritten by routeMedia so far. */
      routedCandidates() {
        return route.rewritten;
      },

      /** Payload bit/s a remote user's video arrived at over about ms (bytesReceived of getStats). */
      async receiveBitrate(client, uid, ms) {
        const user = H.clients[client].remoteUsers.find((u) => u.uid === uid);
        if (!user || !user.videoTrack) throw new Error(`${client}: no video of ${uid}`);
        const a = await user.videoTrack.getStats();
        const t0 = performance.now();
        await sleep(ms);
        const b = await user.videoTrack.getStats();
        return ((b.bytesReceived - a.bytesReceived) * 8 * 1000) / (performance.now() - t0);
      },

      /**
       * Drops the newest open WebSocket of the page from the client side, as a lost network
       * would. With the in-page server, `identity` picks the socket of that participant.
       */
      dropSocket(identity) {
        const ws = sockets.filter((s) => s.readyState === 1 && (!identity || s.identity === undefined || s.identity === identity)).pop();
        if (!ws) throw new Error('no open WebSocket');
        ws.close(3000, 'test: connection dropped');
        return sockets.length;
      },
    };

    window.Fanout = Fanout;
    window.H = H;
    window.harnessReady = true;
  } catch (e) {
    window.harnessError = String((e && e.stack) || e);
  }
})();
