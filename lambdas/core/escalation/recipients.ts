/**
 * Stage "notify", first half: who a step of an escalation plan reaches, and over which channels. Runs when a step
 * executes (escalation/plan.ts froze the targets, not the people), so a schedule pages whoever is on call then.
 * Pure: the config, the overrides and the time come in as arguments. The notifier adapters send the deliveries.
 */
import type { PipelineConfig } from '../config/pipeline-config.schema';
import { onCallAt, type ScheduleOverride } from '../oncall/schedule';
import type { Target } from './plan';
import type { ChannelType } from '../notify/channels';

export type Recipient =
  | { kind: 'person'; person: string; via: `schedule:${string}` | `team:${string}` | 'direct' }
  | { kind: 'channel'; channel: string }
  /**
   * Nobody could be reached through a target: a schedule with nobody on call, or a name that is no longer in the
   * config (the plan was frozen before the config changed). Recorded on the incident timeline by the caller.
   */
  | {
      kind: 'nobody';
      reason: 'nobody-on-call' | 'unknown-schedule' | 'unknown-team' | 'empty-team' | 'unknown-person' | 'unknown-channel';
      schedule?: string;
      team?: string;
      person?: string;
      channel?: string;
    };

/** A delivery's channel type: one of the channel registry (notify/channels). */
export type DeliveryType = ChannelType;

export interface Delivery {
  /** The configured channel to send through; null = the built-in path (SNS email/SMS) without a named channel. */
  channel: string | null;
  type: DeliveryType;
  /** Email address or E.164 number, for contacts. Channels carry their address in their secret. */
  address?: string;
  /** The person this delivery reaches, when it is one person's. */
  person?: string;
}

/**
 * Resolves targets to recipients at an instant: schedules to who is on call (or a `nobody` entry), teams to their
 * members plus the team's channels, persons to themselves plus their own channels. Deduplicated, first mention
 * wins (so a person on call and in the team is paged once, `via` the schedule when the schedule came first).
 *
 * @example
 * recipientsFor(config, [{ schedule: 'primary' }, { team: 'platform' }], now, overrides)
 * // [{ kind: 'person', person: 'alice', via: 'schedule:primary' }, { kind: 'person', person: 'bob', via: 'team:platform' },
 * //  { kind: 'channel', channel: 'platform-slack' }]
 */
export function recipientsFor(
  config: Pick<PipelineConfig, 'people' | 'teams' | 'schedules' | 'channels'>,
  targets: readonly Target[],
  atMs: number,
  overrides: readonly ScheduleOverride[],
): Recipient[] {
  const people = new Map(config.people.map((p) => [p.name, p]));
  const channels = new Set(config.channels.map((c) => c.name));
  const out: Recipient[] = [];
  const seen = new Set<string>();
  const add = (key: string, r: Recipient) => {
    if (seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  const addChannel = (channel: string) => {
    if (channels.has(channel)) add(`c:${channel}`, { kind: 'channel', channel });
    else add(`n:channel:${channel}`, { kind: 'nobody', reason: 'unknown-channel', channel });
  };
  const addPerson = (person: string, via: Extract<Recipient, { kind: 'person' }>['via']) => {
    if (!people.has(person)) {
      // A schedule member or override naming someone no longer in the config: record it, page nobody for it.
      const where = via.startsWith('schedule:') ? { schedule: via.slice(9) } : via.startsWith('team:') ? { team: via.slice(5) } : {};
      add(`n:person:${person}`, { kind: 'nobody', reason: 'unknown-person', person, ...where });
      return;
    }
    add(`p:${person}`, { kind: 'person', person, via });
    for (const channel of people.get(person)?.channels ?? []) addChannel(channel);
  };
  for (const target of targets) {
    if ('person' in target) {
      addPerson(target.person, 'direct');
    } else if ('schedule' in target) {
      const schedule = config.schedules.find((s) => s.name === target.schedule);
      const onCall = schedule ? onCallAt(schedule, overrides, atMs) : null;
      if (!schedule) add(`n:schedule:${target.schedule}`, { kind: 'nobody', reason: 'unknown-schedule', schedule: target.schedule });
      else if (!onCall) add(`n:schedule:${target.schedule}`, { kind: 'nobody', reason: 'nobody-on-call', schedule: target.schedule });
      else addPerson(onCall.person, `schedule:${target.schedule}`);
    } else if ('team' in target) {
      const team = config.teams.find((t) => t.name === target.team);
      if (!team) {
        add(`n:team:${target.team}`, { kind: 'nobody', reason: 'unknown-team', team: target.team });
        continue;
      }
      if (team.members.length === 0 && team.channels.length === 0) add(`n:team:${team.name}`, { kind: 'nobody', reason: 'empty-team', team: team.name });
      for (const member of team.members) addPerson(member, `team:${team.name}`);
      for (const channel of team.channels) addChannel(channel);
    } else {
      addChannel(target.channel);
    }
  }
  return out;
}

/**
 * Turns recipients into deliveries: a person's email and SMS contacts go through the first configured channel of
 * that type (null when there is none: the built-in SNS path), and their named channels too; channel recipients
 * become one delivery each. Deduplicated (one delivery per channel, one per address). `nobody` entries and names
 * missing from the config yield nothing; a person without contacts or channels yields nothing either.
 *
 * @example
 * deliveriesFor(config, [{ kind: 'person', person: 'alice', via: 'direct' }])
 * // [{ channel: 'ses', type: 'email', address: 'alice@example.com', person: 'alice' },
 * //  { channel: null, type: 'sms', address: '+14155550100', person: 'alice' }]
 */
export function deliveriesFor(config: Pick<PipelineConfig, 'people' | 'channels'>, recipients: readonly Recipient[]): Delivery[] {
  const people = new Map(config.people.map((p) => [p.name, p]));
  const channels = new Map(config.channels.map((c) => [c.name, c]));
  const firstOfType = (type: 'email' | 'sms') => config.channels.find((c) => c.type === type)?.name ?? null;
  const out: Delivery[] = [];
  const seen = new Set<string>();
  const add = (key: string, d: Delivery) => {
    if (seen.has(key)) return;
    seen.add(key);
    out.push(d);
  };
  const addChannel = (name: string, person?: string) => {
    const channel = channels.get(name);
    if (!channel) return;
    add(`c:${name}`, person === undefined ? { channel: name, type: channel.type } : { channel: name, type: channel.type, person });
  };
  for (const r of recipients) {
    if (r.kind === 'channel') addChannel(r.channel);
    if (r.kind !== 'person') continue;
    const person = people.get(r.person);
    if (!person) continue;
    for (const contact of person.contacts) {
      if (contact.type === 'email') add(`email:${contact.address.toLowerCase()}`, { channel: firstOfType('email'), type: 'email', address: contact.address, person: person.name });
      else add(`sms:${contact.number}`, { channel: firstOfType('sms'), type: 'sms', address: contact.number, person: person.name });
    }
    for (const channel of person.channels) addChannel(channel, person.name);
  }
  return out;
}
