// Clearinghouse review UI: progressive enhancement only; every page works without it.
