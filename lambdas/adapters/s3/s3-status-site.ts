/**
 * StatusSiteWriter on S3: each rendered status file is one object of the status-site bucket (served by CloudFront
 * with origin access control), with its content type and a Cache-Control of its `cacheSeconds`. The keys are the
 * files' paths (`status/index.html`, `status.json`, `status/feed.atom`).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StatusSiteWriter } from '../../core/ports';
import type { StatusFile } from '../../core/status/model';

export class S3StatusSite implements StatusSiteWriter {
  constructor(private readonly s3: S3Client, private readonly bucket: string) {}

  async write(files: readonly StatusFile[]): Promise<void> {
    await Promise.all(files.map((f) => this.s3.send(new PutObjectCommand({
      Bucket: this.bucket,
      Key: f.path.replace(/^\/+/, ''),
      Body: f.body,
      ContentType: f.contentType,
      CacheControl: `public, max-age=${f.cacheSeconds}`,
    }))));
  }
}
