export * from './model-catalog';
