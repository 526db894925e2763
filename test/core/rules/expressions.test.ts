import { CelAlert, celAlarmOf, compileExpression } from '../../../lambdas/core/rules/expressions';
import { alert } from '../../support/builders';

const GUARDED = [
  ['alert.source == "threatstack" && alert.labels.ts_source == "CloudTrail"', 'threatstack'],
  ['alert.labels.missing == "x" && "cloudwatch" == alert.source', 'cloudwatch'],
  ['payload.a && (alert.title != "" && alert.source == "webhook")', 'webhook'],
  ['alert.source == "cloudwatch" && alert.labels.alarm_name.startsWith("canary-")', 'cloudwatch'],
] as const;

const UNGUARDED = [
  'alert.source == "threatstack" || alert.title.contains("x")',
  '!(alert.source == "threatstack") && true',
  'alert.source != "threatstack" && true',
  'alert.title.contains("firewall")',
  'alert.source == alert.title && true',
  '[1].exists(alert, alert == 1) && true',
];

describe('compileExpression: the source a condition requires', () => {
  it.each(GUARDED)('%s requires source %s', (source, required) => {
    expect(compileExpression(source).requiredSource).toBe(required);
  });

  it.each(UNGUARDED)('%s requires no source', (source) => {
    expect(compileExpression(source).requiredSource ?? null).toBeNull();
  });

  // The rules skip such a condition for an alert of another source: CEL's && is false once an operand is false, even
  // when another operand fails (a missing key) or is not a bool. This pins that cel-js still evaluates it so.
  it.each(GUARDED)('%s is false, not an error, for an alert of another source (so it need not run)', (source) => {
    const other = alert({ source: 'alertmanager', labels: {} });
    const act = { alert: new CelAlert(other), tags: {}, payload: { a: 'not a bool' }, alarm: celAlarmOf(other) };
    expect(compileExpression(source).evaluate(act)).toEqual({ ok: true, value: false });
  });
});

describe('CelAlert: alert.identity', () => {
  it.each([
    ['alert.identity.fingerprint == "f1"', true],
    ['alert.identity["externalURL"] == "https://am"', true],
    ['"fingerprint" in alert.identity', true],
    ['has(alert.identity.fingerprint)', true],
    ['has(alert.identity.other)', false],
    ['size(alert.identity) == 2', true],
    ['has(alert.identity)', true],
  ])('%s is %s', (source, expected) => {
    const a = alert({ identity: [['externalURL', 'https://am'], ['fingerprint', 'f1']] });
    const act = { alert: new CelAlert(a), tags: {}, payload: null, alarm: celAlarmOf(a) };
    const compiled = compileExpression(source);
    expect(compiled.evaluate(act)).toEqual({ ok: true, value: expected });
    expect(compiled.evaluate(act)).toEqual({ ok: true, value: expected }); // asked twice: the same map
  });
});
