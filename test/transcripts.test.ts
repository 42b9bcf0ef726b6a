// Every transcript under test/transcripts, replayed against a fresh server.
import { test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTranscript, runTranscript } from './transcript-runner.js';
import { startTestServer } from './helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/transcripts');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith('.txt') ? [p] : [];
  });
}

for (const file of files(root).sort()) {
  test(path.relative(root, file), async () => {
    const src = fs.readFileSync(file, 'utf8');
    const t = await startTestServer(parseTranscript(src).env);
    try {
      await runTranscript(src, t);
    } finally {
      await t.stop();
    }
  });
}
