/**
 * The entry of a record under an id, if the record has one of its own. Ids are
 * any string: `"constructor"` or `"valueOf"` must not find `Object.prototype`'s member.
 */
export function ownEntry<T>(record: Readonly<Record<string, T>> | undefined, id: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, id) ? record[id] : undefined;
}
