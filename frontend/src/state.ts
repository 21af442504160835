// The one state module: what the app knows (config, API client, the signed-in session) and the
// named events screens exchange. Events are declared here with their payloads, so a screen can
// only emit or hear what exists; nothing is added to a shared bag at run time.
import type { Api, Config, Schemas } from './api/client';
import type { LiveConnection, LiveMessage, LiveState } from './live/socket';

export interface AppEvents {
  /** My reservations changed (booked here, or pushed by the server). */
  'reservations-changed': { source: 'local' | 'live'; resourceId?: string };
  /** A resource (or the catalogue) changed: status, hours, blackouts, created, deleted. */
  'resources-changed': { resourceId?: string };
  /** A message about one watched resource (slot taken/freed...): calendars refresh it. */
  'resource-activity': { resourceId: string; message: LiveMessage };
  /** A notification pushed over the WebSocket. */
  notification: Partial<Schemas['NotificationOut']>;
  'live-state': { state: LiveState; detail: string };
  // Waitlist and approvals (issue 10): my entries/offers changed; a request of mine or of my
  // approver's queue changed (pushed, or decided here).
  'waitlist-changed': { source: 'local' | 'live' };
  'approvals-changed': { source: 'local' | 'live' };
}

type Listener<T> = (detail: T) => void;

export class EventBus<E extends object> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(name: K, listener: Listener<E[K]>): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener);
    this.listeners.set(name, set);
    return () => set.delete(listener);
  }

  emit<K extends keyof E>(name: K, detail: E[K]): void {
    this.listeners.get(name)?.forEach((listener) => (listener as Listener<E[K]>)(detail));
  }

  clear(): void {
    this.listeners.clear();
  }
}

export type User = Schemas['UserOut'];

export interface Navigation {
  toAuth(notice?: string): void;
  toSetup(): void;
  toDashboard(): Promise<void>;
  signOut(): Promise<void>;
  /** Show one of the dashboard's tabs (route ids of routes.ts). */
  go(route: string): void;
}

/** What every screen gets. */
export interface AppContext {
  readonly config: Config;
  readonly api: Api;
  readonly nav: Navigation;
  /** Replace the main area with `nodes` and move focus there (screen readers follow). */
  show(title: string, ...nodes: Node[]): void;
  readonly header: HTMLElement;
}

/** What the signed-in screens get: the context plus the session. */
export interface Session extends AppContext {
  me: User;
  /** Guests are read-only: booking controls are not offered to them. */
  readonly canBook: boolean;
  readonly events: EventBus<AppEvents>;
  readonly live: LiveConnection | null;
}
