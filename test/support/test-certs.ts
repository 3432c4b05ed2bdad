/**
 * Certificates for TLS tests, made by openssl in a test's temp dir: CAs, and serving pairs
 * they sign for a DNS name and 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** Makes `<name>.crt`/`<name>.key` files under `dir`. */
export class TestCertificates {
  constructor(private readonly dir: string) {}

  /** The path of a file made here, e.g. `ca.crt`. */
  file(name: string): string {
    return join(this.dir, name);
  }

  /** A self-signed CA `<name>.crt` with its key. */
  makeCa(name: string): void {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      this.file(`${name}.key`),
      '-out',
      this.file(`${name}.crt`),
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
    );
  }

  /** A serving pair `<name>` signed by `ca` for `dnsName` and 127.0.0.1; returns its serial. */
  makeServing(ca: string, name: string, dnsName = 'localhost'): string {
    const f = (n: string) => this.file(n);
    writeFileSync(f('san.ext'), `subjectAltName = DNS:${dnsName}, IP:127.0.0.1\n`);
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f(`${ca}.crt`),
      '-CAkey',
      f(`${ca}.key`),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f('san.ext'),
      '-out',
      f(`${name}.crt`),
    );
    return new X509Certificate(readFileSync(f(`${name}.crt`))).serialNumber;
  }
}
