/** The list of leads, newest first, a page at a time ("Load more"), and a form to create one. */
import { type Gateway } from './apollo';
import { fill, h, time } from './dom';
import { CreateLead, LeadsPage } from './operations';
import { describeError } from './errors';

export const PAGE_SIZE = 10;

export function leadsView(root: HTMLElement, { apollo }: Gateway): () => void {
  const summary = h('p', { id: 'leads-count' }, 'Loading…');
  const rows = h('tbody');
  const more = h('button', { id: 'load-more', type: 'button', hidden: true }, 'Load more');
  const problem = h('p', { id: 'leads-error', class: 'error', hidden: true });
  const advertiserRef = h('input', { name: 'advertiserRef', placeholder: 'advertiser ref, e.g. ADV-1', required: true });
  const techeaLeadId = h('input', { name: 'techeaLeadId', placeholder: 'TECHEA lead id (optional)' });
  const create = h('form', { id: 'create-lead' }, advertiserRef, techeaLeadId, h('button', { type: 'submit' }, 'Create lead'));

  fill(
    root,
    h('h2', {}, 'Leads'),
    create,
    summary,
    h('table', { id: 'leads' }, h('thead', {}, h('tr', {}, h('th', {}, 'Lead'), h('th', {}, 'Advertiser ref'), h('th', {}, 'Stage'), h('th', {}, 'Updated'))), rows),
    more,
    problem,
  );

  // The first page from the network; later pages are merged into it by `relayStylePagination`
  // and each merge comes back here as a new result.
  let endCursor: string | null = null;
  const query = apollo.watchQuery({ query: LeadsPage, variables: { first: PAGE_SIZE }, fetchPolicy: 'network-only', nextFetchPolicy: 'cache-first' });
  const watching = query.subscribe({
    next: (result) => {
      if (result.error !== undefined) return showProblem(describeError(result.error));
      if (result.dataState !== 'complete') return;
      const { edges, totalCount, pageInfo } = result.data.leads;
      summary.textContent = `${edges.length} of ${totalCount} leads`;
      fill(
        rows,
        ...edges.map(({ node }) =>
          h(
            'tr',
            { 'data-lead-id': node.id, 'data-stage': node.stage },
            h('td', {}, h('a', { href: `#/leads/${node.id}` }, node.id)),
            h('td', {}, node.advertiserRef ?? ''),
            h('td', { class: 'stage' }, node.stage),
            h('td', {}, time(node.updatedAt)),
          ),
        ),
      );
      more.hidden = !pageInfo.hasNextPage;
      endCursor = pageInfo.endCursor;
    },
  });

  more.addEventListener('click', () => {
    more.disabled = true;
    query
      .fetchMore({ variables: { after: endCursor } })
      .catch((error: unknown) => showProblem(describeError(error)))
      .finally(() => (more.disabled = false));
  });

  create.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = { advertiserRef: advertiserRef.value.trim(), ...(techeaLeadId.value.trim() !== '' && { techeaLeadId: techeaLeadId.value.trim() }) };
    apollo
      .mutate({ mutation: CreateLead, variables: { input } })
      .then(({ data }) => {
        if (data !== undefined) location.hash = `#/leads/${data.createLead.id}`;
      })
      .catch((error: unknown) => showProblem(describeError(error)));
  });

  function showProblem(text: string): void {
    problem.hidden = false;
    problem.textContent = text;
  }

  return () => watching.unsubscribe();
}
