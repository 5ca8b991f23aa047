/** Where in a text file a problem is: 1-based line, and the column (its header name or 0-based index) or 1-based character position. */
export interface DataLocation {
  /** 1-based line number in the file. */
  readonly line?: number;
  /** The column: its header name when the file has one, else its 0-based index; for text, the 1-based character position in the line. */
  readonly column?: string | number;
}

/** A problem with the content of a data file, with the line and column it is at when there is one. */
export class DataError extends Error {
  /** Where the problem is, when it is at one place. */
  readonly location: DataLocation;

  constructor(message: string, location: DataLocation = {}) {
    super(`${describeLocation(location)}${message}`);
    this.name = "DataError";
    this.location = location;
  }
}

function describeLocation({ line, column }: DataLocation): string {
  if (line === undefined) return "";
  if (column === undefined) return `line ${line}: `;
  return `line ${line}, column ${typeof column === "string" ? JSON.stringify(column) : column}: `;
}
