"""Headless Chromium driven over the DevTools protocol: what the browser tests share (dashboard_browser.py,
workspace_browser.py). Debian: chromium and python3-websocket (websocket-client)."""
import base64
import json
import os
import subprocess
import time
import urllib.request

import websocket  # Debian: python3-websocket (websocket-client)


class Browser:
    def __init__(self, chromium, profile, width, height):
        port_file = os.path.join(profile, 'DevToolsActivePort')
        if os.path.exists(port_file):
            os.remove(port_file)  # left by an earlier run: it names a port nobody listens on any more
        self.process = subprocess.Popen(
            [chromium, '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
             '--no-default-browser-check', '--remote-debugging-port=0', '--remote-allow-origins=*',
             f'--user-data-dir={profile}', f'--window-size={width},{height}', 'about:blank'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.socket = self.connect(port_file)
        except BaseException:
            self.stop_process()  # never leave a browser behind
            raise
        self.next_id = 0

    def connect(self, port_file):
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            if self.process.poll() is not None:
                raise RuntimeError(f'chromium exited with {self.process.returncode} before opening DevTools')
            if time.monotonic() > deadline:
                raise TimeoutError('chromium did not open its DevTools port within 30 s')
            time.sleep(0.05)
        port = int(open(port_file).read().split()[0])
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
        deadline = time.monotonic() + seconds
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f'{what}: not within {seconds} s')
            time.sleep(0.1)

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
