// Go build constraints: parsing both line forms, reading file headers the way
// the go command does, deciding inclusion for a target with an explanation,
// converting between forms, satisfiability over ports, and lint diagnostics.
// Pure TypeScript over bytes; no I/O.
export * from './expr';
export * from './convert';
export * from './platform';
export * from './filename';
export * from './header';
export * from './misplaced';
export * from './evaluate';
export * from './satisfy';
export * from './lint';
export { utf8Encode, utf8Decode } from './utf8';
