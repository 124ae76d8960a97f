import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { ReplayRecord, ReplaySource, SourceMessage } from "../types.js";

export interface S3SourceOptions {
  s3: S3Client;
  bucket: string;
  prefix?: string;
}

/**
 * Lists objects under a prefix; each object is a message, deleted once all its records replayed
 * unless `keepObjects` (for stores that are history, such as an archive). `load` gets the raw
 * bytes, so compressed objects can be read too.
 */
export function s3ObjectSource(
  describe: string,
  options: S3SourceOptions & { prefix: string; keepObjects?: boolean },
  load: (body: Uint8Array, key: string) => Promise<ReplayRecord[]> | ReplayRecord[],
): ReplaySource {
  const { s3, bucket, prefix } = options;
  return {
    describe,
    async *messages(signal?: AbortSignal): AsyncIterable<SourceMessage> {
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (signal?.aborted) return;
          const key = object.Key;
          if (!key || key.endsWith("/")) continue;
          yield {
            ref: `s3://${bucket}/${key}`,
            load: async () => {
              const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
              return load((await got.Body?.transformToByteArray()) ?? new Uint8Array(), key);
            },
            complete: async () => {
              if (options.keepObjects) return;
              await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
            },
            release: async () => {},
          };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
  };
}
