import { InvalidPayloadError } from '../../../lambdas/core/errors';
import { requireKnownPerson } from '../../../lambdas/core/oncall/people';

const PEOPLE = [{ name: 'alice' }, { name: 'bob' }];

describe('requireKnownPerson', () => {
  it.each(['alice', 'bob'])('accepts %s', (person) => {
    expect(() => requireKnownPerson(PEOPLE, person)).not.toThrow();
  });

  it.each([
    ['an unknown name', PEOPLE, 'carol'],
    ['a different case', PEOPLE, 'Alice'],
    ['no people configured', [], 'alice'],
  ])('refuses %s with a 400 naming the field', (_name, people, person) => {
    let err: unknown;
    try {
      requireKnownPerson(people, person);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidPayloadError);
    expect((err as InvalidPayloadError).issues).toEqual([{ path: 'person', message: `unknown person "${person}"` }]);
  });
});
