// The coordinator's workspace. Plain script, no build step: it builds the activity form from the node's taxonomy
// (/workspace/api/form), shows every problem next to its field, follows a submission from queued to delivered, and
// lists, corrects and withdraws the region's activities. Text in bokmål and English.
'use strict';

const TEXT = {
  nb: {
    title: 'Arbeidsflate', signOut: 'Logg ut', navRecord: 'Registrer aktivitet', navActivities: 'Regionens aktiviteter',
    navSpreadsheet: 'Regneark', navMonth: 'Lukk måneden', navPicture: 'Regionens bilde',
    recordTitle: 'Registrer en aktivitet', correctTitle: 'Rett en aktivitet',
    recordNote: 'Felt merket * må fylles ut. Skriv aldri navn eller fødselsnummer.',
    activitiesTitle: 'Regionens aktiviteter', filterState: 'Tilstand', filterText: 'Søk', all: 'Alle',
    spreadsheetTitle: 'Last opp regneark', spreadsheetNote: 'Excel-arbeidsbok (.xlsx, første ark, med en key-kolonne) eller CSV lagret som «CSV UTF-8». Hver rad sjekkes før noe importeres.',
    template: 'Last ned malen (CSV)', codes: 'Last ned kodene med norske og engelske navn', chooseFile: 'Velg fil', checkFile: 'Sjekk filen',
    sheetSummary: (g, b) => `${g} rader er i orden, ${b} har problemer. Ingenting er importert ennå.`,
    sheetHeader: 'Overskriftsraden må rettes før noe kan importeres:',
    importGood: n => `Importer de ${n} gode radene`, line: 'Linje', rowState: 'Status', ok: 'i orden', problems: 'problemer',
    hint: 'Tips', imported: (q, c, a, r, s) => `Importert: ${q} nye, ${c} rettet, ${a} fantes fra før, ${r} avvist av noden, ${s} rader med problemer hoppet over.`,
    monthTitle: 'Lukk måneden', pictureTitle: 'Regionens bilde',
    pictureNote: 'Slik det nasjonale knutepunktet ser regionen: dekningen per målgruppe ved siden av medianen for regionene (aktiviteter per 1000 fødte, siste 12 måneder), og åpne mangler, de alvorligste først. Tall under 5 vises ikke («<5»), heller ikke raten de ville avsløre.',
    noGaps: 'Knutepunktet har ingen åpne mangler for regionen.', coverageColumns: ['Målgruppe', 'Aktiviteter', 'Regionen per 1000 fødte', 'Median for regionene', 'Sammenligning'],
    band: { 'far-below': 'langt under medianen', below: 'under medianen', near: 'nær medianen', above: 'over medianen',
      none: 'ingen median å sammenligne med', suppressed: 'under 5, vises ikke', absent: 'ingen aktivitet, mens andre regioner har',
      'no-data': 'ingen data: regionen rapporterer ikke', 'not-enough-data': 'ikke nok data ennå', RED: 'for lav (rød)', AMBER: 'lav (gul)' },
    coverageAsOf: d => `Dekning per ${d}.`, gapsTitle: 'Åpne mangler',
    severity: { RED: 'rød', AMBER: 'gul' }, since: 'siden', orEarlier: 'eller tidligere',
    monthsUnavailable: 'Månedsrapportering (månedlig innrapportering, nullrapport og regional godkjenning) er ikke tatt i bruk på denne noden ennå. Alt du registrerer telles som før.',
    monthState: { due: 'skal rapporteres', overdue: 'forsinket', returned: 'rapportert', signedOff: 'godkjent', locked: 'låst' },
    monthColumns: ['Måned', 'Lokal node', 'Status', 'Rapportert av', 'Godkjent av', ''], makeReturn: 'Rapporter', nilReturn: 'Nullrapport', signOff: 'Godkjenn måneden',
    monthNote: 'Hver lokal node rapporterer hver måned: «Rapporter» sier at aktivitetene som er registrert for måneden, er alle; «Nullrapport» at det ikke var noen. Når alle lokale noder har rapportert, godkjenner regional leder måneden. Deretter kan nasjonalt senter godta og låse den.',
    noMonths: 'Ingen lokale noder i regionen skal rapportere ennå.',
    dueBy: d => `frist ${d}`, daysOverdue: n => n === 1 ? '1 dag på overtid' : `${n} dager på overtid`, nilMark: 'nullrapport',
    returnState: { queued: 'i kø på noden', delivered: 'levert', refused: 'avvist' },
    signOffDone: m => `${m} er godkjent for regionen.`, returnDone: (m, n) => `Rapporten for ${m} (${n}) er levert.`,
    returnQueued: (m, n) => `Rapporten for ${m} (${n}) ligger i nodens utboks og sendes når det nasjonale knutepunktet kan nås.`,
    node: 'Lokal node', kind: 'Type aktivitet', date: 'Dato', municipality: 'Kommunenummer (4 sifre)',
    target_groups: 'Målgrupper', programmes: 'Programmer', tier: 'Nivå', age_bands: 'Aldersgrupper',
    professions: 'Yrkesgrupper', funding: 'Finansiering', participants: 'Deltakere', families: 'Familier nådd',
    sessions: 'Samlinger', note: 'Merknad (uten personopplysninger)', choose: '– velg –',
    submit: 'Send til noden', submitCorrection: 'Send rettelsen', cancel: 'Avbryt',
    problemsTitle: n => n === 1 ? 'Det er 1 problem å rette:' : `Det er ${n} problemer å rette:`,
    queued: s => `I kø på noden (sekvens ${s}). Venter på det nasjonale knutepunktet …`,
    queuedOffline: 'I kø: det nasjonale knutepunktet kan ikke nås nå. Aktiviteten ligger trygt i nodens utboks og sendes når forbindelsen er tilbake.',
    delivered: v => `Levert til det nasjonale knutepunktet (versjon ${v}).`,
    refused: r => `Avvist av det nasjonale knutepunktet: ${r}`,
    withdrawnDone: 'Trukket tilbake. Aktiviteten står i historikken, men telles ikke.',
    invalid: 'Noden tok ikke imot aktiviteten. Ingenting ble lagret.',
    nodeDown: 'Noden svarer ikke. Ingenting ble sendt; prøv igjen.',
    linkReady: 'Forbindelse til det nasjonale knutepunktet: i orden.',
    linkDown: n => `Det nasjonale knutepunktet kan ikke nås. Alt du registrerer lagres i nodens utboks og sendes senere (${n} venter).`,
    linkNodeDown: 'Noden svarer ikke akkurat nå.',
    backlog: n => ` ${n} venter på levering.`,
    state: { queued: 'i kø', delivered: 'levert', refused: 'avvist', withdrawn: 'trukket tilbake' },
    columns: ['Dato', 'Type', 'Lokal node', 'Versjon', 'Tilstand', 'Sendt av', ''],
    open: 'Åpne', correct: 'Rett', withdraw: 'Trekk tilbake', history: 'Historikk', reason: 'Begrunnelse',
    withdrawConfirm: 'Trekk tilbake', shown: (n, m) => `${n} av ${m} aktiviteter`,
    counter: (n, m) => `${n} av ${m} tegn`,
  },
  en: {
    title: 'Workspace', signOut: 'Sign out', navRecord: 'Record an activity', navActivities: "My region's activities",
    navSpreadsheet: 'Spreadsheet', navMonth: 'Close the month', navPicture: "My region's picture",
    recordTitle: 'Record an activity', correctTitle: 'Correct an activity',
    recordNote: 'Fields marked * are required. Never write names or identity numbers.',
    activitiesTitle: "My region's activities", filterState: 'State', filterText: 'Search', all: 'All',
    spreadsheetTitle: 'Upload a spreadsheet', spreadsheetNote: 'An Excel workbook (.xlsx, its first sheet, with a key column) or CSV saved as "CSV UTF-8". Every row is checked before anything is imported.',
    template: 'Download the template (CSV)', codes: 'Download the codes with Norwegian and English names', chooseFile: 'Choose a file', checkFile: 'Check the file',
    sheetSummary: (g, b) => `${g} rows are good, ${b} have problems. Nothing has been imported yet.`,
    sheetHeader: 'The header row must be fixed before anything can be imported:',
    importGood: n => `Import the ${n} good rows`, line: 'Line', rowState: 'Status', ok: 'good', problems: 'problems',
    hint: 'Hint', imported: (q, c, a, r, s) => `Imported: ${q} new, ${c} corrected, ${a} already there, ${r} refused by the node, ${s} rows with problems left out.`,
    monthTitle: 'Close the month', pictureTitle: "My region's picture",
    pictureNote: 'Your region as the national hub sees it: coverage per target group beside the median of the regions (activities per 1,000 births, last 12 months), and open gaps, worst first. Counts under 5 are not shown ("<5"), nor the rate they would reveal.',
    noGaps: 'The hub has no open gaps for the region.', coverageColumns: ['Target group', 'Activities', 'Region per 1,000 births', 'Median of the regions', 'Comparison'],
    band: { 'far-below': 'far below the median', below: 'below the median', near: 'near the median', above: 'above the median',
      none: 'no median to compare with', suppressed: 'under 5, not shown', absent: 'no activity while other regions have some',
      'no-data': 'no data: the region does not report', 'not-enough-data': 'not enough data yet', RED: 'too low (red)', AMBER: 'low (amber)' },
    coverageAsOf: d => `Coverage as of ${d}.`, gapsTitle: 'Open gaps',
    severity: { RED: 'red', AMBER: 'amber' }, since: 'since', orEarlier: 'or earlier',
    monthsUnavailable: 'Monthly reporting (monthly returns, nil returns and the regional sign-off) is not in use on this node yet. Everything you record counts as before.',
    monthState: { due: 'due', overdue: 'overdue', returned: 'returned', signedOff: 'signed off', locked: 'locked' },
    monthColumns: ['Month', 'Local node', 'State', 'Returned by', 'Signed off by', ''], makeReturn: 'Make the return', nilReturn: 'Nil return', signOff: 'Sign the month off',
    monthNote: 'Every local node makes a return each month: "Make the return" says that the activities recorded for the month are all of them; "Nil return" that there were none. Once every local node has made its return, the regional lead signs the month off; the national centre may then accept and lock it.',
    noMonths: 'No local node of the region is expected to make returns yet.',
    dueBy: d => `due by ${d}`, daysOverdue: n => n === 1 ? '1 day overdue' : `${n} days overdue`, nilMark: 'nil return',
    returnState: { queued: 'queued at the node', delivered: 'delivered', refused: 'refused' },
    signOffDone: m => `${m} is signed off for the region.`, returnDone: (m, n) => `The return for ${m} (${n}) is delivered.`,
    returnQueued: (m, n) => `The return for ${m} (${n}) is in the node's outbox and goes when the national hub can be reached.`,
    node: 'Local node', kind: 'Kind of activity', date: 'Date', municipality: 'Municipality number (4 digits)',
    target_groups: 'Target groups', programmes: 'Programmes', tier: 'Tier', age_bands: 'Age bands',
    professions: 'Professions', funding: 'Funding', participants: 'Participants', families: 'Families reached',
    sessions: 'Sessions', note: 'Note (no personal data)', choose: '– choose –',
    submit: 'Send to the node', submitCorrection: 'Send the correction', cancel: 'Cancel',
    problemsTitle: n => n === 1 ? 'There is 1 problem to fix:' : `There are ${n} problems to fix:`,
    queued: s => `Queued at the node (sequence ${s}). Waiting for the national hub …`,
    queuedOffline: 'Queued: the national hub cannot be reached now. The activity is safe in the node\'s outbox and goes when the link is back.',
    delivered: v => `Delivered to the national hub (version ${v}).`,
    refused: r => `Refused by the national hub: ${r}`,
    withdrawnDone: 'Withdrawn. The activity stays in the history but counts nowhere.',
    invalid: 'The node did not accept the activity. Nothing was stored.',
    nodeDown: 'The node does not answer. Nothing was sent; try again.',
    linkReady: 'Link to the national hub: working.',
    linkDown: n => `The national hub cannot be reached. Everything you record is kept in the node's outbox and sent later (${n} waiting).`,
    linkNodeDown: 'The node does not answer just now.',
    backlog: n => ` ${n} waiting for delivery.`,
    state: { queued: 'queued', delivered: 'delivered', refused: 'refused', withdrawn: 'withdrawn' },
    columns: ['Date', 'Kind', 'Local node', 'Version', 'State', 'Submitted by', ''],
    open: 'Open', correct: 'Correct', withdraw: 'Withdraw', history: 'History', reason: 'Reason',
    withdrawConfirm: 'Withdraw', shown: (n, m) => `${n} of ${m} activities`,
    counter: (n, m) => `${n} of ${m} characters`,
  },
};

