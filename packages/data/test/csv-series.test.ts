import { describe, expect, it } from "vitest";
import { toNested } from "@unroll/ir";
import { csvSequences, DataError, parseCsvTable } from "@unroll/data";

/** Runs `fn`, which must throw a DataError, and returns it. */
function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error("expected a DataError");
}

const series = "id,t,a,b\ns1,0,1,10\ns2,0,5,50\ns1,1,2,20\ns1,2,3,30\ns2,1,6,60\n";

describe("parseCsvTable", () => {
  it("detects a header row, keeps each row's line, skips blank and comment lines", () => {
    for (const eol of ["\n", "\r\n"]) {
      const table = parseCsvTable(["# sensor log", "a,b", "", "1,2", "3,4", ""].join(eol));
      expect(table.header).toEqual(["a", "b"]);
      expect(table.rows).toEqual([
        { line: 4, cells: ["1", "2"] },
        { line: 5, cells: ["3", "4"] },
      ]);
    }
  });

  it("reads an all-numeric first row as data, unless told it is a header", () => {
    expect(parseCsvTable("1,2\n3,4\n").header).toBeUndefined();
    expect(parseCsvTable("1,2\n3,4\n", true).header).toEqual(["1", "2"]);
    expect(parseCsvTable("a,b\n3,4\n", false).rows).toHaveLength(2);
  });

  it("names the line of a row with the wrong number of cells", () => {
    const e = dataError(() => parseCsvTable("a,b\n1,2\n3,4,5\n"));
    expect(e.location.line).toBe(3);
    expect(e.message).toMatch(/^line 3: /);
  });
});

describe("csvSequences", () => {
  it("groups rows by sequence id in file order, pads the shorter one and gives lengths", () => {
    const { sequences, lengths } = csvSequences(series, { inputCols: ["a"], targetCols: ["b"], sequenceCol: "id" });
    // s1 (3 rows) is batch row 0, s2 (2 rows) row 1; s2's third step is padding
    expect(toNested(sequences.x)).toEqual([
      [[1], [5]],
      [[2], [6]],
      [[3], [0]],
    ]);
    expect(toNested(sequences.y)).toEqual([
      [[10], [50]],
      [[20], [60]],
      [[30], [0]],
    ]);
    expect(lengths).toEqual([3, 2]);
  });

  it("shifts the target by k steps within each sequence, even when sequences interleave", () => {
    const { sequences, lengths } = csvSequences(series, { inputCols: ["a"], targetShift: 1, sequenceCol: "id" });
    // s1: a = 1,2,3 → x = 1,2 and y = 2,3; s2: a = 5,6 → x = 5, y = 6
    expect(toNested(sequences.x)).toEqual([
      [[1], [5]],
      [[2], [0]],
    ]);
    expect(toNested(sequences.y)).toEqual([
      [[2], [6]],
      [[3], [0]],
    ]);
    expect(lengths).toEqual([2, 1]);
  });

  it("cuts one long series into windows with a stride, after the shift", () => {
    const text = "v\n0\n1\n2\n3\n4\n5\n6\n";
    const { sequences, lengths } = csvSequences(text, { inputCols: ["v"], targetShift: 1, window: 3, stride: 2 });
    // 7 rows, 6 usable after the shift: windows start at 0 and 2 (a third at 4 would need step 6's target, row 7)
    expect(toNested(sequences.x)).toEqual([
      [[0], [2]],
      [[1], [3]],
      [[2], [4]],
    ]);
    expect(toNested(sequences.y)).toEqual([
      [[1], [3]],
      [[2], [4]],
      [[3], [5]],
    ]);
    expect(lengths).toBeUndefined();
  });

  it("takes columns by index and several columns in the order given, and has no y without targets", () => {
    const { sequences } = csvSequences("1,2,3\n4,5,6\n", { inputCols: [2, "0"] });
    expect(toNested(sequences.x)).toEqual([[[3, 1]], [[6, 4]]]);
    expect(sequences.y).toBeUndefined();
  });

  it("makes float64 tensors when asked", () => {
    const { sequences } = csvSequences("v\n0.1\n0.2\n", { inputCols: ["v"], dtype: "float64" });
    expect(sequences.x.data).toBeInstanceOf(Float64Array);
    expect(sequences.x.data[1]).toBe(0.2);
  });

  it("names the line and column of a non-numeric or missing cell", () => {
    const bad = dataError(() => csvSequences("id,a,b\ns,1,2\ns,x,3\n", { inputCols: ["a"], targetCols: ["b"] }));
    expect(bad.message).toBe('line 3, column "a": "x" is not a finite number');
    expect(bad.location).toEqual({ line: 3, column: "a" });
    const missing = dataError(() => csvSequences("1,2\n3,\n", { inputCols: [0], targetCols: [1] }));
    expect(missing.message).toBe("line 2, column 1: the cell is empty; it must be a number");
  });

  it("lists the columns there are when one is unknown", () => {
    expect(dataError(() => csvSequences(series, { inputCols: ["c"] })).message).toBe(
      'input column "c" is not a column; columns are the header\'s names (id, t, a, b) or indices 0 to 3',
    );
    expect(dataError(() => csvSequences("1,2\n", { inputCols: [5] })).message).toContain("indices 0 to 1 (the file has no header)");
  });

  it("refuses a window longer than the series, a sequence too short for the shift, and conflicting options", () => {
    expect(dataError(() => csvSequences("v\n1\n2\n3\n", { inputCols: ["v"], targetShift: 1, window: 3 })).message).toContain("use a --window of at most 2");
    expect(dataError(() => csvSequences(series, { inputCols: ["a"], targetShift: 2, sequenceCol: "id" })).message).toBe(
      'line 3: sequence "s2" has 2 rows; a target shift of 2 needs at least 3',
    );
    expect(dataError(() => csvSequences(series, { inputCols: ["a"], sequenceCol: "id", window: 2 })).message).toContain("not both");
    expect(dataError(() => csvSequences(series, { inputCols: ["a"], stride: 2 })).message).toBe("a stride needs a window");
    expect(dataError(() => csvSequences(series, { inputCols: ["a"], window: 0 })).message).toBe("the window must be an integer ≥ 1, got 0");
  });
});
