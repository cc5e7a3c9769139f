"""Headless Chromium driven over the DevTools protocol: what the browser tests share (dashboard_browser.py,
workspace_browser.py). Debian: chromium and python3-websocket (websocket-client)."""
import base64
import json
import queue
import re
import subprocess
import threading
import time
import urllib.request

import websocket  # Debian: python3-websocket (websocket-client)


class Browser:
    def __init__(self, chromium, profile, width, height):
        self.process = subprocess.Popen(
            [chromium, '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
             '--no-default-browser-check', '--remote-debugging-port=0', '--remote-allow-origins=*',
             f'--user-data-dir={profile}', f'--window-size={width},{height}', 'about:blank'],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            self.socket = self.connect()
        except BaseException:
            self.stop_process()  # never leave a browser behind
            raise
        self.next_id = 0

    def connect(self):
        """Chromium says on stderr where its DevTools listen ("DevTools listening on ws://127.0.0.1:PORT/…"): read
        its lines as they come (a thread keeps draining them after, so Chromium never blocks on a full pipe)."""
        lines = queue.Queue()

        def drain():
            for line in self.process.stderr:
                lines.put(line)
            lines.put(None)  # Chromium closed stderr: it exited

        threading.Thread(target=drain, daemon=True).start()
        while True:
            try:
                # Only a bound on failure: each line is taken as soon as Chromium writes it.
                line = lines.get(timeout=30)
            except queue.Empty:
                raise TimeoutError('chromium did not say where its DevTools listen within 30 s') from None
            if line is None:
                raise RuntimeError(f'chromium exited with {self.process.wait()} before opening DevTools')
            found = re.search(r'DevTools listening on ws://[^:/]+:(\d+)/', line)
            if found:
                break
        port = int(found.group(1))
        targets = json.load(urllib.request.urlopen(f'http://127.0.0.1:{port}/json/list', timeout=10))
        page = next(target for target in targets if target['type'] == 'page')
        return websocket.create_connection(page['webSocketDebuggerUrl'], timeout=30, suppress_origin=True)

    def stop_process(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def call(self, method, **params):
        self.next_id += 1
        ident = self.next_id
        self.socket.send(json.dumps({'id': ident, 'method': method, 'params': params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get('id') == ident:
                if 'error' in message:
                    raise RuntimeError(f'{method}: {message["error"]}')
                return message.get('result', {})

    def evaluate(self, expression):
        result = self.call('Runtime.evaluate', expression=expression, returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in result:
            raise RuntimeError(f'page script failed: {result["exceptionDetails"]}')
        return result['result'].get('value')

    def wait_for(self, expression, seconds, what):
        """The value of `expression` once it is truthy: checked now and again at every change of the page's DOM (a
        MutationObserver in the page), so nothing is polled; `seconds` only bounds a failure."""
        deadline = time.monotonic() + seconds
        # A navigation (signing in, a reload) ends the page the observer watches; the wait goes on in the new one.
        for _ in range(100):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                value = self._observe(expression, remaining)
            except RuntimeError as error:
                if 'navigated' in str(error) or 'context' in str(error).lower():
                    continue
                raise
            if value:
                return value
        raise TimeoutError(f'{what}: not within {seconds} s')

    def _observe(self, expression, seconds):
        """One wait for `expression` in the current page (None when `seconds` pass first)."""
        script = f"""new Promise((resolve, reject) => {{
          const read = () => ({expression});
          const first = read();
          if (first) {{ resolve(first); return; }}
          let timer;
          const observer = new MutationObserver(() => {{
            try {{
              const value = read();
              if (value) {{ observer.disconnect(); clearTimeout(timer); resolve(value); }}
            }} catch (error) {{ observer.disconnect(); clearTimeout(timer); reject(error); }}
          }});
          observer.observe(document, {{subtree: true, childList: true, attributes: true, characterData: true}});
          timer = setTimeout(() => {{ observer.disconnect(); resolve(null); }}, {int(seconds * 1000)});
        }})"""
        self.socket.settimeout(seconds + 30)
        try:
            return self.evaluate(script)
        finally:
            self.socket.settimeout(30)

    def close(self):
        try:
            self.socket.close()
        finally:
            self.stop_process()

    def screenshot(self, path, width, max_height=2400):
        """The whole page, up to max_height CSS pixels, as a PNG."""
        metrics = self.call('Page.getLayoutMetrics')
        height = int(min(metrics['cssContentSize']['height'], max_height))
        shot = self.call('Page.captureScreenshot', format='png', captureBeyondViewport=True,
                         clip={'x': 0, 'y': 0, 'width': width, 'height': height, 'scale': 1})
        with open(path, 'wb') as file:
            file.write(base64.b64decode(shot['data']))

    def press(self, key, code=None, virtual=None):
        """One key press, as the keyboard sends it."""
        for kind in ('keyDown', 'keyUp'):
            self.call('Input.dispatchKeyEvent', type=kind, key=key, code=code or key,
                      windowsVirtualKeyCode=virtual or 0)