// What an issue code means, in words, before the validator's own sentence.
const ISSUE = {
  nb: {
    MISSING_FIELD: 'Må fylles ut.', EMPTY_LIST: 'Velg minst én.', WRONG_TYPE: 'Skriv et helt tall.',
    NEGATIVE_COUNT: 'Kan ikke være under 0.', COUNT_OUT_OF_RANGE: 'For stort tall.',
    INVALID_MUNICIPALITY: 'Kommunenummeret har 4 sifre, f.eks. 0301.', BAD_DATE: 'Skriv en dato som finnes.',
    DATE_OUT_OF_RANGE: 'Datoen kan ikke ligge fram i tid.', NOTE_TOO_LONG: 'Merknaden er for lang.',
    PII_NO_FNR: 'Teksten inneholder et norsk fødselsnummer. Fjern det.',
    PII_SE_PNR: 'Teksten inneholder et svensk personnummer. Fjern det.',
    EXCLUSIVE_CODE: '«Universelt (alle)» kan ikke kombineres med andre målgrupper.',
    STALE_VERSION: 'Noen har rettet aktiviteten i mellomtiden. Åpne den på nytt.',
    CONTROL_CHARACTER: 'Bare én linje tekst.',
  },
  en: {},
};

const state = { lang: localStorage.getItem('workspace.lang') || 'nb', form: null, me: null, editing: null,
  activities: [], link: null };
