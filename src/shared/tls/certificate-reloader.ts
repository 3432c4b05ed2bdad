/**
 * A serving certificate read from files that change under the process: a Kubernetes
 * Secret mounted as a volume is replaced in place (the kubelet swaps a symlink) when
 * cert-manager renews it or an operator rotates it. The files are read again every
 * `pollMs`; a new pair is adopted only once it parses and its key matches its
 * certificate, so a half-written rotation never takes a server down: the old pair keeps
 * serving until the new one is whole. Listeners (the gRPC and HTTPS servers) receive
 * each adopted pair and swap their secure context without a restart.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Clock, Timer } from '../clock.js';
import { MezzoError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MetricsRegistry } from '../metrics.js';

/** Where a server's certificate and key live (PEM). */
export interface ServingFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** One certificate chain and its key, PEM. */
export interface ServingPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** The files do not hold a usable certificate and key. */
export class CertificateFilesError extends MezzoError {
  constructor(files: ServingFiles, why: string) {
    super('INVALID_ARGUMENT', `TLS files ${files.certFile}, ${files.keyFile}: ${why}`, {
      ...files,
    });
  }
}

/** Checks that `pair` is a certificate with its own key; returns why not, or undefined. */
export function pairProblem(pair: ServingPair): string | undefined {
  try {
    const cert = new X509Certificate(pair.cert);
    if (!cert.checkPrivateKey(createPrivateKey(pair.key))) {
      return 'the key does not belong to the certificate';
    }
    createSecureContext({ cert: pair.cert, key: pair.key });
    return undefined;
  } catch (err) {
    return describeError(err);
  }
}

/** How a {@link CertificateReloader} is built. */
export interface ReloaderOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: MetricsRegistry;
  /** How often the files are read again (default 10 s; a Secret update takes ~1 min to land). */
  readonly pollMs?: number;
}

/** The current serving pair, re-read from its files until {@link CertificateReloader.stop}. */
export class CertificateReloader {
  private pair: ServingPair;
  private readonly listeners = new Set<(pair: ServingPair) => void>();
  private timer: Timer | undefined;
  private stopped = false;
  private readonly reloads;

  /** Reads the files once; throws {@link CertificateFilesError} when they are not usable. */
  constructor(
    readonly files: ServingFiles,
    private readonly options: ReloaderOptions,
  ) {
    let pair: ServingPair;
    try {
      pair = { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
    } catch (err) {
      throw new CertificateFilesError(files, describeError(err));
    }
    const problem = pairProblem(pair);
    if (problem) throw new CertificateFilesError(files, problem);
    this.pair = pair;
    this.reloads = options.metrics?.counter(
      'mezzo_tls_reloads_total',
      'Changed TLS certificate files seen, by result (adopted, or invalid and ignored)',
      ['result'],
    );
    this.arm();
  }

  /** The pair being served now. */
  current(): ServingPair {
    return this.pair;
  }

  /** Calls `fn` with every pair adopted from now on; returns the unsubscribe. */
  onChange(fn: (pair: ServingPair) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Stops reading the files. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimer(this.options.pollMs ?? 10_000, () => {
      void this.poll().finally(() => this.arm());
    });
  }

  /** Reads the files; adopts a changed, valid pair. */
  async poll(): Promise<void> {
    let next: ServingPair;
    try {
      const [cert, key] = await Promise.all([
        readFile(this.files.certFile),
        readFile(this.files.keyFile),
      ]);
      next = { cert, key };
    } catch (err) {
      // Between the kubelet's unlink and link, or a Secret being recreated: try next time.
      this.options.logger.warn('TLS files unreadable; serving the previous certificate', {
        ...this.files,
        error: describeError(err),
      });
      return;
    }
    if (next.cert.equals(this.pair.cert) && next.key.equals(this.pair.key)) return;
    const problem = pairProblem(next);
    if (problem) {
      this.reloads?.inc({ result: 'invalid' });
      this.options.logger.warn('changed TLS files are not a usable pair; keeping the old one', {
        ...this.files,
        problem,
      });
      return;
    }
    this.pair = next;
    this.reloads?.inc({ result: 'adopted' });
    this.options.logger.info('TLS certificate reloaded', { certFile: this.files.certFile });
    for (const fn of this.listeners) fn(next);
  }
}
