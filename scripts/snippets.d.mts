export declare const CODE_LANGUAGES: Set<string>;
export declare function extractSnippet(text: string, region?: string): string[];
export declare function processMarkdown(
  markdown: string,
  readSource: (path: string) => string,
): { output: string; problems: { line: number; message: string; stale?: boolean }[] };
export declare function documentsIn(root: string): string[];
export declare function runSnippets(root: string, options?: { write?: boolean; documents?: string[] }): string[];
