/**
 * The incident table, described once as data: the CDK construct (lib/) and the local runtime's embedded DynamoDB
 * both create the table from this description. See docs/architecture.md for the item types and access patterns.
 *
 * Items (pk / sk):
 *   FP#<fp20>  H#<seq 8 digits>          incident head (one per incident; the latest seq is the fingerprint's current;
 *                                        `zt` = the timeline events of the batch that opened it, compact)
 *   FP#<fp20>  C#<seq>#T#<at>#<n>#<hash> timeline event of that incident (append-only; n = position in its write)
 *   FP#<fp20>  C#<seq>#A#<at>#<key>      alert log entry with its decision trace (first processing.alertLogLimit)
 *   M#<messageKey>  M                    delivery marker: this delivery was fully processed (expiresAt set)
 *   PM#<incident id>  P                  postmortem of that incident (document in `z`, `version` plain)
 *   RU#<kind>#<YYYY-MM>  <day>#<value>   insights rollup of a day and dimension value (rollup-store.ts)
 *   RU#I#<incident id>  R                marker: that incident is rolled up (expiresAt set)
 * Incident heads and alert-log entries keep their document in a compact binary body `z` (compact.ts); keys, index
 * keys and the head's `version` stay plain.
 * GSIs (KEYS_ONLY, so hot count updates never write to an index; sort keys need not be unique in a GSI):
 *   byStatus:  g1pk = STATUS#<status>, g1sk = <openedAt>
 *   byService: g2pk = SVC#<service>,   g2sk = <openedAt>
 *   byTime:    g3pk = POSTMORTEMS,      g3sk = <openedAt>   (postmortems only; incident heads written before carry
 *              g3pk = INCIDENTS, which nothing reads: the unfiltered incident list merges the byStatus partitions)
 *   Postmortem items use the same indexes under partitions of their own (postmortem-store.ts): g1pk =
 *   PMSTATUS#<status>, g2pk = PMSVC#<service>, g3pk = POSTMORTEMS, each sort key the incident's openedAt.
 */
export const INCIDENT_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  indexes: [
    { indexName: 'byStatus', partitionKey: 'g1pk', sortKey: 'g1sk' },
    { indexName: 'byService', partitionKey: 'g2pk', sortKey: 'g2sk' },
    { indexName: 'byTime', partitionKey: 'g3pk', sortKey: 'g3sk' },
  ],
} as const;

/** CreateTable input for the embedded DynamoDB (on-demand, same keys and indexes as in AWS). */
export function createTableInput(tableName: string) {
  const attrs = new Set<string>([INCIDENT_TABLE.partitionKey, INCIDENT_TABLE.sortKey]);
  for (const ix of INCIDENT_TABLE.indexes) {
    attrs.add(ix.partitionKey);
    attrs.add(ix.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attrs].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: INCIDENT_TABLE.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: INCIDENT_TABLE.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: INCIDENT_TABLE.indexes.map((ix) => ({
      IndexName: ix.indexName,
      KeySchema: [
        { AttributeName: ix.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: ix.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' as const },
    })),
  };
}
