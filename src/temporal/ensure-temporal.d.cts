/** Path of a working Temporal CLI binary; installs the pinned one project-locally when none is found. */
export declare function ensureTemporalCli(): string;
