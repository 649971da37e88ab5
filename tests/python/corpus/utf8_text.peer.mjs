// Reads the program's UTF-8 line and answers with other Chinese and emoji
// text, written in two pieces split inside a character.
import { Reader, tcpListen } from '../harness.mjs';

export async function peer({ ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const socket = await listener.next();
  const line = (await new Reader(socket).until('\n')).toString('utf8');
  const answer = Buffer.from('谢谢！再见 👋😀 ok\n', 'utf8');
  socket.write(answer.subarray(0, 4)); // ends inside the second character
  socket.end(answer.subarray(4));
  return { observed: { received: line, receivedBytes: Buffer.byteLength(line) } };
}
