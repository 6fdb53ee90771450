"""A minimal WebDriver client for /usr/bin/chromedriver over HTTP, standard library only."""
import json, urllib.request, subprocess, time, tempfile, sys, os

PORT = 9517
class Driver:
    def __init__(self):
        self.proc = subprocess.Popen(['/usr/bin/chromedriver', f'--port={PORT}'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            try:
                urllib.request.urlopen(f'http://127.0.0.1:{PORT}/status').read(); break
            except Exception:
                time.sleep(0.1)
        self.udd = tempfile.mkdtemp(prefix='chr-')
        args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                f'--user-data-dir={self.udd}', '--use-fake-device-for-media-stream',
                '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection',
                '--autoplay-policy=no-user-gesture-required']
        caps = {'capabilities': {'alwaysMatch': {'browserName': 'chrome',
                'goog:chromeOptions': {'binary': '/usr/bin/chromium', 'args': args}}}}
        r = self.req('POST', '/session', caps)
        self.sid = r['value']['sessionId']
        self.req('POST', f'/session/{self.sid}/timeouts', {'script': 30000})
    def req(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        rq = urllib.request.Request(f'http://127.0.0.1:{PORT}{path}', data=data, method=method,
                                    headers={'Content-Type': 'application/json'})
        try:
            return json.loads(urllib.request.urlopen(rq).read())
        except urllib.error.HTTPError as e:
            raise RuntimeError(e.read().decode())
    def run(self, script, *args):
        """Runs an async script; the body must `return` a promise or value."""
        wrapped = 'const done = arguments[arguments.length-1]; const args = Array.from(arguments).slice(0,-1);' \
                  '(async () => {' + script + '})(...args).then(v => done({ok: v}), e => done({err: String(e && e.stack || e)}));'
        r = self.req('POST', f'/session/{self.sid}/execute/async', {'script': wrapped, 'args': list(args)})
        v = r['value']
        if 'err' in v: raise RuntimeError(v['err'])
        return v['ok']
    def goto(self, url):
        self.req('POST', f'/session/{self.sid}/url', {'url': url})
    def close(self):
        try: self.req('DELETE', f'/session/{self.sid}')
        finally: self.proc.terminate(); self.proc.wait()
