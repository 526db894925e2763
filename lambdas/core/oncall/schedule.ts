/**
 * On-call schedules: who is on call at an instant, and the effective timeline over a range. Used by the escalation
 * recipients (escalation/recipients.ts), `GET /api/oncall` and the iCalendar feed (oncall/ical.ts). Pure: time comes
 * in as epoch milliseconds, zone data from luxon.
 *
 * Model:
 * - A layer rotates its members: shift k starts at the wall time `start + k × period` in the schedule's zone, where
 *   the period is 1 day (daily), 7 days (weekly) or `shiftHours` (custom) of wall-clock time, so handoffs stay at
 *   the same local time across DST (that day's shift lasts 23 or 25 hours). Wall times resolve to instants with
 *   RFC 5545 semantics (wall-clock.ts). Member of shift k: `members[k mod n]`. Before `start` the layer is empty.
 * - `activeFrom`/`activeTo` limit a layer to a daily local window (may cross midnight; equal times mean all day).
 * - Later layers win wherever they have someone on call; an override covering the instant beats every layer
 *   (overlapping overrides: the later start wins, then the later one in the list).
 * - A segment of the timeline is one shift of one layer (or one override) as far as it is effective: a higher layer
 *   or an override cuts it. `shiftStart`/`shiftEnd` are the segment's boundaries.
 */
import * as z from 'zod/mini';
import type { IANAZone } from 'luxon';
import type { PipelineConfig } from '../config/pipeline-config.schema';
import { ConfigError } from '../errors';
import { DAY_MS, HOUR_MS, MAX_GAP_MS, MINUTE_MS, parseLocalDateTime, parseLocalTime, resolveWall, wallDay, wallOf, zoneOf } from './wall-clock';

export type ScheduleConfig = PipelineConfig['schedules'][number];
export type LayerConfig = ScheduleConfig['layers'][number];

/** A temporary replacement on a schedule, created through the API. `start`/`end` are ISO instants, end exclusive. */
export interface ScheduleOverride {
  id: string;
  schedule: string;
  person: string;
  start: string;
  end: string;
  reason?: string;
}

const isoInstant = z.string().check(
  z.refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time with offset'),
);

/** What the API accepts for an override (the handler adds the id). Checks shape and `end > start`, not names. */
export const ScheduleOverrideSchema = z
  .strictObject({
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    schedule: z.string().check(z.minLength(1), z.maxLength(64)),
    person: z.string().check(z.minLength(1), z.maxLength(64)),
    start: isoInstant,
    end: isoInstant,
    reason: z.optional(z.string().check(z.maxLength(500))),
  })
  .check(z.refine((o) => Date.parse(o.end) > Date.parse(o.start), { message: 'end must be after start', path: ['end'] }));

export interface OnCall {
  person: string;
  schedule: string;
  /** The layer's name, or `override`. */
  layer: string | 'override';
  /** Boundaries of the effective segment (ISO, UTC). */
  shiftStart: string;
  shiftEnd: string;
  overrideId?: string;
}

/** A layer compiled once per call: zone, first wall time, period, window. */
interface CompiledLayer {
  index: number;
  name: string;
  members: string[];
  zone: IANAZone;
  startWall: number;
  periodMs: number;
  window: { from: number; to: number } | null;
}

function compileLayers(schedule: ScheduleConfig): CompiledLayer[] {
  const zone = zoneOf(schedule.timezone);
  return schedule.layers.map((layer, index) => {
    const path = `schedules.${schedule.name}.layers.${layer.name}`;
    const periodMs =
      layer.rotation === 'daily' ? DAY_MS : layer.rotation === 'weekly' ? 7 * DAY_MS : (layer.shiftHours ?? 0) * HOUR_MS;
    if (!(periodMs > 0)) throw new ConfigError([{ path: `${path}.shiftHours`, message: 'required for a custom rotation' }]);
    const window =
      layer.activeFrom !== undefined && layer.activeTo !== undefined
        ? { from: parseLocalTime(layer.activeFrom, `${path}.activeFrom`), to: parseLocalTime(layer.activeTo, `${path}.activeTo`) }
        : null;
    return { index, name: layer.name, members: layer.members, zone, startWall: parseLocalDateTime(layer.start, `${path}.start`), periodMs, window };
  });
}

/**
 * Start of shift k. Normally the resolved wall time; when that wall time falls in a DST gap and the period is shorter
 * than the gap, a later shift can resolve earlier, so the start is the earliest start of any shift from k on. This
 * keeps boundaries non-decreasing; shifts squeezed to nothing are skipped.
 */
function shiftStart(layer: CompiledLayer, k: number): number {
  const first = resolveWall(layer.zone, layer.startWall + k * layer.periodMs);
  if (!first.gap) return first.ms;
  let min = first.ms;
  const look = Math.ceil(MAX_GAP_MS / layer.periodMs);
  for (let j = 1; j <= look; j++) min = Math.min(min, resolveWall(layer.zone, layer.startWall + (k + j) * layer.periodMs).ms);
  return min;
}

