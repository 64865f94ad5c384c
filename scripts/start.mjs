// `npm start`: build when the sources are newer than dist/, then serve in this same process (no child left
// running): the PID npm started, or the one found listening on the port, is the server's; stopping it stops it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'dist', 'campaign-mcp.js');

/** Newest modification time under the given files and folders. */
function newest(paths) {
  let t = 0;
  for (const p of paths.map((x) => join(root, x)).filter(existsSync)) {
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(readdirSync(p).map((f) => join(p.slice(root.length), f))) : s.mtimeMs);
  }
  return t;
}

if (!existsSync(bin) || newest(['src', 'tools', 'scripts/build.mjs', 'scripts/lazy-shims.mjs', 'scripts/launcher.mjs', 'scripts/cjs-url.mjs', 'package.json']) > statSync(bin).mtimeMs) {
  // The build runs as a child that finishes before the server starts (esbuild keeps a service process while loaded).
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}
// npm runs this through a shell; npm passes SIGTERM to that shell, which exits without passing it on. When the
// shell goes and this process is orphaned, stop the server as SIGTERM would.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.kill(process.pid, 'SIGTERM'), 250).unref();
process.argv = [process.argv[0], bin, ...process.argv.slice(2)];
await import(pathToFileURL(bin).href);