const t = key => TEXT[state.lang][key];
// The day a gap began; "or earlier" when the data only bound it (sinceBasis AT_LEAST), as on the dashboard.
const sinceText = gap => gap.sinceBasis === 'AT_LEAST' ? `${gap.since} ${t('orEarlier')}` : gap.since;
const $ = id => document.getElementById(id);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value; else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(`/workspace/api/${path}`, options);
  if (response.status === 401) { location.href = '/workspace/login?ended=1'; throw new Error('signed out'); }
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  return { status: response.status, body };
}

const postJSON = (path, value) => api(path, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value),
});

// ---- The page frame: language, sections, the hub link --------------------------------------------------------

function translate() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  const other = state.lang === 'nb' ? 'en' : 'nb';
  $('language').textContent = other === 'en' ? 'English' : 'Norsk';
  $('language').lang = other;
  if (state.me) $('who').textContent = `${state.me.name} (${state.me.role === 'lead' ? (state.lang === 'nb' ? 'regional leder' : 'regional lead') : (state.lang === 'nb' ? 'koordinator' : 'coordinator')})`;
}

const SECTIONS = ['record', 'activities', 'spreadsheet', 'month', 'picture'];

function showSection() {
  const wanted = (location.hash || '#record').slice(1);
  if (!SECTIONS.includes(wanted)) return;  // a link to a field (the problem summary), not to a section
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== wanted;
  for (const link of document.querySelectorAll('.sections a')) {
    if (link.getAttribute('href') === `#${wanted}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (wanted === 'activities') loadActivities();
  if (wanted === 'month' && window.workspaceMonth) window.workspaceMonth();
  if (wanted === 'picture' && window.workspacePicture) window.workspacePicture();
}

async function refreshLink() {
  const { body } = await api('status');
  state.link = body;
  const line = $('link');
  line.className = 'link';
  if (!body || !body.node) { line.textContent = t('linkNodeDown'); line.classList.add('down'); return; }
  if (body.hub && body.hub.reachable) {
    line.textContent = t('linkReady') + (body.backlog ? t('backlog')(body.backlog) : '');
    line.classList.add('up');
  } else {
    line.textContent = t('linkDown')(body.backlog || 0);
    line.classList.add('down');
  }
}

// ---- The activity form ---------------------------------------------------------------------------------------

const FIELDS = ['node', 'kind', 'date', 'municipality', 'target_groups', 'programmes', 'tier', 'age_bands',
  'professions', 'funding', 'participants', 'families', 'sessions', 'note'];
const REQUIRED = new Set(['kind', 'date', 'target_groups', 'tier', 'age_bands', 'professions', 'funding',
  'participants', 'families', 'sessions']);
const LISTS = { target_groups: 'targetGroups', programmes: 'programmes', age_bands: 'ageBands',
  professions: 'professions' };
const SELECTS = { node: 'nodes', kind: 'kinds', tier: 'tiers', funding: 'funding' };
const COUNTS = ['participants', 'families', 'sessions'];

function label(choice) { return state.lang === 'nb' ? choice.nb : choice.en; }

function problemSlot(field) { return el('p', { class: 'field-problem', id: `problem-${field}`, hidden: true }); }

function buildForm(values = {}) {
  const form = $('activity');
  form.replaceChildren();
  const f = state.form;
  for (const field of FIELDS) {
    const star = REQUIRED.has(field) ? ' *' : '';
    const wrap = el('div', { class: `field field-${field}`, id: `field-${field}` });
    if (SELECTS[field]) {
      const select = el('select', { id: `in-${field}`, name: field, 'aria-describedby': `problem-${field}` },
        el('option', { value: '', text: t('choose') }));
      for (const choice of f[SELECTS[field]]) {
        const option = el('option', { value: choice.code, text: `${label(choice)} (${choice.code})` });
        if (values[field] === choice.code || (!values[field] && field === 'node' && choice.code === f.defaultNode)) option.selected = true;
        select.append(option);
      }
      wrap.append(el('label', { for: `in-${field}`, text: t(field) + star }), select, problemSlot(field));
    } else if (LISTS[field]) {
      const set = el('fieldset', { id: `in-${field}`, 'aria-describedby': `problem-${field}` },
        el('legend', { text: t(field) + star }));
      const boxes = el('div', { class: 'choices' });
      for (const choice of f[LISTS[field]]) {
        const id = `in-${field}-${choice.code}`;
        const box = el('input', { type: 'checkbox', id, name: field, value: choice.code });
        if ((values[field] || []).includes(choice.code)) box.checked = true;
        boxes.append(el('div', { class: 'choice' }, box, el('label', { for: id, text: label(choice) })));
      }
      set.append(boxes, problemSlot(field));
      wrap.append(set);
    } else if (field === 'note') {
      const area = el('textarea', { id: 'in-note', name: 'note', rows: 2,
        'aria-describedby': 'note-counter problem-note' });
      area.value = values.note || '';
      const counter = el('p', { class: 'counter', id: 'note-counter' });
      const count = () => { counter.textContent = t('counter')([...area.value].length, f.maxNote); };
      area.addEventListener('input', count);
      count();
      area.addEventListener('blur', checkNote);
      wrap.append(el('label', { for: 'in-note', text: t('note') }), area, counter, problemSlot('note'));
    } else {
      const type = field === 'date' ? 'date' : 'text';
      const input = el('input', { id: `in-${field}`, name: field, type, 'aria-describedby': `problem-${field}`,
        inputmode: type === 'text' ? 'numeric' : undefined, autocomplete: 'off',
        max: field === 'date' ? new Date(Date.now() + 86400000).toISOString().slice(0, 10) : undefined });
      if (values[field] !== undefined) input.value = String(values[field]);
      wrap.append(el('label', { for: `in-${field}`, text: t(field) + star }), input, problemSlot(field));
    }
    form.append(wrap);
  }
  const buttons = el('div', { class: 'buttons' },
    el('button', { type: 'submit', id: 'send', text: state.editing ? t('submitCorrection') : t('submit') }));
  if (state.editing) {
    const cancel = el('button', { type: 'button', class: 'secondary', text: t('cancel') });
    cancel.addEventListener('click', () => { state.editing = null; newDraft(); });
    buttons.append(cancel);
  }
  form.append(buttons);
  $('record-title').textContent = state.editing ? `${t('correctTitle')} (${state.editing.id.slice(0, 8)}…, v${state.editing.version})` : t('recordTitle');
}

// What the form says, as the event's JSON. A count that is not a whole number goes as the text typed, so the
// validator names it (WRONG_TYPE) next to the field rather than the page guessing.
function collect() {
  const form = $('activity');
  const event = {};
  if (state.editing) { event.id = state.editing.id; event.based_on = state.editing.version; } else event.id = state.draftId;
  for (const field of FIELDS) {
    if (LISTS[field]) {
      const checked = [...form.querySelectorAll(`input[name=${field}]:checked`)].map(box => box.value);
      if (checked.length || REQUIRED.has(field)) event[field] = checked;
      continue;
    }
    const value = (form.elements[field].value || '').trim();
    if (value === '') continue;
    if (COUNTS.includes(field)) event[field] = /^-?\d+$/.test(value) ? Number(value) : value;
    else event[field] = value;
  }
  return event;
}

function clearProblems() {
  for (const slot of document.querySelectorAll('.field-problem')) { slot.hidden = true; slot.textContent = ''; }
  for (const node of document.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
  $('problems').hidden = true;
  $('problems').replaceChildren();
}

// An issue in words: the page's own sentence for its code (in the page's language), then the validator's sentence,
// which is English (marked so, for screen readers).
function issueWords(issue) {
  const own = ISSUE[state.lang][issue.code];
  const parts = [];
  if (own) parts.push(document.createTextNode(own + ' '));
  parts.push(el('span', { lang: 'en', text: issue.message }));
  return parts;
}

function baseField(field) { return field.replace(/\[.*$/, '').replace(/\..*$/, ''); }

// Every problem at once: next to its field, and in a summary at the top whose links lead to the fields.
function showProblems(issues) {
  clearProblems();
  const list = el('ul');
  for (const issue of issues) {
    const field = baseField(issue.field);
    const slot = $(`problem-${field}`);
    const target = $(`in-${field}`);
    if (slot) {
      slot.hidden = false;
      slot.append(el('span', { class: 'problem-line', 'data-code': issue.code }, ...issueWords(issue)));
      target.setAttribute('aria-invalid', 'true');
    }
    const item = el('li', { 'data-field': field, 'data-code': issue.code });
    if (slot) {
      const link = el('a', { href: `#in-${field}` }, `${t(field) || field}: `, ...issueWords(issue));
      link.addEventListener('click', event => {
        event.preventDefault();
        const input = target.matches('fieldset') ? target.querySelector('input') : target;
        input.focus();
        target.scrollIntoView({ block: 'center' });
      });
      item.append(link);
    } else item.append(el('span', {}, `${field}: `, ...issueWords(issue)));
    list.append(item);
  }
  const box = $('problems');
  box.append(el('h3', { text: t('problemsTitle')(issues.length) }), list);
  box.hidden = false;
  box.focus();
}

