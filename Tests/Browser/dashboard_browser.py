#!/usr/bin/env python3
"""The browser side of the dashboard's browser test: drives headless Chromium over the DevTools protocol.

Signs in with a token through the sign-in form, waits until the dashboard has rendered, measures the load, reads
what the page shows (every heatmap cell, the gap list) into OUT/initial.json and prints `initial`, then waits for the
test to publish an event (it writes `published` to the script's stdin) and for the page to change without a reload, reads the page again into
OUT/final.json, acknowledges a gap through the dialog, and saves a screenshot. Every wait is bounded; any failure
exits non-zero with the reason on stderr.
"""
import argparse
import base64
import json
import os
import signal
import sys
import time

from devtools import Browser

FACTS = """JSON.stringify({
  cells: Object.fromEntries([...document.querySelectorAll('#heatmap td[data-region]')].map((td) =>
    [td.dataset.region + '|' + td.dataset.group, {events: td.dataset.events, rate: td.dataset.rate,
      band: td.dataset.band, gaps: td.dataset.gaps, text: td.querySelector('.rate').textContent}])),
  gapCount: document.getElementById('gap-count').dataset.count,
  returnTitles: [...document.querySelectorAll('#completeness td[title]')].map((td) => td.title),
  summary: [...document.querySelectorAll('#summary li')].map((li) => li.dataset.group + '|' + li.dataset.severity),
  summaryFirst: (document.querySelector('#summary li') || {}).textContent || '',
  groupRows: document.querySelectorAll('#gaps tr.group').length,
  firstFinding: (document.querySelector('#gaps tr[data-key] td.sentence') || {}).textContent || '',
  charts: document.querySelectorAll('#trend-charts figure.chart svg[role=img]').length,
  chartPaths: document.querySelectorAll('#trend-charts path.series').length,
  chartWithheld: document.querySelectorAll('#trend-charts rect[data-withheld]').length,
  gapKeys: [...document.querySelectorAll('#gaps tr[data-key]')].map((tr) => tr.dataset.key),
  sinceCells: Object.fromEntries([...document.querySelectorAll('#gaps tr[data-key]')].map((tr) =>
    [tr.dataset.key, tr.children[4].textContent])),
  regionHeads: [...document.querySelectorAll('#heatmap th[scope=col][data-region]')].map((th) => th.dataset.region),
  updates: Number(document.body.dataset.updates || 0),
  readyAt: Number(document.body.dataset.readyAt || 0),
  live: document.getElementById('live').className,
  title: document.querySelector('h1').textContent,
  lang: document.documentElement.lang,
})"""


def measure_load(browser, url):
    """Loads the signed-in page afresh: wall clock from the navigation request to the page's own "rendered" mark
    (every view drawn from the API), and the page's navigation timing."""
    browser.evaluate('window.__previous = true')
    started = time.monotonic()
    browser.call('Page.navigate', url=url)
    browser.wait_for("!window.__previous && document.body && document.body.dataset.ready === '1'", 30,
                     'the dashboard on reload')
    wall = (time.monotonic() - started) * 1000
    timing = json.loads(browser.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0].toJSON())"))
    return {'wallMillis': round(wall), 'renderedMillis': int(browser.evaluate('document.body.dataset.readyAt')),
            'domContentLoadedMillis': round(timing['domContentLoadedEventEnd']),
            'loadEventMillis': round(timing['loadEventEnd'])}


