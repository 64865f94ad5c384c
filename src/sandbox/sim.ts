import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realClock, type Clock } from '../clock.js';

/** Knobs tests and benchmarks turn to make a simulator slow, flaky or throttled. */
export interface Faults {
  /** Added to every response. */
  latencyMs: number;
  /** Share (0..1) of requests answered with a 500. */
  errorRate: number;
  /** The next N requests are answered 429 with Retry-After. */
  burst429: number;
  /** Retry-After seconds sent with injected 429s. */
  retryAfterSec: number;
  /** Everything answers this status (e.g. 503) while set: "the vendor is down". */
  down?: number;
  /** The next N requests get an HTML error page (a proxy in front of the vendor). */
  htmlErrors: number;
  /** The next N successful JSON responses are cut short (malformed JSON). */
  malformed: number;
}

/** One request as the simulator saw it, for tests that assert no documented limit was broken. */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
  /** When it arrived (its body read), on the simulator's clock: virtual time under a test's fast clock. */
  at: number;
}

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body; `undefined` when empty; the symbol BAD_JSON when unparsable. */
  body: unknown;
  /** Arrival time on the simulator's clock: rate windows count this, the same instant `requests[].at` records. */
  at: number;
}

export interface SimReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this text verbatim instead of JSON. */
  raw?: string;
  /** Close the connection without answering (a fault: the client cannot tell whether the vendor acted). */
  drop?: boolean;
}

export const BAD_JSON = Symbol('bad-json');

export type SimHandler = (req: SimRequest) => SimReply | Promise<SimReply>;

/** A running simulator: its base URL, what it saw, and its knobs. */
export interface RunningSim {
  url: string;
  requests: SeenRequest[];
  faults: Faults;
  /** The clock its rate windows and `requests[].at` run on. */
  clock: Clock;
  close(): Promise<void>;
}

export function defaultFaults(): Faults {
  return { latencyMs: 0, errorRate: 0, burst429: 0, retryAfterSec: 1, htmlErrors: 0, malformed: 0 };
}

/**
 * Serve `handler` on 127.0.0.1 at an ephemeral port, applying the fault knobs first.
 * `rng` makes the injected error rate deterministic; `clock` stamps what it saw (latency faults stay real time).
 */
export async function serveSim(
  handler: SimHandler,
  options: { port?: number; rng?: () => number; rateLimited?: (req: SimRequest) => SimReply; clock?: Clock } = {},
): Promise<RunningSim> {
  const faults = defaultFaults();
  const clock = options.clock ?? realClock;
  const requests: SeenRequest[] = [];
  const rng = options.rng ?? Math.random;
  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        body = BAD_JSON;
      }
    }
    const at = clock.now();
    const url = new URL(req.url ?? '/', 'http://sim');
    const simReq: SimRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, at };
    let reply: SimReply;
    if (faults.down) reply = { status: faults.down, body: { error: 'service unavailable' } };
    else if (faults.htmlErrors > 0) {
      faults.htmlErrors--;
      reply = { status: 502, raw: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } };
    } else if (faults.burst429 > 0) {
      faults.burst429--;
      reply = options.rateLimited?.(simReq) ?? { status: 429, body: { error: 'rate limited' } };
      reply.headers = { ...reply.headers, 'retry-after': String(faults.retryAfterSec) };
    } else if (faults.errorRate > 0 && rng() < faults.errorRate) {
      reply = { status: 500, body: { error: 'internal error' } };
    } else {
      try {
        reply = await handler(simReq);
      } catch (err) {
        reply = { status: 500, body: { error: err instanceof Error ? err.message : String(err) } };
      }
      if (faults.malformed > 0 && reply.status < 300 && reply.raw === undefined) {
        faults.malformed--;
        reply = { status: reply.status, raw: JSON.stringify(reply.body ?? {}).slice(0, 12) };
      }
    }
    requests.push({
      method: simReq.method,
      path: simReq.path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: body === BAD_JSON ? text : body,
      status: reply.status,
      at,
    });
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (reply.drop) return void res.socket?.destroy();
    const payload = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
    res.writeHead(reply.status, {
      'content-type': reply.raw !== undefined ? 'text/plain' : 'application/json',
      ...reply.headers,
    });
    res.end(payload);
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    clock,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A small deterministic PRNG (mulberry32) so seeded data is identical on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pick one element deterministically. */
export function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

const THEMES = [
  'Black Friday', 'Cyber Monday', 'Winter Sale', 'Spring Collection', 'Summer Clearance', 'Back to School',
  'Cart Abandonment', 'Welcome Series', 'Win-back', 'Price Drop Alert', 'Loyalty Points', 'App Update',
  'Weekend Flash Sale', 'New Arrivals', 'Referral Bonus', 'Birthday Offer', 'Payment Reminder', 'Wishlist Restock',
  'Festive Offers', 'Onboarding Day 3', 'Re-engagement', 'VIP Early Access', 'Survey Invite', 'Order Feedback',
];
const AUDIENCES = ['All Users', 'Lapsed 30d', 'High Value', 'New Signups', 'Android', 'iOS', 'EU', 'India', 'Cart > $50'];

/** A realistic campaign name, e.g. "Black Friday – High Value (v2)". */
export function campaignName(rng: () => number, i: number): string {
  const base = `${pick(rng, THEMES)} – ${pick(rng, AUDIENCES)}`;
  return rng() < 0.25 ? `${base} (v${1 + (i % 4)})` : base;
}

/** Tags a growth team would use. */
export function campaignTags(rng: () => number): string[] {
  const all = ['promo', 'retention', 'onboarding', 'transactional', 'seasonal', 'ab-test', 'q4', 'winback'];
  const n = Math.floor(rng() * 3);
  return Array.from(new Set(Array.from({ length: n }, () => pick(rng, all))));
}

/** Days since the epoch, UTC, for date arithmetic without time zones. */
export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000);
}