async function checkNote() {
  const note = $('in-note').value;
  if (!note.trim()) return;
  // The privacy guard before anything is sent: only the note is checked here, on leaving the field.
  const { body } = await postJSON('check', { note });
  const slot = $('problem-note');
  const found = (body && body.issues || []).filter(issue => issue.field === 'note');
  slot.replaceChildren();
  slot.hidden = found.length === 0;
  if (found.length) $('in-note').setAttribute('aria-invalid', 'true'); else $('in-note').removeAttribute('aria-invalid');
  for (const issue of found) slot.append(el('span', { class: 'problem-line', 'data-code': issue.code }, ...issueWords(issue)));
}

function newDraft() {
  state.draftId = crypto.randomUUID ? crypto.randomUUID() : undefined;
  buildForm();
}

function say(text, kind, target) {
  const result = target || $('result');
  result.className = `result ${kind || ''}`;
  result.replaceChildren(el('p', { text }));
}

async function send(event) {
  event.preventDefault();
  clearProblems();
  $('result').dataset.state = 'sending';
  $('result').replaceChildren();
  const sent = collect();
  let reply;
  try { reply = await postJSON('activities', sent); } catch (_) { say(t('nodeDown'), 'bad'); return; }
  const { status, body } = reply;
  if (status === 503 || !body) { say(body && body.error || t('nodeDown'), 'bad'); return; }
  if (body.status === 'invalid') {
    showProblems(body.issues || []);
    say(t('invalid'), 'bad');
    return;
  }
  if (body.error) { say(body.error, 'bad'); return; }
  state.editing = null;
  newDraft();
  follow(body);
}

