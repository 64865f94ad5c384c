import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * End-to-end tests spawn the bundled bin: build it once, fresh, before any test runs. Every server a test
 * starts keeps its journal and secret in one temporary data directory, removed afterwards, never in $HOME.
 */
export default function setup(): () => void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'campaign-mcp-test-'));
  process.env.CAMPAIGN_MCP_DATA_DIR = dir;
  // Spawned servers share one compile cache, kept with the rest, so no test writes under $HOME.
  process.env.CAMPAIGN_MCP_COMPILE_CACHE = join(dir, 'compile-cache');
  return () => rmSync(dir, { recursive: true, force: true });
}
