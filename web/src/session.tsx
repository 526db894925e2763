import { createContext, useContext } from 'react';
import type { Identity } from './types';
import { can, type Capability } from './logic/roles';

export const SessionContext = createContext<Identity>({ actor: 'nobody', role: 'viewer', via: 'none' });
export const useSession = () => useContext(SessionContext);
export const useCan = (c: Capability) => can(useSession().role, c);
