// @unroll/data: time-major sequence data from the files users have, as pure functions from text to tensors.
export { DataError, type DataLocation } from "./data-error.js";
export type { SequenceSet } from "./sequence-set.js";
export { parseCsvTable, isNumber, type CsvRow, type CsvTable, type HeaderMode } from "./csv-table.js";
export { resolveColumns, type Column, type ColumnRef } from "./columns.js";
export { csvSequences, type CsvSeriesOptions } from "./csv-series.js";
export { buildVocabulary, vocabularyFromJson, vocabularyToJson, VOCABULARY_FORMAT, type CharVocabulary, type VocabularyJson } from "./vocabulary.js";
export { textSequences, encodeText, type CharEncoding, type TextSequenceOptions } from "./text-sequences.js";
export { batchMajorSuspicion, type BatchMajorSuspicion, type LayoutHints } from "./batch-major.js";
