/** RawArchive on S3: one object per accepted delivery, under `raw/<source>/<yyyy>/<mm>/<dd>/<hh>/`. */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RawArchive } from '../../core/ports';

export class S3RawArchive implements RawArchive {
  constructor(private readonly s3: S3Client, private readonly bucket: string) {}

  async put(key: string, body: string, metadata: Record<string, string>): Promise<void> {
    await this.s3.send(new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      Body: body,
      ContentType: 'application/json',
      Metadata: metadata,
    }));
  }
}
