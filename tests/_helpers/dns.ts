// A tiny DNS server on a loopback UDP port (node:dgram) whose A records the test changes at will: it is
// what the delivery-time SSRF check asks (WEBHOOK_DNS_SERVER), so a test can make a name resolve, stop
// resolving, or start pointing at a private address between two requests. No AAAA records, no recursion.
import dgram from "node:dgram";
import { Buffer } from "node:buffer";

export interface FakeDns {
  /** `ip:port`, for WEBHOOK_DNS_SERVER. */
  address: string;
  /** The A records of each name; a name missing here answers with no records. */
  records: Map<string, string[]>;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startFakeDns(): Promise<FakeDns> {
  const records = new Map<string, string[]>();
  const sock = dgram.createSocket("udp4");
  sock.on("message", (msg: Buffer, peer: { port: number; address: string }) => {
    let i = 12;
    const labels: string[] = [];
    while (i < msg.length && msg[i] !== 0) {
      labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString());
      i += msg[i] + 1;
    }
    const qtype = msg.readUInt16BE(i + 1);
    const question = msg.subarray(12, i + 5);
    const ips = qtype === 1 ? records.get(labels.join(".").toLowerCase()) ?? [] : [];
    const answers = ips.map((ip) =>
      Buffer.concat([
        Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4]), // name pointer, A, IN, TTL 0, 4 bytes
        Buffer.from(ip.split(".").map(Number)),
      ])
    );
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180, 2); // response, recursion desired + available, no error
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    sock.send(Buffer.concat([header, question, ...answers]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  return {
    address: `127.0.0.1:${sock.address().port}`,
    records,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
