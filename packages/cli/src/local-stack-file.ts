/** Where `sluice dev` writes the local stack's endpoints and `--local` commands read them. */
export const DEFAULT_LOCAL_STACK_FILE = ".sluice/local-stack.json";