// queued → delivered (or refused), live: the server answers when the node's outbox has drained or after its wait.
async function follow(result, target) {
  const box = target || $('result');
  box.dataset.id = result.id;
  box.dataset.state = result.status;
  const show = (text, kind, state) => { say(text, kind, box); box.dataset.state = state; };
  if (result.status === 'delivered') { show(t('delivered')(result.version), 'good', 'delivered'); return; }
  show(t('queued')(result.sequence), 'waiting', 'queued');
  for (;;) {
    const { status, body } = await api(`delivery?id=${encodeURIComponent(result.id)}`);
    if (status !== 200 || !body) { show(t('nodeDown'), 'bad', 'unknown'); return; }
    const entry = body.activity;
    if (entry.state === 'delivered') { show(t('delivered')(entry.version), 'good', 'delivered'); break; }
    if (entry.state === 'withdrawn') { show(t('withdrawnDone'), 'good', 'withdrawn'); break; }
    if (entry.state === 'refused') { show(t('refused')(entry.reason || ''), 'bad', 'refused'); break; }
    if (!body.hub.reachable) show(t('queuedOffline'), 'waiting', 'queued');
  }
  refreshLink();
  if (!$('activities').hidden) loadActivities();
}

// ---- One activity: its content, its history, correct and withdraw ------------------------------------------------

function valueText(field, value) {
  if (value === undefined || value === null || value === '') return '–';
  const vocabulary = LISTS[field] || SELECTS[field];
  if (!vocabulary) return String(value);
  const name = code => { const choice = state.form[vocabulary].find(c => c.code === code); return choice ? label(choice) : code; };
  return Array.isArray(value) ? value.map(name).join(', ') : name(value);
}

