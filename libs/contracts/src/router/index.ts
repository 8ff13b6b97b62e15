export * from './router.proto';
