import { describe, expect, it } from 'vitest';
import { CursorCodec, type CursorPayload } from '../src/cursor.js';
import { clipText, DaySchema } from '../src/domain.js';
import { endOf, deadlineSignal } from '../src/deadline.js';
import { InputError, RateWindowHeld } from '../src/errors.js';
import { sharedList } from '../src/list-share.js';
import { listAcross } from '../src/listing.js';
import { EmbeddedStore } from '../src/store.js';
import type { ToolContext } from '../src/tool.js';
import type { ListQuery, ListResult } from '../src/vendors/vendor.js';
import { FakeAdapter, makeCampaigns } from './helpers/fake-adapter.js';

/** A fake account whose listing takes `ms` and counts how often it was fetched and cancelled. */
class SlowAdapter extends FakeAdapter {
  fetches = 0;
  cancelled = 0;
  constructor(private readonly ms: number) {
    super('batch', 'default', makeCampaigns('batch', 30));
  }
  override async listCampaigns(q: ListQuery, signal?: AbortSignal): Promise<ListResult> {
    this.fetches++;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, this.ms);
      signal?.addEventListener('abort', () => (clearTimeout(t), this.cancelled++, reject(signal.reason)), { once: true });
    });
    return super.listCampaigns(q);
  }
}

const ctxOf = (adapters: FakeAdapter[], limits: ToolContext['limits'] = {}): ToolContext =>
  ({ adapters, sandbox: false, store: new EmbeddedStore(), now: () => new Date('2026-11-22T12:00:00Z'), limits });
const never = new AbortController().signal;

describe('shared listings', () => {
  it('identical concurrent listings of one account share one fetch', async () => {
    const a = new SlowAdapter(50);
    const ctx = ctxOf([a], { listCacheMs: 0 });
    const outs = await Promise.all(Array.from({ length: 20 }, () => listAcross(ctx, {}, 5, undefined, never)));
    expect(a.fetches).toBe(1);
    for (const o of outs) expect(o.total).toBe(30);
  });

  it('the shared fetch is cancelled only when every caller has left', async () => {
    const a = new SlowAdapter(200);
    const ctx = ctxOf([a], { listCacheMs: 0 });
    const one = new AbortController();
    const two = new AbortController();
    const p1 = listAcross(ctx, {}, 5, undefined, one.signal).catch((e: unknown) => e);
    const p2 = listAcross(ctx, {}, 5, undefined, two.signal).catch((e: unknown) => e);
    one.abort();
    await p1;
    expect(a.cancelled).toBe(0);
    two.abort();
    await p2;
    expect(a.cancelled).toBe(1);
  });

  it('a caller joining as the fetch is refused for a window freeing before its own deadline lists again, alone', async () => {
    // As the HTTP client decides: the window frees in 5 s; after the deadline of every caller waiting, the fetch is
    // refused, said once giving its rate slot back (a store round trip, held here until the second caller has joined).
    const FREES_MS = 5_000;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    class WindowAdapter extends FakeAdapter {
      decided: number[] = [];
      override async listCampaigns(q: ListQuery, signal?: AbortSignal): Promise<ListResult> {
        await Promise.resolve();
        const end = endOf(signal);
        this.decided.push(end);
        if (performance.now() + FREES_MS > end) {
          await released;
          throw RateWindowHeld.windows('batch', [{ limit: 100, ms: 60_000 }], FREES_MS);
        }
        return super.listCampaigns(q);
      }
    }
    const a = new WindowAdapter('batch', 'default', makeCampaigns('batch', 4));
    const short = sharedList(a, {}, deadlineSignal(1_000), 0).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 5));
    expect(a.decided).toHaveLength(1); // refused for the first caller's deadline, not yet said
    const long = sharedList(a, {}, deadlineSignal(20_000), 0).catch((e: unknown) => e);
    release();
    expect(await short).toBeInstanceOf(RateWindowHeld); // right for it: its deadline is before the window frees
    const got = await long;
    expect(got, String(got)).not.toBeInstanceOf(Error);
    expect((got as ListResult).campaigns).toHaveLength(4);
    expect(a.decided).toHaveLength(2); // one more fetch, decided for its own deadline
  });

  it('a slow account is reported within the deadline with the real time waited; the others answer', async () => {
    const slow = new SlowAdapter(5_000);
    const fast = new FakeAdapter('altcraft', 'default', makeCampaigns('altcraft', 3));
    const t0 = performance.now();
    const out = await listAcross(ctxOf([slow, fast], { deadlineMs: 600 }), {}, 5, undefined, never);
    expect(performance.now() - t0).toBeLessThan(1_600); // the deadline's 600 ms and room for a loaded machine
    expect(out.total).toBe(3);
    expect(out.errors![0]!.message).toMatch(/^Could not list campaigns on batch: no complete answer within the call's 0\.6 s deadline \(waited 0\.\d s\)/);
    expect(slow.cancelled).toBe(1);
  });
});