async function openActivity(id) {
  const detail = $('activity-detail');
  const { status, body } = await api(`activities/${encodeURIComponent(id)}`);
  if (status !== 200 || !body) { detail.hidden = false; detail.replaceChildren(el('p', { text: body && body.error || t('nodeDown') })); return; }
  const latest = body.versions[body.versions.length - 1];
  const event = JSON.parse(latest.event);
  const entry = latest.entry;
  const title = `${event.date || ''} · ${valueText('kind', event.kind)} (v${entry.version}, ${t('state')[entry.state]})`;
  const fields = el('dl');
  for (const field of FIELDS) fields.append(el('dt', { text: t(field) }), el('dd', { 'data-field': field, text: valueText(field, event[field]) }));
  const history = el('ol', { class: 'history' });
  for (const version of body.versions) {
    const v = version.entry;
    const words = [`v${v.version}`, t('state')[v.state], v.submittedBy || '', v.acceptedAt.replace('T', ' ').replace('Z', ' UTC')];
    if (v.withdrawalReason) words.push(`${t('reason')}: ${v.withdrawalReason}`);
    if (v.reason) words.push(v.reason);
    history.append(el('li', { 'data-version': String(v.version), text: words.filter(Boolean).join(' · ') }));
  }
  const result = el('div', { class: 'result', id: 'detail-result', role: 'status', 'aria-live': 'polite' });
  const actions = el('div', { class: 'buttons' });
  if (body.mayChange && entry.state !== 'withdrawn') {
    const correct = el('button', { type: 'button', id: 'correct', text: t('correct') });
    correct.addEventListener('click', () => {
      state.editing = { id: body.id, version: entry.version };
      buildForm(event);
      location.hash = '#record';
      $('record-title').scrollIntoView();
      $('in-node').focus();
    });
    const reasonId = 'withdraw-reason';
    const reason = el('input', { type: 'text', id: reasonId, autocomplete: 'off' });
    const withdraw = el('button', { type: 'button', class: 'secondary', id: 'withdraw', text: t('withdraw') });
    withdraw.addEventListener('click', async () => {
      if (!reason.value.trim()) { reason.setAttribute('aria-invalid', 'true'); reason.focus(); return; }
      const reply = await postJSON(`activities/${encodeURIComponent(body.id)}/withdraw`, { reason: reason.value.trim(), basedOn: entry.version });
      if (reply.status !== 200 || !reply.body || reply.body.status === 'invalid') {
        say((reply.body && (reply.body.error || (reply.body.issues || []).map(i => i.message).join(' '))) || t('nodeDown'), 'bad', result);
        return;
      }
      await follow(reply.body, result);
      openActivity(body.id);
    });
    actions.append(correct, el('label', { for: reasonId, text: t('reason') }), reason, withdraw);
  }
  detail.replaceChildren(el('h3', { text: title }), fields, el('h4', { text: t('history') }), history, actions, result);
  detail.hidden = false;
  detail.dataset.id = body.id;
  detail.focus();
}
window.workspaceOpen = openActivity;

// ---- The region's activities --------------------------------------------------------------------------------

async function loadActivities() {
  const { status, body } = await api('activities');
  if (status !== 200 || !body) { $('activity-caption').textContent = t('nodeDown'); return; }
  state.activities = body.events;
  renderActivities();
}

function renderActivities() {
  const table = $('activity-table');
  const wanted = $('filter-state').value;
  const text = $('filter-text').value.trim().toLowerCase();
  const shown = state.activities.filter(entry => (!wanted || entry.state === wanted) && (!text ||
    [entry.id, entry.kind, entry.node, entry.date, entry.submittedBy, t('state')[entry.state]]
      .some(value => (value || '').toLowerCase().includes(text))));
  const head = el('tr');
  for (const column of t('columns')) head.append(el('th', { scope: 'col', text: column }));
  table.tHead.replaceChildren(head);
  const rows = shown.map(entry => {
    const row = el('tr', { 'data-id': entry.id, 'data-state': entry.state });
    const kind = state.form.kinds.find(choice => choice.code === entry.kind);
    row.append(el('td', { text: entry.date || '' }), el('td', { text: kind ? label(kind) : entry.kind || '' }),
      el('td', { text: entry.node || '' }), el('td', { class: 'num', text: String(entry.version) }),
      el('td', { class: `state-${entry.state}`, text: t('state')[entry.state] + (entry.reason ? `: ${entry.reason}` : '') }),
      el('td', { text: entry.submittedBy || '' }));
    const open = el('button', { type: 'button', class: 'small open', text: t('open'),
      'aria-label': `${t('open')} ${entry.date || ''} ${kind ? label(kind) : ''}` });
    open.addEventListener('click', () => window.workspaceOpen && window.workspaceOpen(entry.id));
    row.append(el('td', {}, open));
    return row;
  });
  table.tBodies[0].replaceChildren(...rows);
  $('activity-caption').textContent = t('shown')(shown.length, state.activities.length);
}

function buildFilters() {
  const select = $('filter-state');
  const current = select.value;
  select.replaceChildren(el('option', { value: '', text: t('all') }));
  for (const name of ['queued', 'delivered', 'refused', 'withdrawn']) select.append(el('option', { value: name, text: t('state')[name] }));
  select.value = current;
}

// ---- Spreadsheet upload: checked row by row and shown as a table before anything is imported ------------------------

// The file goes as it is: a CSV file's text or an Excel workbook's bytes (the node tells them apart).
const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const sendSheet = (path, file) => api(path, { method: 'POST', headers: { 'Content-Type': /\.xlsx$/i.test(file.name) ? xlsxType : 'text/csv' }, body: file });

