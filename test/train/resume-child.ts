// Runs `backprop <argv>` and kills itself with SIGKILL at a chosen moment of its checkpoint writes, so that the
// resume test can stop a run at places an outside kill only hits by chance. BP_TEST_KILL picks the moment:
//   tensors-half:N        while the N-th checkpoint tensor file is being written: half its bytes are on disk
//   record-unrenamed:N    the N-th checkpoint.json is written and synced under its temporary name, not yet renamed
//   after-commit:N        soon after the N-th checkpoint is committed (at the training loop's next yield)
// N counts this process's checkpoints from 1. Not a test file itself (no .test.ts).
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';

const [moment, nth] = (process.env.BP_TEST_KILL ?? '').split(':');
const target = Number(nth);
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const isTensorTemp = (p: unknown): boolean => /^\.checkpoint-\d+\.safetensors\..*\.tmp$/.test(basename(String(p)));
const isRecordTemp = (p: unknown): boolean => /^\.checkpoint\.json\..*\.tmp$/.test(basename(String(p)));
let tensorWrites = 0;
let commits = 0;

if (moment === 'tensors-half') {
  const open = fsp.open;
  fsp.open = (async (path: Parameters<typeof open>[0], ...rest: unknown[]) => {
    const fh = await (open as (...a: unknown[]) => ReturnType<typeof open>)(path, ...rest);
    if (isTensorTemp(path) && ++tensorWrites === target) {
      fh.writeFile = (async (data: Uint8Array) => {
        await fh.write(data.subarray(0, data.length >> 1));
        await fh.sync();
        die();
      }) as typeof fh.writeFile;
    }
    return fh;
  }) as typeof fsp.open;
} else if (moment === 'record-unrenamed' || moment === 'after-commit') {
  const rename = fsp.rename;
  fsp.rename = (async (from: string, to: string) => {
    if (isRecordTemp(from) && ++commits === target) {
      if (moment === 'record-unrenamed') die();
      await rename(from, to);
      setImmediate(die);
      return;
    }
    return rename(from, to);
  }) as typeof fsp.rename;
} else if (moment !== '') {
  throw new Error(`resume-child: unknown BP_TEST_KILL '${process.env.BP_TEST_KILL}'`);
}
syncBuiltinESMExports();

const { main } = await import('../../src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
