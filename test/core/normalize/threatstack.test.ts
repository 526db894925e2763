import fc from 'fast-check';
import { normalizeThreatStack, normalizeThreatStackTitle } from '../../../lambdas/core/normalize/threatstack';
import { FIXTURE_CTX, listFixtures, listInvalidFixtures, loadExpected, loadFixture, errorOf } from '../../support/fixtures';
import { anyInput, expectNormalizedOrInvalid, FUZZ_RUNS, mutatedFrom } from '../../support/normalize-fuzz';

const VALID = listFixtures('threatstack');
const INVALID = listInvalidFixtures('threatstack');


describe('normalizeThreatStack', () => {
  it('has a fixture for every documented variant', () => {
    expect(VALID).toEqual(
      expect.arrayContaining([
        'batch-host-and-cloudtrail',
        'bare-alert',
        'numbers-as-strings',
        'organization-name-legacy',
        'unknown-extra-keys',
      ]),
    );
  });

  it.each(VALID)('normalizes fixture %s to its expected output', (name) => {
    expect(normalizeThreatStack(loadFixture('threatstack', name), FIXTURE_CTX)).toEqual(loadExpected('threatstack', name));
  });

  it.each(INVALID.map((f) => [f.name, f.errorPath, f] as const))(
    'rejects invalid fixture %s naming %s',
    (_name, _path, fixture) => {
      const error = errorOf(() => normalizeThreatStack(fixture.body, FIXTURE_CTX));
      expect(error.issues[0]?.path).toBe(fixture.errorPath);
    },
  );

  it('returns one alert per batch element, in order', () => {
    const alerts = normalizeThreatStack(loadFixture('threatstack', 'batch-host-and-cloudtrail'), FIXTURE_CTX);
    expect(alerts.map((a) => a.deliveryKey)).toEqual(['ts:6650f1c2a9e4b0d51a2c7e91', 'ts:6650f1c3a9e4b0d51a2c7e92']);
  });

  it('labels a CloudTrail alert with a region, not a host', () => {
    const [, cloudTrail] = normalizeThreatStack(loadFixture('threatstack', 'batch-host-and-cloudtrail'), FIXTURE_CTX);
    expect(cloudTrail?.labels).toMatchObject({ region: 'us-east-1' });
    expect(cloudTrail?.labels.host).toBeUndefined();
  });

  it('rejects the whole batch when one alert is bad', () => {
    const body = structuredClone(loadFixture('threatstack', 'batch-host-and-cloudtrail')) as { alerts: Array<Record<string, unknown>> };
    body.alerts[1]!.severity = 7;
    expect(errorOf(() => normalizeThreatStack(body, FIXTURE_CTX)).issues[0]?.path).toBe('alerts[1].severity');
  });

  it('gives repeats of the same rule on the same host one fingerprint', () => {
    const base = loadFixture('threatstack', 'bare-alert') as Record<string, unknown>;
    const again = { ...base, id: '6650f1d0a9e4b0d51a2c7eff', title: 'User login from new IP address 192.0.2.200 by admin' };
    const [a] = normalizeThreatStack(base, FIXTURE_CTX);
    const [b] = normalizeThreatStack(again, FIXTURE_CTX);
    expect(b?.fingerprintKey).toBe(a?.fingerprintKey);
    expect(b?.deliveryKey).not.toBe(a?.deliveryKey);
  });
});

