// What the learner picked, in the page's address: the C++ example and its
// arguments (?example=&args=), the Python program and its arguments
// (?py=&pyargs=), so a reload or a shared link opens the same thing.
// Other parameters (a token) and the fragment (a shared program) are kept.

/** A query parameter of the page's address, or null. */
export function urlParam(name) {
  return new URLSearchParams(location.search).get(name);
}

/** Sets parameters (null or '' removes one) without a new history entry. */
export function setUrlParams(params) {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  if (url.href !== location.href) history.replaceState(history.state, '', url);
}
