import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open-store.ts';
import type { DeliveryRecord, Owner, Store } from '../store/store.ts';
import { CommandError, type CliIo } from './cli-io.ts';

/**
 * Opens the database a Herald runs on (HERALD_DATABASE_URL, else the SQLite file
 * under HERALD_DATA_DIR), for the operator commands. It refuses, rather than
 * creating an empty database, when there is none at that place, and asks for
 * `herald migrate` when the schema is behind this code. It can be used while
 * Herald runs: SQLite allows other processes beside it, PostgreSQL many clients.
 */
export async function openOperatorStore(io: CliIo): Promise<Store> {
  // Operator commands read no stored secret; a given key keeps loadConfig from
  // creating one (and the data folder) as a first start would.
  const config = loadConfig(io.env, { secretKey: 'not-used-by-operator-commands' });
  if (!config.databaseUrl) {
    const file = join(config.dataDir, 'herald.db');
    if (!existsSync(file)) {
      throw new CommandError(
        `no Herald database at ${file}: set HERALD_DATA_DIR to the folder Herald runs ` +
          'with, or HERALD_DATABASE_URL to its PostgreSQL database',
      );
    }
  }

  const store = await openStore(config);
  try {
    const schema = await store.schemaState();
    if (schema.applied < schema.latest) {
      throw new CommandError(
        `the database schema is at version ${schema.applied} of ${schema.latest}: ` +
          'run "herald migrate" first',
      );
    }
  } catch (error) {
    await store.close();
    if (error instanceof CommandError) throw error;
    throw new CommandError(`cannot read the database: ${String(error)}`, { cause: error });
  }
  return store;
}

/** Opens the store, runs `work`, and closes the store whatever happens. */
export async function withStore<T>(io: CliIo, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openOperatorStore(io);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The owner `id`, or a CommandError that says how to list them. */
export async function ownerById(store: Store, id: string): Promise<Owner> {
  const owner = await store.getOwner(id);
  if (!owner) throw new CommandError(`no owner ${id}; "herald owners" lists them`);
  return owner;
}

/**
 * Finds a delivery by id alone. The store looks deliveries up per owner, so this
 * asks each owner in turn: one indexed lookup per owner, fine at a terminal.
 */
export async function findDelivery(store: Store, id: string): Promise<DeliveryRecord> {
  for (const owner of await store.listOwners()) {
    const delivery = await store.getDelivery(owner.id, id);
    if (delivery) return delivery;
  }
  throw new CommandError(`no delivery ${id}; "herald deliveries" lists them`);
}

/** The owner of webhook endpoint `id`, found the same way. */
export async function endpointOwner(store: Store, id: string): Promise<Owner> {
  for (const owner of await store.listOwners()) {
    if (await store.getRecord(owner.id, 'endpoint', id)) return owner;
  }
  throw new CommandError(`no endpoint ${id}`);
}
