/**
 * leadgraph's example app: sign in with a gateway URL and a key, list the leads, open one
 * and watch it live. Routes: `#/` (the leads) and `#/leads/<id>` (one lead).
 */
import { connect, type Gateway, type GatewaySettings, type SocketState } from './apollo';
import { fill, h } from './dom';
import { leadView } from './lead-view';
import { leadsView } from './leads-view';

/** Kept for the tab's life only: a key is a secret. */
const SETTINGS_KEY = 'leadgraph-example';
const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';

const header = h('header', {});
const main = h('main', {});
document.body.replaceChildren(header, main);

function savedSettings(): GatewaySettings | undefined {
  const saved = sessionStorage.getItem(SETTINGS_KEY);
  return saved === null ? undefined : (JSON.parse(saved) as GatewaySettings);
}

function signIn(): void {
  const url = h('input', { name: 'httpUrl', type: 'url', required: true, value: new URLSearchParams(location.search).get('gateway') ?? DEFAULT_URL });
  const credential = h('input', { name: 'credential', type: 'password', required: true, placeholder: 'lgk_… (from the gateway banner)' });
  const form = h('form', { id: 'sign-in' }, h('label', {}, 'Gateway ', url), h('label', {}, 'API key ', credential), h('button', { type: 'submit' }, 'Connect'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(SETTINGS_KEY, JSON.stringify({ httpUrl: url.value, credential: credential.value } satisfies GatewaySettings));
    start();
  });
  fill(header, h('h1', {}, 'leadgraph'));
  fill(main, h('h2', {}, 'Connect'), form);
}

function start(): void {
  const settings = savedSettings();
  if (settings === undefined) return signIn();

  const socket = h('span', { id: 'connection', 'data-state': 'idle' }, 'stream idle');
  const showSocket = (state: SocketState) => {
    socket.dataset.state = state;
    socket.textContent = state === 'live' ? 'stream live' : `stream ${state}`;
  };
  const gateway: Gateway = connect(settings, showSocket);
  const signOut = h('button', { id: 'sign-out', type: 'button' }, 'Sign out');
  fill(header, h('h1', {}, h('a', { href: '#/' }, 'leadgraph')), h('span', {}, settings.httpUrl), socket, signOut);

  let leave = route(gateway);
  const onHashChange = () => {
    leave();
    leave = route(gateway);
  };
  window.addEventListener('hashchange', onHashChange);
  signOut.addEventListener('click', () => {
    window.removeEventListener('hashchange', onHashChange);
    leave();
    sessionStorage.removeItem(SETTINGS_KEY);
    void gateway.close().then(signIn);
  });
}

/** Shows the view of the current hash; returns what leaves it. */
function route(gateway: Gateway): () => void {
  const lead = /^#\/leads\/([^/]+)$/.exec(location.hash);
  return lead?.[1] === undefined ? leadsView(main, gateway) : leadView(main, gateway, decodeURIComponent(lead[1]));
}

start();
