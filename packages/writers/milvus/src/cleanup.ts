/**
 * `milvusdm cleanup`: what interrupted runs left on a server, found by name (names.ts).
 *
 * - a staging collection no alias points to and no live run holds: dropped (its run never
 *   swapped it in; the target it was for is unchanged);
 * - a set-aside collection (`…__milvusdm_old_…`): renamed back when its target name is free
 *   (the run stopped between the two renames of a swap), else dropped (the swap completed);
 * - a fill collection (`…__milvusdm_fill_…`, a partition overwrite stopped while refilling its
 *   partition): kept and listed; running the same job again completes the replace from it;
 * - a lock marker whose holder is gone or silent past the stale timeout: dropped; a live
 *   one is listed and kept.
 */
import { type ChannelContext, type LeftoverItem } from '@milvusdm/core';
import { MilvusCollection, type MilvusConnection } from '@milvusdm/milvus-client';
import { lockHolder } from './lock.js';
import { parseHelperName } from './names.js';

async function aliasesOf(conn: MilvusConnection, name: string): Promise<string[]> {
  const r = await conn.sdk<{ aliases?: string[] }>(
    'DescribeCollection',
    { collection_name: name, ...(conn.database ? { db_name: conn.database } : {}) },
    `describe "${name}"`,
  );
  return r.aliases ?? [];
}

/**
 * `look` at a collection that was in the listing, or undefined if it has gone since: another
 * cleanup, or the run that owned it finishing, may remove a helper between the listing and the
 * look, and a helper that is gone needs nothing done.
 */
async function unlessGone<T>(conn: MilvusConnection, name: string, look: () => Promise<T>): Promise<T | undefined> {
  try {
    return await look();
  } catch (e) {
    if (await new MilvusCollection(conn, name).exists()) throw e;
    return undefined;
  }
}

export async function findLeftovers(
  conn: MilvusConnection,
  context: ChannelContext,
  staleSeconds: number,
  apply: boolean,
): Promise<LeftoverItem[]> {
  const names = await conn.listCollections();
  const present = new Set(names);
  const items: LeftoverItem[] = [];
  // Targets a live run is writing: their staging collections are in use, not orphans.
  const busy = new Set<string>();
  for (const name of names) {
    const helper = parseHelperName(name);
    if (helper?.kind !== 'lock') continue;
    const state = await unlessGone(conn, name, () => lockHolder(conn, name, staleSeconds));
    if (!state) continue;
    if (state.stale) {
      items.push({ name, kind: 'lock', action: `drop (${state.stale})`, removable: true });
    } else {
      busy.add(helper.target);
      items.push({ name, kind: 'lock', action: `kept: held by ${state.who}`, removable: false });
    }
  }
  for (const name of names) {
    const helper = parseHelperName(name);
    if (!helper || helper.kind === 'lock') continue;
    if (helper.kind === 'staging') {
      const aliases = await unlessGone(conn, name, () => aliasesOf(conn, name));
      if (!aliases || aliases.length > 0) continue; // gone, or swapped in behind an alias: it is the live collection
      if (busy.has(helper.target))
        items.push({ name, kind: 'staging', action: `kept: a run writing "${helper.target}" is still running`, removable: false });
      else
        items.push({
          name,
          kind: 'staging',
          action: `drop (an unfinished overwrite of "${helper.target}"; "${helper.target}" was not changed by it)`,
          removable: true,
        });
    } else if (helper.kind === 'fill') {
      // Never dropped: the partition it refills may already have lost its old rows, and this
      // collection is then the only complete copy of the new ones (partition-swap.ts).
      items.push({
        name,
        kind: 'fill',
        action: busy.has(helper.target)
          ? `kept: a run writing "${helper.target}" is still running`
          : `kept: an interrupted partition overwrite of "${helper.target}" (it holds the complete new rows); run the same job again to complete it`,
        removable: false,
      });
    } else if (busy.has(helper.target)) {
      // A live run's swap: between its two renames the target name is free, and renaming the
      // set-aside collection back then would undo the swap under it.
      items.push({ name, kind: 'set-aside', action: `kept: a run writing "${helper.target}" is still running`, removable: false });
    } else if (!present.has(helper.target)) {
      items.push({
        name,
        kind: 'set-aside',
        action: `rename back to "${helper.target}" (a swap stopped between its two renames)`,
        removable: true,
      });
    } else {
      items.push({
        name,
        kind: 'set-aside',
        action: `drop (the collection "${helper.target}" replaced; the swap completed)`,
        removable: true,
      });
    }
  }
  if (!apply) return items;
  const done: LeftoverItem[] = [];
  for (const item of items) {
    if (!item.removable) {
      done.push(item);
      continue;
    }
    const helper = parseHelperName(item.name)!;
    if (item.kind === 'set-aside' && item.action.startsWith('rename back')) {
      const renamed = await unlessGone(conn, item.name, () =>
        conn.sdk(
          'RenameCollection',
          { oldName: item.name, newName: helper.target, ...(conn.database ? { db_name: conn.database, newDBName: conn.database } : {}) },
          `rename "${item.name}" back to "${helper.target}"`,
        ),
      );
      if (!renamed) {
        context.logger.info(`${item.name}: gone before it was renamed back (another client acted on it) — nothing to do`);
        done.push(item);
        continue;
      }
    } else {
      await new MilvusCollection(conn, item.name).drop();
    }
    context.logger.info(`${item.name}: ${item.action} — done`);
    done.push({ ...item, done: true });
  }
  return done;
}
