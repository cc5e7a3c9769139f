#!/usr/bin/env python3
"""The browser side of the workspace's browser test: a coordinator's session in headless Chromium.

Signs in through the form; records an activity with three mistakes (a municipality code without its leading zero,
a negative count, an identity number in the note), reads the problems shown next to the fields, fixes them and
sends the activity, and waits until the page says it was delivered; corrects it from the region's activities;
withdraws it; uploads a spreadsheet with bad rows and imports its good rows; closes a month (makes last month's
return, sees it delivered, then signs in as the regional lead and signs the month off); checks the layout at 1366×768
and on a phone, and the first Tab. Saves a screenshot of each step under --shots, and writes what it read, with each step's
time, to OUT/result.json. Every wait is bounded; any failure exits non-zero with the reason on stderr.
"""
import argparse
import datetime
import json
import os
import signal
import sys
import time

from devtools import Browser

WIDTH, HEIGHT = 1366, 768


def problems(browser):
    """The problems the page shows: the summary's fields and codes, and each field's own message."""
    return json.loads(browser.evaluate("""JSON.stringify({
      summary: [...document.querySelectorAll('#problems li')].map((li) => li.dataset.field + ' ' + li.dataset.code),
      fields: [...document.querySelectorAll('.field-problem:not([hidden]) .problem-line')]
        .map((line) => line.closest('.field-problem').id.replace('problem-', '') + ' ' + line.dataset.code),
      invalid: [...document.querySelectorAll('[aria-invalid=true]')].map((node) => node.id),
      focused: document.activeElement.id,
    })"""))


def fill(browser, values):
    """Sets the form's fields as a person would leave them (selects, text, checkboxes)."""
    browser.evaluate(f"""(() => {{
      const values = {json.dumps(values)};
      for (const [name, value] of Object.entries(values)) {{
        if (Array.isArray(value)) {{
          for (const box of document.querySelectorAll(`#activity input[name=${{name}}]`)) box.checked = value.includes(box.value);
        }} else {{
          const input = document.getElementById('in-' + name);
          input.value = value;
          input.dispatchEvent(new Event('input'));
        }}
      }}
      return true;
    }})()""")


