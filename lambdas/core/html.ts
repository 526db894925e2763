/**
 * A small HTML renderer: the `html` tagged template escapes every interpolated value by default (strings through
 * `escapeHtml`: control characters removed, `& < > " '` escaped). Markup passes unescaped only as an `Html` value:
 * the result of another `html` template, or `trustedHtml(...)` for constant markup written in the code. Arrays
 * render item by item; null, undefined and false render nothing. Pure; used by the one-click link pages and ready for
 * any other page (email bodies, the status page).
 */
import { escapeHtml } from './notify/text';

/** Markup that is safe to insert as is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: every `${...}` escaped unless it is already `Html`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** Constant markup written in the code (never text from a request, a payload or a config). */
export function trustedHtml(markup: string): Html {
  return new Html(markup);
}
