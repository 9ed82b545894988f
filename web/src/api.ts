// GraphQL over fetch to this origin's /graphql. The access token lives in
// this module's memory only (never localStorage or a cookie): a reload asks
// to sign in again.
import type { TypedDocumentString } from './gql/graphql';

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
