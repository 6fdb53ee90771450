"""Feeds Fanout's publish answer and subscribe offers to real Chromium and reports the result.

Usage: python3 interop.py <page url served from 127.0.0.1> <java classpath>
Needs /usr/bin/chromium and /usr/bin/chromedriver; see wd.py for the WebDriver client.
"""
import base64, json, subprocess, sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wd import Driver

url, cp = sys.argv[1], sys.argv[2]
tool = subprocess.Popen(['java', '-cp', cp, 'dev.fanout.sdp.ChromiumInteropTool'],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

def call(cmd, arg=None):
    line = cmd + ('' if arg is None else ' ' + base64.b64encode(arg.encode()).decode())
    tool.stdin.write(line + '\n'); tool.stdin.flush()
    resp = tool.stdout.readline().strip()
    if not resp.startswith('OK '):
        raise RuntimeError(f'{cmd}: {resp}')
    return base64.b64decode(resp[3:]).decode()

d = Driver()
try:
    d.goto(url)
    print('browser:', d.run('return navigator.userAgent;'))
    offer = d.run("""
      window.pub = new RTCPeerConnection();
      const ms = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 1280, height: 720}});
      pub.addTransceiver(ms.getAudioTracks()[0], {direction: 'sendonly', streams: [ms]});
      pub.addTransceiver(ms.getVideoTracks()[0], {direction: 'sendonly', streams: [ms], sendEncodings: [
        {rid: 'q', scaleResolutionDownBy: 4}, {rid: 'h', scaleResolutionDownBy: 2}, {rid: 'f'}]});
      const o = await pub.createOffer(); await pub.setLocalDescription(o); return o.sdp;""")
    answer = call('publish', offer)
    r = d.run("""
      await pub.setRemoteDescription({type: 'answer', sdp: args[0]});
      return {signaling: pub.signalingState,
              transceivers: pub.getTransceivers().map(t => ({mid: t.mid, currentDirection: t.currentDirection,
                 rids: t.sender.getParameters().encodings.map(e => e.rid || null)})),
              codecs: pub.getTransceivers().map(t => t.sender.getParameters().codecs.map(c => c.mimeType + '/' + c.payloadType))};""", answer)
    print('publish: setRemoteDescription(answer) OK:', json.dumps(r))

    def subscribe_round(label):
        offer = call('offer')
        ans = d.run("""
          window.sub = window.sub || new RTCPeerConnection();
          window.tracks = window.tracks || [];
          sub.ontrack = e => tracks.push(e.track.kind + ':' + (e.streams[0] && e.streams[0].id));
          await sub.setRemoteDescription({type: 'offer', sdp: args[0]});
          const a = await sub.createAnswer(); await sub.setLocalDescription(a);
          return a.sdp;""", offer)
        summary = call('answer', ans)
        state = d.run("""return {signaling: sub.signalingState, tracks,
            transceivers: sub.getTransceivers().map(t => ({mid: t.mid, currentDirection: t.currentDirection, stopped: t.stopped || false,
              codecs: t.receiver.getParameters().codecs.map(c => c.mimeType + '/' + c.payloadType)}))};""")
        print(f'subscribe {label}: setRemoteDescription(offer) + createAnswer OK')
        print('  server negotiated:', summary.replace('\n', '\n    '))
        print('  browser state:', json.dumps(state))
        return offer, ans

    call('add-audio'); call('add-video')
    subscribe_round('initial (audio + video)')
    call('remove', '1')
    subscribe_round('after removing mid 1')
    mid = call('add-video')
    o, a = subscribe_round(f'after adding video (recycled slot, new mid {mid})')
    print('---- last subscribe offer ----'); print(o)
    print('---- publish answer ----'); print(answer)
finally:
    d.close()
    tool.stdin.close(); tool.wait()
