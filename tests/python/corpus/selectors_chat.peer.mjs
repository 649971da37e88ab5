// Three chat clients. Each step waits until everyone who should get a
// message has it.
import assert from 'node:assert/strict';
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports, defer }) {
  await run.waitFor(`chat server on 127.0.0.1:${ports.main}`);
  const users = {};
  const join = async (name) => {
    const socket = await tcpConnect(ports.main);
    defer(() => socket.destroy());
    users[name] = { socket, reader: new Reader(socket), got: [] };
    await expect([name], `welcome ${name}\n`);
  };
  const expect = async (names, line) => {
    for (const name of names) {
      const got = (await users[name].reader.until('\n')).toString('utf8');
      assert.equal(got, line, `${name} got ${JSON.stringify(got)}`);
      users[name].got.push(got);
    }
  };
  await join('user1');
  await join('user2');
  await expect(['user1'], 'user2 joined\n');
  await join('user3');
  await expect(['user1', 'user2'], 'user3 joined\n');
  users.user1.socket.write('hi everyone\n');
  await expect(['user2', 'user3'], 'user1: hi everyone\n');
  users.user3.socket.write('你好 😀\n');
  await expect(['user1', 'user2'], 'user3: 你好 😀\n');
  users.user2.socket.end();
  await expect(['user1', 'user3'], 'user2 left\n');
  users.user1.socket.end();
  await expect(['user3'], 'user1 left\n');
  users.user3.socket.end();
  await run.waitFor('chat over');
  return { observed: Object.fromEntries(Object.entries(users).map(([n, u]) => [n, u.got])) };
}
