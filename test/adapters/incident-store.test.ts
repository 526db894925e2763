import { DynamoIncidentStore } from '../../lambdas/adapters/dynamodb/incident-store';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { startEmbeddedDynamo } from '../../lambdas/local/embedded-dynamodb';
import { incidentStoreContract } from './incident-store.contract';

incidentStoreContract('in-memory', async () => ({ store: new InMemoryIncidentStore(), close: async () => {} }));

incidentStoreContract('DynamoDB (embedded dynalite)', async () => {
  const dynamo = await startEmbeddedDynamo({ tableName: 'incidents' });
  return { store: new DynamoIncidentStore(dynamo.client, 'incidents'), close: () => dynamo.close() };
});
