/** The API client: bearer token, JSON, and errors carrying the API's own message. */
import { errorMessageOf } from './logic/errors';

const TOKEN_KEY = 'alert-console.token';

export class ApiError extends Error {
  constructor(public readonly status: number, message: string) {
    super(message);
  }
}

let onUnauthorized: (() => void) | null = null;
export const setOnUnauthorized = (f: () => void) => (onUnauthorized = f);

export const getToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (t: string | null) => (t === null ? sessionStorage.removeItem(TOKEN_KEY) : sessionStorage.setItem(TOKEN_KEY, t));

export async function rawApi(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: unknown; text: string }> {
  const token = init.token ?? getToken();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body, text };
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const r = await rawApi(path, init);
  if (r.status === 401) onUnauthorized?.();
  if (r.status >= 400) throw new ApiError(r.status, errorMessageOf(r.status, r.body));
  return r.body as T;
}

/** Downloads an API answer (e.g. the CSV export) with the bearer token, as a file. */
export async function download(path: string, filename: string): Promise<void> {
  const token = getToken();
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep the text */
    }
    throw new ApiError(res.status, errorMessageOf(res.status, body));
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
