/**
 * TLS on the real servers: a gRPC server (startGrpcServer) and an HTTPS fastify app
 * (createHttpApp) serve a certificate signed by a CA generated here with openssl. A
 * client that trusts another CA is refused, one that trusts this CA gets through, and a
 * certificate written over the files is served on the next handshake without a restart;
 * a broken pair written over them is ignored and the old one keeps serving.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { SystemClock } from '../../../src/shared/clock.js';
import { startGrpcServer, type RunningGrpcServer } from '../../../src/shared/grpc.js';
import { createHttpApp, listenHttp } from '../../../src/shared/http/server.js';
import { createLogger } from '../../../src/shared/logger.js';
import { MetricsRegistry } from '../../../src/shared/metrics.js';
import {
  CertificateFilesError,
  CertificateReloader,
} from '../../../src/shared/tls/certificate-reloader.js';
import {
  grpcChannelCredentials,
  grpcServerCredentials,
} from '../../../src/shared/tls/credentials.js';
import { tempDir } from '../../support/cleanup.js';
import { TestCertificates } from '../../support/test-certs.js';

const dir = tempDir('mezzo-tls-');
const logger = createLogger({ level: 'error' });
const metrics = new MetricsRegistry();
const f = (name: string) => join(dir, name);

const certs = new TestCertificates(dir);
const makeCa = (name: string) => certs.makeCa(name);
const makeServing = (ca: string, name: string) => certs.makeServing(ca, name);

/** Installs a pair as the served files (what a Secret update does to the mount). */
function install(name: string): void {
  copyFileSync(f(`${name}.crt`), f('tls.crt'));
  copyFileSync(f(`${name}.key`), f('tls.key'));
}

/** The serial of the certificate the server at `port` presents, verified against `ca`. */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: readFileSync(f(`${ca}.crt`)),
        ALPNProtocols: ['h2', 'http/1.1'],
      },
      () => {
        const serial = socket.getPeerCertificate().serialNumber;
        socket.end();
        resolve(serial);
      },
    );
    socket.on('error', reject);
  });
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`never happened: ${what}`);
}

let serial1 = '';
let serial2 = '';
let reloader: CertificateReloader;
let grpcServer: RunningGrpcServer;
let httpClose: () => Promise<void>;
let httpPort = 0;

before(async () => {
  makeCa('ca-right');
  makeCa('ca-wrong');
  serial1 = makeServing('ca-right', 'serving-1');
  serial2 = makeServing('ca-right', 'serving-2');
  install('serving-1');
  reloader = new CertificateReloader(
    { certFile: f('tls.crt'), keyFile: f('tls.key') },
    { clock: new SystemClock(), logger, metrics, pollMs: 50 },
  );
  grpcServer = await startGrpcServer(
    '127.0.0.1',
    0,
    () => undefined,
    undefined,
    undefined,
    grpcServerCredentials(reloader),
  );
  const app = createHttpApp({ boundary: { logger, metrics, component: 'test' }, tls: reloader });
  app.get('/ping', () => ({ pong: true }));
  httpPort = (await listenHttp(app, '127.0.0.1', 0)).port;
  httpClose = () => app.close();
});

after(async () => {
  reloader.stop();
  await grpcServer.stop(100);
  await httpClose();
});

/** A unary call to a method the server does not have: UNIMPLEMENTED proves the handshake. */
function grpcCall(ca: string): Promise<grpc.status> {
  const Client = grpc.makeGenericClientConstructor({}, 'Probe');
  const client = new Client(`localhost:${grpcServer.port}`, grpcChannelCredentials(f(`${ca}.crt`)));
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/probe.Probe/Nothing',
      (x: Buffer) => x,
      (x: Buffer) => x,
      Buffer.alloc(0),
      { deadline: Date.now() + 10_000 },
      (err) => {
        client.close();
        resolve(err?.code ?? grpc.status.OK);
      },
    );
  });
}

function httpsGet(ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: httpPort,
        path: '/ping',
        servername: 'localhost',
        ca: readFileSync(f(`${ca}.crt`)),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// [CA the client trusts, gRPC status expected]
const grpcCases: [string, grpc.status][] = [
  ['ca-right', grpc.status.UNIMPLEMENTED],
  ['ca-wrong', grpc.status.UNAVAILABLE],
];
for (const [ca, want] of grpcCases) {
  test(`gRPC over TLS: a client trusting ${ca} gets ${grpc.status[want]}`, async () => {
    assert.equal(await grpcCall(ca), want);
  });
}

test('HTTPS: a client trusting the right CA gets 200, the wrong CA is refused', async () => {
  assert.equal(await httpsGet('ca-right'), 200);
  await assert.rejects(httpsGet('ca-wrong'), /self-signed|unable to verify|certificate/i);
});

test('a rotated certificate is served by both servers without a restart; a broken one is ignored', async () => {
  assert.equal(await servedSerial(grpcServer.port, 'ca-right'), serial1);
  assert.equal(await servedSerial(httpPort, 'ca-right'), serial1);
  install('serving-2');
  await until(
    'gRPC serves the new certificate',
    async () => (await servedSerial(grpcServer.port, 'ca-right')) === serial2,
  );
  await until(
    'HTTPS serves the new certificate',
    async () => (await servedSerial(httpPort, 'ca-right')) === serial2,
  );
  assert.equal(await grpcCall('ca-right'), grpc.status.UNIMPLEMENTED);
  // A certificate with another pair's key: rejected, the old pair keeps serving.
  copyFileSync(f('serving-1.crt'), f('tls.crt'));
  await reloader.poll();
  assert.equal(reloader.current().cert.equals(readFileSync(f('serving-2.crt'))), true);
  assert.equal(await servedSerial(httpPort, 'ca-right'), serial2);
  install('serving-2');
});

test('files that are not a usable pair are refused at start with a named error', () => {
  writeFileSync(f('junk.crt'), 'not a certificate');
  assert.throws(
    () =>
      new CertificateReloader(
        { certFile: f('junk.crt'), keyFile: f('serving-1.key') },
        { clock: new SystemClock(), logger },
      ),
    CertificateFilesError,
  );
  assert.throws(
    () =>
      new CertificateReloader(
        { certFile: f('serving-1.crt'), keyFile: f('serving-2.key') },
        { clock: new SystemClock(), logger },
      ),
    /the key does not belong to the certificate/,
  );
});
