/**
 * The attacker of the connection-exhaustion test, run as its own process (as a
 * hostile local program would be): opens N connections to the gateway that never
 * close their side (allowHalfOpen) and never finish a request — a third send
 * nothing, the rest start headers and stall. Reports on stdout as JSON lines:
 * {held} once all are connected, then {answered, ended} every 200 ms.
 * Usage: tsx holdConnections.ts <port> <count>
 */
import net from 'node:net';

const port = Number(process.argv[2]);
const count = Number(process.argv[3] ?? 1000);
const socks: net.Socket[] = [];
let connected = 0;
let answered = 0;
let ended = 0;

for (let i = 0; i < count; i++) {
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socks.push(s);
  s.on('error', () => {});
  s.once('connect', () => {
    if (i % 3 !== 0) s.write(`GET /sessions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
    if (++connected === count) process.stdout.write(JSON.stringify({ held: connected }) + '\n');
  });
  s.once('data', () => answered++);
  s.once('end', () => ended++); // the gateway's FIN; we keep our side open regardless
}
setInterval(() => process.stdout.write(JSON.stringify({ answered, ended }) + '\n'), 200);
