"""Captures Chromium offers and answers into <out dir>. Usage: python3 capture.py <out dir> [page url on 127.0.0.1]."""
import sys, os
sys.path.insert(0, os.path.dirname(__file__))
from wd import Driver
out = sys.argv[1]
d = Driver()
try:
    d.goto(sys.argv[2] if len(sys.argv) > 2 else 'http://127.0.0.1:18777/index.html')
    print(d.run("return navigator.userAgent;"))
    # 1. publisher offer: audio + video sendonly
    s = d.run("""
      const pc = new RTCPeerConnection();
      const ms = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 480}});
      pc.addTransceiver(ms.getAudioTracks()[0], {direction: 'sendonly', streams: [ms]});
      pc.addTransceiver(ms.getVideoTracks()[0], {direction: 'sendonly', streams: [ms]});
      const o = await pc.createOffer(); await pc.setLocalDescription(o);
      await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); }; setTimeout(r, 3000); });
      return pc.localDescription.sdp;""")
    open(f'{out}/chromium-publish-offer-audio-video.sdp', 'w', newline='').write(s)
    # 2. simulcast offer
    s = d.run("""
      const pc = new RTCPeerConnection();
      const ms = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 1280, height: 720}});
      pc.addTransceiver(ms.getAudioTracks()[0], {direction: 'sendonly', streams: [ms]});
      pc.addTransceiver(ms.getVideoTracks()[0], {direction: 'sendonly', streams: [ms], sendEncodings: [
        {rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000},
        {rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000},
        {rid: 'f', maxBitrate: 1500000}]});
      const o = await pc.createOffer(); await pc.setLocalDescription(o);
      await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); }; setTimeout(r, 3000); });
      return pc.localDescription.sdp;""")
    open(f'{out}/chromium-publish-offer-simulcast.sdp', 'w', newline='').write(s)
    # 3. answer to an offer from a second connection (subscriber side)
    s = d.run("""
      const a = new RTCPeerConnection(); const b = new RTCPeerConnection();
      const ms = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
      a.addTransceiver(ms.getAudioTracks()[0], {direction: 'sendonly', streams: [ms]});
      a.addTransceiver(ms.getVideoTracks()[0], {direction: 'sendonly', streams: [ms]});
      const o = await a.createOffer(); await a.setLocalDescription(o);
      await b.setRemoteDescription(o);
      const ans = await b.createAnswer(); await b.setLocalDescription(ans);
      await new Promise(r => { if (b.iceGatheringState === 'complete') r(); b.onicegatheringstatechange = () => { if (b.iceGatheringState === 'complete') r(); }; setTimeout(r, 3000); });
      return [o.sdp, b.localDescription.sdp];""")
    open(f'{out}/chromium-subscribe-peer-offer.sdp', 'w', newline='').write(s[0])
    open(f'{out}/chromium-subscribe-answer.sdp', 'w', newline='').write(s[1])
    # 4. data channel only
    s = d.run("""
      const pc = new RTCPeerConnection(); pc.createDataChannel('chat');
      const o = await pc.createOffer(); await pc.setLocalDescription(o);
      return o.sdp;""")
    open(f'{out}/chromium-offer-datachannel.sdp', 'w', newline='').write(s)
finally:
    d.close()
