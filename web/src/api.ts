// GraphQL over fetch to this origin's /graphql. The access token lives in
// this module's memory only (never localStorage); the refresh token lives in
// an httpOnly cookie the gateway sets for /web/session alone, so a reload
// resumes the session and scripts never see it.
import type { TypedDocumentString, UserRole } from './gql/graphql';

let accessToken: string | null = null;

export function setToken(token: string | null): void {
  accessToken = token;
}

export function hasToken(): boolean {
  return accessToken !== null;
}

/** The token, for the subscription socket's connection_init. */
export function currentToken(): string | null {
  return accessToken;
}

/** An error the API answered with its `extensions.code`, or NETWORK. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function request<R, V>(doc: TypedDocumentString<R, V>, variables: V): Promise<R> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (accessToken) headers['authorization'] = `Bearer ${accessToken}`;
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: doc.toString(), variables }),
    });
  } catch {
    throw new ApiError('NETWORK', 'no answer');
  }
  let body: { data?: R | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(res.status === 401 ? 'UNAUTHENTICATED' : 'NETWORK', `HTTP ${res.status}`);
  }
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.extensions?.code ?? 'INTERNAL', first.message);
  if (!body.data) throw new ApiError('INTERNAL', 'no data');
  return body.data;
}

/** The file name a Content-Disposition header gives, if any. */
export function fileName(disposition: string | null): string | null {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '');
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}

/** GETs a report download (`path.format?query`) with the token and hands it
 * to the browser as a file named as the server names it. */
export async function downloadFile(path: string, format: 'csv' | 'xlsx', query: Record<string, string>): Promise<void> {
  const headers: Record<string, string> = {};
  if (accessToken) headers['authorization'] = `Bearer ${accessToken}`;
  let res: Response;
  try {
    res = await fetch(`${path}.${format}?${new URLSearchParams(query)}`, { headers });
  } catch {
    throw new ApiError('NETWORK', 'no answer');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { errors?: { extensions?: { code?: string } }[] } | null;
    throw new ApiError(body?.errors?.[0]?.extensions?.code ?? 'INTERNAL', `HTTP ${res.status}`);
  }
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName(res.headers.get('content-disposition')) ?? `report.${format}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/** A session the gateway opened or renewed: the access token and its life. */
export interface Session {
  accessToken: string;
  expiresIn: number;
  role: UserRole;
}

/** POSTs to the session endpoints with the header a cross-site form cannot send. */
async function sessionCall(path: string, body?: unknown): Promise<Session | null> {
  let res: Response;
  try {
    res = await fetch(`/web/session${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-soi-csrf': '1' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('NETWORK', 'no answer');
  }
  const answer = (await res.json().catch(() => null)) as { data?: Session | boolean | null; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  const first = answer?.errors?.[0];
  if (first) throw new ApiError(first.extensions?.code ?? 'INTERNAL', first.message);
  if (!answer) throw new ApiError(res.status === 403 ? 'FORBIDDEN' : 'NETWORK', `HTTP ${res.status}`);
  return typeof answer.data === 'object' ? answer.data : null;
}

/** Signs in; the gateway keeps the refresh token in its cookie. */
export async function openSession(email: string, password: string): Promise<Session> {
  const s = await sessionCall('', { email, password });
  if (!s) throw new ApiError('INTERNAL', 'no session');
  return s;
}

/** A new access token from the cookie; `null` when there is no session.
 * Tabs share the cookie, so they renew one at a time (Web Locks, where the
 * page is a secure context): each then presents the token the last left. */
export async function renewSession(): Promise<Session | null> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return sessionCall('/refresh');
  let renewed: Session | null = null;
  // Held until the call settles; a failure leaves the lock and is thrown.
  await locks.request('soi-session-renew', async () => {
    renewed = await sessionCall('/refresh');
  });
  return renewed;
}

/** Revokes the cookie's refresh token and clears the cookie. */
export async function closeSession(): Promise<void> {
  await sessionCall('/logout');
}

/** When to renew an access token living `expiresIn` seconds: a minute
 * before it expires (at least 5 s from now). */
export function renewDelayMs(expiresIn: number): number {
  return Math.max(5, expiresIn - 60) * 1000;
}
