export * from './router.proto';
export * from './router.mapper';