def send(browser):
    browser.evaluate("document.getElementById('send').click(); true")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--chromium', default='chromium')
    parser.add_argument('--url', required=True, help='the workspace, e.g. http://127.0.0.1:9465/workspace')
    parser.add_argument('--token', required=True, help="a coordinator's token")
    parser.add_argument('--lead-token', required=True, help="the regional lead's token")
    parser.add_argument('--month', required=True, help='the month to close, YYYY-MM (last month)')
    parser.add_argument('--csv', required=True, help='a spreadsheet with good and bad rows')
    parser.add_argument('--out', required=True, help='a folder for the profile and result.json')
    parser.add_argument('--shots', required=True, help='where the screenshots go (workspace-N-step.png)')
    arguments = parser.parse_args()
    out = arguments.out
    os.makedirs(arguments.shots, exist_ok=True)
    result = {'steps': []}
    browser = Browser(arguments.chromium, os.path.join(out, 'profile'), WIDTH, HEIGHT)

    def step(name, shot):
        """Ends a step: its time since the last one, and its screenshot."""
        now = time.monotonic()
        path = os.path.join(arguments.shots, shot)
        browser.screenshot(path, WIDTH)
        result['steps'].append({'step': name, 'millis': round((now - step.last) * 1000), 'screenshot': shot})
        step.last = time.monotonic()

    step.last = time.monotonic()
    try:
        browser.call('Page.enable')
        browser.call('DOM.enable')
        browser.call('Emulation.setDeviceMetricsOverride', width=WIDTH, height=HEIGHT, deviceScaleFactor=1,
                     mobile=False)
        # 1. Sign in: without a session the workspace sends the browser to the sign-in form.
        browser.call('Page.navigate', url=arguments.url)
        browser.wait_for("location.pathname.endsWith('/login') && !!document.getElementById('token')", 20,
                         'the sign-in form')
        browser.evaluate(f"document.getElementById('token').value = {json.dumps(arguments.token)};"
                         "document.querySelector('form').submit(); true")
        browser.wait_for("document.body && document.body.dataset.ready === 'true'", 30, 'the workspace')
        browser.wait_for("document.getElementById('link').textContent.length > 0", 10, 'the hub link line')
        result['signedIn'] = browser.evaluate("document.getElementById('who').textContent")
        result['link'] = browser.evaluate("document.getElementById('link').className")
        result['kinds'] = browser.evaluate("document.getElementById('in-kind').options.length - 1")
        result['norwegianLabel'] = browser.evaluate(
            "document.querySelector('label[for=in-kind]').textContent")
        # The keyboard: the first Tab reaches the skip link.
        browser.press('Tab', virtual=9)
        result['firstTab'] = browser.evaluate("document.activeElement.className")
        step('sign in', 'workspace-1-signed-in.png')

        # 2. Record an activity with three mistakes.
        yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
        fill(browser, {'kind': 'TRAINING', 'date': yesterday, 'municipality': '301', 'target_groups': ['PND'],
                       'programmes': ['COS_P'], 'tier': 'S', 'age_bands': ['M3_12'], 'professions': ['PHN', 'PSYCH'],
                       'participants': '-4', 'families': '0', 'sessions': '2', 'funding': 'PERMANENT',
                       'note': 'Oppfølging av 15108695088'})
        # The privacy guard checks the note as soon as the field is left.
        browser.evaluate("document.getElementById('in-note').dispatchEvent(new Event('blur')); true")
        result['noteCheckedBeforeSending'] = browser.wait_for(
            "(document.querySelector('#problem-note .problem-line') || {}).dataset?.code", 10, 'the note check')
        send(browser)
        browser.wait_for("!document.getElementById('problems').hidden", 10, 'the problems')
        result['mistakes'] = problems(browser)
        result['mistakesPageText'] = browser.evaluate("document.getElementById('problems').textContent")
        # A link in the summary leads to its field, and the form stays.
        browser.evaluate("document.querySelector('#problems li[data-field=municipality] a').click(); true")
        result['summaryLink'] = browser.evaluate(
            "document.activeElement.id + ':' + document.getElementById('record').hidden")
        result['englishMarked'] = browser.evaluate(
            "!!document.querySelector('#problem-municipality span[lang=en]')")
        step('three mistakes shown', 'workspace-2-three-mistakes.png')

        # 3. Fix them and send: queued, then delivered, live.
        fill(browser, {'municipality': '0301', 'participants': '14', 'note': 'COS-P gruppeledere, Bergen'})
        send(browser)
        result['queuedSeen'] = browser.wait_for(
            "['queued', 'delivered'].includes(document.getElementById('result').dataset.state) && "
            "document.getElementById('result').dataset.state", 15, 'queued')
        browser.wait_for("document.getElementById('result').dataset.state === 'delivered'", 30, 'delivered')
        result['delivered'] = browser.evaluate("document.getElementById('result').textContent")
        activity = browser.evaluate("document.getElementById('result').dataset.id")
        result['id'] = activity
        step('fixed and delivered', 'workspace-3-delivered.png')

        # 4. Correct it from the region's activities.
        browser.evaluate("location.hash = '#activities'; true")
        browser.wait_for(f"!!document.querySelector('#activity-table tr[data-id=\"{activity}\"]')", 15,
                         'the activity in the list')
        browser.evaluate(f"document.querySelector('#activity-table tr[data-id=\"{activity}\"] button.open').click();"
                         " true")
        browser.wait_for("!document.getElementById('activity-detail').hidden && !!document.getElementById('correct')",
                         10, 'the opened activity')
        browser.evaluate("document.getElementById('correct').click(); true")
        browser.wait_for("location.hash === '#record' && document.getElementById('in-participants').value === '14'",
                         10, 'the correction form')
        fill(browser, {'participants': '16'})
        send(browser)
        browser.wait_for("document.getElementById('result').dataset.state === 'delivered'", 30,
                         'the correction delivered')
        result['corrected'] = browser.evaluate("document.getElementById('result').textContent")
        step('corrected', 'workspace-4-corrected.png')

        # 5. Withdraw it, with a reason; its history shows every version.
        browser.evaluate("location.hash = '#activities'; true")
        browser.wait_for(f"(document.querySelector('#activity-table tr[data-id=\"{activity}\"] td.num') || {{}})"
                         ".textContent === '2'", 15, 'version 2 in the list')
        browser.evaluate(f"document.querySelector('#activity-table tr[data-id=\"{activity}\"] button.open').click();"
                         " true")
        browser.wait_for("(document.querySelector('#activity-detail h3') || {}).textContent?.includes('(v2') && "
                         "!!document.getElementById('withdraw')", 10, 'the withdraw button of version 2')
        browser.evaluate("document.getElementById('withdraw-reason').value = 'Registrert to ganger';"
                         "document.getElementById('withdraw').click(); true")
        browser.wait_for("document.querySelectorAll('#activity-detail ol.history li').length === 3 && "
                         "!document.getElementById('withdraw')", 30, 'the withdrawal in the history')
        result['history'] = browser.evaluate(
            "[...document.querySelectorAll('#activity-detail ol.history li')].map((li) => li.textContent)")
        step('withdrawn', 'workspace-5-withdrawn.png')

        # 6. Upload a spreadsheet with bad rows: shown as a table before anything is imported.
        browser.evaluate("location.hash = '#spreadsheet'; true")
        document = browser.call('DOM.getDocument')
        node = browser.call('DOM.querySelector', nodeId=document['root']['nodeId'], selector='#csv-file')
        browser.call('DOM.setFileInputFiles', nodeId=node['nodeId'], files=[os.path.abspath(arguments.csv)])
        browser.evaluate("document.querySelector('#upload button[type=submit]').click(); true")
        browser.wait_for("!!document.getElementById('sheet-table')", 15, 'the spreadsheet table')
        result['sheet'] = json.loads(browser.evaluate("""JSON.stringify({
          summary: document.getElementById('sheet-summary').textContent,
          bad: [...document.querySelectorAll('#sheet-table tr.row-bad')].map((tr) => Number(tr.dataset.line)),
          hints: [...document.querySelectorAll('#sheet-table .hint')].map((span) => span.dataset.suggestion),
        })"""))
        step('spreadsheet checked', 'workspace-6-spreadsheet.png')
        browser.evaluate("document.getElementById('import-good').click(); true")
        result['imported'] = browser.wait_for(
            "(document.getElementById('import-result') || {}).textContent", 30, 'the import')
        step('good rows imported', 'workspace-7-imported.png')

        # The region's picture as the hub sees it.
        browser.evaluate("location.hash = '#picture'; true")
        result['picture'] = browser.wait_for(
            "document.getElementById('picture-body').textContent", 15, "the region's picture")
        step("region's picture", 'workspace-8-picture.png')

        # 8. Close a month: the coordinator makes last month's return and sees it delivered…
        month = arguments.month
        row = f"#month-table tr[data-month=\"{month}\"][data-node=\"NO-VEST-BERGEN\"]"
        browser.evaluate("location.hash = '#month'; true")
        browser.wait_for(f"!!document.querySelector('{row} button[data-nil=false]')", 15, f'the return due for {month}')
        result['monthDue'] = browser.evaluate(f"document.querySelector('{row}').dataset.state")
        browser.evaluate(f"document.querySelector('{row} button[data-nil=false]').click(); true")
        browser.wait_for(f"(document.querySelector('{row}') || {{}}).dataset?.delivery === 'delivered'", 30,
                         'the return delivered')
        result['returned'] = browser.evaluate(f"document.querySelector('{row}').textContent")
        result['returnMessage'] = browser.evaluate("document.getElementById('month-result').textContent")
        result['coordinatorSignOffButtons'] = browser.evaluate("document.querySelectorAll('button.sign-off').length")
        step('month returned', 'workspace-9-month-returned.png')

        # …then the regional lead signs in and signs the month off.
        browser.evaluate("document.querySelector('form[action=\"/workspace/logout\"]').submit(); true")
        browser.wait_for("location.pathname.endsWith('/login') && !!document.getElementById('token')", 20,
                         'the sign-in form after signing out')
        browser.evaluate(f"document.getElementById('token').value = {json.dumps(arguments.lead_token)};"
                         "document.querySelector('form').submit(); true")
        browser.wait_for("document.body && document.body.dataset.ready === 'true'", 30, 'the workspace, as the lead')
        result['lead'] = browser.evaluate("document.getElementById('who').textContent")
        browser.evaluate("location.hash = '#month'; true")
        browser.wait_for(f"!!document.querySelector('button.sign-off[data-month=\"{month}\"]')", 15,
                         'the sign-off button')
        browser.evaluate(f"document.querySelector('button.sign-off[data-month=\"{month}\"]').click(); true")
        browser.wait_for(f"(document.querySelector('{row}') || {{}}).dataset?.state === 'signedOff'", 30,
                         'the month signed off')
        result['signedOff'] = browser.evaluate(f"document.querySelector('{row}').textContent")
        result['signOffMessage'] = browser.evaluate("document.getElementById('month-result').textContent")
        step('month signed off', 'workspace-10-month-signed-off.png')

        # 7. The layout: nothing wider than a 1366×768 laptop, nor than a phone.
        result['laptopOverflow'] = browser.evaluate(
            f"document.documentElement.scrollWidth - {WIDTH}")
        browser.call('Emulation.setDeviceMetricsOverride', width=390, height=844, deviceScaleFactor=1, mobile=True)
        browser.evaluate("location.hash = '#record'; true")
        browser.wait_for("!document.getElementById('record').hidden", 5, 'the form on a phone')
        result['phoneOverflow'] = browser.evaluate("document.documentElement.scrollWidth - 390")
        now = time.monotonic()
        browser.screenshot(os.path.join(arguments.shots, 'workspace-11-phone.png'), 390, 3000)
        result['steps'].append({'step': 'phone', 'millis': round((now - step.last) * 1000),
                                'screenshot': 'workspace-11-phone.png'})

        with open(os.path.join(out, 'result.json'), 'w') as file:
            json.dump(result, file)
    except Exception:
        # What the page showed when it went wrong, for the one who reads the failure.
        try:
            browser.screenshot(os.path.join(arguments.shots, 'workspace-failure.png'), WIDTH)
            shown = browser.evaluate("document.querySelector('main > section:not([hidden])').innerText")
            print(f'workspace_browser: the page said: {shown[:1500]}', file=sys.stderr)
        except Exception:
            pass
        raise
    finally:
        browser.close()


if __name__ == '__main__':
    # A test that gives up sends SIGTERM: leave through `finally`, so Chromium is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main()
    except Exception as error:  # the test reads stderr
        print(f'workspace_browser: {type(error).__name__}: {error}', file=sys.stderr)
        sys.exit(1)
