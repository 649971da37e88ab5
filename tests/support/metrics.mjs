// The one reader of the gateway's Prometheus text (/metrics) for the Node
// and browser suites; the C++ one is metric() in tests/support/gateway_process.hpp
// and reads the same way: the first line that starts with the exact name
// (labels included) and a space.

// The value of one sample, e.g. metric(text, 'sockgate_sockets{kind="tcp"}');
// -1 when absent, as the C++ metric().
export function metric(text, nameWithLabels) {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${nameWithLabels} `)) return Number(line.slice(nameWithLabels.length + 1));
  }
  return -1;
}

// GET /metrics from a gateway at `httpUrl` (http://host:port or .../) and
// the value of one sample; -1 when absent.
export async function fetchMetric(httpUrl, nameWithLabels) {
  const res = await fetch(new URL('/metrics', httpUrl));
  if (!res.ok) throw new Error(`GET /metrics from ${httpUrl}: ${res.status}`);
  return metric(await res.text(), nameWithLabels);
}
