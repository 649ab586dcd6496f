// esbuild (scripts/build.mjs) imports .css files as their text.
declare module '*.css' {
  const text: string;
  export default text;
}
