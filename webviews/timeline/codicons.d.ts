// scripts/build.mjs resolves `codicon:<name>` to that codicon as an <svg> string.
declare module 'codicon:*' {
  const svg: string;
  export default svg;
}
