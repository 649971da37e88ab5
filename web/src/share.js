// Share links for the Python editor (docs/PLAYGROUND.md, "Share links"):
//
//   https://host/#py=<base64url of the UTF-8 source, no padding>[&args=<percent-encoded>]
//
// The code travels in the fragment, which browsers never send to a server.
// A link only fills the editor: nothing runs until the visitor presses Run,
// so opening a link can never make a browser open sockets.

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeSource(text) {
  const bytes = utf8.encode(text);
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The source from a #py= value; throws on anything that is not base64url of UTF-8. */
export function decodeSource(value) {
  if (!/^[A-Za-z0-9_-]*$/.test(value)) throw new Error('the code is not base64url');
  const b64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return fromUtf8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The link for source (and program arguments) on this page. */
export function shareUrl(source, { args = '' } = {}) {
  const url = new URL(location.href);
  url.hash = `py=${encodeSource(source)}${args ? `&args=${encodeURIComponent(args)}` : ''}`;
  return url.href;
}

/** {source, args} from a fragment such as location.hash; null when it has no py=; {error} when it cannot be read. */
export function readShare(hash = location.hash) {
  const fields = new Map();
  for (const part of hash.replace(/^#/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  if (!fields.has('py')) return null;
  try {
    const args = fields.has('args') ? decodeURIComponent(fields.get('args')) : '';
    return { source: decodeSource(fields.get('py')), args };
  } catch (e) {
    return { error: e.message };
  }
}
