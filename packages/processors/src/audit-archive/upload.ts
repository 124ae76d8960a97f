import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

export interface UploadSettings {
  /** Bytes per multipart part, at least 5 MiB (S3's minimum). Default 5 MiB. */
  partSize?: number;
  /** Parts uploaded at once; memory holds up to this many parts. Default 4. */
  queueSize?: number;
}

/** About 64 KiB of text per write to the compressor, instead of one write per line. */
const CHUNK_CHARS = 64 * 1024;

function* chunked(lines: Iterable<string>): Iterable<string> {
  let chunk = "";
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/**
 * Streams lines through gzip to one S3 object. Bodies up to one part go in a single PutObject;
 * larger ones in a multipart upload, aborted on failure. Only the parts in flight are in memory.
 */
export async function uploadGzippedLines(
  s3: S3Client,
  target: { bucket: string; key: string },
  lines: Iterable<string>,
  settings: UploadSettings & { signal?: AbortSignal },
): Promise<void> {
  const body = createGzip();
  const compressing = pipeline(Readable.from(chunked(lines)), body);
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: target.bucket,
      Key: target.key,
      Body: body,
      ContentType: "application/gzip",
    },
    ...(settings.partSize !== undefined && { partSize: settings.partSize }),
    ...(settings.queueSize !== undefined && { queueSize: settings.queueSize }),
    leavePartsOnError: false,
  });
  const abort = () => void upload.abort();
  settings.signal?.addEventListener("abort", abort, { once: true });
  // A failed upload stops reading the body: end the compressor so its side settles too.
  const uploading = upload.done().catch((error: unknown) => {
    body.destroy();
    throw error;
  });
  try {
    const [uploaded, compressed] = await Promise.allSettled([uploading, compressing]);
    // A line that could not be written breaks the body, and with it the upload: report the line.
    if (compressed.status === "rejected" && uploaded.status === "rejected") {
      throw isPrematureClose(compressed.reason) ? uploaded.reason : compressed.reason;
    }
    if (compressed.status === "rejected") throw compressed.reason;
    if (uploaded.status === "rejected") throw uploaded.reason;
  } finally {
    settings.signal?.removeEventListener("abort", abort);
  }
}

const isPrematureClose = (error: unknown): boolean =>
  (error as { code?: unknown } | undefined)?.code === "ERR_STREAM_PREMATURE_CLOSE";
