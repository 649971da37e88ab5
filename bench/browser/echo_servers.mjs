// The peers of the browser bench, in a process of their own so that their
// CPU time is not the driver's: a TCP echo server (behind the gateway and
// behind websockify), a UDP echo server (behind the gateway) and a
// WebSocket echo server (the no-relay baseline). Prints
// {"tcp":PORT,"udp":PORT,"ws":PORT} once all listen; ends with its stdin.
import dgram from 'node:dgram';
import net from 'node:net';

import { WebSocketServer } from 'ws';

const tcp = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
const udp = dgram.createSocket('udp4');
udp.on('message', (msg, from) => udp.send(msg, from.port, from.address));
const ws = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 16 << 20 });
ws.on('connection', (peer) => {
  peer.on('message', (data, isBinary) => peer.send(data, { binary: isBinary }));
  peer.on('error', () => peer.terminate());
});
await Promise.all([
  new Promise((resolve) => tcp.listen(0, '127.0.0.1', resolve)),
  new Promise((resolve) => ws.once('listening', resolve)),
  new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve)),
]);
process.stdout.write(`${JSON.stringify({ tcp: tcp.address().port, udp: udp.address().port, ws: ws.address().port })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
