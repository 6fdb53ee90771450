// A stand-in for the Fanout server inside one page, for testing the SDK's media flows before
// (and independently of) the server's media path. It replaces window.WebSocket for /rtc URLs
// and speaks protocol v1 (docs/protocol.md): join, leave, ping, mute, publish, unpublish,
// subscribe, unsubscribe, subscriber-answer and their events. Media is relayed by real
// RTCPeerConnections of this page: what a client publishes is received by the publish
// connection's stand-in and sent on to each subscriber's subscribe connection.
//
// Tokens are not verified (the page fetches real ones from /dev/token); only their claims are read.
(() => {
  const NativeWebSocket = window.WebSocket;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function gathered(pc) {
    if (pc.iceGatheringState === 'complete') return;
    await new Promise((resolve) => {
      const check = () => pc.iceGatheringState === 'complete' && resolve();
      pc.addEventListener('icegatheringstatechange', check);
      setTimeout(resolve, 3000);
    });
  }

  class Failure extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  class FakeSfu {
    participants = new Set();
    nextTrack = 1;

    connect(ws) {
      ws.conn = { ws, queue: Promise.resolve(), p: null };
    }

    message(ws, text) {
      const conn = ws.conn;
      const msg = JSON.parse(text);
      conn.queue = conn.queue.then(() => this.handle(conn, msg)).catch((e) => console.error('fake-sfu', e));
    }

    closed(ws) {
      const p = ws.conn && ws.conn.p;
      if (p && this.participants.has(p)) this.remove(p, 'disconnected');
    }

    async handle(conn, msg) {
      const reply = (result) => conn.ws.deliver({ v: 1, id: msg.id, result: result || {} });
      const fail = (e) => conn.ws.deliver({ v: 1, id: msg.id, error: { code: e.code || 'INTERNAL_ERROR', message: e.message } });
      const params = msg.params || {};
      const p = conn.p;
      try {
        if (msg.method === 'ping') return reply();
        if (msg.method === 'join') {
          if (p) throw new Failure('ALREADY_JOINED', 'already joined');
          return reply(this.join(conn, params.token));
        }
        if (!p || !this.participants.has(p)) throw new Failure('NOT_JOINED', 'join first');
        switch (msg.method) {
          case 'leave':
            this.remove(p, 'left');
            return reply();
          case 'mute':
            return reply(this.mute(p, params.trackId, params.muted));
          case 'publish':
            return reply(await this.publish(p, params.offer, params.tracks || []));
          case 'unpublish':
            for (const id of params.trackIds || []) {
              const t = p.tracks.find((x) => x.trackId === id);
              if (!t) throw new Failure('TRACK_NOT_FOUND', id);
              this.unpublishTrack(p, t);
            }
            return reply();
          case 'subscribe':
            // Answered once the offer carrying it is made; later requests need not wait for that.
            this.subscribe(p, params.trackId).then(({ result, sendOffer }) => {
              reply(result);
              sendOffer();
            }, fail);
            return undefined;
          case 'unsubscribe':
            this.unsubscribe(p, params.trackId);
            return reply();
          case 'subscriber-answer':
            return reply(await this.answer(p, params.revision, params.sdp));
          default:
            throw new Failure('UNKNOWN_METHOD', `unknown method '${msg.method}'`);
        }
      } catch (e) {
        fail(e);
        return undefined;
      }
    }

    join(conn, token) {
      const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      const old = [...this.participants].find((x) => x.room === claims.room && x.identity === claims.sub);
      if (old) {
        this.remove(old, 'replaced');
        old.ws.serverClose(4001, 'replaced');
      }
      const p = {
        ws: conn.ws, room: claims.room, identity: claims.sub, tracks: [], pubPc: null, subPc: null,
        subs: new Map(), revision: 0, outstanding: null, answered: Promise.resolve(), offers: Promise.resolve(),
      };
      const others = this.others(p);
      for (const o of others) this.send(o, 'participant-joined', { participant: this.describe(p) });
      this.participants.add(p);
      conn.p = p;
      conn.ws.identity = p.identity;
      return {
        room: p.room, identity: p.identity, name: p.identity,
        grants: { canPublish: true, canSubscribe: true },
        participants: others.map((o) => this.describe(o)),
      };
    }

    others(p) {
      return [...this.participants].filter((x) => x !== p && x.room === p.room);
    }

    describe(p) {
      return { identity: p.identity, name: p.identity, tracks: p.tracks.map((t) => this.trackObject(t)) };
    }

    trackObject(t) {
      return { trackId: t.trackId, kind: t.kind, source: t.source, muted: t.muted };
    }

    send(p, event, data) {
      p.ws.deliver({ v: 1, event, data });
    }

    remove(p, reason) {
      this.participants.delete(p);
      for (const t of [...p.tracks]) this.unpublishTrack(p, t, false);
      for (const o of this.others(p)) this.send(o, 'participant-left', { identity: p.identity, reason });
      if (p.pubPc) p.pubPc.close();
      if (p.subPc) p.subPc.close();
    }

    mute(p, trackId, muted) {
      const t = p.tracks.find((x) => x.trackId === trackId);
      if (!t) throw new Failure('TRACK_NOT_FOUND', trackId);
      if (t.muted !== !!muted) {
        t.muted = !!muted;
        for (const o of this.others(p)) this.send(o, 'track-muted', { identity: p.identity, trackId, muted: t.muted });
      }
    }

    async publish(p, offer, tracks) {
      if (!p.pubPc) p.pubPc = new RTCPeerConnection();
      const pc = p.pubPc;
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        await pc.setLocalDescription(await pc.createAnswer());
      } catch (e) {
        throw new Failure('INVALID_SDP', e.message);
      }
      await gathered(pc);
      const byMid = new Map(pc.getTransceivers().filter((x) => x.mid !== null).map((x) => [x.mid, x]));
      for (const t of [...p.tracks]) {
        const tr = byMid.get(t.mid);
        if (!tr || tr.currentDirection === 'inactive' || tr.currentDirection === 'stopped') this.unpublishTrack(p, t);
      }
      const out = [];
      for (const d of tracks) {
        const tr = byMid.get(d.mid);
        if (!tr) throw new Failure('INVALID_PARAMS', `no mid ${d.mid}`);
        const t = {
          trackId: `TR_fake${this.nextTrack++}`, kind: d.kind, source: d.source, muted: !!d.muted, mid: d.mid,
          mst: tr.receiver.track, owner: p,
        };
        p.tracks.push(t);
        out.push({ mid: d.mid, trackId: t.trackId, kind: t.kind, source: t.source });
        for (const o of this.others(p)) this.send(o, 'track-published', { identity: p.identity, track: this.trackObject(t) });
      }
      return { answer: pc.localDescription.sdp, tracks: out };
    }

    unpublishTrack(p, t, announce = true) {
      p.tracks = p.tracks.filter((x) => x !== t);
      for (const o of this.others(p)) {
        if (announce) this.send(o, 'track-unpublished', { identity: p.identity, trackId: t.trackId, kind: t.kind, source: t.source });
        if (o.subs.has(t.trackId)) this.unsubscribe(o, t.trackId);
      }
    }

    findTrack(p, trackId) {
      for (const o of this.others(p)) {
        const t = o.tracks.find((x) => x.trackId === trackId);
        if (t) return t;
      }
      throw new Failure('TRACK_NOT_FOUND', trackId);
    }

    async subscribe(p, trackId) {
      const t = this.findTrack(p, trackId);
      if (p.subs.has(trackId)) {
        return { result: { trackId, mid: p.subs.get(trackId).transceiver.mid }, sendOffer: () => {} };
      }
      if (!p.subPc) p.subPc = new RTCPeerConnection();
      const transceiver = p.subPc.addTransceiver(t.mst, { direction: 'sendonly', streams: [new MediaStream()] });
      p.subs.set(trackId, { trackId, transceiver, owner: t.owner });
      const sendOffer = await this.offer(p);
      return { result: { trackId, mid: transceiver.mid }, sendOffer };
    }

    unsubscribe(p, trackId) {
      const sub = p.subs.get(trackId);
      if (!sub) return;
      p.subs.delete(trackId);
      sub.transceiver.stop();
      this.offer(p).then((sendOffer) => sendOffer(), (e) => console.error('fake-sfu offer', e));
    }

    /** Makes the next subscriber offer once the previous one is answered; resolves to a sender. */
    offer(p) {
      const made = p.offers.then(async () => {
        await p.answered;
        const pc = p.subPc;
        if (!this.participants.has(p) || pc.signalingState === 'closed') return () => {};
        await pc.setLocalDescription(await pc.createOffer());
        await gathered(pc);
        const revision = ++p.revision;
        p.outstanding = revision;
        p.answered = new Promise((resolve) => {
          p.resolveAnswer = resolve;
        });
        const tracks = [...p.subs.values()].map((s) => ({ mid: s.transceiver.mid, trackId: s.trackId, identity: s.owner.identity }));
        const sdp = pc.localDescription.sdp;
        return () => this.send(p, 'subscriber-offer', { revision, sdp, tracks });
      });
      p.offers = made.catch(() => {});
      return made;
    }

    async answer(p, revision, sdp) {
      if (revision !== p.outstanding) throw new Failure('INVALID_STATE', `no offer ${revision} outstanding`);
      try {
        await p.subPc.setRemoteDescription({ type: 'answer', sdp });
      } catch (e) {
        throw new Failure('INVALID_SDP', e.message);
      }
      p.outstanding = null;
      p.resolveAnswer();
      return {};
    }
  }

  const sfu = new FakeSfu();

  class FakeSocket extends EventTarget {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;

    constructor(url, protocols) {
      if (!/\/rtc(\?.*)?$/.test(String(url))) return new NativeWebSocket(url, protocols);
      super();
      this.url = String(url);
      this.readyState = 0;
      this.extensions = '';
      sfu.connect(this);
      sleep(0).then(() => {
        this.readyState = 1;
        this.onopen && this.onopen({ type: 'open' });
      });
    }

    send(text) {
      if (this.readyState !== 1) throw new DOMException('not open', 'InvalidStateError');
      sfu.message(this, text);
    }

    close(code = 1000, reason = '') {
      this.serverClose(code, reason);
    }

    deliver(obj) {
      if (this.readyState !== 1) return;
      const data = JSON.stringify(obj);
      sleep(0).then(() => this.readyState === 1 && this.onmessage && this.onmessage({ data }));
    }

    serverClose(code, reason) {
      if (this.readyState >= 2) return;
      this.readyState = 3;
      sfu.closed(this);
      sleep(0).then(() => this.onclose && this.onclose({ code, reason }));
    }
  }

  window.WebSocket = FakeSocket;
  window.fakeSfu = sfu;
})();
