/** Writes text and waits until the stream accepts more, so large outputs are not held in memory. */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = stream.write(text, (error) => {
      if (error) reject(error);
    });
    if (ok) resolve();
    else stream.once("drain", resolve);
  });
}
