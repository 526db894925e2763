export interface StatusFile { path: string; contentType: string; body: string; cacheSeconds: number }
