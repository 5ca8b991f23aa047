import raw from "./corpus.txt?raw";

/** The training text: Shakespeare's Sonnets I–XX (public domain), line ends normalized. */
export const corpusText: string = raw.replace(/\r\n?/g, "\n");

/** Where the text comes from, for the page. */
export const corpusSource = "Shakespeare's Sonnets I–XX (1609, public domain)";