/** The shift of a layer containing an instant, or -1 before the layer's start. */
function shiftIndexAt(layer: CompiledLayer, atMs: number): number {
  let k = Math.max(0, Math.floor((wallOf(layer.zone, atMs) - layer.startWall) / layer.periodMs));
  while (k > 0 && shiftStart(layer, k) > atMs) k--;
  if (shiftStart(layer, k) > atMs) return -1;
  while (shiftStart(layer, k + 1) <= atMs) k++;
  return k;
}

interface Piece {
  start: number;
  end: number;
  key: string;
  person: string;
  layer: string;
  overrideId?: string;
}

/** The shifts of a layer intersecting [a, b), clipped to it. */
function shiftPieces(layer: CompiledLayer, a: number, b: number): Array<{ start: number; end: number; k: number }> {
  const out: Array<{ start: number; end: number; k: number }> = [];
  let k = Math.max(0, shiftIndexAt(layer, a));
  let start = shiftStart(layer, k);
  while (start < b) {
    const end = shiftStart(layer, k + 1);
    if (end > start && end > a) out.push({ start: Math.max(start, a), end: Math.min(end, b), k });
    k++;
    start = end;
  }
  return out;
}

/** The layer's daily active windows intersecting [a, b), clipped and merged; null when the layer has no window. */
function windowPieces(layer: CompiledLayer, a: number, b: number): Array<{ start: number; end: number }> | null {
  if (!layer.window) return null;
  const { from, to } = layer.window;
  const lengthMin = to > from ? to - from : to + 24 * 60 - from;
  const out: Array<{ start: number; end: number }> = [];
  for (let day = wallDay(wallOf(layer.zone, a)) - DAY_MS; day <= wallDay(wallOf(layer.zone, b)) + DAY_MS; day += DAY_MS) {
    const s = Math.max(a, resolveWall(layer.zone, day + from * MINUTE_MS).ms);
    const e = Math.min(b, resolveWall(layer.zone, day + (from + lengthMin) * MINUTE_MS).ms);
    if (e <= s) continue;
    const last = out[out.length - 1];
    if (last && s <= last.end) last.end = Math.max(last.end, e);
    else out.push({ start: s, end: e });
  }
  return out;
}

/** Where a layer has someone on call within [a, b): its shifts, cut to its active windows. */
function layerPieces(schedule: string, layer: CompiledLayer, a: number, b: number): Piece[] {
  const shifts = shiftPieces(layer, a, b);
  const windows = windowPieces(layer, a, b);
  const piece = (start: number, end: number, k: number): Piece => ({
    start,
    end,
    key: `${schedule}\u0000L${layer.index}\u0000${k}`,
    person: layer.members[k % layer.members.length]!,
    layer: layer.name,
  });
  if (!windows) return shifts.map((s) => piece(s.start, s.end, s.k));
  const out: Piece[] = [];
  let w = 0;
  for (const s of shifts) {
    while (w < windows.length && windows[w]!.end <= s.start) w++;
    for (let i = w; i < windows.length && windows[i]!.start < s.end; i++) {
      const start = Math.max(s.start, windows[i]!.start);
      const end = Math.min(s.end, windows[i]!.end);
      if (end > start) out.push(piece(start, end, s.k));
    }
  }
  return out;
}

interface ValidOverride {
  override: ScheduleOverride;
  start: number;
  end: number;
  order: number;
}

function overridesOf(schedule: string, overrides: readonly ScheduleOverride[]): ValidOverride[] {
  const out: ValidOverride[] = [];
  overrides.forEach((override, order) => {
    if (override.schedule !== schedule) return;
    const start = Date.parse(override.start);
    const end = Date.parse(override.end);
    if (Number.isFinite(start) && Number.isFinite(end) && end > start) out.push({ override, start, end, order });
  });
  return out;
}

/** Later start wins; for equal starts the later entry in the list. */
function overridePrecedes(a: ValidOverride, b: ValidOverride): boolean {
  return a.start !== b.start ? a.start > b.start : a.order > b.order;
}

/**
 * The effective timeline over [a, b): every elementary interval between boundaries gets its winner (override, else
 * the highest layer with someone on call), then adjacent intervals of the same shift or override are merged.
 * Segments touching a or b are clipped there; callers widen the range so that the segments they return are whole.
 */
