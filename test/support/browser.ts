import fs from 'node:fs';
import { type Browser, chromium, type Locator, type Page, type WebSocket } from 'playwright-core';

/** Debian's chromium (`apt-get install -y chromium`); playwright's own download does not work here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Why browser tests cannot run here, or undefined when they can. Without Chromium they are
 * skipped on a workstation; in CI (`CI` set) they run anyway and fail loudly, since .ci/run
 * installs it.
 */
export function browserSkipReason(): string | undefined {
  if (fs.existsSync(CHROMIUM_PATH) || process.env.CI) return undefined;
  return `${CHROMIUM_PATH} is absent: install it with "apt-get install -y chromium" to run the browser tests (CI always runs them)`;
}

/** Headless Chromium that reaches for nothing on its own (no updates, no sync, no QUIC probes). */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: the browser tests need "apt-get install -y chromium"`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Replaces the whole text of a CodeMirror 6 editor (`.cm-content`), as if pasted: no
 * auto-closed brackets, no completion. Waits for the editor to hold the focus before
 * selecting (otherwise Ctrl+A selects the page and the text goes nowhere), then for the
 * editor to show the text; an editor that Angular re-rendered in between gets another try.
 */
export async function replaceEditorText(page: Page, editor: Locator, text: string): Promise<void> {
  const shown = editor.filter({ hasText: text.replace(/\s+/g, ' ').trim() });
  for (let attempt = 1; ; attempt++) {
    await editor.click();
    await editor.evaluate(
      (element) =>
        new Promise<void>((resolve) => {
          const focused = () => element.isConnected && element.contains(element.ownerDocument.activeElement);
          if (focused()) return resolve();
          element.addEventListener('focus', () => resolve(), { once: true });
          (element as unknown as { focus(): void }).focus();
          if (focused()) resolve();
        }),
    );
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(text);
    try {
      await shown.waitFor({ timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** One graphql-ws message as the page sent or received it. */
export interface WsFrame {
  readonly url: string;
  readonly direction: 'sent' | 'received';
  readonly message: { type?: string; id?: string; payload?: unknown };
}

/**
 * Records every WebSocket frame of a page, and lets a test wait for one: resolves on
 * the frame events themselves, so no sleep decides when a subscription is live.
 */
export class WebSocketFrames {
  readonly frames: WsFrame[] = [];
  readonly urls: string[] = [];
  private waiters: Array<{ match: (frame: WsFrame) => boolean; resolve: (frame: WsFrame) => void }> = [];

  constructor(page: Page) {
    page.on('websocket', (ws) => this.watch(ws));
  }

  /** The first frame, past or future, that matches. */
  waitFor(match: (frame: WsFrame) => boolean): Promise<WsFrame> {
    const seen = this.frames.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  private watch(ws: WebSocket): void {
    this.urls.push(ws.url());
    const record = (direction: WsFrame['direction'], payload: string | Buffer) => {
      let message: WsFrame['message'];
      try {
        message = JSON.parse(payload.toString()) as WsFrame['message'];
      } catch {
        message = {};
      }
      const frame: WsFrame = { url: ws.url(), direction, message };
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    };
    ws.on('framesent', (frame) => record('sent', frame.payload));
    ws.on('framereceived', (frame) => record('received', frame.payload));
  }
}
