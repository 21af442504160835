// Entry point: read config.json, decide which screen to show (setup, sign in, the signed-in
// shell) and own the navigation between them.
import './styles.css';
import * as auth from './api/auth';
import { Api, loadConfig, type Config } from './api/client';
import { button, clear, h } from './components/dom';
import type { AppContext, Navigation } from './state';

const main = document.getElementById('main') as HTMLElement;
const header = document.getElementById('app-header') as HTMLElement;
/** Ends the signed-in shell (live connection, listeners); set while it is shown. */
let leaveShell: (() => void) | null = null;
let goTo: ((route: string) => void) | null = null;

function show(title: string, ...nodes: Node[]): void {
  document.title = title ? `${title} · Resource Reserver` : 'Resource Reserver';
  clear(main).append(...nodes);
  main.focus({ preventScroll: true });
}

function leave(): void {
  leaveShell?.();
  leaveShell = null;
  goTo = null;
  clear(header).hidden = true;
}

function context(config: Config, api: Api): AppContext {
  const nav: Navigation = {
    toSetup: () => {
      leave();
      void import('./screens/setup').then((m) => m.renderSetup(ctx));
    },
    toAuth: (notice) => {
      leave();
      void import('./screens/auth').then((m) => m.renderAuth(ctx, notice));
    },
    toDashboard: async () => {
      leave();
      // OAuth2 consent (issue 14): an app sent the user here; answer it before anything else.
      if (location.hash.startsWith('#/oauth/consent')) {
        void import('./screens/consent').then((m) => m.renderConsent(ctx));
        return;
      }
      try {
        const shell = await import('./screens/shell');
        const opened = await shell.openShell(ctx);
        leaveShell = opened.leave;
        goTo = opened.go;
      } catch (error) {
        if (api.signedIn) fatal(ctx, error);
      }
    },
    signOut: async () => {
      leave();
      try {
        await api.signOut();
      } finally {
        nav.toAuth('You are signed out.');
      }
    },
    go: (route) => goTo?.(route),
  };
  const ctx: AppContext = { config, api, nav, show, header };
  return ctx;
}

function fatal(ctx: AppContext, error: unknown): void {
  const code = error && typeof error === 'object' && 'code' in error ? ` (${String(error.code)})` : '';
  ctx.show(
    'Unavailable',
    h('section', { class: 'card narrow' },
      h('h1', { text: 'The service is not reachable' }),
      h('div', { class: 'error-box', role: 'alert' },
        h('p', {}, h('strong', { text: error instanceof Error ? error.message : String(error) }), code)),
      h('p', { class: 'hint', text: `API: ${ctx.config.apiUrl}` }),
      button('Try again', () => void route(ctx))),
  );
}

async function route(ctx: AppContext): Promise<void> {
  let status;
  try {
    status = await auth.setupStatus(ctx.api);
  } catch (error) {
    fatal(ctx, error);
    return;
  }
  if (!status.setup_complete) {
    ctx.nav.toSetup();
    return;
  }
  if (ctx.api.signedIn || (await ctx.api.resume())) {
    await ctx.nav.toDashboard();
    return;
  }
  ctx.nav.toAuth();
}

async function boot(): Promise<void> {
  const config = await loadConfig();
  const api = new Api(config.apiUrl);
  const ctx = context(config, api);
  api.onSignedOut((error) => {
    const reason = error.code ? ` (${error.code})` : '';
    ctx.nav.toAuth(`Your session has ended${reason}. Please sign in again.`);
  });
  await route(ctx);
}

void boot();
