'use strict';
// The dashboard page: reads the JSON API, renders every view, and follows the live stream (Server-Sent Events).
// No framework and no build step: the hub serves this file as it is.
(() => {
  const api = '/dashboard/api/';
  const text = {
    en: {
      skip: 'Skip to content', title: 'Infant mental health services – national view', signOut: 'Sign out',
      sections: 'Sections', heatmapNav: 'Coverage', gapsNav: 'Findings', nodesNav: 'Nodes', trendsNav: 'Trends',
      programmesNav: 'Programmes', auditNav: 'Acknowledgements',
      heatmapTitle: 'Coverage: activities per 1,000 births, last 12 months', legend: 'Legend',
      bandFarBelow: 'under half the national median', bandBelow: 'under ¾ of the median',
      bandNear: 'near the median', bandAbove: 'over 1¼ × the median', bandSuppressed: 'fewer than 5, withheld',
      bandNoData: 'no data (nodes silent)', legendGap: 'open gap (rule shown)', downloadCsv: 'Download CSV',
      gapsTitle: 'Findings, most urgent first', eventsTitle: 'Events behind', nodesTitle: 'Node status',
      completenessTitle: 'Monthly returns', overdue: 'overdue', noReturnsExpected: 'No returns are expected yet',
      returnMade: 'made', returnReceived: 'received', returnDue: 'due by',
      periodsNav: 'Sign-off', periodsTitle: 'Sign-off and lock', periodHistory: 'History', reason: 'Reason', month: 'Month', step: 'Step', by: 'By', when: 'When',
      periodsNote: "The regional lead signs off the region's month; the national centre accepts it, which locks it, or reopens it with a reason.",
      periodOpen: 'open', periodSignedOff: 'signed off', periodLocked: 'locked', accept: 'Accept and lock',
      reopen: 'Reopen', reopenReason: 'Why is the month reopened?', periodFailed: 'Not recorded:', noSteps: 'No steps yet.',
      'sign-off': 'signed off', 'accept-step': 'accepted (locked)', 'reopen-step': 'reopened', lead: 'regional lead',
      coordinator: 'coordinator', periodDone: (region, month, state) => `${region} ${month}: ${state}.`,
      trendsTitle: 'Activities per quarter', programmesTitle: 'Programme registry',
      auditTitle: 'Acknowledgements (audit trail)', ackTitle: 'Acknowledge gap',
      ackNote: 'Note (what is being done, by whom)', ackSave: 'Acknowledge', cancel: 'Cancel', region: 'Region',
      targetGroup: 'Target group', median: 'National median', window: 'Window', to: 'to', events: 'events',
      noData: 'no data', withheld: '<5', severity: 'Severity', rule: 'Rule', subject: 'About', since: 'Since',
      orEarlier: 'or earlier',
      what: 'Finding', inputs: 'Inputs and thresholds', acknowledged: 'Acknowledged', input: 'input',
      threshold: 'threshold', showEvents: 'Events', acknowledge: 'Acknowledge', national: 'national',
      red: 'RED', amber: 'AMBER', live: 'Live', updated: 'updated', reconnecting: 'Reconnecting…',
      connecting: 'Connecting…', hubProblem: 'The hub cannot be reached:', noGaps: 'No open gaps.',
      date: 'Date', node: 'Node', kind: 'Kind', tier: 'Tier', programmes: 'Programmes', funding: 'Funding',
      version: 'Version', history: 'history', latest: 'latest', withdrawn: 'withdrawn', changed: 'changed',
      families: 'Families', sessions: 'Sessions', eventsWithheld: 'Fewer than 5 events: not listed.',
      matched: 'events matched', listed: 'listed', daemon: 'Node daemon', connected: 'Connected', yes: 'yes',
      no: 'no', lastHeard: 'Last heard', settled: 'Settled through', backlog: 'Backlog', key: 'Key',
      unknown: 'unknown (node side)', secondsAgo: 's ago', never: 'never', localNode: 'Local node', town: 'Town',
      lastReport: 'Last activity', stale: 'silent', days: 'days', quarter: 'Quarter', partial: '(running)',
      code: 'Code', name: 'Name', band: 'Evidence band', ratings: 'Ratings', tiers: 'Tiers',
      deliveredIn: 'Delivered in', none: 'none', nowhere: 'nowhere', when: 'When', who: 'Who', note: 'Note',
      gap: 'Gap', noAcks: 'No acknowledgements yet.', rate: 'rate', ofMedian: '× median', staleNodes: 'silent:',
      signedInAs: 'Signed in as', analyst: 'analyst', viewer: 'viewer', cellLabel: 'events per 1,000 births',
      ackFailed: 'Could not acknowledge:', births: 'births', all: 'all', of: 'of',
      summaryNav: 'Summary', summaryTitle: 'National summary by target group', notesTitle: 'Data notes (no gap, but no conclusion either)',
      bandAbsent: 'none here while other regions have some: a gap', bandNotEnoughData: 'not enough data yet (not compared)',
      downloadExcel: 'Download for Excel', figures: 'Figures', findings: 'findings', show: 'Show', hide: 'Hide',
      statistics: 'Statistics', rank: '#', chartLabel: 'activities per quarter', withheldLong: 'withheld',
      running: 'running', noneHere: 'none here', notEnoughData: 'not enough data',
    },
    nb: {
      skip: 'Hopp til innholdet', title: 'Tjenester for psykisk helse hos sped- og småbarn – nasjonalt bilde',
      signOut: 'Logg ut', sections: 'Seksjoner', heatmapNav: 'Dekning', gapsNav: 'Funn', nodesNav: 'Noder',
      trendsNav: 'Utvikling', programmesNav: 'Programmer', auditNav: 'Kvitteringer',
      heatmapTitle: 'Dekning: aktiviteter per 1 000 fødte, siste 12 måneder', legend: 'Tegnforklaring',
      bandFarBelow: 'under halvparten av nasjonal median', bandBelow: 'under ¾ av medianen',
      bandNear: 'nær medianen', bandAbove: 'over 1¼ × medianen', bandSuppressed: 'færre enn 5, skjult',
      bandNoData: 'ingen data (noder tause)', legendGap: 'åpen mangel (regel vist)', downloadCsv: 'Last ned CSV',
      gapsTitle: 'Funn, de mest presserende først', eventsTitle: 'Hendelser bak', nodesTitle: 'Nodestatus',
      completenessTitle: 'Månedsrapporter', overdue: 'forsinket', noReturnsExpected: 'Ingen rapporter er ventet ennå',
      returnMade: 'laget', returnReceived: 'mottatt', returnDue: 'frist',
      periodsNav: 'Godkjenning', periodsTitle: 'Godkjenning og låsing', periodHistory: 'Historikk', reason: 'Begrunnelse', month: 'Måned', step: 'Steg', by: 'Av', when: 'Når',
      periodsNote: 'Regional leder godkjenner regionens måned; nasjonalt senter godtar den, og da låses den, eller åpner den igjen med en begrunnelse.',
      periodOpen: 'åpen', periodSignedOff: 'godkjent', periodLocked: 'låst', accept: 'Godta og lås',
      reopen: 'Åpne igjen', reopenReason: 'Hvorfor åpnes måneden igjen?', periodFailed: 'Ikke registrert:', noSteps: 'Ingen steg ennå.',
      'sign-off': 'godkjent', 'accept-step': 'godtatt (låst)', 'reopen-step': 'åpnet igjen', lead: 'regional leder',
      coordinator: 'koordinator', periodDone: (region, month, state) => `${region} ${month}: ${state}.`,
      trendsTitle: 'Aktiviteter per kvartal', programmesTitle: 'Programregister',
      auditTitle: 'Kvitteringer (revisjonsspor)', ackTitle: 'Kvitter for mangel',
      ackNote: 'Merknad (hva gjøres, av hvem)', ackSave: 'Kvitter', cancel: 'Avbryt', region: 'Region',
      targetGroup: 'Målgruppe', median: 'Nasjonal median', window: 'Periode', to: 'til', events: 'hendelser',
      noData: 'ingen data', withheld: '<5', severity: 'Alvorlighet', rule: 'Regel', subject: 'Gjelder',
      orEarlier: 'eller tidligere',
      since: 'Siden', what: 'Funn', inputs: 'Grunnlag og terskler', acknowledged: 'Kvittert', input: 'grunnlag',
      threshold: 'terskel', showEvents: 'Hendelser', acknowledge: 'Kvitter', national: 'nasjonalt',
      red: 'RØD', amber: 'GUL', live: 'Direkte', updated: 'oppdatert', reconnecting: 'Kobler til på nytt…',
      connecting: 'Kobler til…', hubProblem: 'Knutepunktet svarer ikke:', noGaps: 'Ingen åpne mangler.',
      date: 'Dato', node: 'Node', kind: 'Type', tier: 'Nivå', programmes: 'Programmer', funding: 'Finansiering',
      version: 'Versjon', history: 'historikk', latest: 'gjeldende', withdrawn: 'trukket tilbake', changed: 'endret',
      families: 'Familier', sessions: 'Økter', eventsWithheld: 'Færre enn 5 hendelser: ikke vist.',
      matched: 'hendelser funnet', listed: 'vist', daemon: 'Nodetjeneste', connected: 'Tilkoblet', yes: 'ja',
      no: 'nei', lastHeard: 'Sist hørt', settled: 'Lagret til og med', backlog: 'Kø', key: 'Nøkkel',
      unknown: 'ukjent (på noden)', secondsAgo: 's siden', never: 'aldri', localNode: 'Lokal node', town: 'Sted',
      lastReport: 'Siste aktivitet', stale: 'taus', days: 'dager', quarter: 'Kvartal', partial: '(pågår)',
      code: 'Kode', name: 'Navn', band: 'Evidensnivå', ratings: 'Vurderinger', tiers: 'Nivåer',
      deliveredIn: 'Levert i', none: 'ingen', nowhere: 'ingen steder', when: 'Når', who: 'Hvem', note: 'Merknad',
      gap: 'Mangel', noAcks: 'Ingen kvitteringer ennå.', rate: 'rate', ofMedian: '× median', staleNodes: 'tause:',
      signedInAs: 'Logget inn som', analyst: 'analytiker', viewer: 'leser', cellLabel: 'hendelser per 1 000 fødte',
      ackFailed: 'Kunne ikke kvittere:', births: 'fødte', all: 'alle', of: 'av',
      summaryNav: 'Sammendrag', summaryTitle: 'Nasjonalt sammendrag per målgruppe',
      notesTitle: 'Datamerknader (ingen mangel, men heller ingen konklusjon)',
      bandAbsent: 'ingen her mens andre regioner har noe: en mangel', bandNotEnoughData: 'ikke nok data ennå (ikke sammenlignet)',
      downloadExcel: 'Last ned for Excel', figures: 'Tall', findings: 'funn', show: 'Vis', hide: 'Skjul',
      statistics: 'Statistikk', rank: 'nr.', chartLabel: 'aktiviteter per kvartal', withheldLong: 'skjult',
      running: 'pågår', noneHere: 'ingen her', notEnoughData: 'ikke nok data',
    },
  };
  const bandSymbol = { 'far-below': '▼▼', below: '▼', near: '●', above: '▲', none: '–', suppressed: '',
    'no-data': '?', absent: '✖', 'not-enough-data': '…' };
  let language = localStorage.getItem('knutepunkt.lang') === 'nb' ? 'nb' : 'en';
  const data = { me: null, overview: null, summary: null, heatmap: null, gaps: null, nodes: null, trends: null,
    programmes: null, acknowledgements: null, periods: null };
  const svgNS = 'http://www.w3.org/2000/svg';
  let eventsShown = null;
  const t = (key) => text[language][key] ?? text.en[key] ?? key;
  const $ = (id) => document.getElementById(id);

  // Builds an element: el('td', {class: 'x', dataset: {a: 1}}, 'text', child…). Text is never parsed as HTML.
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'dataset') Object.assign(node.dataset, value);
      else if (name === 'on') {
        for (const [type, handler] of Object.entries(value)) node.addEventListener(type, handler);
      }
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const number = (value, digits = 0) => value === null || value === undefined ? '' :
    Number(value).toLocaleString(language === 'nb' ? 'nb-NO' : 'en-GB',
      { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const severityLabel = (severity) => severity === 'RED' ? '⚠ ' + t('red') : '◆ ' + t('amber');
  // The day a finding began; "or earlier" when the data only bound it (sinceBasis AT_LEAST).
  const sinceText = (gap) => gap.sinceBasis === 'AT_LEAST' ? `${gap.since} ${t('orEarlier')}` : gap.since;
  const severityClass = (severity) => severity === 'RED' ? 'severity-red' : 'severity-amber';

  async function load(name) {
    const response = await fetch(api + name, { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) { location.href = '/dashboard/login'; throw new Error('signed out'); }
    if (!response.ok) throw new Error(name + ': HTTP ' + response.status);
    return response.json();
  }

  function applyLanguage() {
    document.documentElement.lang = language === 'nb' ? 'nb' : 'en';
    for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll('[data-i18n-label]')) {
      node.setAttribute('aria-label', t(node.dataset.i18nLabel));
    }
    const other = language === 'nb' ? 'en' : 'nb';
    $('lang').textContent = other === 'nb' ? 'Norsk' : 'English';
    $('lang').setAttribute('lang', other);
    $('lang').setAttribute('aria-label', other === 'nb' ? 'Bytt til norsk' : 'Switch to English');
    renderAll();
  }

  function renderAll() {
    renderWho(); renderLive(); renderSummary(); renderHeatmap(); renderGaps(); renderNodes(); renderTrends();
    renderProgrammes(); renderCompleteness(); renderPeriods();
    renderAudit(); if (eventsShown) renderEvents();
  }

  function renderWho() {
    if (!data.me) return;
    $('who').textContent = `${t('signedInAs')} ${data.me.name} (${t(data.me.role)})`;
  }

  let liveState = 'connecting';
  let lastUpdate = null;
  function renderLive() {
    const live = $('live');
    live.classList.toggle('on', liveState === 'on');
    live.classList.toggle('off', liveState === 'off');
    const time = lastUpdate ? lastUpdate.toLocaleTimeString(language === 'nb' ? 'nb-NO' : 'en-GB') : '';
    $('live-text').textContent = liveState === 'on' ? `${t('live')} · ${t('updated')} ${time}` :
      liveState === 'off' ? t('reconnecting') : t('connecting');
    const problem = data.overview && (data.overview.hubProblem || data.overview.storeProblem);
    $('hub-problem').hidden = !problem;
    $('hub-problem').textContent = problem ? `${t('hubProblem')} ${problem}` : '';
  }

  function renderHeatmap() {
    const box = $('heatmap');
    if (!data.heatmap) return;
    box.replaceChildren();
    for (const country of data.heatmap.countries) {
      $('heatmap-window').textContent =
        `${t('window')}: ${country.windowStart} – ${country.asOf}`;
      const cells = new Map(country.cells.map((cell) => [cell.region + '|' + cell.targetGroup, cell]));
      const head = el('tr', {}, el('th', { scope: 'col' }, t('targetGroup')),
        country.regions.map((region) => el('th',
          { scope: 'col', class: 'region-head', dataset: { region: region.code } },
          region.code, el('small', {}, `${number(region.births)} ${t('births')}`),
          region.noData ? el('small', { class: 'stale' }, '? ' + t('noData')) : null,
          region.staleNodes.length
            ? el('small', { class: 'stale' }, `○ ${t('staleNodes')} ${region.staleNodes.join(', ')}`) : null)),
        el('th', { scope: 'col', class: 'num' }, t('median')));
      const rows = country.targetGroups.map((group) => el('tr', {},
        el('th', { scope: 'row', title: groupName(group) }, group.code,
          el('small', { class: 'note' }, ' ' + groupName(group))),
        country.regions.map((region) => heatCell(cells.get(region.code + '|' + group.code), region, group)),
        el('td', { class: 'num' }, number(country.nationalMedian[group.code], 2))));
      box.append(el('table', { class: 'heat', id: 'heatmap-' + country.country },
        el('caption', {}, `${country.country}: ${t('heatmapTitle')}`), el('thead', {}, head),
        el('tbody', {}, rows)));
    }
  }

  const groupName = (group) => language === 'nb' ? (group.nameNb || group.name) : group.name;

  function heatCell(cell, region, group) {
    if (!cell) return el('td', {}, '');
    const shown = cell.band === 'no-data' ? t('noData') : cell.suppressed ? t('withheld') :
      cell.rate === null || cell.rate === undefined ? '–' : number(cell.rate, 2);
    const ratio = cell.ratio === null || cell.ratio === undefined ? ''
      : `${number(cell.ratio, 2)} ${t('ofMedian')}`;
    const markers = (cell.gaps || []).map((gap) => el('span', {
      class: 'marker ' + severityClass(gap.severity), dataset: { gapKey: gap.key },
      title: `${gap.rule} ${gap.severity}` }, (gap.severity === 'RED' ? '⚠' : '◆') + gap.rule));
    const state = cell.band === 'absent' ? `, ${t('bandAbsent')}` :
      cell.band === 'not-enough-data' ? `, ${t('bandNotEnoughData')}` : '';
    const label = `${region.code}, ${group.code}: ${shown} ${t('cellLabel')}` + state + (ratio ? `, ${ratio}` : '') +
      (cell.events !== null && cell.events !== undefined ? `, ${cell.events} ${t('events')}` : '') +
      (markers.length
        ? ', ' + cell.gaps.map((gap) => `${gap.rule} ${t(gap.severity.toLowerCase())}`).join(', ') : '');
    const content = [el('span', { class: 'symbol', 'aria-hidden': 'true' }, bandSymbol[cell.band] + ' '),
      el('span', { class: 'rate' }, shown), ratio ? el('span', { class: 'ratio' }, ratio) : null, markers];
    return el('td', { class: 'band-' + cell.band, dataset: {
      region: cell.region, group: cell.targetGroup, band: cell.band,
      events: cell.events === null || cell.events === undefined
        ? (cell.suppressed ? '<5' : '') : String(cell.events),
      rate: cell.rate === null || cell.rate === undefined ? '' : cell.rate.toFixed(2),
      gaps: (cell.gaps || []).map((gap) => gap.rule).join(' ') } },
      el('a', { href: '#events-section', 'aria-label': label, on: { click: (event) => {
        event.preventDefault(); showEvents({ region: cell.region, targetGroup: cell.targetGroup });
      } } }, content));
  }

  // The national summary per target group (worst first) and the data notes: the report's opening.
  function renderSummary() {
    if (!data.summary) return;
    const nb = language === 'nb';
    $('summary').replaceChildren(el('ul', { class: 'summary' }, data.summary.summary.map((entry) =>
      el('li', { class: entry.severity ? severityClass(entry.severity) : '', dataset: { group: entry.targetGroup,
        severity: entry.severity || '' } },
      entry.severity ? el('span', { class: 'sev ' + severityClass(entry.severity) }, severityLabel(entry.severity))
        : null,
      nb ? entry.sentenceNb : entry.sentence))));
    const notes = data.summary.notes || [];
    $('notes').replaceChildren(...(notes.length ? [el('h3', {}, t('notesTitle')), el('ul', {}, notes.map((note) =>
      el('li', { dataset: { region: note.region } }, noteSentence(note))))] : []));
  }

  function noteSentence(note) {
    const rules = note.rules.join(', ');
    if (language === 'nb') {
      const from = note.coveredFrom ? `dataene starter ${note.coveredFrom}` : 'regionen har ingen data ennå';
      return `${note.region}: ikke nok data ennå for ${rules} – ${from}; reglene trenger data fra ${note.neededFrom}.`;
    }
    const from = note.coveredFrom ? `its data start on ${note.coveredFrom}` : 'it has no data yet';
    return `${note.region}: not enough data yet for ${rules} — ${from}; they need data from ${note.neededFrom}.`;
  }

  // The hub's open gaps, ranked and grouped (the API's order); a group's gaps one click away, each gap's statistics
  // one more.
  const expanded = new Set();
  function renderGaps() {
    const box = $('gaps');
    if (!data.gaps) return;
    const gaps = data.gaps.gaps;
    const byKey = new Map(gaps.map((entry) => [entry.gap.key, entry]));
    $('gap-count').textContent = String(gaps.length);
    $('gap-count').dataset.count = String(gaps.length);
    if (!gaps.length) { box.replaceChildren(el('p', {}, t('noGaps'))); return; }
    const regionFilter = $('gap-region');
    const severityFilter = $('gap-severity');
    const wantedRegion = regionFilter.value;
    const wantedSeverity = severityFilter.value;
    const regions = [...new Set(gaps.map(({ gap }) => gap.region || ''))].sort((a, b) =>
      (a || '~').localeCompare(b || '~'));
    regionFilter.replaceChildren(el('option', { value: '' }, t('all')), ...regions.map((region) =>
      el('option', { value: region || '-', selected: (region || '-') === wantedRegion }, region || t('national'))));
    severityFilter.replaceChildren(el('option', { value: '' }, t('all')), ...['RED', 'AMBER'].map((severity) =>
      el('option', { value: severity, selected: severity === wantedSeverity }, severityLabel(severity))));
    const passes = ({ gap }) => (!wantedRegion || (gap.region || '-') === wantedRegion) &&
      (!wantedSeverity || gap.severity === wantedSeverity);
    const groups = data.gaps.groups && data.gaps.groups.length ? data.gaps.groups
      : gaps.map(({ gap }) => ({ kind: 'single', keys: [gap.key], severity: gap.severity }));
    let shown = 0;
    const bodies = [];
    groups.forEach((group, index) => {
      const members = group.keys.map((key) => byKey.get(key)).filter((entry) => entry && passes(entry));
      if (!members.length) return;
      shown += members.length;
      const rank = String(index + 1);
      if (members.length === 1 && group.kind === 'single') {
        bodies.push(el('tbody', {}, gapRow(members[0], rank)));
        return;
      }
      const id = group.keys.join(',');
      const open = expanded.has(id);
      const earliest = members.map(({ gap }) => gap).filter((gap) => gap.since)
        .sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0))[0];
      const since = earliest ? sinceText(earliest) : '';
      const toggle = el('button', { type: 'button', class: 'more', 'aria-expanded': open ? 'true' : 'false',
        on: { click: () => { if (open) expanded.delete(id); else expanded.add(id); renderGaps(); } } },
      `${open ? t('hide') : t('show')} ${members.length} ${t('findings')}`);
      bodies.push(el('tbody', { class: 'group', dataset: { group: id } },
        el('tr', { class: 'group' }, el('td', { class: 'num' }, rank),
          el('td', { class: 'sev ' + severityClass(group.severity) }, severityLabel(group.severity)),
          el('th', { scope: 'row', colspan: '2' }, language === 'nb' ? group.headlineNb : group.headline, toggle),
          el('td', {}, since), el('td', { colspan: '3' }, '')),
        members.map((entry) => gapRow(entry, '', !open))));
    });
    box.replaceChildren(el('table', { class: 'gaps' },
      el('caption', {}, `${t('gapsTitle')}: ${shown} ${t('of')} ${gaps.length}`),
      el('thead', {}, el('tr', {}, [t('rank'), t('severity'), t('rule'), t('what'), t('since'), t('statistics'),
        t('showEvents'), t('acknowledged')].map((name) => el('th', { scope: 'col' }, name)))),
      bodies));
  }

  function gapRow({ gap, acknowledgement, events }, rank, hidden) {
    const mayAcknowledge = data.me && data.me.role === 'analyst';
    const statistics = el('details', {}, el('summary', {}, t('inputs')), el('dl', { class: 'inputs' },
      Object.entries(gap.inputs).sort().flatMap(([name, value]) =>
        [el('dt', {}, `${name} (${t('input')})`), el('dd', {}, number(value, Number.isInteger(value) ? 0 : 3))]),
      (gap.withheld || []).flatMap((name) => [el('dt', {}, `${name} (${t('input')})`), el('dd', {}, '<5')]),
      Object.entries(gap.thresholds).sort().flatMap(([name, value]) =>
        [el('dt', {}, `${name} (${t('threshold')})`),
          el('dd', {}, number(value, Number.isInteger(value) ? 0 : 3))])));
    const ack = acknowledgement
      ? el('div', { class: 'acked' }, `✔ ${acknowledgement.user}, ${acknowledgement.at}`, el('br'),
        acknowledgement.note) : null;
    const ackButton = mayAcknowledge ? el('button', { type: 'button', class: 'act', on: { click: () =>
      openAcknowledge(gap) } }, t('acknowledge')) : null;
    return el('tr', { class: rank ? '' : 'member', hidden: !!hidden,
      dataset: { key: gap.key, rule: gap.rule, severity: gap.severity } },
    el('td', { class: 'num' }, rank),
    el('td', { class: 'sev ' + severityClass(gap.severity) }, severityLabel(gap.severity)),
    el('th', { scope: 'row', title: gap.name }, gap.rule, el('br'), el('small', {}, gap.name)),
    el('td', { class: 'sentence' }, language === 'nb' ? (gap.messageNb || gap.message) : gap.message),
    el('td', {}, gap.since ? sinceText(gap) : (gap.openedOn || '')), el('td', {}, statistics),
    el('td', {}, events ? el('a', { href: '#events-section', on: { click: (event) => {
      event.preventDefault(); showEvents({ region: gap.region, targetGroup: gap.targetGroup, url: events });
    } } }, t('showEvents')) : ''),
    el('td', {}, ack, ackButton));
  }

  async function showEvents(subject) {
    const parameters = new URLSearchParams();
    if (subject.region) parameters.set('region', subject.region);
    if (subject.targetGroup) parameters.set('targetGroup', subject.targetGroup);
    const url = subject.url || '/dashboard/api/events?' + parameters.toString();
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) return;
    eventsShown = { subject, listing: await response.json(), url };
    renderEvents();
    $('events-section').hidden = false;
    $('events-title').focus();
  }

  function renderEvents() {
    const { subject, listing, url } = eventsShown;
    $('events-subject').textContent = [subject.region, subject.targetGroup].filter(Boolean).join(' · ') +
      ` (${listing.from} – ${listing.to})`;
    $('events-csv').href = url.replace('/api/events?', '/api/events.csv?');
    if (listing.withheld) { $('events').replaceChildren(el('p', {}, t('eventsWithheld'))); return; }
    // Each event is its latest version; its history (every version, who, when, what changed) is one click away.
    const rows = listing.events.flatMap((event) => {
      const history = el('tr', { class: 'history', hidden: true }, el('td', { colspan: '10' }));
      const row = el('tr', {},
        el('td', {}, event.date), el('td', {}, event.node), el('td', {}, event.kind), el('td', {}, event.tier),
        el('td', {}, event.targetGroups.join(' ')), el('td', {}, event.programmes.join(' ')),
        el('td', {}, event.funding), el('td', { class: 'num' }, event.families === null ? '<5' : event.families),
        el('td', { class: 'num' }, event.sessions),
        el('td', {}, el('a', { href: event.history, 'aria-label': `${t('history')} ${event.id}`, on: { click: (click) => {
          click.preventDefault(); toggleHistory(event.history, history);
        } } }, `v${event.version} · ${t('history')}`)));
      return [row, history];
    });
    $('events').replaceChildren(el('p', { class: 'note' },
      `${listing.matched} ${t('matched')}, ${listing.events.length} ${t('listed')}`),
    el('table', {}, el('thead', {}, el('tr', {}, [t('date'), t('node'), t('kind'), t('tier'), t('targetGroup'),
      t('programmes'), t('funding'), t('families'), t('sessions'), t('version')]
      .map((name) => el('th', { scope: 'col' }, name)))),
    el('tbody', {}, rows)));
  }

  async function toggleHistory(url, row) {
    if (!row.hidden) { row.hidden = true; return; }
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) return;
    const history = await response.json();
    const items = history.versions.map((version) => el('li', {},
      `${t('version')} ${version.version}` + (version.latest ? ` (${t('latest')})` : '') +
      ` · ${version.submittedBy || '–'} · ${version.submittedAt || version.storedAt}` +
      (version.withdrawn ? ` · ${t('withdrawn')}: ${version.withdrawalReason || ''}` : '') +
      (version.changes.length ? ` · ${t('changed')}: ` +
        version.changes.map((change) => `${change.field} ${change.before ?? '–'} → ${change.after ?? '–'}`).join(', ')
        : '')));
    row.firstChild.replaceChildren(el('ol', { class: 'history' }, items));
    row.hidden = false;
  }

  function renderNodes() {
    const box = $('nodes');
    if (!data.nodes) return;
    const daemons = el('table', {}, el('caption', {}, t('daemon')),
      el('thead', {}, el('tr', {}, [t('daemon'), t('region'), t('connected'), t('lastHeard'), t('settled'),
        t('events'), t('backlog'), t('key')].map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, data.nodes.daemons.map((daemon) => el('tr', { dataset: { daemon: daemon.id } },
        el('th', { scope: 'row' }, daemon.id), el('td', {}, daemon.region),
        el('td', {}, daemon.connected ? '✔ ' + t('yes') : '✖ ' + t('no')),
        el('td', { class: 'num' }, daemon.lastHeardSecondsAgo === null || daemon.lastHeardSecondsAgo === undefined ?
          t('never') : `${number(daemon.lastHeardSecondsAgo)} ${t('secondsAgo')}`),
        el('td', { class: 'num' }, number(daemon.settledThrough)),
        el('td', { class: 'num' }, number(daemon.events)),
        el('td', {}, daemon.backlog === null || daemon.backlog === undefined ? t('unknown')
          : number(daemon.backlog)),
        el('td', {}, el('code', {}, daemon.keys.join(' ') || '–'))))));
    const locals = el('table', {}, el('caption', {}, t('localNode')),
      el('thead', {}, el('tr', {}, [t('localNode'), t('town'), t('region'), t('lastReport')]
        .map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, data.nodes.localNodes.map((node) => el('tr', { dataset: { node: node.code } },
        el('th', { scope: 'row', title: node.name }, node.code), el('td', {}, node.town), el('td', {}, node.region),
        el('td', { class: node.stale ? 'stale' : '' }, node.lastReport ?
          `${node.lastReport} (${node.daysSinceReport} ${t('days')})` : t('never'),
        node.stale ? ` ○ ${t('stale')}` : '')))));
    box.replaceChildren(daemons, locals);
  }

  // Monthly returns: local node × month, ✓ on time, +n late by n days, ✖ overdue (marked), … not due yet.
  function renderCompleteness() {
    const box = $('completeness');
    const body = data.completeness;
    if (!body) return;
    if (!body.months.length) { box.replaceChildren(el('p', {}, t('noReturnsExpected'))); return; }
    const mark = (cell) => cell.state === 'on time' ? (cell.status === 'nil' ? 'nil ✓' : '✓')
      : cell.state === 'late' ? `+${cell.daysLate}` : cell.state === 'overdue' ? `✖ ${t('overdue')}` : '…';
    const table = el('table', {}, el('caption', {},
      `${number(body.national.received)} / ${number(body.national.expected)} · ${body.asOf}`),
      el('thead', {}, el('tr', {}, [t('localNode'), ...body.months].map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, body.rows.map((row) => {
        const byMonth = new Map(row.cells.map((cell) => [cell.month, cell]));
        return el('tr', { dataset: { node: row.node } }, el('th', { scope: 'row' }, row.node),
          body.months.map((month) => {
            const cell = byMonth.get(month);
            if (!cell) return el('td', {}, '');
            // The tooltip: when the coordinator made the return and when it arrived, or when it is due.
            const title = cell.madeOn ? `${t('returnMade')} ${cell.madeOn} · ${t('returnReceived')} ${cell.receivedOn}`
              : `${t('returnDue')} ${cell.dueOn}`;
            return el('td', { class: cell.state === 'overdue' ? 'stale' : '', title }, mark(cell));
          }));
      })));
    box.replaceChildren(table);
  }

  // Sign-off and lock: region × month, the state and who took the step; the analyst accepts a signed-off month (the
  // hub locks it) or reopens a signed-off or locked one with a reason. Every step, newest first, below.
  function renderPeriods() {
    const body = data.periods;
    if (!body) return;
    const stateText = { open: t('periodOpen'), signedOff: t('periodSignedOff'), locked: t('periodLocked') };
    const byCell = new Map(body.cells.map((cell) => [`${cell.region} ${cell.month}`, cell]));
    const decide = async (cell, step, reason) => {
      const response = await fetch(api + `periods/${cell.region}/${cell.month}/${step}`, { method: 'POST',
        credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(reason === undefined ? {} : { reason }) });
      const answer = await response.json().catch(() => ({ error: 'HTTP ' + response.status }));
      $('period-result').textContent = response.ok
        ? t('periodDone')(cell.region, cell.month, answer.locked ? t('periodLocked') : t('periodOpen'))
        : `${t('periodFailed')} ${answer.error}`;
      $('period-result').className = response.ok ? '' : 'stale';
      await refresh(['periods']);
    };
    const actions = (cell) => {
      if (!body.mayDecide || cell.state === 'open') return null;
      const parts = [];
      if (cell.state === 'signedOff') {
        parts.push(el('button', { type: 'button', class: 'period-accept', dataset: { region: cell.region, month: cell.month },
          'aria-label': `${t('accept')}: ${cell.region} ${cell.month}`, on: { click: () => decide(cell, 'accept') } }, t('accept')));
      }
      const reason = el('input', { type: 'text', class: 'period-reason', maxlength: 2000, 'aria-label':
        `${t('reopenReason')} ${cell.region} ${cell.month}`, placeholder: t('reopenReason') });
      parts.push(' ', reason, el('button', { type: 'button', class: 'period-reopen',
        dataset: { region: cell.region, month: cell.month }, 'aria-label': `${t('reopen')}: ${cell.region} ${cell.month}`,
        on: { click: () => decide(cell, 'reopen', reason.value) } }, t('reopen')));
      return parts;
    };
    const table = el('table', {},
      el('thead', {}, el('tr', {}, [t('region'), ...body.months].map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, body.regions.map((region) => el('tr', { dataset: { region } }, el('th', { scope: 'row' }, region),
        body.months.map((month) => {
          const cell = byCell.get(`${region} ${month}`);
          if (!cell) return el('td', {}, '');
          return el('td', { class: `period-${cell.state}`, dataset: { month, state: cell.state } },
            stateText[cell.state] || cell.state, cell.by ? el('br') : null, cell.by ? `${cell.by}, ${cell.at}` : null,
            actions(cell));
        })))));
    $('periods').replaceChildren(table);
    const stepName = (kind) => kind === 'sign-off' ? t('sign-off') : t(`${kind}-step`);
    $('period-history').replaceChildren(body.history.length ? el('table', { id: 'period-history-table' },
      el('thead', {}, el('tr', {}, [t('when'), t('region'), t('month'), t('step'), t('by'), t('reason')]
        .map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, body.history.map((step) => el('tr', { dataset: { kind: step.kind } }, el('td', {}, step.at),
        el('td', {}, step.region), el('td', {}, step.month), el('td', {}, stepName(step.kind)),
        el('td', {}, `${step.by} (${t(step.role)})`), el('td', {}, step.reason || ''))))) : el('p', {}, t('noSteps')));
  }

  // Trends: one small line chart per target group for the chosen region, drawn here as SVG (nothing fetched), with
  // withheld quarters shown as withheld; the figures in a table one click away.
  function renderTrends() {
    if (!data.trends) return;
    const trends = data.trends;
    const select = $('trend-region');
    const regions = [...new Set(trends.series.map((series) => series.region))];
    const chosen = regions.includes(select.value) ? select.value : regions[0];
    select.replaceChildren(...regions.map((region) => el('option', { value: region, selected: region === chosen },
      region)));
    const series = trends.series.filter((entry) => entry.region === chosen);
    const maximum = Math.max(1, ...series.flatMap((entry) => entry.events.filter((value) => value !== null)));
    const names = new Map(((data.heatmap && data.heatmap.countries[0] && data.heatmap.countries[0].targetGroups) || [])
      .map((group) => [group.code, groupName(group)]));
    $('trend-charts').replaceChildren(...series.map((entry) => trendChart(entry, trends, maximum,
      names.get(entry.targetGroup) || entry.targetGroup)));
    const head = el('tr', {}, el('th', { scope: 'col' }, t('targetGroup')),
      trends.quarters.map((quarter, index) => el('th', { scope: 'col', class: 'num' }, quarter,
        trends.partial[index] ? ' ' + t('partial') : '')));
    const rows = series.map((entry) => el('tr', {}, el('th', { scope: 'row' }, entry.targetGroup),
      entry.events.map((value) => el('td', { class: 'num' }, value === null ? '<5' : number(value)))));
    $('trends').replaceChildren(el('table', {}, el('caption', {}, `${chosen}: ${t('trendsTitle')}`),
      el('thead', {}, head), el('tbody', {}, rows)));
  }

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(svgNS, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function trendChart(entry, trends, maximum, name) {
    const width = 260, height = 120, left = 28, right = 8, top = 10, bottom = 24;
    const count = trends.quarters.length;
    const x = (index) => left + (count > 1 ? index * (width - left - right) / (count - 1) : 0);
    const y = (value) => top + (height - top - bottom) * (1 - value / maximum);
    const parts = [
      svg('line', { class: 'axis', x1: left, y1: y(0), x2: width - right, y2: y(0) }),
      svg('line', { class: 'axis', x1: left, y1: top, x2: left, y2: y(0) }),
      svg('text', { x: left - 4, y: y(maximum) + 3, 'text-anchor': 'end' }, number(maximum)),
      svg('text', { x: left - 4, y: y(0) + 3, 'text-anchor': 'end' }, '0'),
      svg('text', { x: x(0), y: height - 8, 'text-anchor': 'start' }, trends.quarters[0]),
      svg('text', { x: x(count - 1), y: height - 8, 'text-anchor': 'end' }, trends.quarters[count - 1] +
        (trends.partial[count - 1] ? ` (${t('running')})` : '')),
    ];
    // The line is broken where a quarter is withheld: no figure is drawn that was not published.
    let path = '';
    entry.events.forEach((value, index) => {
      if (value === null) { path += ' '; return; }
      path += (path === '' || path.endsWith(' ') ? 'M' : 'L') + `${x(index).toFixed(1)},${y(value).toFixed(1)}`;
    });
    for (const segment of path.split(' ').filter(Boolean)) parts.push(svg('path', { class: 'series', d: segment }));
    entry.events.forEach((value, index) => {
      const label = `${trends.quarters[index]}: ${value === null ? t('withheldLong') + ' (<5)' : number(value)}`;
      if (value === null) {
        parts.push(svg('rect', { class: 'withheld', x: x(index) - 4, y: y(0) - 12, width: 8, height: 12,
          'data-withheld': '1' }, svg('title', {}, label)));
        parts.push(svg('text', { class: 'withheld-label', x: x(index), y: y(0) - 14, 'text-anchor': 'middle' }, '<5'));
      } else {
        parts.push(svg('circle', { class: 'point' + (trends.partial[index] ? ' partial' : ''), cx: x(index),
          cy: y(value), r: 2.5 }, svg('title', {}, label)));
      }
    });
    const description = entry.events.map((value, index) =>
      `${trends.quarters[index]} ${value === null ? '<5' : value}`).join(', ');
    return el('figure', { class: 'chart', dataset: { group: entry.targetGroup } },
      el('figcaption', {}, `${name} (${entry.targetGroup})`),
      svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img',
        'aria-label': `${entry.region}, ${name}: ${t('chartLabel')}: ${description}` }, parts));
  }

  function renderProgrammes() {
    if (!data.programmes) return;
    const rows = data.programmes.map((programme) => el('tr', { dataset: { programme: programme.code } },
      el('th', { scope: 'row' }, programme.code), el('td', {}, programme.name),
      el('td', {}, programme.evidenceBand), el('td', {}, programme.tiers.join(' ')),
      el('td', {}, programme.ratings.length ? programme.ratings.map((rating) =>
        [rating.system, rating.scaleVersion, rating.rating, rating.date].filter(Boolean).join(' ')).join('; ') :
        t('none')),
      el('td', {}, programme.deliveredIn.length ? programme.deliveredIn.join(', ') : t('nowhere'))));
    $('programmes').replaceChildren(el('table', {}, el('thead', {}, el('tr', {}, [t('code'), t('name'), t('band'),
      t('tiers'), t('ratings'), t('deliveredIn')].map((name) => el('th', { scope: 'col' }, name)))),
    el('tbody', {}, rows)));
  }

  function renderAudit() {
    if (!data.acknowledgements) return;
    if (!data.acknowledgements.length) { $('audit').replaceChildren(el('p', {}, t('noAcks'))); return; }
    $('audit').replaceChildren(el('table', {}, el('thead', {}, el('tr', {}, [t('when'), t('who'), t('gap'),
      t('severity'), t('note')].map((name) => el('th', { scope: 'col' }, name)))),
    el('tbody', {}, data.acknowledgements.map((entry) => el('tr', {}, el('td', {}, entry.at),
      el('td', {}, `${entry.user} (${t(entry.role)})`), el('td', {}, el('code', {}, entry.gapKey)),
      el('td', { class: 'sev ' + severityClass(entry.severity) }, severityLabel(entry.severity)),
      el('td', {}, entry.note))))));
  }

  // The acknowledgement dialog.
  let acknowledging = null;
  function openAcknowledge(gap) {
    acknowledging = gap;
    $('ack-subject').textContent = `${gap.rule} · ${gap.region || t('national')} · ${gap.message}`;
    $('ack-note').value = '';
    $('ack-error').hidden = true;
    $('ack-dialog').showModal();
  }
  $('ack-cancel').addEventListener('click', () => $('ack-dialog').close());
  $('ack-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const response = await fetch(api + 'acknowledgements', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key: acknowledging.key, note: $('ack-note').value }) });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({ error: 'HTTP ' + response.status }));
      $('ack-error').textContent = `${t('ackFailed')} ${problem.error}`;
      $('ack-error').hidden = false;
      return;
    }
    $('ack-dialog').close();
    await refresh(['gaps', 'acknowledgements']);
  });

  const renderers = { me: renderWho, overview: renderLive, summary: renderSummary, heatmap: renderHeatmap,
    gaps: renderGaps, nodes: renderNodes, trends: renderTrends, programmes: renderProgrammes,
    acknowledgements: renderAudit, completeness: renderCompleteness, periods: renderPeriods };
  async function refresh(names) {
    const loaded = await Promise.all(names.map((name) => load(name).then((value) => [name, value])
      .catch(() => [name, null])));
    for (const [name, value] of loaded) {
      if (value === null) continue;
      data[name] = value;
      renderers[name]();
    }
    lastUpdate = new Date();
    renderLive();
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
  }

  // Live: each notice names what changed; a short pause gathers a burst into one reload.
  const pending = new Set();
  let timer = null;
  function soon(names) {
    for (const name of names) pending.add(name);
    if (timer) return;
    timer = setTimeout(() => { timer = null; const names = [...pending]; pending.clear(); refresh(names); }, 150);
  }
  function follow() {
    const stream = new EventSource(api + 'stream');
    stream.addEventListener('hello', () => { liveState = 'on'; renderLive(); });
    stream.addEventListener('gap', () => soon(['gaps', 'heatmap', 'overview']));
    stream.addEventListener('gaps', () => soon(['gaps', 'heatmap', 'overview']));
    stream.addEventListener('views', () => soon(['summary', 'heatmap', 'trends', 'nodes', 'programmes', 'overview',
      'completeness', 'periods']));
    stream.addEventListener('status', () => soon(['nodes']));
    stream.addEventListener('acknowledged', () => soon(['gaps', 'acknowledgements']));
    stream.addEventListener('hub', () => soon(['overview']));
    stream.onopen = () => { liveState = 'on'; renderLive(); };
    stream.onerror = () => { liveState = 'off'; renderLive(); };
  }

  $('lang').addEventListener('click', () => {
    language = language === 'nb' ? 'en' : 'nb';
    localStorage.setItem('knutepunkt.lang', language);
    applyLanguage();
  });
  $('trend-region').addEventListener('change', renderTrends);
  $('gap-region').addEventListener('change', renderGaps);
  $('gap-severity').addEventListener('change', renderGaps);

  (async () => {
    applyLanguage();
    follow();
    await refresh(Object.keys(renderers));
    document.body.dataset.readyAt = String(Math.round(performance.now()));
    document.body.dataset.ready = '1';
  })();
})();
