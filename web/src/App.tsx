import { AppShell, Badge, Burger, Button, Center, Group, NavLink, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useState, type FormEvent } from 'react';
import { getToken, rawApi, setOnUnauthorized, setToken } from './api';
import { completeOidcLogin, loadAuthConfig, logout, startOidcLogin, type AuthConfig } from './auth';
import { ErrorBox, Loading } from './components';
import { identityFrom } from './logic/roles';
import { href, useRoute } from './router';
import { SessionContext } from './session';
import type { Identity } from './types';
import { IncidentScreen } from './screens/Incident';
import { IncidentsScreen } from './screens/Incidents';
import { OnCallScreen } from './screens/OnCall';
import { PostmortemScreen, PostmortemsScreen } from './screens/Postmortems';
import { StatusScreen } from './screens/Status';

// Insights carries the chart library (recharts): loaded when first opened.
const InsightsScreen = lazy(() => import('./screens/Insights').then((m) => ({ default: m.InsightsScreen })));

/** Who the token is: GET /api/me (404 on a server without roles = its admin token). */
async function whoAmI(token: string): Promise<Identity | null> {
  const r = await rawApi('/api/me', { token });
  return identityFrom(r.status, r.body);
}

export function App() {
  const [config, setConfig] = useState<AuthConfig | null>(null);
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [booting, setBooting] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const queryClient = useQueryClient();

  const signOut = useCallback(() => {
    void logout(config);
    setIdentity(null);
    queryClient.clear();
  }, [config, queryClient]);

  useEffect(() => {
    setOnUnauthorized(() => {
      setToken(null);
      setIdentity(null);
      setError(new Error('Your session ended (the token was refused): sign in again.'));
    });
    (async () => {
      const c = await loadAuthConfig();
      setConfig(c);
      await completeOidcLogin(c);
      const token = getToken();
      if (token) {
        const who = await whoAmI(token);
        if (who) setIdentity(who);
        else setToken(null);
      }
    })().catch(setError).finally(() => setBooting(false));
  }, []);

  if (booting) return <Loading label="Starting the console" />;
  if (!identity || !config) {
    return <Login config={config} error={error} onSignedIn={(who) => { setError(null); setIdentity(who); }} />;
  }
  return (
    <SessionContext.Provider value={identity}>
      <Shell identity={identity} onSignOut={signOut} />
    </SessionContext.Provider>
  );
}

function Login({ config, error, onSignedIn }: { config: AuthConfig | null; error: unknown; onSignedIn(who: Identity): void }) {
  const [token, setTokenText] = useState('');
  const [problem, setProblem] = useState<unknown>(error);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const who = await whoAmI(token.trim());
      if (!who) throw new Error('This token was refused by the API.');
      setToken(token.trim());
      onSignedIn(who);
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder p="lg" w="100%" maw={420}>
        <Stack>
          <Title order={1} size="h3">Alert pipeline console</Title>
          <ErrorBox error={problem} title="Cannot sign in" />
          {config?.kind === 'oidc' ? (
            <Button onClick={() => void startOidcLogin(config)}>Sign in with single sign-on</Button>
          ) : (
            <form onSubmit={submit}>
              <Stack>
                <PasswordInput label="API token" description="The API token printed by npm start, or your personal token" value={token} onChange={(e) => setTokenText(e.currentTarget.value)} required autoFocus />
                <Button type="submit" loading={busy}>Sign in</Button>
              </Stack>
            </form>
          )}
          <Text size="xs" c="dimmed">The token stays in this tab only (sessionStorage).</Text>
        </Stack>
      </Paper>
    </Center>
  );
}

const NAV = [
  ['incidents', 'Incidents'],
  ['oncall', 'On-call'],
  ['status', 'Status'],
  ['insights', 'Insights'],
  ['postmortems', 'Postmortems'],
] as const;

function Shell({ identity, onSignOut }: { identity: Identity; onSignOut(): void }) {
  const [opened, { toggle, close }] = useDisclosure();
  const route = useRoute();
  const [screen = 'incidents', id] = route;
  useEffect(close, [route.join('/')]);
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Open navigation" />
            <Text fw={700} component="span">Alert console</Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Badge variant="outline" color="dark" visibleFrom="xs" data-testid="identity">{identity.actor} · {identity.role}</Badge>
            <Button variant="subtle" size="xs" onClick={onSignOut}>Sign out</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Screens">
        {NAV.map(([key, label]) => (
          <NavLink key={key} href={href(key)} label={label} variant="filled" active={screen === key} aria-current={screen === key ? 'page' : undefined} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {screen === 'incidents' && id ? <IncidentScreen id={id} />
          : screen === 'incidents' ? <IncidentsScreen />
          : screen === 'oncall' ? <OnCallScreen />
          : screen === 'status' ? <StatusScreen />
          : screen === 'insights' ? <Suspense fallback={<Loading />}><InsightsScreen /></Suspense>
          : screen === 'postmortems' && id ? <PostmortemScreen incidentId={id} />
          : screen === 'postmortems' ? <PostmortemsScreen />
          : <Text>No such screen.</Text>}
      </AppShell.Main>
    </AppShell>
  );
}
