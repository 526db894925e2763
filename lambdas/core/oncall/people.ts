/** Checks on the people of the config, for requests that name a person (reassign, schedule overrides). Pure. */
import { InvalidPayloadError } from '../errors';

/** Throws a 400 naming `path` unless `person` is one of the configured people. */
export function requireKnownPerson(people: readonly { name: string }[], person: string, path = 'person'): void {
  if (!people.some((p) => p.name === person)) {
    throw new InvalidPayloadError([{ path, message: `unknown person "${person}"` }]);
  }
}
