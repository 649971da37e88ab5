// Errors in plain words. A denied destination gets a callout that names the
// rule set that denied it and the exact flag that would allow it.

import { h, plainError, parseDenial, errorInfo, copyButton } from './format.js';

/**
 * A callout element for an error (SockgateError, {code, message}, or an
 * 'error' event detail). context: short text of what was attempted, e.g.
 * "connect 127.0.0.2 22". policy: /api/info policy, used to name the
 * current rules when the message does not. tip: replaces the usual tip for
 * the code, when the context makes it wrong.
 */
export function errorCallout(err, { context = null, policy = null, tip: givenTip = null } = {}) {
  const { code, message } = errorInfo(err);
  const denial = code === 'EACCES' ? parseDenial(message) : null;
  const box = h('div', { class: `callout callout-error${denial ? ' callout-denied' : ''}`, role: 'alert', dataset: { code } });
  box.append(h('div', { class: 'callout-title' },
    h('code', { class: 'errcode' }, code),
    h('span', {}, denial ? 'Denied by the gateway’s policy' : plainError(code)),
    context ? h('span', { class: 'callout-context' }, context) : null));

  if (!denial) {
    if (message && message !== code) box.append(h('div', { class: 'callout-msg' }, message));
    const tip = givenTip ?? tipFor(code);
    if (tip) box.append(h('div', { class: 'callout-tip' }, tip));
    return box;
  }

  const rules = denial.rules.length ? denial.rules : (denial.flag === '--bind-allow' ? policy?.bind_allow : policy?.allow) || [];
  if (denial.what) {
    box.append(h('div', { class: 'callout-msg' },
      h('strong', {}, denial.what), ' is not allowed: ', denial.reason, '.'));
  } else {
    box.append(h('div', { class: 'callout-msg' }, message));
  }
  if (rules.length) {
    box.append(h('div', { class: 'callout-rules' },
      h('span', { class: 'callout-label' }, `Current ${denial.flag} rules`),
      ...rules.map((r) => h('code', { class: 'rule' }, r))));
  }
  const flag = `${denial.flag} ${denial.rule}`;
  box.append(h('div', { class: 'callout-fix' },
    h('div', { class: 'callout-label' }, 'To allow it, start the gateway with'),
    h('div', { class: 'cmdbox' }, h('code', { class: 'flag' }, flag), copyButton(flag, 'Copy', 'btn-tiny'))));
  if (rules.length) {
    const full = ['sockgate', ...rules.map((r) => `${denial.flag} ${r}`), flag].join(' ');
    box.append(h('div', { class: 'callout-note' },
      h('div', {}, `${denial.flag} replaces the built-in rules, so keep the ones you still want:`),
      h('div', { class: 'cmdbox' }, h('code', { class: 'full' }, full), copyButton(full, 'Copy', 'btn-tiny'))));
  }
  return box;
}

/**
 * The gateway not answering at all (stopped, restarting, network down),
 * said as such rather than as one socket's error. message: what that means
 * for what was attempted; tip: what to do.
 */
export function unreachableCallout({ context, message, tip = RECONNECTS_TIP }) {
  return h('div', { class: 'callout callout-error', role: 'alert', dataset: { code: 'unreachable' } },
    h('div', { class: 'callout-title' },
      h('span', {}, 'The gateway is not answering'),
      context ? h('span', { class: 'callout-context' }, context) : null),
    h('div', { class: 'callout-msg' }, message),
    h('div', { class: 'callout-tip' }, tip));
}

export const RECONNECTS_TIP = 'The page reconnects by itself (the countdown is at the top); Run again once it says Connected.';

function tipFor(code) {
  switch (code) {
    case 'ECONNREFUSED': return 'Is a server running on that port? Try the demo echo service, or listen first.';
    case 'EADDRINUSE': return 'Pick another port, or close the socket (or example) that holds this one.';
    case 'EBADF': return 'Socket ids are never reused: look the id up in the Sockets table.';
    case 'ENOTCONN': return 'shutdown and send are for TCP connections; UDP sockets use sendto.';
    case 'EAI_NONAME': return 'The gateway resolves names itself; check the spelling, or use a numeric address.';
    case 'EMFILE': return 'Close some sockets first.';
    case 'ENOTCONNECTED': return 'Connect again with the button at the top. After a lost connection the page retries by itself.';
    default: return null;
  }
}
