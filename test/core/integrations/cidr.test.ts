import { addressAllowed, parseCidr } from '../../../lambdas/core/integrations/cidr';

describe('CIDR blocks of an integration allow-list', () => {
  it.each([
    ['203.0.113.0/24', 4, 24],
    ['203.0.113.7', 4, 32],
    ['0.0.0.0/0', 4, 0],
    ['2001:db8::/32', 6, 32],
    ['::1', 6, 128],
    ['::ffff:192.0.2.1/128', 6, 128],
    ['fe80::1:2:3:4/64', 6, 64],
  ])('parses %s', (text, family, prefix) => {
    expect(parseCidr(text)).toMatchObject({ family, prefix });
  });

  it.each(['', '203.0.113.0/33', '256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4/', '1.2.3.4/8/8', '2001:db8::/129', '1::2::3', 'example.com', '1:2:3:4:5:6:7:8:9', '1.2.3.4/-1'])(
    'refuses %j', (text) => expect(parseCidr(text)).toBeNull(),
  );

  const blocks = ['203.0.113.0/24', '198.51.100.7', '2001:db8:abcd::/48'].map((s) => parseCidr(s)!);
  it.each([
    ['203.0.113.0', true],
    ['203.0.113.255', true],
    ['203.0.114.0', false],
    ['198.51.100.7', true],
    ['198.51.100.8', false],
    ['::ffff:203.0.113.9', true], // an IPv4 sender seen through a dual-stack socket
    ['2001:db8:abcd:12::1', true],
    ['2001:db8:abce::1', false],
    ['not an address', false],
    [undefined, false],
  ])('%s allowed: %s', (address, allowed) => {
    expect(addressAllowed(address, blocks)).toBe(allowed);
  });
});
