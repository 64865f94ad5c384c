// dist/campaign-mcp.js: runs the bundled server (dist/chunks/server.cjs) through V8's code cache.
//
// Cold start is mostly compiling JavaScript. Node 20 has no compile cache of its own (module.enableCompileCache
// is Node 22), so this keeps one: the bundle is compiled with the cache from the last run when there is one,
// and after a run that had none (or whose cache V8 refused: another Node, another build) the code V8 compiled
// by then is written for the next start. The cache lives in CAMPAIGN_MCP_COMPILE_CACHE (a folder; `0` turns it
// off), else $XDG_CACHE_HOME/campaign-mcp, else ~/.cache/campaign-mcp. Any failure to read or write it only
// costs the compile it would have saved: the server starts the same way.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = join(dirname(fileURLToPath(import.meta.url)), 'chunks', 'server.cjs');
const source = readFileSync(file, 'utf8');
const setting = process.env.CAMPAIGN_MCP_COMPILE_CACHE;
const dir = setting === '0' ? undefined : setting || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'campaign-mcp');
// One cache per build of the bundle (its hash is put here by the build) and per Node and CPU.
const name = `server-${__BUNDLE_HASH__}-${process.version}-${process.arch}.v8`;

let cachedData;
if (dir) {
  try {
    cachedData = readFileSync(join(dir, name));
  } catch {
    // No cache yet: compiled from source, and written below.
  }
}
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: file,
  ...(cachedData ? { cachedData } : {}),
});

if (dir && (!cachedData || script.cachedDataRejected)) {
  const save = () => {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = join(dir, `${name}.${process.pid}.tmp`);
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, join(dir, name));
      for (const f of readdirSync(dir)) if (f.startsWith('server-') && f !== name && !f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
    } catch {
      // A read-only or full disk: the next start compiles from source again.
    }
  };
  // Once the server has started and answered its first requests: a short run (`--version`, one `call`)
  // compiles too little of it to be worth keeping.
  setTimeout(save, 2_000).unref();
}

const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
