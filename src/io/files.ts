/** File helpers for Node (imported lazily so that the browser build never loads node:fs). */
import type { Tensor } from '../tensor/tensor.js';
import { parseSafetensors, type Safetensors, serializeSafetensors } from './safetensors.js';

/** Writes bytes to `path` atomically: a temporary file in the same folder, fsync'd, then renamed over the target. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname, basename, join } = await import('node:path');
  await fs.mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, path);
}

/** Saves named tensors as a .safetensors file, atomically. */
export async function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

/** Loads a .safetensors file. */
export async function loadSafetensors(path: string): Promise<Safetensors> {
  const fs = await import('node:fs/promises');
  return parseSafetensors(new Uint8Array(await fs.readFile(path)));
}
