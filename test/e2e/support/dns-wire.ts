/**
 * The slice of the DNS wire format (RFC 1035) the e2e node's resolver needs: one question
 * in, A records out. Malformed packets decode to undefined and are dropped.
 */

/** Record type A (IPv4 address). */
export const TYPE_A = 1;
/** Response code: the name does not exist. */
export const RCODE_NXDOMAIN = 3;

/** A decoded single-question query. */
export interface DnsQuery {
  readonly id: number;
  /** Header flags as received (the RD bit is echoed). */
  readonly flags: number;
  readonly name: string;
  readonly type: number;
  /** The question section's bytes, echoed in the answer. */
  readonly question: Buffer;
}

/** Decodes a query with exactly one question (no compression in questions). */
export function decodeQuery(msg: Buffer): DnsQuery | undefined {
  if (msg.length < 12) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000 || msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    if (at >= msg.length) return undefined;
    const len = msg.readUInt8(at);
    if (len === 0) break;
    if (len > 63 || at + 1 + len > msg.length) return undefined;
    labels.push(msg.subarray(at + 1, at + 1 + len).toString('latin1'));
    at += 1 + len;
  }
  if (at + 5 > msg.length) return undefined;
  const type = msg.readUInt16BE(at + 1);
  return {
    id: msg.readUInt16BE(0),
    flags,
    name: labels.join('.'),
    type,
    question: msg.subarray(12, at + 5),
  };
}

/** An answer to `query`: `rcode`, and one A record (TTL 1 s) per address. */
export function encodeAnswer(query: DnsQuery, rcode: number, ipv4: readonly string[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.id, 0);
  // QR, the query's RD bit, RA, and the response code.
  header.writeUInt16BE(0x8000 | (query.flags & 0x0100) | 0x0080 | (rcode & 0xf), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(ipv4.length, 6);
  const records = ipv4.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // a pointer to the question's name
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4); // class IN
    rr.writeUInt32BE(1, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
    return rr;
  });
  return Buffer.concat([header, query.question, ...records]);
}