async function checkSpreadsheet(event) {
  event.preventDefault();
  const file = $('csv-file').files[0];
  const out = $('upload-result');
  if (!file) { $('csv-file').focus(); return; }
  const { status, body } = await sendSheet('spreadsheet/check', file);
  if (status !== 200 || !body) { out.replaceChildren(el('p', { class: 'problem', text: body && body.error || t('nodeDown') })); return; }
  const parts = [el('p', { id: 'sheet-summary', text: t('sheetSummary')(body.good, body.bad) })];
  if (body.headerProblems.length) {
    const list = el('ul');
    for (const problem of body.headerProblems) list.append(el('li', { text: problem.text }));
    parts.push(el('p', { class: 'problem', text: t('sheetHeader') }), list);
  }
  const table = el('table', { id: 'sheet-table' });
  table.append(el('caption', { text: file.name }));
  const head = el('tr', {}, el('th', { scope: 'col', text: t('line') }), el('th', { scope: 'col', text: t('rowState') }));
  for (const column of body.columns) head.append(el('th', { scope: 'col', text: column }));
  table.append(el('thead', {}, head));
  const rows = el('tbody');
  for (const row of body.rows) {
    const tr = el('tr', { 'data-line': String(row.line), class: row.good ? '' : 'row-bad' });
    tr.append(el('th', { scope: 'row', text: String(row.line) }), el('td', { text: row.good ? t('ok') : `${row.problems.length} ${t('problems')}` }));
    row.cells.forEach((cell, index) => {
      const mine = row.problems.filter(problem => problem.column === index + 1);
      const td = el('td', { text: cell });
      if (mine.length) {
        td.className = 'cell-bad';
        for (const problem of mine) {
          td.append(el('span', { class: 'cell-problem', 'data-code': problem.code || '', text: problem.text.replace(/^line \d+, column \d+ /, '') }));
          if (problem.hint) td.append(el('span', { class: 'hint', 'data-suggestion': problem.suggestion || '', text: `${t('hint')}: ${problem.hint}` }));
        }
      }
      tr.append(td);
    });
    const loose = row.problems.filter(problem => !problem.column);
    if (loose.length) tr.lastChild.append(...loose.map(problem => el('span', { class: 'cell-problem', text: problem.text })));
    rows.append(tr);
  }
  table.append(rows);
  parts.push(el('div', { class: 'scroll' }, table));
  if (!body.headerProblems.length && body.good > 0) {
    const go = el('button', { type: 'button', id: 'import-good', text: t('importGood')(body.good) });
    go.addEventListener('click', async () => {
      go.disabled = true;
      const reply = await sendSheet('spreadsheet/import', file);
      const done = el('p', { id: 'import-result', role: 'status' });
      if (reply.status !== 200 || !reply.body) done.textContent = reply.body && reply.body.error || t('nodeDown');
      else {
        const r = reply.body;
        done.textContent = t('imported')(r.queued, r.corrected.length, r.alreadyThere, r.refused.length, r.skipped);
      }
      out.append(done);
      refreshLink();
    });
    parts.push(go);
  }
  out.replaceChildren(...parts);
}

// ---- My region's picture: the hub's open gaps for the region -----------------------------------------------------

async function loadPicture() {
  const box = $('picture-body');
  const { status, body } = await api('picture');
  if (status !== 200 || !body) { box.replaceChildren(el('p', { text: t('nodeDown') })); return; }
  if (!body.available) { box.replaceChildren(el('p', { class: 'note', id: 'picture-unavailable', text: body.problem })); return; }
  const parts = [el('p', { class: 'note', text: t('pictureNote') })];
  const groupName = code => { const choice = state.form.targetGroups.find(c => c.code === code); return choice ? label(choice) : code; };
  if (body.coverage.length) {
    const table = el('table', { id: 'coverage-table' });
    const head = el('tr');
    for (const column of t('coverageColumns')) head.append(el('th', { scope: 'col', text: column }));
    table.append(el('thead', {}, head));
    const rows = el('tbody');
    const number = value => value === null || value === undefined ? '–' : value.toLocaleString(state.lang === 'nb' ? 'nb-NO' : 'en-GB', { maximumFractionDigits: 2 });
    for (const row of body.coverage) rows.append(el('tr', { 'data-group': row.targetGroup, 'data-band': row.band },
      el('th', { scope: 'row', text: groupName(row.targetGroup) }),
      el('td', { class: 'num', text: row.withheld ? '<5' : number(row.events) }),
      el('td', { class: 'num', text: number(row.rate) }), el('td', { class: 'num', text: number(row.median) }),
      el('td', { text: t('band')[row.band] || row.band })));
    table.append(rows);
    if (body.coverageAsOf) parts.push(el('p', { text: t('coverageAsOf')(body.coverageAsOf) }));
    parts.push(el('div', { class: 'scroll' }, table));
  }
  parts.push(el('h3', { text: t('gapsTitle') }));
  if (!body.gaps.length) parts.push(el('p', { id: 'no-gaps', text: t('noGaps') }));
  else {
    const list = el('ul', { id: 'gap-list' });
    for (const gap of body.gaps) {
      const words = `${t('severity')[gap.severity] || gap.severity}: ${state.lang === 'nb' ? gap.messageNb : gap.message}` + (gap.since ? ` (${t('since')} ${sinceText(gap)})` : '');
      list.append(el('li', { 'data-rule': gap.rule, 'data-severity': gap.severity, text: words }));
    }
    parts.push(list);
  }
  box.replaceChildren(...parts);
}
window.workspacePicture = loadPicture;

