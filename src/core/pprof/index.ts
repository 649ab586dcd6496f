export * from './model';
export * from './decode';
export * from './aggregate';
export * from './report';
