// ccpulse wallboard: renders /api/v1/stream snapshots (Server-Sent Events) into per-queue tiles,
// grouped by tenant and vendor, filtered and sorted on the page. No dependencies.
'use strict';
(function () {
  const board = document.getElementById('board');
  const statusEl = document.getElementById('status');
  const scopeEl = document.getElementById('scope');
  const filterEl = document.getElementById('filter');
  const sortEl = document.getElementById('sort');
  const updatedEl = document.getElementById('updated');
  const clockEl = document.getElementById('clock');
  const STALE_MS = 3000;  // no snapshot for this long: say so, even before the browser notices
  let snapshot = null;
  let lastSnapshotAt = 0;
  let source = null;
  let retryTimer = null;
  let snapshots = 0;

  // Filter and sort live in the URL fragment, so a TV can be pointed at a fixed view.
  const params = new URLSearchParams(location.hash.slice(1));
  filterEl.value = params.get('filter') || '';
  if (params.get('sort')) sortEl.value = params.get('sort');
  function saveView() {
    const p = new URLSearchParams();
    if (filterEl.value) p.set('filter', filterEl.value);
    if (sortEl.value !== 'name') p.set('sort', sortEl.value);
    history.replaceState(null, '', p.toString() ? '#' + p.toString() : location.pathname);
    render();
  }
  filterEl.addEventListener('input', saveView);
  sortEl.addEventListener('change', saveView);

  function setStatus(state, text) {
    statusEl.className = 'status ' + state;
    statusEl.textContent = text;
    board.classList.toggle('stale', state !== 'live');
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  }
  const num = (v) => v === null || v === undefined || Number.isNaN(v);
  const pct = (v) => (num(v) ? '–' : (v * 100).toFixed(1) + '%');
  function secs(v) {
    if (num(v)) return '–';
    if (v < 60) return v.toFixed(v < 10 ? 1 : 0) + 's';
    const m = Math.floor(v / 60);
    const s = Math.round(v % 60);
    return m < 60 ? m + 'm' + String(s).padStart(2, '0') + 's' : Math.floor(m / 60) + 'h' + String(m % 60).padStart(2, '0') + 'm';
  }
  // Oldest wait against the threshold: over half is a warning, over the threshold is bad.
  function waitClass(q) {
    if (num(q.threshold) || q.threshold <= 0 || q.waiting === 0) return 'ok';
    if (q.oldest_wait >= q.threshold) return 'bad';
    return q.oldest_wait >= q.threshold / 2 ? 'warn' : 'ok';
  }
  // Service level against the target: below is bad, within 5 points above is a warning.
  function slClass(v, target) {
    if (num(v) || num(target)) return '';
    if (v < target) return 'bad';
    return v < target + 0.05 ? 'warn' : 'ok';
  }
  const worst = (...classes) => (classes.includes('bad') ? 'bad' : classes.includes('warn') ? 'warn' : 'ok');
  const key = (q) => [q.tenant, q.vendor, q.queue, q.channel].join('/');

  function tile(q, windows) {
    const wc = waitClass(q);
    const sl = q.sl[0];
    const slc = slClass(sl, q.target);
    const dayc = slClass(q.sl_day, q.target);
    const a = q.agents;
    let agents = '<div class="agentline">no agents reported</div>';
    if (a) {
      const total = Math.max(1, a.available + a.busy + a.acw + a.aux);
      const bar = ['available', 'busy', 'acw', 'aux']
        .map((s) => `<span class="${s}" style="width:${(100 * a[s]) / total}%" title="${s} ${a[s]}"></span>`).join('');
      agents = `<div class="agents" aria-hidden="true">${bar}</div>` +
        `<div class="agentline" data-field="agents">${a.staffed} staffed · ${a.available} avail · ${a.busy} busy · ` +
        `${a.acw} acw · ${a.aux} aux</div>`;
    }
    const gap = num(q.staffing_gap) ? '–' : (q.staffing_gap > 0 ? '+' : '') + q.staffing_gap;
    const gapc = num(q.staffing_gap) ? '' : q.staffing_gap < 0 ? 'bad' : 'ok';
    return `<article class="tile ${worst(wc, slc)}" data-key="${esc(key(q))}" data-queue="${esc(q.queue)}">
<header><span class="name">${esc(q.queue)}</span><span class="channel">${esc(q.channel)}</span></header>
<div class="headline">
  <div><span class="big" data-field="waiting">${q.waiting}</span><small>waiting</small></div>
  <div><span class="big ${wc}" data-field="oldest">${secs(q.oldest_wait)}</span><small>oldest · limit ${secs(q.threshold)}</small></div>
</div>
<dl class="stats">
  <div><dt>SL ${esc(windows[0] || '')}</dt><dd class="${slc}" data-field="sl">${pct(sl)}</dd></div>
  <div><dt>SL today</dt><dd class="${dayc}" data-field="sl_day">${pct(q.sl_day)}</dd></div>
  <div><dt>target</dt><dd>${pct(q.target)}</dd></div>
  <div><dt>abandon</dt><dd data-field="abandon">${pct(q.abandon_rate[0])}</dd></div>
  <div><dt>ASA</dt><dd data-field="asa">${secs(q.asa[0])}</dd></div>
  <div><dt>offered today</dt><dd data-field="offered">${q.offered_day}</dd></div>
  <div><dt>staffing gap</dt><dd class="${gapc}" data-field="gap">${gap}</dd></div>
  <div><dt>required</dt><dd>${num(q.agents_required) ? '–' : q.agents_required}</dd></div>
</dl>
${agents}
</article>`;
  }

  const sorters = {
    name: (a, b) => a.queue.localeCompare(b.queue) || a.channel.localeCompare(b.channel),
    waiting: (a, b) => b.waiting - a.waiting || b.oldest_wait - a.oldest_wait,
    oldest: (a, b) => b.oldest_wait - a.oldest_wait,
    sl: (a, b) => (num(a.sl[0]) ? 2 : a.sl[0]) - (num(b.sl[0]) ? 2 : b.sl[0]),
    abandon: (a, b) => (num(b.abandon_rate[0]) ? -1 : b.abandon_rate[0]) - (num(a.abandon_rate[0]) ? -1 : a.abandon_rate[0]),
  };

  function render() {
    if (!snapshot) return;
    scopeEl.textContent = 'scope: ' + snapshot.scope;
    const terms = filterEl.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = snapshot.queues.filter((q) => {
      const text = (q.tenant + ' ' + q.vendor + ' ' + q.queue + ' ' + q.channel).toLowerCase();
      return terms.every((t) => text.includes(t));
    });
    const groups = new Map();
    for (const q of shown) {
      const g = q.tenant + '\u0000' + q.vendor;
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(q);
    }
    const sorter = sorters[sortEl.value] || sorters.name;
    const html = [];
    for (const g of [...groups.keys()].sort()) {
      const qs = groups.get(g).sort(sorter);
      const [tenant, vendor] = g.split('\u0000');
      const waiting = qs.reduce((n, q) => n + q.waiting, 0);
      html.push(`<section class="group"><h2><b>${esc(tenant)}</b> · ${esc(vendor)} · ${waiting} waiting</h2>` +
        `<div class="tiles">${qs.map((q) => tile(q, snapshot.windows)).join('')}</div></section>`);
    }
    board.innerHTML = html.length ? html.join('') :
      `<p class="empty">${snapshot.queues.length ? 'no queue matches the filter' : 'no queues yet'}</p>`;
    updatedEl.textContent = 'updated ' + new Date(snapshot.generated_ms).toLocaleTimeString();
  }

  function connect() {
    clearTimeout(retryTimer);
    if (source) source.close();
    source = new EventSource('/api/v1/stream');
    source.addEventListener('snapshot', (e) => {
      snapshot = JSON.parse(e.data);
      lastSnapshotAt = Date.now();
      snapshots += 1;
      document.body.dataset.snapshots = String(snapshots);
      setStatus('live', 'live');
      render();
    });
    source.onerror = () => {
      setStatus('reconnecting', 'reconnecting…');
      // The browser retries by itself after a dropped connection; after a refused one (401, 503)
      // it gives up (CLOSED), so try again ourselves.
      if (source.readyState === EventSource.CLOSED) retryTimer = setTimeout(connect, 2000);
    };
  }

  setInterval(() => {
    clockEl.textContent = new Date().toLocaleTimeString();
    if (lastSnapshotAt && Date.now() - lastSnapshotAt > STALE_MS && statusEl.classList.contains('live')) {
      setStatus('reconnecting', 'reconnecting…');
      connect();
    }
  }, 1000);
  connect();
})();