// ---- Close the month: the reporting-periods seam (MonthClosing) -------------------------------------------------

async function loadMonths(message, path = 'months') {
  const box = $('month-body');
  const { status, body } = await api(path);
  if (status !== 200 || !body) { box.replaceChildren(el('p', { text: (body && body.error) || t('nodeDown') })); return; }
  if (!body.available) { box.replaceChildren(el('p', { class: 'note', id: 'months-unavailable', text: t('monthsUnavailable') })); return; }
  const parts = [el('p', { class: 'note', text: t('monthNote') })];
  if (message) parts.push(el('p', { id: 'month-result', role: 'status', class: message.bad ? 'state-refused' : undefined, text: message.text }));
  if (!body.months.length) { box.replaceChildren(...parts, el('p', { id: 'no-months', text: t('noMonths') })); return; }
  const act = async (path, value, done) => {
    for (const button of box.querySelectorAll('button')) button.disabled = true;
    const reply = await postJSON(path, value);
    if (reply.status !== 200) { loadMonths({ bad: true, text: (reply.body && reply.body.error) || t('nodeDown') }); return; }
    const next = await api('months?drained=1');
    loadMonths(done(reply.body, next.body), 'months');
  };
  const table = el('table', { id: 'month-table' });
  const head = el('tr');
  for (const column of t('monthColumns')) head.append(el('th', { scope: 'col', text: column }));
  table.append(el('thead', {}, head));
  const rows = el('tbody');
  for (const month of body.months) {
    const actions = el('td');
    if (month.state === 'due' || month.state === 'overdue') {
      for (const [text, nil] of [[t('makeReturn'), false], [t('nilReturn'), true]]) {
        const button = el('button', { type: 'button', class: 'small', 'data-nil': String(nil), text,
          'aria-label': `${text}: ${month.month} ${month.node}` });
        button.addEventListener('click', () => act(`months/${month.month}/return`, { node: month.node, nilReturn: nil }, (_, after) => {
          const row = after && after.months.find(m => m.month === month.month && m.node === month.node);
          const delivered = row && (row.delivery === 'delivered' || row.state === 'signedOff' || row.state === 'locked');
          return { text: delivered ? t('returnDone')(month.month, month.node) : t('returnQueued')(month.month, month.node) };
        }));
        actions.append(button, ' ');
      }
    }
    let words = t('monthState')[month.state] || month.state;
    if (month.state === 'due' && month.dueOn) words += ` (${t('dueBy')(month.dueOn)})`;
    if (month.state === 'overdue' && month.daysOverdue) words += ` (${t('daysOverdue')(month.daysOverdue)})`;
    if (month.nilReturn) words += `, ${t('nilMark')}`;
    if (month.delivery && month.state === 'returned') words += `, ${t('returnState')[month.delivery] || month.delivery}`;
    const when = value => value ? ` (${value.replace('T', ' ').replace('Z', ' UTC')})` : '';
    rows.append(el('tr', { 'data-month': month.month, 'data-node': month.node, 'data-state': month.state,
      'data-delivery': month.delivery || '' },
      el('td', { text: month.month }), el('td', { text: month.node }),
      el('td', { class: `month-${month.state}`, text: words }),
      el('td', { text: month.by ? month.by + when(month.at) : '' }),
      el('td', { text: month.approvedBy ? month.approvedBy + when(month.approvedAt) : '' }), actions));
  }
  table.append(rows);
  parts.push(el('div', { class: 'scroll' }, table));
  if (state.me && state.me.maySignOff) {
    // A month is ready for the lead once every local node's return is in and it is not signed off yet.
    const months = [...new Set(body.months.map(m => m.month))].filter(month =>
      body.months.filter(m => m.month === month).every(m => m.state === 'returned'));
    for (const month of months) {
      const button = el('button', { type: 'button', class: 'sign-off', 'data-month': month, text: `${t('signOff')} ${month}` });
      button.addEventListener('click', () => act(`months/${month}/sign-off`, {}, () => ({ text: t('signOffDone')(month) })));
      parts.push(button, ' ');
    }
  }
  box.replaceChildren(...parts);
}
window.workspaceMonth = loadMonths;

// ---- Start ------------------------------------------------------------------------------------------------------

async function start() {
  const [me, form] = await Promise.all([api('me'), api('form')]);
  state.me = me.body;
  state.form = form.body;
  $('region').textContent = `– ${state.form.regionName}`;
  translate();
  buildFilters();
  newDraft();
  $('activity').addEventListener('submit', send);
  $('upload').addEventListener('submit', checkSpreadsheet);
  $('filter-state').addEventListener('change', renderActivities);
  $('filter-text').addEventListener('input', renderActivities);
  $('language').addEventListener('click', () => {
    const values = state.form ? collect() : {};
    state.lang = state.lang === 'nb' ? 'en' : 'nb';
    localStorage.setItem('workspace.lang', state.lang);
    translate();
    buildFilters();
    buildForm(values);
    if (state.activities.length) renderActivities();
  });
  window.addEventListener('hashchange', showSection);
  showSection();
  await refreshLink();
  setInterval(refreshLink, 15000);
  document.body.dataset.ready = 'true';
}

window.workspace = { state, api, postJSON, el, t, label, buildForm, follow, say, loadActivities, showProblems };
start();
