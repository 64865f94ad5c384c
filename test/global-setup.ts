import { execFileSync } from 'node:child_process';

/** End-to-end tests spawn the bundled bin: build it once, fresh, before any test runs. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
