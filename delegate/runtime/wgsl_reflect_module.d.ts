// wgsl_reflect's ES module build has no declarations of its own (its package has no "exports"
// map and `import 'wgsl_reflect'` resolves to a CommonJS build that Node ESM cannot load):
// give the module file the package's types.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
