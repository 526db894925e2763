/**
 * The figures of one incident's history, read from its head and its timeline: the detection chain (first raw
 * signal -> opened -> first page -> first delivered notification -> first acknowledgement -> resolved), escalations,
 * reassignments, snoozes and the interruptions (notifications delivered to a person). Analytics, the export and
 * postmortems all read an incident's history through this one function (docs/insights.md §Figures).
 */
import type { Incident, TimelineEvent } from '../model/incident';

/** One notification delivered to a person: what interrupts them. */
export interface Interruption {
  person: string;
  at: string;
  /** The delivery type (email, sms, slack...). */
  type: string;
}

export interface IncidentFigures {
  incidentId: string;
  /** The first alert's time at the source (`occurredAt`): the first raw signal. */
  firstSignalAt: string;
  openedAt: string;
  /** The first `page` event that paged somebody (a level of the escalation policy). */
  firstPageAt: string | null;
  /** The first notification the channel accepted (`sent`). */
  firstNotificationAt: string | null;
  /** The first acknowledgement (timeline), else the head's `acknowledgedAt`. */
  firstAckAt: string | null;
  resolvedAt: string | null;
  /** Seconds from opened to the first acknowledgement (null: never acknowledged). */
  secondsToAck: number | null;
  /** Seconds from opened to resolved (null: not resolved). */
  secondsToResolve: number | null;
  /** Seconds from the first raw signal to the first delivered notification (null: nothing delivered). */
  secondsToKnow: number | null;
  /** Escalation-policy levels paged (`page` events that paged somebody). */
  pages: number;
  /** Notifications the channels accepted. */
  notifications: number;
  /** Highest escalation level paged (0 = the first level; -1 = never paged). */
  highestLevel: number;
  /** Pages of a level beyond the first (each one counted), plus escalate-now requests. */
  escalations: number;
  reassignments: number;
  snoozes: number;
  /** Resolved by the source or the pipeline (auto-resolve, dedup window), not by a person. */
  autoResolved: boolean;
  interruptions: Interruption[];
}

const secondsBetween = (from: string, to: string | null): number | null =>
  to === null ? null : Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));

/** Whether an actor string is the pipeline or a source rather than a person. */
export function isAutomaticActor(actor: string | null): boolean {
  return actor !== null && (actor.startsWith('pipeline') || actor.startsWith('source:'));
}

/**
 * The figures of one incident. `timeline` may be in any order; events of other incidents are ignored.
 *
 * @example incidentFigures(incident, await store.timeline(incident.id)).secondsToKnow
 */
export function incidentFigures(incident: Incident, timeline: readonly TimelineEvent[]): IncidentFigures {
  const events = timeline.filter((e) => e.incidentId === incident.id).slice().sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  let firstPageAt: string | null = null;
  let firstNotificationAt: string | null = null;
  let firstAckAt: string | null = null;
  let highestLevel = -1;
  let pages = 0;
  let notifications = 0;
  let escalations = 0;
  let reassignments = 0;
  let snoozes = 0;
  const interruptions: Interruption[] = [];
  for (const e of events) {
    const data = e.data ?? {};
    switch (e.type) {
      case 'page': {
        const level = typeof data.level === 'number' ? data.level : null;
        if (level === null) break; // "Not paged: ..." entries carry no level
        firstPageAt ??= e.at;
        pages++;
        if (level > 0) escalations++;
        if (level > highestLevel) highestLevel = level;
        break;
      }
      case 'notification':
        if (data.outcome === 'sent') {
          firstNotificationAt ??= e.at;
          notifications++;
          if (typeof data.person === 'string' && data.person !== '') interruptions.push({ person: data.person, at: e.at, type: String(data.type ?? 'unknown') });
        }
        break;
      case 'acknowledged':
        firstAckAt ??= e.at;
        break;
      case 'reassigned':
        reassignments++;
        break;
      case 'snoozed':
        snoozes++;
        break;
      case 'escalated':
        if (e.message.startsWith('Escalated now')) escalations++;
        break;
      default:
        break;
    }
  }
  firstAckAt ??= incident.acknowledgedAt;
  const firstSignalAt = incident.firstAlert.occurredAt < incident.openedAt ? incident.firstAlert.occurredAt : incident.openedAt;
  const resolvedAt = incident.status === 'resolved' ? incident.resolvedAt : null;
  return {
    incidentId: incident.id,
    firstSignalAt,
    openedAt: incident.openedAt,
    firstPageAt,
    firstNotificationAt,
    firstAckAt,
    resolvedAt,
    secondsToAck: firstAckAt === null ? null : secondsBetween(incident.openedAt, firstAckAt),
    secondsToResolve: secondsBetween(incident.openedAt, resolvedAt),
    secondsToKnow: secondsBetween(firstSignalAt, firstNotificationAt),
    pages,
    notifications,
    highestLevel,
    escalations,
    reassignments,
    snoozes,
    autoResolved: resolvedAt !== null && isAutomaticActor(incident.resolvedBy),
    interruptions,
  };
}
