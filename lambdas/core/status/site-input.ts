/** What the status renderer reads (built by site.ts over the ports). */
import type { PipelineConfig } from '../config/pipeline-config.schema';
import type { ComponentState, StatusIncident } from './model';
import type { UptimeDay } from './uptime';

export type StatusPageConfig = NonNullable<PipelineConfig['statusPage']>;

/** A public maintenance window occurrence (in effect or upcoming), as the page shows it. */
export interface ScheduledMaintenance {
  id: string;
  name: string;
  reason: string | null;
  services: string[];
  start: string;
  end: string;
  inProgress: boolean;
}

export interface StatusSiteInput {
  config: StatusPageConfig;
  now: string;
  /** Absolute URL of the public page (`.../status`), or a path when unknown. */
  pageUrl: string;
  states: Record<string, ComponentState>;
  /** When each service's current status began (its last recorded change). */
  since: Record<string, string>;
  uptimeDays: Record<string, UptimeDay[]>;
  /** 90-day uptime (0..1) or null (no data). */
  uptime90: Record<string, number | null>;
  /** Unresolved ones and those created in the last 14 days, newest first. */
  statusIncidents: StatusIncident[];
  maintenances: ScheduledMaintenance[];
}

