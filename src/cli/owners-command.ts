import type { Command } from './command.ts';
import { withStore } from './operator-store.ts';
import { renderTable, when } from './table.ts';

export const ownersCommand: Command = {
  name: 'owners',
  summary: 'list the owners (tenants) with their queued and failed deliveries',
  usage: `herald owners [--json]

  --json  one JSON object per line instead of the table`,
  options: { json: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },

  async run({ values }, io) {
    return withStore(io, async (store) => {
      const rows = [];
      for (const owner of await store.listOwners()) {
        rows.push({ ...owner, deliveries: await store.countDeliveries(owner.id) });
      }
      if (values.json) {
        for (const row of rows) io.out.write(JSON.stringify(row) + '\n');
        return 0;
      }
      io.out.write(
        renderTable(rows, [
          { title: 'OWNER', value: (o) => o.id },
          { title: 'NAME', value: (o) => o.name, max: 40 },
          { title: 'PLATFORM', value: (o) => (o.platform ? 'yes' : '') },
          { title: 'CREATED', value: (o) => when(o.createdAt) },
          { title: 'PENDING', value: (o) => o.deliveries.pending, align: 'right' },
          { title: 'IN FLIGHT', value: (o) => o.deliveries.in_flight, align: 'right' },
          { title: 'FAILED', value: (o) => o.deliveries.failed, align: 'right' },
        ]),
      );
      return 0;
    });
  },
};
