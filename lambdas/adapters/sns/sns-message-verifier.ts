/**
 * Verifies SNS HTTPS deliveries (docs/formats.md §2.5-2.6): topic allow-list first (no network I/O for strangers), then
 * the RSA signature (SignatureVersion 1 = SHA1, 2 = SHA256) with the maintained `sns-payload-validator`, which
 * checks the certificate URL host pattern and caches certificates. Confirms subscriptions by a GET of SubscribeURL
 * only when its host is an SNS endpoint.
 */
import Validator from 'sns-payload-validator';
import { AuthenticationError, TransientError } from '../../core/errors';
import type { SnsVerifier } from '../../core/ports';

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

export type Fetcher = (url: string) => Promise<{ ok: boolean; status: number }>;

export interface SnsVerifierOptions {
  allowedTopicArns: readonly string[];
  /** Skip the signature check (local runtime only, when SNS_SIGNATURE_CHECK=off). The topic check still applies. */
  skipSignature?: boolean;
  /** Accept any topic (local runtime with the signature check off and no topics configured only). */
  allowAnyTopic?: boolean;
  fetcher?: Fetcher;
}

export class SnsMessageVerifier implements SnsVerifier {
  private readonly validator = new Validator({ useCache: true, maxCerts: 100 });
  private readonly allowed: Set<string>;
  private readonly fetcher: Fetcher;

  constructor(private readonly options: SnsVerifierOptions) {
    this.allowed = new Set(options.allowedTopicArns);
    this.fetcher = options.fetcher ?? ((url) => fetch(url, { method: 'GET', redirect: 'error' }));
  }

  /** Puts a certificate in the cache, as if downloaded from `url` (tests use their own key pair). */
  primeCertificate(url: string, pem: string): void {
    (this.validator as unknown as { certCache: { set(k: string, v: string): void } }).certCache.set(url, pem);
  }

  async verify(original: Record<string, unknown>, topicArn: string): Promise<void> {
    if (this.options.allowAnyTopic !== true && !this.allowed.has(topicArn)) {
      throw new AuthenticationError(`topic ${topicArn} is not on the allow-list`, { code: 'topic_not_allowed' });
    }
    if (this.options.skipSignature) return;
    try {
      await this.validator.validate(original as never);
    } catch (err) {
      throw new AuthenticationError(`SNS signature check failed: ${(err as Error).message}`, { code: 'bad_signature', cause: err });
    }
  }

  async confirmSubscription(subscribeUrl: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(subscribeUrl);
    } catch {
      throw new AuthenticationError('SubscribeURL is not a URL', { code: 'bad_subscribe_url' });
    }
    if (url.protocol !== 'https:' || !SNS_HOST.test(url.hostname)) {
      throw new AuthenticationError(`SubscribeURL host ${url.hostname} is not an SNS endpoint`, { code: 'bad_subscribe_url' });
    }
    const res = await this.fetcher(url.toString());
    if (!res.ok) throw new TransientError(`subscription confirmation answered ${res.status}`);
  }
}
