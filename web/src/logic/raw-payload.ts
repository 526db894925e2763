/** How the console shows an alert's raw payload: JSON pretty-printed, anything else (or a cut body) as it came. */
export function displayedBody(body: string, truncated: boolean): { text: string; pretty: boolean } {
  if (!truncated) {
    try {
      return { text: JSON.stringify(JSON.parse(body), null, 2), pretty: true };
    } catch {
      /* not JSON: verbatim */
    }
  }
  return { text: body, pretty: false };
}

/** The route of an alert's raw payload (GET /api/incidents/{id}/alerts/{alertId}/raw). */
export const rawPayloadPath = (incidentId: string, alertId: string) =>
  `/api/incidents/${encodeURIComponent(incidentId)}/alerts/${encodeURIComponent(alertId)}/raw`;

/** A size for people: bytes, KB or MB. */
export function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
