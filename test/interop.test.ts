import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnBin, type Spawned } from './helpers/spawn.js';
import { v1Client, v2Client, type AnyClient } from './helpers/clients.js';

/** The same session for any client: list, list_campaigns, get_campaign, read the campaign resource. */
async function session(c: AnyClient) {
  const { tools } = await c.listTools();
  const listed = await c.callTool({ name: 'list_campaigns', arguments: { vendor: 'batch', limit: 3 } });
  const first = (listed.structuredContent as { campaigns: Array<{ id: string }> }).campaigns[0]!;
  const got = await c.callTool({ name: 'get_campaign', arguments: { vendor: 'batch', id: first.id } });
  const read = await c.readResource({ uri: `campaign://batch/${encodeURIComponent(first.id)}` });
  // A cursor names the server's own listing snapshot (random per listing): present for both, compared without it.
  const { next_cursor: cursor, ...listedRest } = listed.structuredContent as { next_cursor?: string };
  expect(cursor).toMatch(/\S/);
  return {
    version: c.negotiated(),
    tools: tools.map((t) => t.name),
    errors: [listed.isError ?? false, got.isError ?? false],
    listed: listedRest,
    got: got.structuredContent,
    resource: JSON.parse(read.contents[0]!.text!) as unknown,
  };
}

async function both(over: 'stdio' | URL): Promise<Array<Awaited<ReturnType<typeof session>>>> {
  // Over stdio each client has its own process, whose sandbox seeds its data from the clock (the start of the hour):
  // start both within one hour, or start again.
  const hour = () => Math.floor(Date.now() / 3_600_000);
  const started = hour();
  const clients = await Promise.all([v1Client(over), v2Client(over)]);
  if (over === 'stdio' && hour() !== started) {
    await Promise.all(clients.map((c) => c.close()));
    return both(over);
  }
  try {
    return await Promise.all(clients.map(session));
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

function expectSame([v1, v2]: Array<Awaited<ReturnType<typeof session>>>) {
  expect(v1!.version).toBe('2025-11-25');
  expect(v2!.version).toBe('2026-07-28');
  expect(v1!.errors).toEqual([false, false]);
  expect(v2!.tools).toEqual(v1!.tools);
  expect(v1!.tools).toContain('list_campaigns');
  expect(v2!.listed).toEqual(v1!.listed);
  expect(v2!.got).toEqual(v1!.got);
  expect(v2!.resource).toEqual(v1!.resource);
  expect({ ...(v1!.got as { campaign: object }).campaign, sandbox: true }).toEqual(v1!.resource);
}

describe('interop over stdio (spawned bin): a v1 client on 2025-11-25 and a v2 client on 2026-07-28', () => {
  it('negotiate their own versions and get identical results', async () => {
    expectSame(await both('stdio'));
  });
});

describe('interop over HTTP (spawned bin, one /mcp endpoint)', () => {
  let p: Spawned;
  let url: URL;
  beforeAll(async () => {
    p = spawnBin(['--sandbox', '--http', '--port', '0']);
    url = new URL((await p.waitFor(/http:\/\/127\.0\.0\.1:\d+\/mcp/))[0]);
  });
  afterAll(async () => p.kill());

  it('negotiate their own versions and get identical results', async () => {
    expectSame(await both(url));
  });
});
