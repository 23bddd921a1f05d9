// Checkpoint scans that survive a dropped network.
//
// A scan is sent at once. When the network is down it is kept, in order, in
// localStorage under a client-generated id, and sent when the browser is back
// online: a queued scan leaves the queue only once the server answered it, so
// none is lost. None may be doubled either, and how that is guaranteed
// depends on the server:
//
// The server records a scan once per `client_scan_id`: every scan, live or
// queued, carries its client id, and a repeat is answered with the first
// result. So any failure that leaves the outcome open — no response, a
// timeout, a body cut off, 409 scan_in_progress, 503 — keeps the scan queued
// and it is simply sent again.
//
// A queued scan has no decision until it is sent: the checkpoint shows it as
// queued, not as pass or stop, and shows the server's decision once the replay
// answers. Each scan also carries the time it happened (scanned_at): the
// server judges the code at that time and stamps the check-in with it, so a
// replay neither moves the visit in time (tracing needs the real time) nor
// turns a code that was valid at the door into an expired one.
// Special-channel scans hold an identity number: it stays in this browser's
// localStorage only until the scan is sent.
import { computed, onBeforeUnmount, onMounted, ref, shallowRef } from 'vue';
import { ApiError } from '../api/http';
import { scan } from '../api/checkpoints';
import type { Id, ScanInput, ScanResult } from '../api/types';

/** A scan waiting for the network. `id` is ours; the server gets it as client_scan_id. */
export interface QueuedScan {
  id: string;
  queued_at: string;
  body: ScanInput;
}

/** What became of a queued scan once it was sent. */
export interface ReplayedScan {
  id: string;
  queued_at: string;
  sent_at: string;
  body: ScanInput;
  result: ScanResult | null;
  /** The server refused it (4xx), or the answer did not come back (unknown). */
  error: { code: string; message: string } | null;
}

export type ScanOutcome =
  | { kind: 'result'; result: ScanResult }
  | { kind: 'queued'; item: QueuedScan }
  | { kind: 'refused'; error: ApiError }
  | { kind: 'unknown' };

/** How long a scan may wait for its answer before the staff are told it is unknown. */
export const SCAN_TIMEOUT_MS = 15_000;
const RETRY_MS = 10_000;
const REPLAY_LOG = 20;

function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Plain-HTTP pages have no randomUUID; getRandomValues works everywhere.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Sends a scan with its client id and time; gives up after SCAN_TIMEOUT_MS. */
async function sendWithTimeout(item: QueuedScan): Promise<ScanResult> {
  const abort = new AbortController();
  const timer = window.setTimeout(() => abort.abort(), SCAN_TIMEOUT_MS);
  try {
    return await scan({ ...item.body, client_scan_id: item.id, scanned_at: item.queued_at }, abort.signal);
  } finally {
    window.clearTimeout(timer);
  }
}

/** Whether a failed send may simply be sent again later (the scan stays queued). */
function retryable(e: unknown): boolean {
  if (e instanceof ApiError) return e.status === 503 || e.status === 409; // not saved / still being saved
  return true; // no response, timed out or cut off: the client id makes a resend safe
}

/** Runs fn alone across this browser's tabs (Web Locks), so two tabs never send the same queued scan. */
async function exclusive(name: string, fn: () => Promise<void>): Promise<void> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (locks) await locks.request(name, { ifAvailable: true }, async (lock) => (lock ? fn() : undefined));
  else await fn();
}

/** The scan queue of one signed-in user (one user's queued scans are never sent under another's session). */
export function useScanQueue(userId: Id) {
  const key = `epinet.checkpoint.queue.${userId}`;
  const pending = shallowRef<QueuedScan[]>(read());
  const replayed = shallowRef<ReplayedScan[]>([]);
  const online = ref(navigator.onLine);
  const flushing = ref(false);
  /** The queue is waiting for the user to sign in again. */
  const needsLogin = ref(false);

  function read(): QueuedScan[] {
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
      return Array.isArray(parsed) ? (parsed as QueuedScan[]) : [];
    } catch {
      return [];
    }
  }

  function write(items: QueuedScan[]): void {
    if (items.length) localStorage.setItem(key, JSON.stringify(items));
    else localStorage.removeItem(key);
    pending.value = items;
  }

  function enqueue(item: QueuedScan): QueuedScan {
    write([...read(), { ...item, queued_at: new Date().toISOString() }]);
    return item;
  }

  function settle(item: QueuedScan, result: ScanResult | null, error: ReplayedScan['error']): void {
    write(read().filter((x) => x.id !== item.id));
    const done: ReplayedScan = { ...item, sent_at: new Date().toISOString(), result, error };
    replayed.value = [done, ...replayed.value].slice(0, REPLAY_LOG);
  }

  /** Sends one scan now, or queues it when the network is down. */
  async function submit(body: ScanInput): Promise<ScanOutcome> {
    const item: QueuedScan = { id: newId(), queued_at: new Date().toISOString(), body };
    if (!navigator.onLine) return { kind: 'queued', item: enqueue(item) };
    try {
      const result = await sendWithTimeout(item);
      online.value = true;
      void flush(); // we are evidently online: send what waits
      return { kind: 'result', result };
    } catch (e) {
      online.value = navigator.onLine;
      // A live 503 is shown ("scan again") rather than queued: the person is still at the door.
      if (e instanceof ApiError && (e.status === 503 || !retryable(e))) return { kind: 'refused', error: e };
      return { kind: 'queued', item: enqueue(item) };
    }
  }

  /** Sends the queue in order, one at a time, until it is empty or the network fails again. */
  async function flush(): Promise<void> {
    if (flushing.value || !read().length || !navigator.onLine) return;
    flushing.value = true;
    try {
      await exclusive(key, async () => {
        for (let item = read()[0]; item && navigator.onLine; item = read()[0]) {
          try {
            settle(item, await sendWithTimeout(item), null);
            needsLogin.value = false;
          } catch (e) {
            if (retryable(e)) break; // keep it (first in line), try again later
            if (e instanceof ApiError && e.status === 401) {
              needsLogin.value = true; // keep it for after signing in again
              break;
            }
            if (e instanceof ApiError) settle(item, null, { code: e.code, message: e.message });
          }
        }
      });
    } finally {
      flushing.value = false;
      pending.value = read();
    }
  }

  const onOnline = () => {
    online.value = true;
    void flush();
  };
  const onOffline = () => {
    online.value = false;
  };
  // Another tab of this user changed the queue.
  const onStorage = (e: StorageEvent) => {
    if (e.key === key) pending.value = read();
  };
  let timer: number | undefined;
  onMounted(() => {
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    window.addEventListener('storage', onStorage);
    timer = window.setInterval(() => {
      if (pending.value.length) void flush();
    }, RETRY_MS);
    void flush();
  });
  onBeforeUnmount(() => {
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('storage', onStorage);
    window.clearInterval(timer);
  });

  return { pending, replayed, online, flushing, needsLogin, count: computed(() => pending.value.length), submit, flush };
}