def facts(browser):
    return json.loads(browser.evaluate(FACTS))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--chromium', default='chromium')
    parser.add_argument('--url', required=True, help='the dashboard, e.g. http://127.0.0.1:8080/dashboard')
    parser.add_argument('--token', required=True, help="an analyst's token")
    parser.add_argument('--out', required=True, help='a folder for the profile and the results')
    parser.add_argument('--screenshot', required=True)
    parser.add_argument('--note', default='Regional plan under way')
    parser.add_argument('--month', help='a month NO-VEST has signed off (YYYY-MM): the analyst accepts it')
    parser.add_argument('--periods-screenshot', help='where the screenshot of sign-off and lock goes')
    parser.add_argument('--measure', type=int, default=0,
                        help='only measure: load the signed-in page this many times and print the timings as JSON')
    arguments = parser.parse_args()
    out = arguments.out
    browser = Browser(arguments.chromium, os.path.join(out, 'profile'), 1600, 1200)
    try:
        browser.call('Page.enable')
        browser.call('Emulation.setDeviceMetricsOverride', width=1600, height=1200, deviceScaleFactor=1, mobile=False)
        # Without a token the dashboard sends the browser to the sign-in form.
        browser.call('Page.navigate', url=arguments.url)
        browser.wait_for("location.pathname.endsWith('/login') && !!document.getElementById('token')", 20,
                         'the sign-in form')
        browser.evaluate(f"document.getElementById('token').value = {json.dumps(arguments.token)};"
                         "document.querySelector('form').submit(); true")
        browser.wait_for("document.body && document.body.dataset.ready === '1'", 30, 'the dashboard after sign-in')
        if arguments.measure:
            loads = [measure_load(browser, arguments.url) for _ in range(arguments.measure)]
            walls = sorted(load['wallMillis'] for load in loads)
            print(json.dumps({'loads': loads, 'medianWallMillis': walls[len(walls) // 2],
                              'cells': len(facts(browser)['cells'])}))
            return
        load = measure_load(browser, arguments.url)
        initial = facts(browser)
        initial['load'] = load
        browser.wait_for("document.getElementById('live').classList.contains('on')", 10, 'the live stream')
        # The keyboard: the first Tab reaches the skip link, which shows itself when focused.
        for kind in ('keyDown', 'keyUp'):
            browser.call('Input.dispatchKeyEvent', type=kind, key='Tab', code='Tab', windowsVirtualKeyCode=9)
        initial['firstTab'] = browser.evaluate(
            "document.activeElement.className + ':' + (document.activeElement.getBoundingClientRect().left >= 0)")
        # The language switch: Norwegian labels, summary and findings, then back.
        browser.evaluate("document.getElementById('lang').click(); true")
        initial['norwegianTitle'] = browser.wait_for(
            "document.documentElement.lang === 'nb' && document.querySelector('h1').textContent", 5, 'Norwegian')
        initial['norwegianSummaryFirst'] = browser.evaluate(
            "(document.querySelector('#summary li') || {}).textContent || ''")
        initial['norwegianFirstFinding'] = browser.evaluate(
            "(document.querySelector('#gaps tr[data-key] td.sentence') || {}).textContent || ''")
        # The trends of NO-NORD, the small region: quarters withheld as withheld.
        browser.evaluate("const s = document.getElementById('trend-region'); s.value = 'NO-NORD';"
                         "s.dispatchEvent(new Event('change')); true")
        initial['nordChartWithheld'] = browser.wait_for(
            "document.querySelectorAll('#trend-charts rect[data-withheld]').length", 5, 'the NO-NORD charts')
        browser.evaluate("document.getElementById('lang').click(); true")
        browser.wait_for("document.documentElement.lang === 'en'", 5, 'English again')
        with open(os.path.join(out, 'initial.json.part'), 'w') as file:
            json.dump(initial, file)
        os.rename(os.path.join(out, 'initial.json.part'), os.path.join(out, 'initial.json'))
        # Tell the test the first reading is there, and wait for it to say it published an event through a node.
        print('initial', flush=True)
        if sys.stdin.readline().strip() != 'published':
            raise RuntimeError('the test ended before it published')
        # The page must change without a reload: the heatmap's counts differ from the first reading.
        before = {key: cell['events'] for key, cell in initial['cells'].items()}
        browser.evaluate('window.__unchanged = true')
        browser.wait_for(
            f"(() => {{ const before = {json.dumps(before)};"
            " return [...document.querySelectorAll('#heatmap td[data-region]')].some((td) =>"
            " td.dataset.events !== before[td.dataset.region + '|' + td.dataset.group]); })()",
            30, 'the heatmap changing live')
        final = facts(browser)
        final['reloaded'] = not browser.evaluate('window.__unchanged === true')

        # The events behind a heatmap cell, listed on the page.
        browser.evaluate("document.querySelector('#heatmap td[data-region=\"NO-VEST\"][data-group=\"PND\"] a')"
                         ".click(); true")
        final['eventRows'] = browser.wait_for(
            "!document.getElementById('events-section').hidden && "
            "document.querySelectorAll('#events tbody tr:not(.history)').length", 10, 'the events behind NO-VEST/PND')
        # One click away: the history of the first event listed (every version, who, when, what changed).
        browser.evaluate("document.querySelector('#events tbody tr:not(.history) td:last-child a').click(); true")
        final['historyItems'] = browser.wait_for(
            "document.querySelectorAll('#events ol.history li').length", 10, 'the history of an event')

        # An analyst acknowledges the first gap through the dialog.
        key = browser.evaluate("document.querySelector('#gaps tr[data-key] button.act').closest('tr').dataset.key")
        browser.evaluate("document.querySelector('#gaps tr[data-key] button.act').click(); true")
        browser.wait_for("document.getElementById('ack-dialog').open", 5, 'the acknowledgement dialog')
        browser.evaluate(f"document.getElementById('ack-note').value = {json.dumps(arguments.note)};"
                         "document.querySelector('#ack-form button[type=submit]').click(); true")
        browser.wait_for(f"[...document.querySelectorAll('#gaps tr')].some((tr) => tr.dataset.key === "
                         f"{json.dumps(key)} && tr.textContent.includes({json.dumps(arguments.note)}))", 10,
                         'the acknowledgement in the gap list')
        final['acknowledgedKey'] = key

        # The analyst accepts NO-VEST's signed-off month: the hub locks it, and the history shows both steps.
        if arguments.month:
            cell = f"#periods tr[data-region=NO-VEST] td[data-month=\"{arguments.month}\"]"
            browser.wait_for(f"!!document.querySelector('{cell} button.period-accept')", 15, 'the Accept button')
            final['periodSignedOff'] = browser.evaluate(f"document.querySelector('{cell}').textContent")
            browser.evaluate(f"document.querySelector('{cell} button.period-accept').click(); true")
            browser.wait_for(f"(document.querySelector('{cell}') || {{}}).dataset?.state === 'locked'", 15,
                             'the month locked')
            final['periodLocked'] = browser.evaluate(f"document.querySelector('{cell}').textContent")
            final['periodHistory'] = browser.evaluate(
                "[...document.querySelectorAll('#period-history-table tbody tr')].map((tr) => tr.dataset.kind)")
            if arguments.periods_screenshot:
                box = json.loads(browser.evaluate(
                    "JSON.stringify(document.getElementById('periods-section').getBoundingClientRect())"))
                top = box['y'] + browser.evaluate('window.scrollY')
                shot = browser.call('Page.captureScreenshot', format='png', captureBeyondViewport=True,
                                    clip={'x': 0, 'y': top, 'width': 1600, 'height': min(box['height'], 1600),
                                          'scale': 1})
                with open(arguments.periods_screenshot, 'wb') as file:
                    file.write(base64.b64decode(shot['data']))
        with open(os.path.join(out, 'final.json'), 'w') as file:
            json.dump(final, file)

        metrics = browser.call('Page.getLayoutMetrics')
        height = int(min(metrics['cssContentSize']['height'], 2400))
        shot = browser.call('Page.captureScreenshot', format='png', captureBeyondViewport=True,
                            clip={'x': 0, 'y': 0, 'width': 1600, 'height': height, 'scale': 1})
        with open(arguments.screenshot, 'wb') as file:
            file.write(base64.b64decode(shot['data']))
    finally:
        browser.close()


if __name__ == '__main__':
    # A test that gives up sends SIGTERM: leave through `finally`, so Chromium is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main()
    except Exception as error:  # the test reads stderr
        print(f'dashboard_browser: {type(error).__name__}: {error}', file=sys.stderr)
        sys.exit(1)
