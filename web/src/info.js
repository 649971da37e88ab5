// The header: connection status (gateway version, session, protocol,
// connected or not, reconnect), what the gateway's policy allows in plain
// words, its limits, and the demo echo service.

import { h, size, copyButton } from './format.js';
import { groupWords } from './policy_words.js';

export async function fetchInfo() {
  const res = await fetch(new URL('api/info', document.baseURI), { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET /api/info: HTTP ${res.status}`);
  return res.json();
}

export async function fetchHealth() {
  const res = await fetch(new URL('healthz', document.baseURI), { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET /healthz: HTTP ${res.status}`);
  return res.json();
}

/**
 * Groups the gateway's summary lines ("connect/send to tcp+udp
 * 127.0.0.0/8, any port", "listen/bind on ::1/128, ports 1024-65535") by
 * what they permit.
 */
export function policyGroups(policy) {
  const groups = [
    { key: 'reach', title: 'May connect and send to', short: 'Reach', prefix: /^connect\/send to\s+/i, items: [] },
    { key: 'local', title: 'May listen and bind on', short: 'Listen', prefix: /^listen\/bind on\s+/i, items: [] },
    { key: 'other', title: 'Also', short: 'Also', prefix: null, items: [] },
  ];
  for (const line of policy?.summary || []) {
    const g = groups.find((x) => x.prefix && x.prefix.test(line)) || groups[2];
    g.items.push(g.prefix ? line.replace(g.prefix, '') : line);
  }
  if (!policy?.summary?.length) {
    for (const r of policy?.allow || []) groups[0].items.push(r);
    for (const r of policy?.bind_allow || []) groups[1].items.push(r);
  }
  return groups.filter((g) => g.items.length);
}

export class Header {
  constructor(root, { onReconnect, onDisconnect } = {}) {
    this.root = root;
    this.dot = h('span', { class: 'conn-dot', 'aria-hidden': 'true' });
    this.state = h('span', { class: 'conn-state' }, 'starting…');
    this.detail = h('span', { class: 'conn-detail' });
    this.action = h('button', { type: 'button', class: 'btn btn-small conn-action', hidden: true });
    this.action.addEventListener('click', () => {
      if (this.action.dataset.act === 'reconnect') onReconnect?.();
      else onDisconnect?.();
    });
    this.conn = h('div', { class: 'conn', role: 'status', 'aria-live': 'polite', 'data-state': 'starting' },
      this.dot, this.state, this.detail, this.action);
    this.demo = h('div', { class: 'demo', hidden: true });
    this.policy = h('div', { class: 'policy', 'aria-label': 'Gateway policy' });
    this.limits = h('details', { class: 'limits' });
    // The popover closes like a menu: Escape, or a click elsewhere.
    document.addEventListener('click', (e) => { if (this.limits.open && !this.limits.contains(e.target)) this.limits.open = false; });
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && this.limits.open) { this.limits.open = false; this.limits.querySelector('summary')?.focus(); } });
    root.replaceChildren(
      h('div', { class: 'topbar-row' },
        h('h1', { class: 'brand-h1' }, h('a', { class: 'brand', href: './', title: 'sockgate playground' },
          logo(), h('span', { class: 'brand-name' }, 'sockgate'), h('span', { class: 'brand-sub' }, 'playground'))),
        this.conn,
        h('div', { class: 'spacer' }),
        this.demo),
      h('div', { class: 'topbar-row topbar-policy' },
        h('p', { class: 'tagline' }, 'Real TCP and UDP sockets for programs in your browser.'),
        this.policy, this.limits));
  }

  setInfo(info) {
    this.info = info;
    // In words; the rules themselves (CIDR) on request.
    this.policy.replaceChildren(h('span', { class: 'policy-title' }, 'Policy'));
    for (const g of policyGroups(info.policy)) {
      const items = g.key === 'other' ? g.items.map((item) => ({ words: item, rules: [item] })) : groupWords(g.items);
      this.policy.append(h('span', { class: `policy-group policy-${g.key}` },
        // A phone shows the short label.
        h('span', { class: 'policy-label' }, h('span', { class: 'label-long' }, g.title), h('span', { class: 'label-short', 'aria-hidden': 'true' }, g.short)),
        ...items.map((item) => h('span', { class: 'policy-item' },
          h('span', { class: 'policy-words' }, item.words),
          h('span', { class: 'policy-rule' }, item.rules.join(' · '))))));
    }
    const showRules = h('button', { type: 'button', class: 'btn btn-tiny policy-toggle', 'aria-pressed': String(this.policy.dataset.rules === 'on'), title: 'Show the rules as the gateway states them (CIDR notation)' }, 'CIDR');
    showRules.addEventListener('click', () => {
      const on = this.policy.dataset.rules !== 'on';
      this.policy.dataset.rules = on ? 'on' : 'off';
      showRules.setAttribute('aria-pressed', String(on));
    });
    this.policy.append(showRules);
    if (info.token_required) this.policy.append(h('span', { class: 'policy-group' }, h('span', { class: 'policy-item warn' }, 'token required')));

    const l = info.limits || {};
    this.limits.replaceChildren(
      h('summary', {}, 'Limits & rules'),
      h('div', { class: 'limits-body' },
        h('dl', {},
          h('dt', {}, 'sockets per session'), h('dd', {}, String(l.sockets ?? '?')),
          h('dt', {}, 'listeners per session'), h('dd', {}, String(l.listeners ?? '?')),
          h('dt', {}, 'sessions'), h('dd', {}, String(l.sessions ?? '?')),
          h('dt', {}, 'flow-control window'),
          h('dd', {}, l.max_window > l.window ? `${size(l.window)}, grows to ${size(l.max_window)}` : size(l.window)),
          h('dt', {}, 'largest message'), h('dd', {}, size(l.max_frame)),
          h('dt', {}, 'connect timeout'), h('dd', {}, l.connect_timeout_ms ? `${l.connect_timeout_ms / 1000} s` : '?'),
          h('dt', {}, 'UDP queue'), h('dd', {}, l.udp_queue ? `${l.udp_queue} datagrams` : '?')),
        h('div', { class: 'rules' },
          h('div', {}, h('span', { class: 'rules-label' }, '--allow'), ...(info.policy?.allow || []).map((r) => h('code', {}, r))),
          h('div', {}, h('span', { class: 'rules-label' }, '--bind-allow'), ...(info.policy?.bind_allow || []).map((r) => h('code', {}, r))))));

    if (info.demo) {
      const addr = `${info.demo.host.includes(':') ? `[${info.demo.host}]` : info.demo.host}:${info.demo.port}`;
      this.demo.hidden = false;
      this.demo.replaceChildren(
        h('span', { class: 'demo-label' }, 'Echo service'),
        h('code', { class: 'demo-addr', title: 'The gateway’s demo TCP and UDP echo services' }, addr),
        h('span', { class: 'demo-proto' }, 'tcp + udp'),
        copyButton(addr));
    } else {
      this.demo.hidden = true;
    }
  }

  /**
   * state: connecting | connected | waiting (lost; the next try is
   * secondsLeft away) | disconnected (by the learner) | failed (retrying
   * cannot help)
   */
  setConnection(state, { sessionInfo, reason, secondsLeft } = {}) {
    // The countdown changes each second; a screen reader hears the state
    // and the reason, not every second.
    if (state === 'waiting' && this.conn.dataset.state === 'waiting' && this.waitReason === reason) {
      this.countdown.textContent = `next try in ${secondsLeft} s`;
      return;
    }
    this.waitReason = reason;
    this.conn.dataset.state = state;
    this.detail.replaceChildren();
    this.action.hidden = false;
    if (state === 'connecting') {
      this.state.textContent = 'Connecting…';
      this.action.hidden = true;
    } else if (state === 'connected') {
      this.state.textContent = 'Connected';
      const server = sessionInfo?.server || (this.info ? this.info.server : '');
      this.detail.append(
        fact('gateway', server.replace(/^sockgate\//, 'v')),
        fact('protocol', this.info?.protocol || `sockgate.v${sessionInfo?.version ?? 1}`),
        fact('session', sessionInfo?.session || '?', true));
      this.action.textContent = 'Disconnect';
      this.action.dataset.act = 'disconnect';
    } else if (state === 'waiting') {
      this.state.textContent = 'Reconnecting';
      if (reason) this.detail.append(h('span', { class: 'conn-reason' }, reason));
      this.countdown = h('span', { class: 'conn-countdown', 'aria-hidden': 'true' }, `next try in ${secondsLeft} s`);
      this.detail.append(this.countdown);
      this.action.textContent = 'Retry now';
      this.action.dataset.act = 'reconnect';
    } else {
      this.state.textContent = state === 'failed' ? 'Not connected' : 'Disconnected';
      if (reason) this.detail.append(h('span', { class: 'conn-reason' }, reason));
      this.action.textContent = 'Reconnect';
      this.action.dataset.act = 'reconnect';
    }
  }
}

function fact(label, value, mono = false) {
  return h('span', { class: 'fact' }, h('span', { class: 'fact-label' }, label), h(mono ? 'code' : 'span', { class: 'fact-value' }, value));
}

function logo() {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'logo');
  svg.setAttribute('aria-hidden', 'true');
  // Two sockets joined through a gate.
  svg.innerHTML = '<rect x="1.5" y="6" width="6" height="12" rx="2" fill="none" stroke="currentColor" stroke-width="1.8"/>'
    + '<rect x="16.5" y="6" width="6" height="12" rx="2" fill="none" stroke="currentColor" stroke-width="1.8"/>'
    + '<path d="M7.5 10h9M7.5 14h9" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>'
    + '<circle cx="12" cy="12" r="2.2" fill="var(--accent)"/>';
  return svg;
}
