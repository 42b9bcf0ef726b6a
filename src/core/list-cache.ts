// Contact lists of the accounts that are online, kept in memory so presence
// fan-out and privacy checks never touch the database. Every change to a list
// goes through the core, which updates a cached list inside the transaction
// that writes it; a failed transaction drops the cached copy.
import type { Store, StoreOps } from '../store/store.js';
import { ContactList } from './contact-list.js';

export class ListCache {
  private readonly lists = new Map<number, ContactList>();
  private readonly refs = new Map<number, number>();
  private readonly loading = new Map<number, Promise<ContactList | undefined>>();
  /** Retained lists that were dropped and could not be read back yet. */
  private readonly stale = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly onError: (e: unknown, accountId: number) => void = () => undefined,
  ) {}

  /** The cached list, if the account is online (or otherwise retained). */
  peek(accountId: number): ContactList | undefined {
    return this.lists.get(accountId);
  }

  /** Loads (if needed) and keeps the list in memory until release(). */
  async retain(accountId: number): Promise<ContactList | undefined> {
    this.refs.set(accountId, (this.refs.get(accountId) ?? 0) + 1);
    let l: ContactList | undefined;
    try {
      l = await this.load(accountId);
    } catch (e) {
      this.release(accountId);
      throw e;
    }
    if (!l) this.release(accountId);
    return l;
  }

  release(accountId: number): void {
    const n = (this.refs.get(accountId) ?? 0) - 1;
    if (n > 0) {
      this.refs.set(accountId, n);
      return;
    }
    this.refs.delete(accountId);
    this.lists.delete(accountId);
    this.stale.delete(accountId);
  }

  /** The list from memory if held, else read within `tx` (not cached). */
  async read(tx: StoreOps, accountId: number): Promise<ContactList | undefined> {
    const cached = this.lists.get(accountId);
    if (cached) return cached;
    return readList(tx, accountId);
  }

  /**
   * Forgets the cached copy (after a failed transaction). A retained list is
   * read back at once and, while that fails, again on every refreshStale().
   * Until then privacy checks fail closed: no list, no presence, no messages.
   */
  invalidate(accountId: number): void {
    this.lists.delete(accountId);
    if (!this.refs.has(accountId)) return;
    this.stale.add(accountId);
    this.refreshStale();
  }

  /** Retries reading lists that could not be read back. */
  refreshStale(): void {
    for (const id of this.stale) {
      this.load(id).then(
        (l) => {
          if (l || !this.refs.has(id)) this.stale.delete(id);
        },
        (e: unknown) => this.onError(e, id),
      );
    }
  }

  private load(accountId: number): Promise<ContactList | undefined> {
    const cached = this.lists.get(accountId);
    if (cached) return Promise.resolve(cached);
    let p = this.loading.get(accountId);
    if (!p) {
      // Cached while no change of this process can run: every later change then
      // finds it and keeps it current.
      p = this.store
        .withReads(async (tx) => {
          const have = this.lists.get(accountId);
          if (have) return have;
          const l = await readList(tx, accountId);
          if (l && this.refs.has(accountId)) this.lists.set(accountId, l);
          return l;
        })
        .finally(() => this.loading.delete(accountId));
      this.loading.set(accountId, p);
    }
    return p;
  }
}

async function readList(ops: StoreOps, accountId: number): Promise<ContactList | undefined> {
  const account = await ops.getAccountById(accountId);
  if (!account) return undefined;
  const [contacts, groups] = await Promise.all([ops.getContacts(accountId), ops.getGroups(accountId)]);
  return new ContactList(account, contacts, groups);
}