function timeline(schedule: ScheduleConfig, layers: CompiledLayer[], overrides: ValidOverride[], a: number, b: number): Piece[] {
  const perLayer = layers.map((layer) => layerPieces(schedule.name, layer, a, b));
  const ovs = overrides.filter((o) => o.end > a && o.start < b);
  const points = new Set<number>([a, b]);
  for (const pieces of perLayer) for (const p of pieces) points.add(p.start).add(p.end);
  for (const o of ovs) points.add(Math.max(a, o.start)).add(Math.min(b, o.end));
  const sorted = [...points].filter((p) => p >= a && p <= b).sort((x, y) => x - y);
  const cursor = perLayer.map(() => 0);
  const out: Piece[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = sorted[i]!;
    const end = sorted[i + 1]!;
    let winner: Piece | null = null;
    let best: ValidOverride | null = null;
    for (const o of ovs) if (o.start <= start && o.end > start && (!best || overridePrecedes(o, best))) best = o;
    if (best) {
      winner = { start, end, key: `${schedule.name}\u0000O\u0000${best.override.id}`, person: best.override.person, layer: 'override', overrideId: best.override.id };
    }
    for (let l = perLayer.length - 1; l >= 0; l--) {
      const pieces = perLayer[l]!;
      while (cursor[l]! < pieces.length && pieces[cursor[l]!]!.end <= start) cursor[l]!++;
      const p = pieces[cursor[l]!];
      if (!winner && p && p.start <= start) winner = { ...p, start, end };
    }
    if (!winner) continue;
    const last = out[out.length - 1];
    if (last && last.key === winner.key && last.end === start) last.end = end;
    else out.push(winner);
  }
  return out;
}

/** How far around a range a segment can reach: the longest shift plus a DST and gap margin. */
function reach(layers: CompiledLayer[]): number {
  return Math.max(0, ...layers.map((l) => l.periodMs)) + 2 * DAY_MS;
}

/**
 * The segments intersecting [from, to), whole. Starts with a small margin around the range and widens it (up to the
 * longest possible segment) only while a segment at either end was clipped by the margin, so a schedule with a
 * four-week layer and an hourly layer does not compute two months of hourly shifts for one lookup.
 */
function wholeSegments(schedule: ScheduleConfig, layers: CompiledLayer[], ovs: ValidOverride[], from: number, to: number): Piece[] {
  const full = reach(layers);
  let margin = Math.min(full, 2 * DAY_MS);
  for (;;) {
    let a = from - margin;
    let b = to + margin;
    for (const o of ovs) {
      if (o.end > from && o.start < to) {
        a = Math.min(a, o.start);
        b = Math.max(b, o.end);
      }
    }
    const segments = timeline(schedule, layers, ovs, a, b).filter((p) => p.end > from && p.start < to);
    const first = segments[0];
    const last = segments[segments.length - 1];
    const clipped = (first !== undefined && first.start <= a) || (last !== undefined && last.end >= b);
    if (!clipped || margin >= full) return segments;
    margin = Math.min(full, margin * 4);
  }
}

function toOnCall(schedule: string, p: Piece): OnCall {
  const onCall: OnCall = {
    person: p.person,
    schedule,
    layer: p.layer,
    shiftStart: new Date(p.start).toISOString(),
    shiftEnd: new Date(p.end).toISOString(),
  };
  if (p.overrideId !== undefined) onCall.overrideId = p.overrideId;
  return onCall;
}

/**
 * The effective timeline of a schedule: every segment intersecting [fromMs, toMs), whole (not clipped), in order.
 * Segments never overlap; where nobody is on call there is a gap.
 *
 * @example
 * shiftsBetween(schedule, [], Date.parse('2024-03-30T00:00Z'), Date.parse('2024-04-01T00:00Z'))
 * // [{ person: 'alice', layer: 'primary', shiftStart: '2024-03-29T08:00:00.000Z', shiftEnd: '2024-03-30T08:00:00.000Z' }, ...]
 */
export function shiftsBetween(schedule: ScheduleConfig, overrides: readonly ScheduleOverride[], fromMs: number, toMs: number): OnCall[] {
  if (!(toMs > fromMs)) return [];
  const layers = compileLayers(schedule);
  return wholeSegments(schedule, layers, overridesOf(schedule.name, overrides), fromMs, toMs).map((p) => toOnCall(schedule.name, p));
}

/**
 * Who is on call on a schedule at an instant, with the boundaries of that effective segment; null when nobody is
 * (before every layer's start, or outside every layer's window).
 *
 * @example
 * onCallAt(schedule, overrides, Date.parse('2024-03-31T07:00:00Z'))
 * // { person: 'bob', schedule: 'primary', layer: 'weekdays', shiftStart: '2024-03-31T07:00:00.000Z', shiftEnd: ... }
 */
export function onCallAt(schedule: ScheduleConfig, overrides: readonly ScheduleOverride[], atMs: number): OnCall | null {
  if (!Number.isFinite(atMs)) return null;
  const layers = compileLayers(schedule);
  const segment = wholeSegments(schedule, layers, overridesOf(schedule.name, overrides), atMs, atMs + 1).find((p) => p.start <= atMs && p.end > atMs);
  return segment ? toOnCall(schedule.name, segment) : null;
}

/** Everyone on call right now, one entry per configured schedule (for `GET /api/oncall`). */
export function whoIsOnCall(
  config: Pick<PipelineConfig, 'schedules'>,
  atMs: number,
  overrides: readonly ScheduleOverride[],
): Array<{ schedule: string; onCall: OnCall | null }> {
  return config.schedules.map((schedule) => ({ schedule: schedule.name, onCall: onCallAt(schedule, overrides, atMs) }));
}
