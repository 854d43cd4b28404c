import { createHash } from 'node:crypto';
import { type NodeHandler } from './handler-chain.js';

/**
 * On every answer: the browser must not guess a type other than the one sent (a JSON
 * error rendered as HTML), and no page of the gateway leaks its URL to another site.
 */
export const securityHeaders: NodeHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
};

/**
 * The Content-Security-Policy of an HTML page served from the gateway's own files:
 * scripts from the gateway only, plus the page's inline scripts by their SHA-256 (so
 * the policy is the same for every copy of the page and it can be cached); styles may
 * be inline (Angular adds them at run time); connections to the gateway itself and its
 * WebSocket; nothing may frame it, nothing is loaded from elsewhere.
 */
export function pageContentSecurityPolicy(html: string, webSocketUrl: string): string {
  const inlineScripts = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (match) => `'sha256-${createHash('sha256').update(match[1] ?? '').digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    `script-src 'self' ${inlineScripts.join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${new URL(webSocketUrl).origin}`,
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy of a page that is text only: nothing may load, run or frame it. */
export const STATIC_PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
