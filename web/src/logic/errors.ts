/** The message of an API error answer: `{"error":{"code","message"}}`, or the identity contract's `{"error","message"}`. */
export function errorMessageOf(status: number, body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    if (typeof b.error === 'object' && b.error !== null && typeof (b.error as Record<string, unknown>).message === 'string') {
      return (b.error as { message: string }).message;
    }
    if (typeof b.message === 'string') return b.message;
    if (typeof b.error === 'string') return b.error;
  }
  if (typeof body === 'string' && body.trim() !== '' && body.length < 300) return body.trim();
  if (status === 401) return 'not signed in (missing or invalid token)';
  if (status === 403) return 'forbidden';
  return `request failed with HTTP ${status}`;
}
