// Entry point: read config.json, decide which screen to show (setup, sign in, dashboard) and
// hold the shared context the screens receive.
import { Api, loadConfig } from './api.js';
import { button, clear, h } from './dom.js';
import { renderAuth } from './screens/auth.js';
import { renderDashboard } from './screens/dashboard.js';
import { renderSetup } from './screens/setup.js';

const main = document.getElementById('main');
const header = document.getElementById('app-header');

/** Shared by every screen: config, API client, signed-in user, live connection, events. */
const ctx = {
  config: null,
  api: null,
  me: null,
  live: null,
  main,
  header,
  events: new EventTarget(),

  /** Replace the main area with `nodes` and move focus there (screen readers follow). */
  show(title, ...nodes) {
    document.title = title ? `${title} · Resource Reserver` : 'Resource Reserver';
    clear(main).append(...nodes.flat());
    main.focus({ preventScroll: true });
  },

  emit(name, detail) {
    ctx.events.dispatchEvent(new CustomEvent(name, { detail }));
  },

  on(name, listener) {
    ctx.events.addEventListener(name, listener);
    return () => ctx.events.removeEventListener(name, listener);
  },

  toSetup() {
    leaveDashboard();
    renderSetup(ctx);
  },

  toAuth(notice) {
    leaveDashboard();
    renderAuth(ctx, notice);
  },

  async toDashboard() {
    try {
      await renderDashboard(ctx);
    } catch (error) {
      if (ctx.api.signedIn) fatal(error);
    }
  },

  async signOut() {
    leaveDashboard();
    try {
      await ctx.api.signOut();
    } finally {
      renderAuth(ctx, 'You are signed out.');
    }
  },
};

function leaveDashboard() {
  if (ctx.live) ctx.live.stop();
  ctx.live = null;
  ctx.me = null;
  ctx.events = new EventTarget();
  clear(header).hidden = true;
}

function fatal(error) {
  const retry = button('Try again', () => route());
  ctx.show(
    'Unavailable',
    h('section', { class: 'card narrow' },
      h('h1', { text: 'The service is not reachable' }),
      h('div', { class: 'error-box', role: 'alert' },
        h('p', {}, h('strong', { text: error.message || String(error) }), error.code ? ` (${error.code})` : '')),
      h('p', { class: 'hint', text: `API: ${ctx.config?.apiUrl ?? 'unknown'}` }),
      retry),
  );
}

async function route(notice) {
  let status;
  try {
    status = await ctx.api.get('/api/v1/setup/status', undefined, { auth: false });
  } catch (error) {
    fatal(error);
    return;
  }
  if (!status.setup_complete) {
    ctx.toSetup();
    return;
  }
  if (ctx.api.signedIn || (await ctx.api.resume())) {
    await ctx.toDashboard();
    return;
  }
  ctx.toAuth(notice);
}

async function boot() {
  ctx.config = await loadConfig();
  ctx.api = new Api(ctx.config.apiUrl);
  ctx.api.onSignedOut((error) => {
    const reason = error?.code ? ` (${error.code})` : '';
    ctx.toAuth(`Your session has ended${reason}. Please sign in again.`);
  });
  await route();
}

boot();
