/**
 * The shared machinery of the recursive descent over nested indexes: where we are (for
 * messages), the depth limit, refusals of unknown or unsupported fourccs, and the consistency
 * checks Faiss itself makes between an index and the index it contains.
 */
import { MilvusdmError } from '@milvusdm/core';
import { sourceError, type StructureReader } from './byte-reader.js';
import { SUPPORTED_TEXT, showFourcc } from './catalogue.js';
import type { Header, IndexNode } from './model.js';

/** Faiss's own nesting limit. */
export const MAX_DEPTH = 50;

export interface Context {
  readonly r: StructureReader;
  readonly depth: number;
  /** Enclosing classes, outermost first, for messages: `IndexIDMap > IndexIVFFlat`. */
  readonly path: readonly string[];
}

export function within(ctx: Context, name: string): Context {
  if (ctx.depth + 1 > MAX_DEPTH) {
    throw sourceError(ctx.r.file.path, `indexes nested more than ${MAX_DEPTH} deep at offset ${ctx.r.pos} (corrupt file?)`);
  }
  return { r: ctx.r, depth: ctx.depth + 1, path: [...ctx.path, name] };
}

export function where(ctx: Context, name: string): string {
  return ctx.path.length ? `${name} (inside ${ctx.path.join(' > ')})` : name;
}

/** The error for a fourcc that is not a supported index at this spot. */
export function refuse(
  ctx: Context,
  tag: { text: string; bytes: Uint8Array; offset: number },
  entry: { name: string; why?: string } | undefined,
  family: string,
): MilvusdmError {
  const path = ctx.r.file.path;
  const inside = ctx.path.length ? ` inside ${ctx.path.join(' > ')}` : '';
  if (!entry) {
    if (ctx.depth === 0) {
      return new MilvusdmError(
        'MDM_SOURCE',
        `${path}: not a Faiss index: it starts with ${showFourcc(tag.bytes)}, which is no Faiss index type (${SUPPORTED_TEXT})`,
      );
    }
    return new MilvusdmError(
      'MDM_SOURCE',
      `${path}: unknown ${family} index type ${showFourcc(tag.bytes)} at offset ${tag.offset}${inside} (corrupt file?)`,
    );
  }
  return new MilvusdmError(
    'MDM_UNSUPPORTED',
    `${path}: ${entry.name} ("${tag.text}") at offset ${tag.offset}${inside} is not supported${entry.why ? `: ${entry.why}` : ''}; ${SUPPORTED_TEXT}`,
  );
}

export function mismatch(ctx: Context, what: string): MilvusdmError {
  return sourceError(ctx.r.file.path, `${what} (corrupt file?)`);
}

/** Checks a child's header against its parent's, as Faiss does on load. */
export function checkChild(ctx: Context, parent: string, parentHeader: Header, child: IndexNode, role: string, sameCount = true): void {
  if (child.header.d !== parentHeader.d) {
    throw mismatch(ctx, `${parent}: its ${role} ${child.name} has dimension ${child.header.d}, the index has ${parentHeader.d}`);
  }
  if (sameCount && child.header.ntotal !== parentHeader.ntotal) {
    throw mismatch(ctx, `${parent}: its ${role} ${child.name} holds ${child.header.ntotal} vectors, the index ${parentHeader.ntotal}`);
  }
}