describe('signed cursors', () => {
  it('refuses a tampered offset, a foreign cursor and a payload of null, with a clear error', async () => {
    const ctx = ctxOf([new FakeAdapter('batch', 'default', makeCampaigns('batch', 30))]);
    const first = await listAcross(ctx, {}, 10, undefined, never);
    expect((await listAcross(ctx, {}, 10, first.next_cursor, never)).campaigns[0]!.id).toBe('batch-10');
    const [body, sig] = first.next_cursor!.split('.');
    const tampered = Buffer.from(Buffer.from(body!, 'base64url').toString().replace('"o":10', '"o":20')).toString('base64url');
    const nul = Buffer.from('null').toString('base64url');
    for (const bad of [`${tampered}.${sig}`, `${nul}.${sig}`, nul, 'garbage', `${body}.${sig}.x`]) {
      await expect(listAcross(ctx, {}, 10, bad, never)).rejects.toThrow(/cursor is not one this server issued/);
    }
    // A payload of null under the codec's own signature (as encode signs: the MAC of the base64url JSON) passes
    // the signature check, so only the payload guard stands between it and a TypeError reading `null.k`.
    const foreign = 'cursor is not one this server issued (or it was altered); drop it to start from the first page';
    const codec = new CursorCodec('this server');
    const signedNull = codec.encode(null as unknown as CursorPayload);
    expect(signedNull.split('.')[0]).toBe(nul);
    expect(() => codec.decode(signedNull)).toThrow(new InputError(foreign));
    const listed = listAcross({ ...ctx, cursors: codec }, {}, 10, signedNull, never);
    await expect(listed).rejects.toThrow(InputError);
    await expect(listed).rejects.toThrow(foreign);
  });

  it('signs with the context\'s codec: another secret is another server, the same secret verifies (another instance, a later run)', async () => {
    const ctx = ctxOf([new FakeAdapter('batch', 'default', makeCampaigns('batch', 30))]);
    const here = { ...ctx, cursors: new CursorCodec('this server') };
    const first = await listAcross(here, {}, 10, undefined, never);
    const foreign = 'cursor is not one this server issued (or it was altered); drop it to start from the first page';
    const refused = listAcross({ ...ctx, cursors: new CursorCodec('another server') }, {}, 10, first.next_cursor, never);
    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toThrow(new InputError(foreign));
    // A context with no codec signs with the process's random key: not this server's either.
    await expect(listAcross(ctx, {}, 10, first.next_cursor, never)).rejects.toThrow(foreign);
    const again = await listAcross({ ...ctx, cursors: new CursorCodec('this server') }, {}, 10, first.next_cursor, never);
    expect(again.campaigns[0]!.id).toBe('batch-10');
    const codec = new CursorCodec(Buffer.from('a key'));
    expect(codec.decode(codec.encode({ k: 'k', s: 's', o: 1 }))).toEqual({ k: 'k', s: 's', o: 1 });
    expect(() => new CursorCodec().decode(codec.encode({ k: 'k', s: 's', o: 1 }))).toThrow(foreign);
  });
});

describe('bounded input and storage', () => {
  it('clips without splitting a surrogate pair, and bounds dates', () => {
    expect(clipText('ab😀cd', 4)).toBe('ab…');
    expect(clipText('short', 10)).toBe('short');
    expect(DaySchema.safeParse('0001-01-01').success).toBe(false);
    expect(DaySchema.safeParse('9999-12-31').success).toBe(false);
    expect(DaySchema.safeParse('2026-11-01').success).toBe(true);
  });

  it('keeps snapshots within a total size, evicting the oldest', async () => {
    const store = new EmbeddedStore({ maxSnapshotBytes: 1_000 });
    await store.putSnapshot('a', { n: 1 }, 60_000, 600);
    await store.putSnapshot('b', { n: 2 }, 60_000, 600);
    expect(await store.getSnapshot('a')).toBeUndefined();
    expect(await store.getSnapshot('b')).toEqual({ n: 2 });
  });

  it('keeps snapshots within a count, evicting the one expiring soonest: listings go before an older audit report', async () => {
    const store = new EmbeddedStore({ maxSnapshots: 3 });
    await store.putSnapshot('report', { findings: [] }, 86_400_000);
    for (const id of ['l1', 'l2', 'l3', 'l4']) await store.putSnapshot(id, { id }, 300_000);
    expect(await store.getSnapshot('report')).toEqual({ findings: [] });
    expect([await store.getSnapshot('l1'), await store.getSnapshot('l2')]).toEqual([undefined, undefined]);
    expect(await store.getSnapshot('l4')).toEqual({ id: 'l4' });
  });
});
