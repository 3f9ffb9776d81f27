import { useMemo, useState } from 'react';
import { listOf } from '../../api/client.ts';
import type { Account, CannedEmail, Delivery, Endpoint } from '../../api/types.ts';
import { LoadState } from '../../components/load-state.tsx';
import { useResource } from '../../hooks/use-resource.ts';
import { DeliveryDialog } from './delivery-dialog.tsx';
import { DeliveryFilters } from './delivery-filters.tsx';
import { DeliveryTable } from './delivery-table.tsx';
import { hourlyBuckets } from './hourly-buckets.ts';
import { HourlyChart } from './hourly-chart.tsx';
import { loadDeliveries, NO_FILTER, type DeliveryFilter } from './load-deliveries.ts';
import { ResendFailedForm } from './resend-failed-form.tsx';

const SHOWN_AT_ONCE = 100;

/** The delivery log: did it reach them, and if not, why and what now. */
export function DeliveriesPage() {
  const [filter, setFilter] = useState<DeliveryFilter>(NO_FILTER);
  const [shown, setShown] = useState(SHOWN_AT_ONCE);
  const [opened, setOpened] = useState<Delivery>();
  const log = useResource(() => loadDeliveries(filter), [filter]);
  const targets = useResource(
    () =>
      Promise.all([
        listOf<Endpoint>('/endpoints'),
        listOf<CannedEmail>('/email-templates'),
        listOf<Account>('/accounts'),
      ]),
    [],
  );
  const [endpoints, emails, accounts] = targets.data ?? [[], [], []];
  const deliveries = log.data?.deliveries ?? [];
  const buckets = useMemo(() => hourlyBuckets(deliveries, Date.now()), [deliveries]);

  const targetName = (d: Delivery) =>
    d.channel === 'webhook'
      ? (endpoints.find((e) => e.id === d.endpointId)?.name ?? d.endpointId ?? '—')
      : (emails.find((e) => e.id === d.emailTemplateId)?.name ?? d.emailTemplateId ?? '—');

  return (
    <section aria-labelledby="deliveries-title">
      <div className="page-head">
        <h1 id="deliveries-title">Delivery log</h1>
        <button type="button" onClick={log.reload} disabled={log.loading}>
          {log.loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <DeliveryFilters
        value={filter}
        accounts={accounts}
        endpoints={endpoints}
        onApply={(next) => {
          setFilter(next);
          setShown(SHOWN_AT_ONCE);
        }}
      />
      <HourlyChart buckets={buckets} />
      <LoadState resource={log} />
      {log.data?.truncated ? (
        <p className="notice">
          More deliveries match than the console reads at once; narrow the filter to see the newest.
        </p>
      ) : null}
      {log.data && deliveries.length === 0 ? <p className="empty">No delivery matches.</p> : null}
      {deliveries.length ? (
        <>
          <p className="muted" role="status">
            {deliveries.length === 1 ? '1 delivery' : `${deliveries.length} deliveries`}, newest
            first.
          </p>
          <DeliveryTable
            deliveries={deliveries.slice(0, shown)}
            targetName={targetName}
            onOpen={setOpened}
          />
          {shown < deliveries.length ? (
            <button
              type="button"
              className="secondary"
              onClick={() => setShown(shown + SHOWN_AT_ONCE)}
            >
              Show {Math.min(SHOWN_AT_ONCE, deliveries.length - shown)} more
            </button>
          ) : null}
        </>
      ) : null}
      {targets.data ? <ResendFailedForm endpoints={endpoints} onResent={log.reload} /> : null}
      {opened ? (
        <DeliveryDialog
          delivery={opened}
          targetName={targetName(opened)}
          onClose={() => setOpened(undefined)}
          onResent={log.reload}
        />
      ) : null}
    </section>
  );
}
