// GraphiQL built from npm and served by the gateway with the dashboard (no
// CDN at run time), opened at /#graphiql. Loaded on demand: the dashboard's
// first view does not ship it. Requests go to this origin's /graphql with
// the headers typed into GraphiQL (e.g. `{"Authorization": "Bearer …"}`).
import 'graphiql/graphiql.css';
import type { Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

const fetcher: Fetcher = async (params, opts) => {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...((opts?.headers as Record<string, string> | undefined) ?? {}) },
    body: JSON.stringify(params),
  });
  return res.json();
};

export function mount(el: HTMLElement): void {
  document.title = 'GraphiQL — SOI';
  el.classList.add('graphiql-root');
  createRoot(el).render(createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true }));
}
