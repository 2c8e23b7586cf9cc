// The run page: one card per job (phase timeline, verdict, tests, failure analysis), its console streaming live
// with findings highlighted, and the analyzer's thoughts beside it. Everything arrives over one EventSource.
(() => {
  const runId = new URLSearchParams(location.search).get('id');
  const jobs = new Map();          // jobId -> {card, consoleEl, thoughtsEl, hits:Set<seq>}
  const MAX_LINES = 2000;
  document.getElementById('run-id').textContent = runId;

  function jobView(job) {
    let v = jobs.get(job.id);
    if (v) return v;
    const card = vmtest.el('section', 'job'); card.id = 'job-' + job.id;
    const head = vmtest.el('div', 'job-head');
    const panes = vmtest.el('div', 'panes');
    const consoleEl = vmtest.el('pre', 'pane console'); consoleEl.dataset.job = job.id;
    const thoughtsEl = vmtest.el('pre', 'pane thoughts');
    panes.append(consoleEl, thoughtsEl);
    const tests = vmtest.el('div', 'tests');
    const failure = vmtest.el('div', 'failure'); failure.hidden = true;
    card.append(head, tests, panes, failure);
    document.getElementById('jobs').append(card);
    v = { card, head, tests, failure, consoleEl, thoughtsEl, hits: new Set(), lines: new Map() };
    jobs.set(job.id, v);
    return v;
  }

  function renderRun(run) {
    document.getElementById('run-state').replaceChildren(vmtest.badge(run.state));
    document.getElementById('run-verdict').replaceChildren(run.verdict ? vmtest.badge(run.verdict) : '');
    document.getElementById('run-labels').textContent = Object.entries(run.labels).map(([k, x]) => k + '=' + x).join(' ');
    for (const job of run.jobs) renderJob(job);
  }

  function renderJob(job) {
    const v = jobView(job);
    const name = vmtest.el('span', 'name', job.profile);
    const id = vmtest.el('span', 'muted', job.id + (job.attempt ? ' · attempt ' + job.attempt : '') + (job.worker ? ' · ' + job.worker : ''));
    const state = vmtest.badge(job.verdict || (job.startedAt ? 'running' : 'queued'));
    v.head.replaceChildren(name, state, timeline(job), id);
    if (job.reason) v.head.append(vmtest.el('span', 'muted', job.reason));
    v.tests.replaceChildren(...job.tests.map(testView));
    if (job.failure) {
      const f = job.failure;
      v.failure.hidden = false;
      v.failure.replaceChildren(vmtest.el('h3', null, 'Failure: ' + f.title + (f.phase ? ' — in ' + f.phase : '')),
        vmtest.el('pre', null, [...(f.context || []), ...(f.block && f.block.length ? f.block : [f.firstLine])].join('\n')));
      if (f.signature) {
        const group = vmtest.el('a', 'failure-group', 'all failures like this');
        group.href = '/failures.html#sig-' + encodeURIComponent(f.signature);
        v.failure.append(group);
      }
      if (f.knownIssue) {
        v.head.append(knownIssue(f.knownIssue));
        v.failure.insertBefore(knownIssue(f.knownIssue), v.failure.children[1]);
      }
    }
  }

  // The bug a failure is known as; its link only when it is http(s) (the API refuses others anyway).
  function knownIssue(k) {
    const e = vmtest.el('span', 'known-issue', 'known issue ' + k.id + (k.url ? ': ' : ''));
    if (k.url && /^https?:\/\//.test(k.url)) {
      const a = vmtest.el('a', 'bug-link', k.url);
      a.href = k.url; a.target = '_blank'; a.rel = 'noopener noreferrer';
      e.append(a);
    }
    return e;
  }

  // A test, and the subtests it reported (TAP): the failing ones by name and message, the rest counted.
  function testView(t) {
    const e = vmtest.el('span', 'test', (t.passed ? '✔ ' : '✘ ') + t.name + ' (' + t.durationMillis + ' ms)');
    const subs = t.subtests || [];
    if (subs.length) {
      const failed = subs.filter(s => !s.passed);
      e.append(vmtest.el('span', 'muted', ' · ' + (subs.length - failed.length) + '/' + subs.length + ' subtests passed'));
      const list = vmtest.el('ul', 'subtests');
      for (const s of failed) list.append(vmtest.el('li', 'subtest-failed', '✘ ' + s.name + (s.message ? ': ' + s.message : '')));
      if (failed.length) e.append(list);
    }
    return e;
  }

  function timeline(job) {
    const bar = vmtest.el('div', 'timeline');
    const now = Date.now();
    const spans = job.phases.map(p => ({ name: p.name, ms: Math.max(1, (p.end ? Date.parse(p.end) : now) - Date.parse(p.start)), open: !p.end, fetchMs: p.artifactFetchMillis }));
    const total = spans.reduce((a, s) => a + s.ms, 0) || 1;
    for (const s of spans) {
      // PROVISIONING of a job with artifacts: the fetch apart from the boot, "provisioning 12.3s (artifacts 4.1s)"
      const fetch = s.fetchMs ? ' (artifacts ' + (s.fetchMs / 1000).toFixed(1) + 's)' : '';
      const d = vmtest.el('div', 'ph-' + s.name + (s.open ? ' open' : ''), s.name.toLowerCase() + ' ' + (s.ms / 1000).toFixed(1) + 's' + fetch);
      d.style.flex = Math.max(0.08, s.ms / total).toString();
      d.title = s.name + ': ' + (s.ms / 1000).toFixed(1) + ' s'
        + (s.fetchMs ? ', of which ' + (s.fetchMs / 1000).toFixed(1) + ' s getting the artifacts and '
          + (Math.max(0, s.ms - s.fetchMs) / 1000).toFixed(1) + ' s the boot' : '');
      bar.append(d);
    }
    return bar;
  }

  function addLine(line) {
    const v = jobs.get(line.jobId) || jobView({ id: line.jobId, profile: line.jobId });
    const span = vmtest.el('span', 'l src-' + line.source, (line.source === 'SSH_STDOUT' || line.source === 'SSH_STDERR' ? '│ ' : '') + line.text);
    span.dataset.seq = line.seq;
    if (v.hits.has(line.seq)) span.classList.add('hit');
    v.lines.set(line.seq, span);
    const stick = v.consoleEl.scrollTop + v.consoleEl.clientHeight >= v.consoleEl.scrollHeight - 20;
    v.consoleEl.append(span);
    while (v.consoleEl.childElementCount > MAX_LINES) {
      const first = v.consoleEl.firstElementChild; v.lines.delete(Number(first.dataset.seq)); first.remove();
    }
    if (stick) v.consoleEl.scrollTop = v.consoleEl.scrollHeight;
  }

  function addThought(t, cls, text) {
    const target = t.jobId && jobs.get(t.jobId) ? jobs.get(t.jobId).thoughtsEl : document.getElementById('run-thoughts');
    const e = vmtest.el('span', 't ' + cls, text);
    target.append(e);
    target.scrollTop = target.scrollHeight;
  }

  function onFinding(f) {
    const v = jobs.get(f.jobId);
    if (v) {
      v.hits.add(f.lineSeq);
      const span = v.lines.get(f.lineSeq);
      if (span) span.classList.add('hit');
    }
    addThought(f, 'f', '⚑ ' + f.category + ' ' + f.title + (f.line ? '\n   ' + f.line : ''));
  }

  // An EventSource cannot send the token, and a token never goes into a URL: each connection gets a ticket (valid
  // for a minute, for this run's events only) and, after a break, resumes after the last event it saw.
  let lastEventId = null;
  async function connect() {
    const base = '/runs/' + encodeURIComponent(runId) + '/events';
    const query = [];
    if (vmtest.token()) query.push('ticket=' + encodeURIComponent((await vmtest.api(base + '/ticket', 'POST')).ticket));
    if (lastEventId) query.push('lastEventId=' + encodeURIComponent(lastEventId));
    const es = new EventSource('/api/v1' + base + (query.length ? '?' + query.join('&') : ''));
    const live = document.getElementById('live');
    es.onopen = () => { live.textContent = '● live'; };
    es.onerror = () => {
      live.textContent = '○ reconnecting';
      es.close();
      setTimeout(reconnect, 2000);
    };
    const on = (name, fn) => es.addEventListener(name, e => { if (e.lastEventId) lastEventId = e.lastEventId; fn(JSON.parse(e.data)); });
    on('run', renderRun);
    on('line', addLine);
    on('finding', onFinding);
    on('thought', t => addThought(t, 'd', '→ ' + t.decision + ': ' + t.observed + (t.reason ? '\n   because ' + t.reason : '')));
    on('job-verdict', v => addThought(v, 'd', '■ verdict ' + v.verdict + (v.reason ? ': ' + v.reason : '')));
    on('run-verdict', v => { document.getElementById('run-verdict').replaceChildren(vmtest.badge(v.verdict)); });
  }
  function reconnect() {
    connect().catch(() => setTimeout(reconnect, 5000));
  }

  vmtest.api('/runs/' + encodeURIComponent(runId)).then(run => { renderRun(run); connect(); })
    .catch(e => { document.getElementById('jobs').textContent = String(e.message || e); });
})();
