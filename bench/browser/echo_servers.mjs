// The peers of the browser bench, in a process of their own so that their
// CPU time is not the driver's: a TCP echo server (behind the gateway and
// behind websockify) and a WebSocket echo server (the no-relay baseline).
// Prints {"tcp":PORT,"ws":PORT} once both listen; ends with its stdin.
import net from 'node:net';

import { WebSocketServer } from 'ws';

const tcp = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
const ws = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 16 << 20 });
ws.on('connection', (peer) => {
  peer.on('message', (data, isBinary) => peer.send(data, { binary: isBinary }));
  peer.on('error', () => peer.terminate());
});
await Promise.all([
  new Promise((resolve) => tcp.listen(0, '127.0.0.1', resolve)),
  new Promise((resolve) => ws.once('listening', resolve)),
]);
process.stdout.write(`${JSON.stringify({ tcp: tcp.address().port, ws: ws.address().port })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