describe('normalizeThreatStackTitle', () => {
  it.each([
    ['IPv4 address', 'Unexpected outbound connection: curl to 203.0.113.77 by ubuntu', 'unexpected outbound connection: curl to <ip> by <user>'],
    ['IPv4 address with port', 'Connection to 10.0.0.5:4444 from sshd', 'connection to <ip> from sshd'],
    ['IPv4 CIDR', 'Security group ingress opened to 0.0.0.0/0', 'security group ingress opened to <ip>/<n>'],
    ['IPv6 address', 'Inbound SSH from 2001:db8::1 on eth0', 'inbound ssh from <ip> on eth0'],
    ['full IPv6 address', 'Inbound from fe80::1ff:fe23:4567:890a on eth0', 'inbound from <ip> on eth0'],
    ['integer', 'Process listening on port 4444', 'process listening on port <n>'],
    ['decimal', 'CPU at 97.5 percent', 'cpu at <n> percent'],
    ['numbers inside a host name', 'Change on ip-10-0-12-34', 'change on ip-<n>-<n>-<n>-<n>'],
    ['double-quoted string', 'Process "nc" spawned a shell', 'process <str> spawned a shell'],
    ['single-quoted string', "File '/tmp/x' modified", 'file <str> modified'],
    ['backquoted string', 'Ran `rm -rf /` in a container', 'ran <str> in a container'],
    ['quoted string with spaces', 'User "bob smith" added by admin', 'user <str> added by <user>'],
    ['"by <user>" tail', 'CloudTrail Activity: IAM policy change: AttachUserPolicy by deploy-bot', 'cloudtrail activity: iam policy change: attachuserpolicy by <user>'],
    ['"by <ARN>" tail', 'Bucket deleted by arn:aws:iam::111122223333:user/bob', 'bucket deleted by <user>'],
    ['"by" that is not the tail', 'Login by root from 198.51.100.23', 'login by root from <ip>'],
    ['spacing and case', '  Multiple   SPACES here ', 'multiple spaces here'],
    ['nothing variable', 'File integrity: /etc/passwd modified', 'file integrity: /etc/passwd modified'],
  ])('normalizes %s', (_what, title, expected) => {
    expect(normalizeThreatStackTitle(title)).toBe(expected);
  });

  it('maps every IPv4 address and user to the same title', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/), (ip, user) => {
        expect(normalizeThreatStackTitle(`Unexpected outbound connection: curl to ${ip} by ${user}`)).toBe(
          'unexpected outbound connection: curl to <ip> by <user>',
        );
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (title) => {
        const once = normalizeThreatStackTitle(title);
        expect(normalizeThreatStackTitle(once)).toBe(once);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  // Known gaps, reported to the owner of threatstack.ts: an IPv6 address that starts with "::" has no word boundary
  // before it, so only its digits are replaced. `it.failing` passes while the gap exists and fails once fixed.
  it.failing.each([
    ['loopback', 'Inbound from ::1 rejected'],
    ['IPv4-mapped', 'Inbound from ::ffff:192.0.2.1 rejected'],
  ])('normalizes an IPv6 address that starts with "::" (%s)', (_what, title) => {
    expect(normalizeThreatStackTitle(title)).toBe('inbound from <ip> rejected');
  });
});

describe('normalizeThreatStack fuzzing', () => {
  it('normalizes or rejects arbitrary values with InvalidPayloadError', () => {
    fc.assert(
      fc.property(anyInput, (body) => expectNormalizedOrInvalid(() => normalizeThreatStack(body, FIXTURE_CTX))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('normalizes or rejects arbitrary alert-shaped objects with InvalidPayloadError', () => {
    const field = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.integer(), fc.string({ maxLength: 14 }));
    const alert = fc.record(
      {
        id: field,
        title: field,
        created_at: fc.oneof(field, fc.integer({ min: 1_000_000_000_000, max: 9_999_999_999_999 })),
        severity: fc.oneof(field, fc.constantFrom(1, 2, 3, '1', '2', '3', ' 2 ', '1.0', 0, 4)),
        organization_id: field,
        server_or_region: field,
        source: field,
        organization_name: field,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(alert, fc.record({ alerts: fc.array(alert, { maxLength: 3 }) })), (body) =>
        expectNormalizedOrInvalid(() => normalizeThreatStack(body, FIXTURE_CTX)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it.each(VALID)('normalizes or rejects mutations of fixture %s with InvalidPayloadError', (name) => {
    fc.assert(
      fc.property(mutatedFrom(loadFixture('threatstack', name)), (body) =>
        expectNormalizedOrInvalid(() => normalizeThreatStack(body, FIXTURE_CTX)),
      ),
      { numRuns: 60 },
    );
  });
});
