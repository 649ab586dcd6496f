export * from './model';
export * from './decode';
export * from './aggregate';
export * from './report';
export * from './filter';
export * from './diff';
export * from './view';
export * from './encode';
